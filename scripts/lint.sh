#!/usr/bin/env bash
# `make lint`: gofmt on every tracked Go file, go vet natively and for the
# browser's build of shared/ (GOOS=js), and the Makefile's own rule: every
# target has a `## ` description, so that `make help` lists them all.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$out" ]; then echo "gofmt would change:"; echo "$out"; exit 1; fi
$GO vet ./...
GOOS=js GOARCH=wasm $GO vet ./shared/...
missing=$(grep -E '^[A-Za-z0-9_/-][A-Za-z0-9_./-]*:([^=]|$)' Makefile | grep -v '## ' | grep -v '^FORCE:' | cut -d: -f1 || true)
if [ -n "$missing" ]; then echo "Makefile: targets without a '## ' description (make help would not list them):" $missing; exit 1; fi
