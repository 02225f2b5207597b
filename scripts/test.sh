#!/usr/bin/env bash
# Second README command: make sure everything is installed, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --with-browser
# the browser test fails, rather than skips, when Chromium is missing here
export REPORTGEN_REQUIRE_BROWSER=1
.venv/bin/python -m pytest "$@"
