#!/usr/bin/env bash
# First README command: install what is missing, then build every document into output/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
.venv/bin/python build.py "$@"
