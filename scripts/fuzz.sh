#!/usr/bin/env bash
# Runs every fuzz target of every package for FUZZTIME each (`make fuzz`;
# default 60s). New inputs that fail land in the package's
# testdata/fuzz/<FuzzName>/ (see testdata/fuzz/README.md there).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-60s}
for pkg in $($GO list ./...); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //'); do
		echo "== $pkg $f ($FUZZTIME)"
		$GO test -run='^$' -fuzz="^$f\$" -fuzztime="$FUZZTIME" "$pkg"
	done
done
