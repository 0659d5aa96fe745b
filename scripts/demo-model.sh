#!/usr/bin/env bash
# `make demo`'s first step: where the default model (DEMO_MODEL, bundled as
# www/models/8gaussians.gebm) is missing and DEMO_DIR holds none either,
# trains it with bin/gebm (DEMO_STEPS base steps and the default final energy-only phase, seed 1) into DEMO_DIR, which
# gebm serve then adds to the bundled models.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR=${DEMO_DIR:-out/demo}
DEMO_MODEL=${DEMO_MODEL:-www/models/8gaussians.gebm}
DEMO_STEPS=${DEMO_STEPS:-1500}
mkdir -p "$DEMO_DIR"
if [ ! -f "$DEMO_MODEL" ] && [ ! -f "$DEMO_DIR/8gaussians.gebm" ]; then
	echo "$DEMO_MODEL is missing: training it ($DEMO_STEPS steps, under a minute)"
	rm -rf "$DEMO_DIR/train"
	bin/gebm train --data 8gaussians --steps "$DEMO_STEPS" --seed 1 --out "$DEMO_DIR/train"
	cp "$DEMO_DIR/train/model.gebm" "$DEMO_DIR/8gaussians.gebm"
fi
