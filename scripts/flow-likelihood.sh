#!/usr/bin/env bash
# flow-likelihood.sh STEPS "DATA..." "SEED..." [gebm train flags...]
# The EBM reduction of issue 19: for each toy set and seed, trains a GEBM
# whose base is a RealNVP flow (gebm train --base realnvp plus the flags
# given), evaluates it with `gebm eval` and prints the test NLL of
# the flow alone and of the GEBM (log Z by importance sampling from the
# flow), their paired difference and KL(data‖model), each ± one standard
# error; then, per set, the mean ± standard error over the seeds and how
# many seeds have the GEBM's NLL below its flow's. docs/EVAL.md records a
# run. Needs bin/gebm (or $GEBM).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
cd "$(dirname "$0")/.."
steps=$1 sets=$2 seeds=$3
shift 3
gebm=${GEBM:-bin/gebm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'data\tseed\tflow_nll\tgebm_nll\tgebm-flow\t±se\tkl_flow\tkl_gebm\tlogZ\t±se\ttrain_s\n'
for data in $sets; do
	for s in $seeds; do
		out="$tmp/$data-$s"
		t0=$(date +%s)
		if ! "$gebm" train --data "$data" --steps "$steps" --seed "$s" --out "$out" --quiet --base realnvp "$@" >"$tmp/train.log" 2>&1; then
			printf '%s\t%s\ttraining failed: %s\n' "$data" "$s" "$(tail -1 "$tmp/train.log")"
			continue
		fi
		t1=$(date +%s)
		# The table, not --json: eval's JSON cannot hold the +Inf NLL under the
		# data density that samples off checkerboard's squares get.
		"$gebm" eval --model "$out/model.gebm" --data "$data" --n 200 --kale-points 0 --quiet 2>/dev/null |
			awk -v d="$data" -v s="$s" -v t=$((t1 - t0)) '
				/^  flow alone/ { fn = $4; kf = ($7 == "") ? "-" : $8 }
				/^  GEBM  +NLL/ { gn = $3; kg = ($6 == "") ? "-" : $7 }
				/^  GEBM − flow/ { df = $4; dse = $6 }
				/^  log Z =/ { lz = $4; lse = $6 }
				END { if (fn == "") exit 1; print d "\t" s "\t" fn "\t" gn "\t" df "\t" dse "\t" kf "\t" kg "\t" lz "\t" lse "\t" t }'
	done
done | awk -F'\t' -v OFS='\t' '{ for (i = 3; i < NF; i++) if ($i ~ /^-?[0-9.e+-]+$/) $i = sprintf("%.4f", $i); print }' | tee "$tmp/rows"
echo
printf 'data\tseeds\tflow_nll\tgebm_nll\tgebm-flow\tkl_flow\tkl_gebm\tgebm<flow\n'
awk -F'\t' '$3 !~ /fail/ {
	d = $1; n[d]++
	if (!(d in seen)) { seen[d] = 1; order[++k] = d }
	for (i = 3; i <= 8; i++) if (i != 6) { s[d, i] += $i; q[d, i] += $i * $i }
	if ($5 < 0) better[d]++
}
function ms(d, i,   m, v) {
	m = s[d, i] / n[d]
	v = n[d] > 1 ? (q[d, i] - n[d] * m * m) / (n[d] - 1) : 0
	return sprintf("%.4f ± %.4f", m, sqrt(v > 0 ? v : 0) / sqrt(n[d]))
}
END {
	for (j = 1; j <= k; j++) {
		d = order[j]
		printf "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d/%d\n", d, n[d], ms(d, 3), ms(d, 4), ms(d, 5), ms(d, 7), ms(d, 8), better[d], n[d]
	}
}' "$tmp/rows"
