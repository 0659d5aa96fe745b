#!/usr/bin/env bash
# Runs every fuzz target of every package for FUZZTIME each (`make fuzz`;
# default 60s). New inputs that fail land in the package's
# testdata/fuzz/<FuzzName>/ (see testdata/fuzz/README.md there).
#
# FUZZMINIMIZETIME (default 2s) bounds the minimisation of each new
# interesting input: Go's default, 60s, spent FuzzReadCIFAR's whole minute
# shrinking one 6 KB input (1,833 executions in 30 s, against 213,348 with
# 2s; 2026-12-04), as inputs of whole image records are large.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-60s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-2s}
for pkg in $($GO list ./...); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //'); do
		echo "== $pkg $f ($FUZZTIME)"
		$GO test -run='^$' -fuzz="^$f\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="$FUZZMINIMIZETIME" "$pkg"
	done
done
