"""`reportgen preview`: a real browser (headless Chromium through Selenium, as tests/test_site.py)
watches a small plan change as it is edited; the server listens on 127.0.0.1 only."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

from reportgen.cli import main
from reportgen.preview import Preview, listen

PLAN = """\
kind: action-plan
id: preview
meta:
  title: {zh: 预览工作要点, en: Preview Priorities}
sections:
  - id: only
    title: {zh: 主要工作, en: Main Work}
    text: {zh: 做好本年度各项工作。, en: Carry out this year's work well.}
"""


@pytest.fixture
def plan(tmp_path) -> Path:
    (tmp_path / "content").mkdir()
    path = tmp_path / "content" / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def shown_text(browser) -> str:
    """The text of the document the page shows ("" when it shows none: problems instead)."""
    from selenium.webdriver.common.by import By

    browser.switch_to.default_content()
    frame = browser.find_element(By.ID, "document")
    if not frame.is_displayed():
        return ""
    browser.switch_to.frame(frame)
    try:
        return browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.switch_to.default_content()


def fetched(browser) -> list[str]:
    """Every URL the page and its document loaded."""
    script = "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
    urls = browser.execute_script(script)
    browser.switch_to.frame("document")
    try:
        return urls + browser.execute_script(script)
    finally:
        browser.switch_to.default_content()


def test_preview_in_headless_chromium(plan, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(temp)}
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "preview", "content", "--port", "0", "--lang", "zh"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", first)[0]
        browser.get(url)
        wait = WebDriverWait(browser, 30, poll_frequency=0.2)
        wait.until(lambda b: "做好本年度各项工作。" in shown_text(b))
        assert browser.find_element(By.CSS_SELECTOR, "nav a[aria-current]").text == "预览工作要点"
        assert browser.find_element(By.CSS_SELECTOR, "a[type='application/pdf']").get_attribute("href") == url + "doc/preview.zh.pdf"
        with urllib.request.urlopen(url + "doc/preview.zh.pdf") as pdf:
            assert pdf.read(5) == b"%PDF-"
        origin = url.rstrip("/")
        assert all(u.startswith(origin + "/") for u in fetched(browser)), "nothing from elsewhere"
        with pytest.raises(urllib.error.HTTPError) as refused:  # another name for the address (DNS rebinding)
            urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "preview.example:80"}))
        assert refused.value.code == 421

        plan.write_text(PLAN.replace("做好本年度各项工作。", "加快推进重点项目建设。"), encoding="utf-8")
        wait.until(lambda b: "加快推进重点项目建设。" in shown_text(b))  # no reload asked for

        plan.write_text(PLAN.replace("title: {zh: 主要工作, en: Main Work}", "title: {zh: 主要工作, en: Main Work"), encoding="utf-8")
        problems = browser.find_element(By.ID, "problems")
        wait.until(lambda b: problems.is_displayed())
        assert re.search(r"content/plan\.yaml:\d+:\d+: error: ", problems.text), problems.text
        assert shown_text(browser) == "", "the problems, instead of the document"
        with urllib.request.urlopen(url + "doc/preview.zh.pdf") as pdf:
            assert pdf.read(5) == b"%PDF-", "the last good PDF stays"

        plan.write_text(PLAN.replace("做好本年度各项工作。", "统筹推进各项工作。"), encoding="utf-8")
        wait.until(lambda b: "统筹推进各项工作。" in shown_text(b))
        assert not problems.is_displayed()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "preview stopped" in out
    assert re.search(r"^content/plan\.yaml:\d+:\d+: error: ", err, re.MULTILINE), "the terminal names the problem too"
    assert not list(temp.glob("reportgen-preview-*")), "the preview's folder is removed"


def test_preview_listens_on_127_0_0_1_only(plan, tmp_path, capsys):
    assert main(["preview", str(plan.parent), "--host", "0.0.0.0"]) == 64, "no option chooses the address"
    server = listen(Preview(plan.parent, ROOT / "templates", tmp_path, ("zh",)), 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            assert main(["preview", str(plan.parent), "--port", str(port)]) == 64
    finally:
        server.server_close()
    assert f"reportgen: error: cannot serve the preview on 127.0.0.1:{port}: Address already in use" in capsys.readouterr().err


def test_the_page_speaks_the_users_language():
    """On a Chinese desktop (LANG=zh_CN.UTF-8) the page is Chinese, as the terminal's messages are."""
    script = "from pathlib import Path; from reportgen.preview import Preview, page; print(page(Preview(Path('.'), Path('.'), Path('.'), ('zh',)), None))"
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    shown = subprocess.run([sys.executable, "-c", script], env={**env, "LANG": "zh_CN.UTF-8", "PYTHONPATH": str(ROOT / "src")},
                           capture_output=True, text=True, check=True).stdout
    assert '<html lang="zh-CN">' in shown and "<title>reportgen 预览</title>" in shown and "<h1>文档</h1>" in shown
