#!/usr/bin/env bash
# compare-settings.sh DATA STEPS "SEED..." [gebm train flags...]
# Trains one model per seed with the given flags (into a temporary folder,
# removed afterwards), evaluates each with `gebm eval --json` and prints, per
# seed and as mean ± standard error, the generator's and the GEBM's at β = 1
# (SIR) high-quality %, modes covered, MMD², KALE and NLL, the SIR pool's
# ESS fraction and the energy's range (E(data) - E(generator) means, from the
# training log). docs/EVAL.md records runs of it. Needs bin/gebm and jq.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
cd "$(dirname "$0")/.."
data=$1 steps=$2 seeds=$3
shift 3
gebm=${GEBM:-bin/gebm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'seed\tgen_hq\tsir_hq\tgen_modes\tsir_modes\tgen_mmd2\tsir_mmd2\tgen_kale\tsir_kale\tgen_nll\tsir_nll\tess\n'
for s in $seeds; do
	out="$tmp/run$s"
	if ! "$gebm" train --data "$data" --steps "$steps" --seed "$s" --out "$out" --quiet "$@" >"$tmp/train$s.log" 2>&1; then
		printf '%s\ttraining failed: %s\n' "$s" "$(tail -1 "$tmp/train$s.log")"
		continue
	fi
	"$gebm" eval --model "$out/model.gebm" --data "$data" --json 2>/dev/null | jq -r --arg s "$s" '
		[$s,
		 (if .generator.modes then .generator.modes.HighQuality * 100 else "-" end),
		 (if .gebm_beta1_sir.modes then .gebm_beta1_sir.modes.HighQuality * 100 else "-" end),
		 (if .generator.modes then .generator.modes.Covered else "-" end),
		 (if .gebm_beta1_sir.modes then .gebm_beta1_sir.modes.Covered else "-" end),
		 .generator.mmd2, .gebm_beta1_sir.mmd2, .generator.kale, .gebm_beta1_sir.kale,
		 (.generator.nll // "-"), (.gebm_beta1_sir.nll // "-"), .sir.ess_fraction] | @tsv'
done | awk -F'\t' -v OFS='\t' '{ for (i = 2; i <= NF; i++) if ($i ~ /^-?[0-9.e+-]+$/) $i = sprintf("%.4g", $i); print }' | tee "$tmp/rows"
awk -F'\t' '$2 !~ /fail/ {
	n++
	for (i = 2; i <= NF; i++) { s[i] += $i; q[i] += $i * $i }
	nf = NF
}
END {
	if (n == 0) exit
	printf "mean"
	for (i = 2; i <= nf; i++) {
		m = s[i] / n
		se = n > 1 ? sqrt((q[i] - n * m * m) / (n - 1) / n) : 0
		printf "\t%.4g±%.2g", m, se
	}
	printf "\n"
}' "$tmp/rows"
