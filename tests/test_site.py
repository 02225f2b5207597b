"""The publication index (output/site/): valid HTML in both languages, the Atom feed, and a real
browser following its links (headless Chromium through Selenium; see docs/publishing.md)."""
from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import CONTENT, TEMPLATES
from tinyhtml5.parser import HTMLParser

from reportgen.publish import publish
from reportgen.site import write_site

ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def published(built, tmp_path_factory) -> Path:
    """A copy of the session's build of the real content, editions 2020, 2020Q1 and 2020Q2
    published, the site written."""
    out = tmp_path_factory.mktemp("site") / "output"
    shutil.copytree(built, out)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1594771200")
        for name in ("2020", "2020Q1", "2020Q2"):
            publish(out, CONTENT, name)
    write_site(out, TEMPLATES)
    return out


def editions(out: Path) -> dict[str, dict]:
    return {p.name: json.loads((p / "edition.json").read_text(encoding="utf-8")) for p in (out / "editions").iterdir()}


def parse_html(path: Path):
    parser = HTMLParser()
    tree = parser.parse(path.read_text(encoding="utf-8"))
    assert parser.errors == [], f"{path}: HTML parse errors {parser.errors}"
    assert parser.compatibility_mode == "no quirks"
    return tree


@pytest.mark.parametrize("page, lang, other", [("index.html", "zh", "en/index.html"), ("en/index.html", "en", "index.html")])
def test_index_pages_are_valid_html5_linking_every_file(published, page, lang, other):
    path = published / "site" / page
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>\n")
    tree = parse_html(path)
    assert tree.get("lang") == lang
    assert tree.find(f".//{XHTML}meta[@charset='utf-8']") is not None
    assert tree.find(f".//{XHTML}title").text == {"zh": "出版物索引", "en": "Publications"}[lang]
    hrefs = [a.get("href") for a in tree.iter(f"{XHTML}a")]
    for href in hrefs:
        assert not urlparse(href).scheme and not href.startswith("/"), f"{href}: links are relative"
        assert (path.parent / unquote(href.split("#")[0])).resolve().is_file(), href
    assert (path.parent / hrefs[0]).resolve() == (published / "site" / other).resolve(), "the first link goes to the other language"
    documents = [href for href in hrefs if "/editions/" in href and not href.endswith("edition.json")]
    assert len(documents) == sum(len(e["files"]) for e in editions(published).values()) == 12 + 2 * 12  # 2020; 2020Q1, 2020Q2 with the cities' bulletins
    assert not tree.findall(f".//{XHTML}script"), "no JavaScript"


@pytest.mark.parametrize("page, lang, city", [("index.html", "zh", "太原市"), ("en/index.html", "en", "Taiyuan")])
def test_a_quarter_lists_each_city_bulletin_with_its_title(published, page, lang, city):
    """The city bulletins (content/bulletins.yaml, series) are in their quarter's section, after the
    overall bulletin, titled with the city's name in the file's language."""
    tree = parse_html(published / "site" / page)
    (section,) = [s for s in tree.iter(f"{XHTML}section") if s.get("id") == "edition-2020Q1"]
    links = [(a.get("href").rsplit("/", 1)[-1], "".join(a.itertext())) for a in section.iter(f"{XHTML}a") if "/editions/" in a.get("href") and a.get("hreflang") == lang]
    names = [name for name, _ in links]
    assert names.index(f"bulletin-2020Q1.{lang}.pdf") < names.index(f"bulletin-2020Q1-taiyuan.{lang}.pdf")
    titles = dict(links)
    assert city in titles[f"bulletin-2020Q1-taiyuan.{lang}.pdf"] and city not in titles[f"bulletin-2020Q1.{lang}.pdf"]
    assert titles[f"bulletin-2020Q1-taiyuan.{lang}.pdf"] == titles[f"bulletin-2020Q1-taiyuan.{lang}.docx"]


def test_text_is_escaped(published, tmp_path):
    out = tmp_path / "output"
    shutil.copytree(published, out)
    record = out / "editions" / "2020Q2" / "edition.json"
    edition = json.loads(record.read_text(encoding="utf-8"))
    edition["files"][0]["title"] = '<script>alert("x")</script> & co'
    record.write_text(json.dumps(edition), encoding="utf-8")
    write_site(out, TEMPLATES)
    html = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in html
    feed = ET.parse(out / "site" / "bulletins.atom").getroot()
    assert '<script>alert("x")</script> & co' in [link.get("title") for link in feed.iter(f"{ATOM}link")]


def test_atom_feed_has_one_entry_per_bulletin_edition(published):
    feed = ET.parse(published / "site" / "bulletins.atom").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{required}") or "").strip(), required
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    entries = feed.findall(f"{ATOM}entry")
    bulletins = {name: e for name, e in editions(published).items() if "Q" in name}
    assert len(entries) == len(bulletins) == 2
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == 2 and all(i.startswith("urn:uuid:") for i in ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        updated = entry.findtext(f"{ATOM}updated")
        assert datetime.datetime.fromisoformat(updated) == datetime.datetime(2020, 7, 15, tzinfo=datetime.UTC)
        alternate = entry.find(f"{ATOM}link[@rel='alternate']")
        page, _, fragment = alternate.get("href").partition("#")
        name = fragment.removeprefix("edition-")
        assert page == "index.html" and name in bulletins
        assert f'id="{fragment}"' in (published / "site" / page).read_text(encoding="utf-8")
        enclosures = entry.findall(f"{ATOM}link[@rel='enclosure']")
        assert len(enclosures) == len(bulletins[name]["files"]) == 12  # the overall bulletin and two cities', zh and en, PDF and DOCX
        for link in enclosures:
            target = (published / "site" / link.get("href")).resolve()
            assert target.parent == (published / "editions" / name).resolve()
            assert int(link.get("length")) == target.stat().st_size
    assert feed.findtext(f"{ATOM}updated") == "2020-07-15T00:00:00Z"


# ---- in a real browser ----


def local_path(url: str) -> Path:
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(unquote(parsed.path))


def test_the_site_in_headless_chromium(published, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    index = published / "site" / "index.html"
    browser.get(index.as_uri())
    assert browser.title == "出版物索引"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh"

    links = browser.find_elements(By.TAG_NAME, "a")
    checked = 0
    for link in links:
        target = local_path(link.get_property("href").split("#")[0])
        assert target.is_file(), f"{link.get_attribute('href')} → {target}: missing"
        rows = link.find_elements(By.XPATH, "ancestor::tr[@class='document']")
        if rows:
            shown_size = rows[0].find_element(By.CSS_SELECTOR, "td.size data").get_attribute("value")
            shown_sha = rows[0].find_element(By.CSS_SELECTOR, "td.sha256 code").text
            assert int(shown_size) == target.stat().st_size, target
            assert shown_sha == hashlib.sha256(target.read_bytes()).hexdigest(), target
            checked += 1
    assert checked == 36, "every published file of editions 2020, 2020Q1 and 2020Q2 is listed"

    width, height = browser.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    whole_page = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    shot = tmp_path / "site-index.png"
    shot.write_bytes(base64.b64decode(whole_page["data"]))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    if os.environ.get("REPORTGEN_ARTIFACTS"):
        artifacts = Path(os.environ["REPORTGEN_ARTIFACTS"])
        artifacts.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, artifacts / shot.name)

    browser.find_element(By.CSS_SELECTOR, "header nav a[hreflang='en']").click()
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/site/en/index.html"))
    assert browser.title == "Publications"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"

    pdf = browser.find_element(By.CSS_SELECTOR, "tr.document a[type='application/pdf'][hreflang='en']")
    href = pdf.get_property("href")
    assert local_path(href).parent.name in ("2020", "2020Q1", "2020Q2")
    pdf.click()
    WebDriverWait(browser, 10).until(lambda b: b.current_url == href)
    assert local_path(browser.current_url).read_bytes()[:5] == b"%PDF-"
