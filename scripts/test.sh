#!/usr/bin/env bash
# Second README command: make sure everything is installed, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
.venv/bin/python -m pytest "$@"
