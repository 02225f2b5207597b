#!/usr/bin/env bash
# Install what is missing for reportgen: system libraries, fonts, a virtualenv with the package.
# Idempotent and quick when everything is present. Run as root, or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

# WeasyPrint's libraries (harfbuzz-subset keeps font subsetting fast), the free fonts serving each
# official font role (see docs/layout.md#fonts), poppler and LibreOffice (with English hyphenation
# patterns, as Word hyphenates) to read outputs in tests.
PACKAGES="python3-venv fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  fonts-noto-cjk fonts-lxgw-wenkai fonts-liberation2 poppler-utils libreoffice-writer-nogui hyphen-en-us"
# --with-test-tools: also the programs only tests drive: Debian's Chromium and its WebDriver (the
# browser test of the publication site, tests/test_site.py) and OmegaT (a real CAT tool for the
# XLIFF round trip, tests/test_xliff_codes.py); scripts/test.sh asks for them, scripts/setup.sh does not.
for arg in "$@"; do
  case "$arg" in
    --with-test-tools) PACKAGES="$PACKAGES chromium chromium-driver omegat" ;;
    *) echo "usage: scripts/install.sh [--with-test-tools]" >&2; exit 64 ;;
  esac
done

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages:$missing"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# The virtualenv, reinstalled only when pyproject.toml changed.
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
stamp=.venv/.reportgen-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi
