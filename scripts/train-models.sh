#!/usr/bin/env bash
# Trains the default models that the demo and the evaluation use, with
# fixed seeds, and records how long each took in www/models/TRAINING.md.
# Usage: scripts/train-models.sh [name ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
gebm=bin/gebm
mkdir -p www/models

# name | gebm train flags
declare -A flags=(
  [8gaussians]="--data 8gaussians --steps 32000 --gp 0.1 --energy-floor -10 --base-tilt 0.5 --final-energy-steps 5000 --final-lr-scale 1 --final-average 0.8 --seed 1"
  [25gaussians]="--data 25gaussians --steps 32000 --gp 0.1 --energy-floor -10 --base-tilt 0.5 --final-energy-steps 5000 --final-lr-scale 1 --final-average 0.8 --seed 1"
  [rings]="--data rings --steps 32000 --gp 0.1 --energy-floor -10 --base-tilt 0.5 --final-energy-steps 5000 --final-lr-scale 1 --final-average 0.8 --seed 1"
  [mnist]="--data mnist --steps 10000 --final-energy-steps 4000 --final-lr-scale 1 --seed 1"
  [mnist-dcgan]="--data mnist --arch dcgan --energy-arch mlp --steps 20000 --seed 1"
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(8gaussians 25gaussians rings mnist mnist-dcgan)

for name in "${names[@]}"; do
  [ -n "${flags[$name]:-}" ] || { echo "unknown model $name" >&2; exit 2; }
  out=$(mktemp -d)
  start=$(date +%s)
  # shellcheck disable=SC2086
  $gebm train ${flags[$name]} --out "$out"
  secs=$(( $(date +%s) - start ))
  cp "$out/model.gebm" "www/models/$name.gebm"
  cp "$out/samples.png" "www/models/$name-samples.png"
  cp "$out/curves.png" "www/models/$name-curves.png"
  line="| $name | \`gebm train ${flags[$name]}\` | ${secs} s | $(date -u +%Y-%m-%d) |"
  touch www/models/TRAINING.md
  grep -v "^| $name |" www/models/TRAINING.md > www/models/TRAINING.md.new || true
  mv www/models/TRAINING.md.new www/models/TRAINING.md
  echo "$line" >> www/models/TRAINING.md
  rm -rf "$out"
  echo "www/models/$name.gebm: ${secs} s"
done
