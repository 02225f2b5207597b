"""The document properties both writers put into their files (PDF Info and XMP, DOCX core.xml),
read once from the HTML's <head>, so that the two formats say the same and a rebuild gives the
same bytes: the date comes from the content or SOURCE_DATE_EPOCH, never from the clock."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import WriterError

# The date of a document whose content gives none and whose build sets no SOURCE_DATE_EPOCH: a
# fixed, obviously symbolic date rather than the clock (docs/archival.md).
FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_KEYWORD_SEPARATORS = re.compile("[,，]")  # commas, ASCII or full-width (Chinese text)
_WHITE = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True)
class Properties:
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    description: str
    language: str
    created: datetime  # timezone-aware, UTC; also the modification date

    @property
    def keywords_text(self) -> str:
        return ", ".join(self.keywords)


def read_properties(root, environ: Mapping[str, str] = os.environ) -> Properties:
    """The properties of a parsed HTML document (lxml.html): <title>, <meta name="author|subject|
    keywords|description|dcterms.created"> (the first of each) and <html lang>."""
    head = root.find("head")
    metas: dict[str, str] = {}
    for meta in () if head is None else head.iter("meta"):
        name = (meta.get("name") or "").lower()
        if name and name not in metas:
            metas[name] = meta.get("content", "")
    title = "" if head is None else head.findtext("title") or ""
    return Properties(
        title=_WHITE.sub(" ", title).strip(),
        author=metas.get("author", "").strip(),
        subject=metas.get("subject", "").strip(),
        keywords=keyword_list(metas.get("keywords", "")),
        description=metas.get("description", "").strip(),
        language=root.get("lang") or "zh-CN",
        created=document_date(metas.get("dcterms.created"), environ),
    )


def document_date(created: str | None, environ: Mapping[str, str] = os.environ) -> datetime:
    """A document's date: the content's (dcterms.created, YYYY-MM-DD, from the plan's meta.date) at
    00:00 UTC; without one, SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/);
    without that, FALLBACK_DATE."""
    if created:
        try:
            return datetime.strptime(created.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise WriterError(f'<meta name="dcterms.created" content="{created}">: not a YYYY-MM-DD date') from None
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return FALLBACK_DATE
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError):
        raise WriterError(f"SOURCE_DATE_EPOCH={epoch!r}: not a number of seconds since 1970-01-01 UTC") from None


def keyword_list(text: str) -> tuple[str, ...]:
    """Comma-separated keywords (ASCII or full-width commas), stripped, without blanks or repeats."""
    words = (word.strip() for word in _KEYWORD_SEPARATORS.split(text))
    return tuple(dict.fromkeys(word for word in words if word))
