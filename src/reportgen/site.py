"""The publication index: a static site in output/site/ listing every published edition.

index.html (Chinese) and en/index.html (English) link each other and, by relative links, the files
in output/editions/, so the site works from the file system and from any static server;
bulletins.atom is an Atom 1.0 feed of the bulletin editions. Everything is read from the editions'
edition.json files (titles included, as they were when published) and rendered with the project's
sandboxed Jinja2 environment from the templates' site/ folder (an office's own versions first).
"""
from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote


from .errors import Location, Problem
from .publish import (
    EDITION_JSON,
    EDITIONS,
    SUPERSEDED,
    PublishError,
    publication_time,
    published_editions,
    read_edition,
    replace_folder,
    rfc3339,
)
from .render import render_html
from .templates import Templates

SITE = "site"
PAGES = {"zh": "index.html", "en": "en/index.html"}  # page of each language, relative to output/site/
FEED = "bulletins.atom"
MEDIA_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ID_NAMESPACE = uuid.UUID("6f1c5d8e-3b7a-5e0c-9a41-2d6f0b8c7e15")  # reportgen's: stable Atom ids for editions


def write_site(out_dir: Path, templates_dir: Path, content_dir: Path | None = None) -> list[Path]:
    """Render the index pages and the feed into a staging folder, then swap it for output/site/;
    the templates are the office's in `content_dir`, else those of `templates_dir`."""
    strings = Templates(templates_dir, content_dir).read_yaml("site/strings.yaml")
    editions = [edition_view(out_dir, name, strings) for name in reversed(published_editions(out_dir))]
    written = {}
    for lang, page in PAGES.items():
        up = "../" * page.count("/")  # from the page to output/site/
        written[page] = render_html(templates_dir, "site/index.html.j2", content_dir=content_dir, t=strings, lang=lang, feed=up + FEED,
                                    pages={code: up + other for code, other in PAGES.items()},
                                    editions=[with_links(e, up + "../") for e in editions])
    bulletins = [with_links(e, "../") for e in editions if e["kind"] == "bulletins"]
    updated = max((e["published"] for e in bulletins), default=rfc3339(publication_time()))
    written[FEED] = render_html(templates_dir, "site/bulletins.atom.j2", content_dir=content_dir, t=strings, lang="zh", editions=bulletins, updated=updated,
                                feed_id=urn(f"feed:{FEED}"), page=PAGES["zh"], feed=FEED)
    site = out_dir / SITE
    stage = Path(tempfile.mkdtemp(prefix=".site-", dir=out_dir))
    try:
        for name, text in written.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_text(text, encoding="utf-8")
        replace_folder(stage, site)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [site / name for name in written]


def edition_view(out_dir: Path, name: str, strings: dict) -> dict:
    """What the templates show of one edition, read from its edition.json."""
    edition = read_edition(out_dir / EDITIONS / name)
    kind = "bulletins" if "Q" in name else "plan"
    year, _, quarter = name.partition("Q")
    title = {lang: (strings["edition_quarter"][lang].format(year=year, quarter=strings["quarters"][lang][int(quarter) - 1])
                    if quarter else strings["edition_year"][lang].format(year=year)) for lang in ("zh", "en")}
    try:
        return {
            "name": name,
            "kind": kind,
            "title": title,
            "id": urn(f"edition:{name}"),
            "published": edition["published"],
            "date": edition["published"][:10],
            "revision": edition.get("revision", 1),
            "superseded": [{"revision": s["revision"], "path": f"{SUPERSEDED}/{s['revision']}/{EDITION_JSON}", "published": s["published"][:10]}
                           for s in edition.get("superseded", [])],
            "files": [dict(f, title=f.get("title", f["id"]), size_text=size_text(f["size"]),
                           media_type=MEDIA_TYPES.get(f.get("format"), "application/octet-stream"))
                      for f in edition["files"]],
        }
    except (KeyError, TypeError) as exc:
        raise PublishError([Problem(Location(out_dir / EDITIONS / name / EDITION_JSON), f"edition.json lacks {exc}")]) from None


def with_links(edition: dict, root: str) -> dict:
    """The edition with each file's link relative to a page `root` (the page's way up to output/)."""
    base = f"{root}{EDITIONS}/{quote(edition['name'])}/"
    return dict(
        edition,
        href=base + EDITION_JSON,
        superseded=[dict(s, href=base + quote(s["path"])) for s in edition["superseded"]],
        files=[dict(f, href=base + quote(f["path"])) for f in edition["files"]],
    )


def urn(name: str) -> str:
    """A permanent Atom id: the same edition keeps its id across revisions."""
    return uuid.uuid5(ID_NAMESPACE, name).urn


def size_text(size: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("KB", 1_000)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"
