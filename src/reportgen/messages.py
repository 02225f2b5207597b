"""The messages office staff read, in the language of the environment as gettext chooses it
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG): Chinese for zh_CN, else English (the msgids).

The catalogues are locale/<language>/LC_MESSAGES/reportgen.po, compiled to the .mo files read here
by scripts/messages.sh; the language is chosen once, when reportgen is imported. A msgid is a
constant with named fields, filled after translation: `_("wrote {path}").format(path=…)`.
Standard library only: the build's fast path imports it.
"""
from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "reportgen"
LOCALE_DIR = Path(__file__).parent / "locale"

_catalogue = gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)
_ = _catalogue.gettext
ngettext = _catalogue.ngettext


def language() -> str:
    """The messages' language as HTML names it (the preview's page): zh-CN or en."""
    return "zh-CN" if _catalogue.info().get("language", "").startswith("zh") else "en"


def N_(message: str) -> str:
    """Mark a constant for the catalogue; it is translated with `_()` where it is shown."""
    return message
