#!/usr/bin/env bash
# Second README command: make sure everything is installed, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --with-test-tools
# the tests that drive Chromium or OmegaT fail, rather than skip, when the program is missing here
export REPORTGEN_REQUIRE_TEST_TOOLS=1
.venv/bin/python -m pytest "$@"
