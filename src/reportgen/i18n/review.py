"""The bilingual review copy: every segment of a document, Chinese and English side by side.

    review_documents(content_dir, templates_dir) -> list[tuple[str, dict]]

One (document id, template context) per notice, plan and bulletin; render each with
`render_html(templates_dir, "review.html.j2", lang="zh", kind="review", **context)` (the HTML is
bilingual; `lang` only sets the page language) and write it as kind `review`, lang `zh-en`.
"""
from __future__ import annotations

from pathlib import Path

from .segments import collect
from .state import read_records, states_of

STATE_ZH = {"untranslated": "未翻译", "translated": "已翻译", "needs-review": "待复核", "approved": "已审定"}


def review_documents(content_dir: Path, templates_dir: Path) -> list[tuple[str, dict]]:
    """The review copy's context for each notice, plan and bulletin (an attachment's segments are in
    its plan's copy; a notice's copy holds the plan it issues, as the notice prints it)."""
    catalog = collect(content_dir, templates_dir)
    pairs = states_of(catalog, read_records(content_dir))
    out = []
    for doc_id, info in catalog.documents.items():
        if info.kind == "attachment":
            continue
        rows = [
            {"id": s.id, "state": st, "state_zh": STATE_ZH[st], "zh": s.zh, "en": s.en, "location": str(s.location)}
            for s, st in pairs if doc_id in s.documents
        ]
        counts = {st: sum(1 for r in rows if r["state"] == st) for st in STATE_ZH}
        title = {"zh": f"{info.title['zh']}（中英对照审校稿）", "en": f"{info.title['en']} (Bilingual Review Copy)"}
        out.append((f"{doc_id}", {"document": doc_id, "title": title, "doc_title": info.title, "rows": rows, "counts": counts, "meta": None}))
    return out
