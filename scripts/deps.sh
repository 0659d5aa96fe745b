#!/usr/bin/env bash
# deps.sh: the one list of Debian packages gebm needs beyond the machine image
# (Debian 12 with Go, gcc, make, git, node; .ci/image-packages.txt), and the
# commands that check, install and audit them.
#
#   scripts/deps.sh list GROUP...      the packages of these groups
#   scripts/deps.sh missing GROUP...   those not installed (exit 1 if any)
#   scripts/deps.sh ensure GROUP...    install the missing ones when root with
#                                      apt-get, else one line naming the command; exit 1
#   scripts/deps.sh install GROUP...   install the missing ones (root)
#   scripts/deps.sh audit [-g GROUPS] -- CMD...
#                                      run CMD under strace and fail if it used a
#                                      file of a package that neither the image nor
#                                      GROUPS (default: all) installs
#
# Groups: fast (OpenBLAS for the native binary; optional, make build falls
# back to pure Go), test (what make test needs), cuda (what make test-cuda
# needs: the toolkit from non-free and an nvcc host compiler), torch (PyTorch
# for the CPU comparisons of make bench-train-torch and make bench-conv-torch
# only: never part of test or CI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

pkgs_of() {
	case $1 in
	fast) echo libopenblas-dev ;;
	# clang + lld: the SIMD128 kernel's rebuild check; chromium: the page's tests.
	test) echo libopenblas-dev clang lld chromium ;;
	# nvcc 11.8 needs gcc <= 11 as its host compiler. The toolkit depends on
	# "g++-11 | clang-14 | ...", which apt satisfies with clang-14 where clang
	# is already installed, and nvcc then refuses: so g++-11 is named here.
	cuda) echo nvidia-cuda-toolkit g++-11 ;;
	# PyTorch 1.13 (CPU), the baseline of make bench-train-torch and bench-conv-torch.
	torch) echo python3-torch ;;
	*) echo "deps.sh: unknown group $1 (fast, test, cuda, torch)" >&2; exit 2 ;;
	esac
}

list() {
	local g
	for g in "$@"; do pkgs_of "$g"; done | tr ' ' '\n' | sort -u
}

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing() {
	local p
	for p in $(list "$@"); do installed "$p" || echo "$p"; done
}

# enable_nonfree adds the contrib and non-free components to apt's Debian
# sources (the CUDA toolkit is in non-free).
enable_nonfree() {
	local src=/etc/apt/sources.list.d/debian.sources
	if [ -f "$src" ]; then
		grep -q 'non-free' "$src" || sed -i 's/^Components: main.*$/Components: main contrib non-free non-free-firmware/' "$src"
	elif [ -f /etc/apt/sources.list ]; then
		grep -q 'non-free' /etc/apt/sources.list || sed -i 's/ main$/ main contrib non-free non-free-firmware/' /etc/apt/sources.list
	fi
}

install() {
	local need
	need=$(missing "$@" | tr '\n' ' ')
	[ -n "${need// /}" ] || return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "deps.sh: installing needs root and apt-get: sudo scripts/deps.sh install $*" >&2
		exit 1
	fi
	case " $need " in *" nvidia-cuda-toolkit "*) enable_nonfree ;; esac
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Only the toolkit and PyTorch go without their recommended packages (GPU
	# drivers, docs, PyTorch's development headers);
	# chromium keeps its fonts, so the page renders as people see it.
	local p norec=() rec=()
	for p in $need; do
		case $p in nvidia-cuda-toolkit | python3-torch) norec+=("$p") ;; *) rec+=("$p") ;; esac
	done
	[ ${#rec[@]} -eq 0 ] || apt-get install -y -qq "${rec[@]}"
	[ ${#norec[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${norec[@]}"
	need=$(missing "$@" | tr '\n' ' ')
	[ -z "${need// /}" ] || { echo "deps.sh: still missing after apt-get install: $need" >&2; exit 1; }
}

ensure() {
	local need
	need=$(missing "$@" | tr '\n' ' ')
	[ -n "${need// /}" ] || return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "deps.sh: installing the Debian packages that $* need${*:+ }(${need% }) with apt-get" >&2
		install "$@"
	else
		echo "deps.sh: missing Debian packages ${need% }: run sudo scripts/deps.sh install $*" >&2
		exit 1
	fi
}

# owners prints "path<TAB>package" for each path read on stdin that a package
# installed on this machine owns (trying the path, its /usr-merged twin and the
# file a symbolic link points at), and "path<TAB>-" for the others.
owners() {
	local lists=/var/lib/dpkg/info
	while IFS= read -r p; do
		local r
		r=$(readlink -f -- "$p" 2>/dev/null || echo "$p")
		printf '%s\t%s\t%s\t%s\t%s\n' "$p" "$p" "$r" "${p#/usr}" "${r#/usr}"
	done | awk -F'\t' -v lists="$lists" '
		BEGIN {
			cmd = "for f in " lists "/*.list; do n=${f##*/}; n=${n%.list}; n=${n%%:*}; sed \"s|^|$n\t|\" \"$f\"; done"
			while ((cmd | getline line) > 0) {
				split(line, a, "\t"); owner[a[2]] = a[1]
			}
			close(cmd)
		}
		{
			o = "-"
			for (i = 2; i <= 5; i++) {
				if ($i in owner) { o = owner[$i]; break }
				if (("/usr" $i) in owner) { o = owner["/usr" $i]; break }
			}
			print $1 "\t" o
		}'
}

# allowed prints the packages a run may use: the machine image's, the groups',
# and everything those pull in (Depends, Pre-Depends, Recommends) as installed.
allowed() {
	grep -v '^#' "$root/.ci/image-packages.txt"
	local p
	p=$(list "$@" | tr '\n' ' ')
	# shellcheck disable=SC2086
	apt-cache depends --recurse --installed --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances $p 2>/dev/null | sed -n 's/^ *\(Pre\)\{0,1\}Depends: //p; s/^ *Recommends: //p; /^[a-z0-9]/p' |
		tr -d '<>' | sed 's/:.*//'
	list "$@"
}

audit() {
	local groups="fast test cuda"
	if [ "${1:-}" = -g ]; then groups=$2; shift 2; fi
	[ "${1:-}" = -- ] && shift
	[ $# -gt 0 ] || { echo "deps.sh audit: no command" >&2; exit 2; }
	command -v strace >/dev/null || { echo "deps.sh audit: needs strace (in the machine image)" >&2; exit 1; }
	local tmp
	tmp=$(mktemp -d)
	# Files executed (x) or opened (o) outside the Go toolchain, the module
	# cache and scratch space, each once; awk reads strace's log through a
	# pipe as it is written, so the log never lands on disk.
	mkfifo "$tmp/log"
	awk -F'"' '$2 ~ /^\/(usr|lib|lib64|bin|sbin|opt)\// && $2 !~ /^\/usr\/local\/go\// {
		t = ($1 ~ /execve\(/) ? "x" : "o"
		if (!seen[t $2]++) print t "\t" $2
	}' <"$tmp/log" >"$tmp/used" &
	local reader=$! rc=0
	strace -f -qq --seccomp-bpf -e trace=execve,openat -e status=successful -e signal=none \
		-o "$tmp/log" -- "$@" || rc=$?
	wait "$reader"
	# shellcheck disable=SC2086
	allowed $groups | sort -u >"$tmp/allowed"
	# Folders read as folders (a PATH search, fontconfig's scan) use no package.
	cut -f2 "$tmp/used" | sort -u | while IFS= read -r p; do [ -d "$p" ] || echo "$p"; done | owners >"$tmp/owned"
	# A file of a package outside the allowed set is refused; so is a program
	# or shared library that no package owns (copied in by hand). Other
	# unowned files are caches that packages' triggers generate (fontconfig,
	# gio, glib schemas), allowed.
	local bad
	bad=$(awk -F'\t' 'FILENAME == ARGV[1] { ok[$1] = 1; next }
		FILENAME == ARGV[2] { if ($1 == "x") exe[$2] = 1; next }
		($2 != "-" && !($2 in ok)) || ($2 == "-" && ($1 in exe || $1 ~ /\.so(\.[0-9]+)*$/))' \
		"$tmp/allowed" "$tmp/used" "$tmp/owned" | sort -t$'\t' -k2)
	local nused npk
	nused=$(wc -l <"$tmp/used")
	npk=$(cut -f2 "$tmp/owned" | sort -u | wc -l)
	rm -rf "$tmp"
	if [ -n "$bad" ]; then
		echo "deps.sh audit: '$*' used files that no install step provides (neither the machine image, .ci/image-packages.txt, nor scripts/deps.sh groups: $groups):" >&2
		echo "$bad" | awk -F'\t' '{ n[$2]++; if (n[$2] <= 3) print "  " ($2 == "-" ? "(no package)" : $2) ": " $1 }' >&2
		echo "deps.sh audit: add each package to a group in scripts/deps.sh (or stop using it)" >&2
		exit 1
	fi
	echo "deps.sh audit: '$*' exited $rc; the $nused system files it used come from $npk packages, all installed by the image or by scripts/deps.sh ($groups)" >&2
	return "$rc"
}

cmd=${1:-}
shift || true
case $cmd in
list) list "$@" ;;
missing) m=$(missing "$@"); [ -z "$m" ] || { echo "$m"; exit 1; } ;;
ensure) ensure "$@" ;;
install) install "$@" ;;
audit) audit "$@" ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
