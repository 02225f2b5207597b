#!/usr/bin/env bash
# The catalogues of the messages office staff read (src/reportgen/messages.py), kept with Babel
# (`pip install -e '.[test]'`): extracts every _() and ngettext() string of src/reportgen/, merges
# them into each language's .po (new ones empty, changed ones fuzzy, removed ones dropped), and
# compiles every .po into the .mo that ships in the package. Translate what is empty or fuzzy in
# src/reportgen/locale/*/LC_MESSAGES/reportgen.po, run this again, and commit both files:
# tests/test_messages.py fails while a message is untranslated or the .mo is stale.
#   PYTHON=/path/to/python bash scripts/messages.sh      (default: .venv/bin/python)
# A new language: pybabel init -D reportgen -i <the template> -d src/reportgen/locale -l xx_YY
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel() { "${PYTHON:-.venv/bin/python}" -m babel.messages.frontend "$@"; }
template=$(mktemp --suffix=.pot)
trap 'rm -f "$template"' EXIT
pybabel extract --project=reportgen --add-location=file --sort-by-file --no-wrap -o "$template" src/reportgen
pybabel update -D reportgen -i "$template" -d src/reportgen/locale --no-wrap --ignore-obsolete
pybabel compile -D reportgen -d src/reportgen/locale --statistics
