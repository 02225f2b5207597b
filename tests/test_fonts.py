"""Fonts at publishing time: the build's warning about free substitutes, publish refusing them
unless the content's settings allow it, the settings document, and the content's fonts folder."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT, TEMPLATES

from reportgen.cli import main
from reportgen.content import load_content
from reportgen.errors import ContentError
from reportgen.fonts import (
    OFFICIAL_ROLES,
    chart_font,
    folder_fonts,
    fontconfig_file,
    resolve_roles,
    role_report,
    substitute_warnings,
    substitutes,
)
from reportgen.output import Inputs
from reportgen.publish import EXIT_PUBLISH

SMALL = ROOT / "tests" / "roots" / "bulletin-small"
ALLOW = "kind: settings\nfonts:\n  allow_substitutes: true\n"


def roles_in(lines: list[str]) -> list[str]:
    return [role for line in lines for role in OFFICIAL_ROLES if f"font role {role} (" in line]


def renamed_font(source_family: str, family: str, target: Path, text: str, english: str | None = None) -> Path:
    """A real TrueType font under another family name: the installed `source_family`, cut down to
    the characters of `text` (fast to write and to scan), renamed with fontTools. With `english`,
    named as licensed Chinese fonts are: `english` in English, `family` in Chinese (zh-CN)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = subprocess.run(["fc-match", "--format", "%{file}", source_family], capture_output=True, text=True).stdout
    if not path.endswith(".ttf"):
        pytest.skip(f"{source_family} is not installed as a TrueType file (fonts-lxgw-wenkai)")
    font = TTFont(path, lazy=True)
    options = subset.Options()
    options.name_IDs, options.name_languages, options.layout_features, options.hinting = ["*"], ["*"], [], False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + "".join(map(chr, range(0x20, 0x7F))) + "—。，、；：（）《》〔〕一二三四五六七八九十")
    subsetter.subset(font)
    names = font["name"]
    names.names = [r for r in names.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    postscript = english or "Test" + "".join(f"{ord(c):x}" for c in family)
    for name_id, value in ((1, english or family), (2, "Regular"), (3, postscript), (4, english or family), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode, en-US
        if english and name_id in (1, 4):
            names.setName(family, name_id, 3, 1, 0x804)  # Windows, Unicode, zh-CN
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
    return target


def content_text(content: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in content.rglob("*") if p.suffix in (".yaml", ".csv")) + (
        (TEMPLATES / "strings.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def fangsong(tmp_path_factory) -> Path:
    """A font file whose family is 仿宋_GB2312 (LXGW WenKai renamed: a stand-in for a licensed font)."""
    return renamed_font("LXGW WenKai", "仿宋_GB2312", tmp_path_factory.mktemp("fonts") / "fangsong.ttf", content_text(SMALL))


@pytest.fixture
def small(tmp_path) -> Path:
    """A private copy of the small bulletin content (no settings document)."""
    shutil.copytree(SMALL, tmp_path / "content")
    return tmp_path / "content"


# ---- which roles count, and the build's warning ----


def test_official_roles_are_the_four_gb9704_fonts():
    assert OFFICIAL_ROLES == {"title": "小标宋", "body": "仿宋", "kai": "楷体", "hei": "黑体"}
    assert set(OFFICIAL_ROLES) < {f.role for f in resolve_roles(TEMPLATES)}  # song (page numbers) and latin are not


def test_warnings_one_per_substituted_official_role_naming_the_substitute():
    served = {f.role: f for f in resolve_roles(TEMPLATES, CONTENT)}
    expected = [r for r in served if r in OFFICIAL_ROLES and served[r].substituted]
    warnings = substitute_warnings(TEMPLATES, CONTENT)
    assert roles_in([str(w) for w in warnings]) == expected
    assert "body" in expected  # no free Simplified FangSong exists: a Song face always stands in
    for w in warnings:
        role = roles_in([str(w)])[0]
        assert w.severity == "warning" and w.location.file == TEMPLATES / "fonts.yaml" and ": warning: " in str(w)
        assert served[role].official in w.message and served[role].served_by in w.message and "free substitute" in w.message


def test_build_warns_once_per_role_on_stderr(small, tmp_path, capsys):
    assert main(["build", "--content", str(small), "--templates", str(TEMPLATES), "--out", str(tmp_path / "out"),
                 "--lang", "zh", "--format", "docx", "--quarter", "2021Q2"]) == 0
    captured = capsys.readouterr()
    warned = [line for line in captured.err.splitlines() if "font role" in line]
    expected = [f.role for f in substitutes(TEMPLATES, small)]
    assert roles_in(warned) == expected and len(warned) == len(expected)  # once per build, one line per role
    assert all(": warning: " in line and "free substitute" in line for line in warned)
    assert "font role" not in captured.out and "font body: 仿宋_GB2312 served by" in captured.out  # the report stays on stdout
    assert main(["build", "--content", str(small), "--templates", str(TEMPLATES), "--out", str(tmp_path / "out"),
                 "--lang", "zh", "--format", "docx", "--quarter", "2021Q2"]) == 0
    assert "nothing to do" in capsys.readouterr().out  # nothing rendered, nothing to warn about


# ---- publish refuses substitutes unless the settings allow them ----


def publish_cli(content: Path, out: Path, edition: str = "2020Q2") -> int:
    return main(["publish", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out), "--edition", edition])


def test_publish_refuses_substitutes_without_settings(content_copy, tmp_path, capsys):
    (content_copy / "settings.yaml").unlink()
    expected = [f.role for f in substitutes(TEMPLATES, content_copy)]
    assert publish_cli(content_copy, tmp_path / "out") == EXIT_PUBLISH
    err = capsys.readouterr().err.splitlines()
    refused = [line for line in err if "font role" in line]
    assert roles_in(refused) == expected and len(refused) == len(expected)
    body = next(line for line in refused if "font role body (仿宋)" in line)
    assert body.startswith(f"{content_copy}: error: font role body (仿宋): ")  # located at the content folder
    assert "仿宋_GB2312" in body and "Noto Serif CJK SC" in body  # the official font and its substitute
    assert "install 仿宋_GB2312" in body and "fonts/" in body and "allow_substitutes: true" in body  # how to fix it
    assert err[-1] == f"reportgen: {len(refused)} problem{'' if len(refused) == 1 else 's'}; nothing was written"
    assert not (tmp_path / "out").exists()


def test_publish_refuses_when_settings_say_false(content_copy, tmp_path, capsys):
    (content_copy / "settings.yaml").write_text("kind: settings\nfonts:\n  allow_substitutes: false\n", encoding="utf-8")
    assert publish_cli(content_copy, tmp_path / "out") == EXIT_PUBLISH
    assert "font role body (仿宋)" in capsys.readouterr().err


def test_publish_with_the_allowance_goes_on(content_copy, tmp_path, capsys):
    assert load_content(content_copy).settings.fonts.allow_substitutes  # content/settings.yaml allows them
    assert publish_cli(content_copy, tmp_path / "out") == EXIT_PUBLISH  # refused for another reason: nothing is built
    err = capsys.readouterr().err
    assert "font role" not in err and "no built files" in err


# ---- the settings document ----


def test_settings_default_when_there_is_none(small):
    assert load_content(small).settings.fonts.allow_substitutes is False


@pytest.mark.parametrize("text, where, message", [
    ("kind: settings\nfonts:\n  allow_substitutes: true\n  colour: red\n", ":4:11", "unknown field 'colour' in fonts"),
    ("kind: settings\nfont:\n  allow_substitutes: true\n", ":3:3", "unknown field 'font'"),
    ("kind: settings\nfonts:\n  allow_substitutes: [yes]\n", ":3:22", "fonts.allow_substitutes"),
])
def test_invalid_settings_are_located_errors(small, text, where, message):
    (small / "settings.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        load_content(small)
    (problem,) = exc.value.problems
    assert str(problem.location).endswith("settings.yaml" + where) and message in problem.message


def test_at_most_one_settings_document(small, capsys):
    (small / "settings.yaml").write_text(ALLOW, encoding="utf-8")
    (small / "more-settings.yaml").write_text(ALLOW, encoding="utf-8")
    assert main(["check", "--content", str(small), "--templates", str(TEMPLATES)]) == 2
    assert "a second settings document" in capsys.readouterr().err


# ---- the content's fonts folder ----


def test_a_font_in_the_fonts_folder_serves_its_role(small, fangsong, tmp_path, capsys):
    assert "body" in [f.role for f in substitutes(TEMPLATES, small)]
    before = Inputs(small, TEMPLATES).toolchain
    (small / "fonts").mkdir()
    shutil.copy(fangsong, small / "fonts" / "FangSong_GB2312.TTF")  # any case of the suffix
    assert folder_fonts(small) == ((small / "fonts" / "FangSong_GB2312.TTF").resolve(),)
    assert Inputs(small, TEMPLATES).toolchain != before  # adding a font rebuilds every file

    body = next(f for f in resolve_roles(TEMPLATES, small) if f.role == "body")
    assert (body.served_by, body.substituted, body.folder) == ("仿宋_GB2312", False, small / "fonts")
    assert "body" not in [f.role for f in substitutes(TEMPLATES, small)]
    assert f"<dir>{(small / 'fonts').resolve()}</dir>" in fontconfig_file(TEMPLATES, small).read_text(encoding="utf-8")

    assert main(["fonts", "--content", str(small), "--templates", str(TEMPLATES)]) == 0
    out = capsys.readouterr().out
    assert "body: 仿宋_GB2312 (in " in out and "body: 仿宋_GB2312 served by" not in out
    assert "kai: 楷体_GB2312 served by" in out  # the others are still substitutes

    (small / "settings.yaml").unlink(missing_ok=True)
    assert publish_cli(small, tmp_path / "out", "2021Q2") == EXIT_PUBLISH
    refused = [line for line in capsys.readouterr().err.splitlines() if "font role" in line]
    assert "body" not in roles_in(refused) and roles_in(refused) == [f.role for f in substitutes(TEMPLATES, small)]


def pdf_fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def cli(*argv: str) -> subprocess.CompletedProcess:
    """reportgen in its own process, as `python build.py` runs it (fontconfig is read once per process)."""
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    return subprocess.run([sys.executable, "-m", "reportgen", *argv, "--templates", str(TEMPLATES)], capture_output=True, text=True, env=env)


def test_the_pdf_embeds_the_font_of_the_fonts_folder(small, fangsong, tmp_path):
    """Built without the font, then with it (the document rebuilds), then in two spawned worker
    processes, which must be given the same fontconfig file."""
    out = tmp_path / "out"
    options = ["--content", str(small), "--out", str(out), "--lang", "zh", "--format", "pdf", "--quarter", "2021Q2"]
    assert cli("build", *options).returncode == 0
    assert "仿宋_GB2312" not in pdf_fonts(out / "small-2021Q2.zh.pdf")
    (small / "fonts").mkdir()
    shutil.copy(fangsong, small / "fonts" / "fangsong.ttf")
    run = cli("build", *options)
    assert run.returncode == 0 and "wrote" in run.stdout and "font body: 仿宋_GB2312 (in " in run.stdout, run.stderr
    assert "font role body" not in run.stderr and "font role kai" in run.stderr
    assert "仿宋_GB2312" in pdf_fonts(out / "small-2021Q2.zh.pdf")

    run = cli("build", "--content", str(small), "--out", str(tmp_path / "out-2"), "--lang", "zh", "--format", "pdf", "-j", "2")
    assert run.returncode == 0, run.stderr
    written = [e["path"] for e in json.loads((tmp_path / "out-2" / "manifest.json").read_text(encoding="utf-8"))["files"]]
    assert len(written) > 1
    for path in written:
        assert "仿宋_GB2312" in pdf_fonts(tmp_path / "out-2" / path), path


def test_one_process_does_not_switch_font_configurations(small, fangsong, tmp_path):
    """Pango keeps the fontconfig of its first use: rendering with another content's fonts folder
    in the same process is an error, not a PDF with the wrong faces."""
    from reportgen.build import build
    from reportgen.errors import WriterError

    build(small, tmp_path / "out", TEMPLATES, ("zh",), ("pdf",), quarter="2021Q2")
    (small / "fonts").mkdir()
    shutil.copy(fangsong, small / "fonts" / "fangsong.ttf")
    with pytest.raises(WriterError, match="another font configuration"):
        build(small, tmp_path / "out", TEMPLATES, ("zh",), ("pdf",), quarter="2021Q2")


def test_charts_draw_with_a_hei_font_of_the_fonts_folder(small, tmp_path):
    from reportgen import charts

    renamed_font("LXGW WenKai", "黑体", small / "fonts" / "hei.ttf", "完成率进度", english="SimHei")
    assert chart_font(TEMPLATES, small) == "SimHei"  # registered with matplotlib: charts.font_family finds that very face
    assert charts.font_family("SimHei") == "SimHei"
    assert any(line.startswith("hei: 黑体 (in ") for line in role_report(TEMPLATES, small))


def test_the_fonts_folder_must_be_inside_the_content_folder(small, fangsong, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(fangsong, outside / "fs.ttf")
    (small / "fonts").symlink_to(outside)
    with pytest.raises(ContentError, match="outside the content folder"):
        resolve_roles(TEMPLATES, small)
    with pytest.raises(ContentError) as exc:  # `reportgen check` and every build say so first
        load_content(small)
    assert [p.location.file for p in exc.value.problems] == [small / "fonts"]
    (small / "fonts").unlink()
    (small / "fonts").mkdir()
    (small / "fonts" / "fs.ttf").symlink_to(outside / "fs.ttf")
    with pytest.raises(ContentError, match="outside the content folder"):
        folder_fonts(small)
    assert os.path.islink(small / "fonts" / "fs.ttf")
