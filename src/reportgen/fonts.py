"""Font roles: which face serves each official font role on this machine.

Templates, CSS and Word styles name the official fonts (仿宋_GB2312 …). For rendering, a fontconfig
file generated here maps each official name that is not installed to the free face chosen by
the templates' `fonts.yaml` (templates.py); WeasyPrint, LibreOffice and matplotlib all honour it
via FONTCONFIG_FILE.

An office's licensed font files may also lie in the content's fonts folder (`<content>/fonts/`,
FONTS_FOLDER): the fontconfig file includes that folder, and role resolution sees its fonts, so
an official font there wins over the free substitute without being installed system-wide.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from .errors import ContentError, Location, Problem, TemplateError, WriterError, display_path
from .inputs import confined, entries
from .messages import _
from .output import FONTS_FOLDER  # <content>/fonts/: an office's licensed font files, used without installing them
from .templates import Templates

# The roles whose official font a published document must show: a free face standing in for one of
# them is warned about by every build and refused by `reportgen publish` unless the content's
# settings allow substitutes. 宋体 (page numbers only) and the Latin face are not among them.
OFFICIAL_ROLES = {"title": "小标宋", "body": "仿宋", "kai": "楷体", "hei": "黑体"}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
NO_GLYPH = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # Unicode categories that print no glyph of their own: controls, format characters, spaces
VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")  # they choose the form of the glyph before them


@dataclass(frozen=True)
class RoleFont:
    role: str
    official: str  # the name documents carry
    served_by: str  # the family that renders it
    weight: str | None  # a weight the free face is asked for (the title's heavy Song)
    free: bool  # served by a free face of fonts.yaml, not by one of the role's official fonts
    folder: Path | None = None  # the content's fonts folder, when the serving font lies there

    @property
    def substituted(self) -> bool:
        return self.free


def fc_list(fmt: str) -> list[str]:
    """fc-list output lines, read with the system configuration."""
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    try:
        out = subprocess.run(["fc-list", "--format", fmt + "\n"], env=env, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise WriterError(_("fontconfig's fc-list is not available ({reason}); run scripts/install.sh").format(reason=exc)) from None
    return out.splitlines()


def split_families(lines: list[str]) -> set[str]:
    return {name.strip() for line in lines for name in line.split(",") if name.strip()}


def installed_families(fonts: tuple[Path, ...] = ()) -> set[str]:
    """Every family name (in every language) fontconfig knows, and those of the font files `fonts`
    (the content's fonts folder, `folder_fonts`)."""
    return split_families(fc_list("%{family}")) | folder_families(fonts)


@cache
def folder_families(fonts: tuple[Path, ...]) -> frozenset[str]:
    """The family names (in every language) of these font files, as fontconfig reads them."""
    return frozenset(split_families(fc_scan(fonts, "%{family}")))


def fc_scan(fonts: tuple[Path, ...], fmt: str) -> list[str]:
    """fc-scan output lines for these font files (none: no line)."""
    if not fonts:
        return []
    try:
        out = subprocess.run(["fc-scan", "--format", fmt + "\n", *map(str, fonts)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise WriterError(_("fontconfig's fc-scan cannot read the fonts folder ({reason}); run scripts/install.sh").format(reason=exc)) from None
    return out.splitlines()


def fonts_folder(content_dir: Path | None) -> Path | None:
    """The content's fonts folder, `<content>/fonts/`, if there is one."""
    if content_dir is None:
        return None
    folder = Path(content_dir) / FONTS_FOLDER
    return folder if folder.exists() or folder.is_symlink() else None


def folder_fonts(content_dir: Path | None) -> tuple[Path, ...]:
    """The font files (.ttf, .otf, .ttc, at any depth) of the content's fonts folder, resolved.
    The folder and everything in it must lie inside the content folder: a symbolic link out of it
    is refused (fontconfig would follow it)."""
    folder = fonts_folder(content_dir)
    if folder is None:
        return ()
    resolved = confined(folder, content_dir)
    if not resolved.is_dir():
        raise ContentError([Problem(Location(folder), _("expected a folder of font files (.ttf, .otf, .ttc)"))])
    files = []
    for path in entries(folder):
        target = confined(path, content_dir)  # a link anywhere below, to a file or a folder
        if path.suffix.lower() in FONT_SUFFIXES and target.is_file():
            files.append(target)
    return tuple(files)


@cache
def font_roles(templates_dir: Path, content_dir: Path | None = None) -> dict[str, dict]:
    """fonts.yaml (the office's, else the templates folder's): role → its official names and free faces."""
    templates = Templates(templates_dir, content_dir)
    roles = (templates.read_yaml("fonts.yaml") or {}).get("roles")
    if not isinstance(roles, dict):
        raise TemplateError([Problem(Location(templates.find("fonts.yaml")), _("expected `roles:` mapping each font role to its names and faces"))])
    return roles


def official_names(templates_dir: Path, content_dir: Path | None = None) -> dict[str, str]:
    """Each role's first official name: the name documents carry."""
    return {role: spec["official"][0] for role, spec in font_roles(templates_dir, content_dir).items()}


def resolve_roles(templates_dir: Path, content_dir: Path | None = None) -> tuple[RoleFont, ...]:
    """Pick the face for each role: an official font, installed or in the content's fonts folder,
    wins; else the first installed free face."""
    fonts = folder_fonts(content_dir)
    state = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in fonts)  # a font dropped in later is seen
    return _resolve_roles(templates_dir, content_dir, fonts_folder(content_dir) if fonts else None, state)


@cache
def _resolve_roles(templates_dir: Path, content_dir: Path | None, folder: Path | None, state: tuple) -> tuple[RoleFont, ...]:
    roles = font_roles(templates_dir, content_dir)
    fonts = tuple(p for p, *_ in state)
    system = split_families(fc_list("%{family}"))
    in_folder = folder_families(fonts)
    families = system | in_folder
    out = []
    for role, spec in roles.items():
        official = spec["official"]
        chosen = next((name for name in official if name in families), None)
        weight = None
        if chosen is None:
            free = next((f for f in spec["free"] if f["family"] in families), None)
            if free is None:
                wanted = ", ".join(f["family"] for f in spec["free"])
                raise WriterError(_("no font for role '{role}': none of {fonts} is installed; run scripts/install.sh").format(role=role, fonts=", ".join([*official, wanted])))
            chosen, weight = free["family"], free.get("weight")
        served_from = folder if chosen in in_folder and chosen not in system else None
        out.append(RoleFont(role, official[0], chosen, weight, chosen not in official, served_from))
    return tuple(out)


def fontconfig_file(templates_dir: Path, content_dir: Path | None = None) -> Path:
    """Write (once per content) the fontconfig file that maps official names to their serving faces
    and adds the content's fonts folder, if any."""
    rules = []
    roles = font_roles(templates_dir, content_dir)
    fonts = folder_fonts(content_dir)
    if fonts:
        folder = confined(fonts_folder(content_dir), content_dir)
        rules.append(f"<dir>{escape(str(folder))}</dir>")
    for font in resolve_roles(templates_dir, content_dir):
        for name in roles[font.role]["official"]:
            if name == font.served_by:
                continue
            weight = f'<edit name="weight" mode="assign" binding="strong"><const>{font.weight}</const></edit>' if font.weight else ""
            rules.append(
                f'<match target="pattern"><test name="family"><string>{escape(name)}</string></test>'
                f'<edit name="family" mode="assign" binding="strong"><string>{escape(font.served_by)}</string></edit>{weight}</match>'
            )
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(rules) + "\n</fontconfig>\n"
    )
    folder = Path(tempfile.gettempdir()) / f"reportgen-fonts-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    path = folder / f"fonts-{hashlib.sha256(text.encode()).hexdigest()[:16]}.conf"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


_in_effect: list[str] = []  # the fontconfig file WeasyPrint was first imported with in this process


def use_project_fonts(templates_dir: Path, content_dir: Path | None = None) -> None:
    """Point fontconfig at the project's mapping (and the content's fonts folder); call before
    WeasyPrint is first imported. Pango keeps matching fonts with the configuration in effect when
    it was first used, whatever FONTCONFIG_FILE says later: a process that would render with another
    mapping (another content's fonts folder) is stopped rather than let it embed the wrong faces."""
    path = str(fontconfig_file(templates_dir, content_dir))
    if "weasyprint" not in sys.modules:
        _in_effect[:] = [path]
    elif _in_effect and _in_effect[0] != path:
        raise WriterError(_("this process already renders PDFs with another font configuration ({file}), which "
                            "fontconfig cannot change while it runs; build content folders with different fonts folders in "
                            "separate processes (each `reportgen build` is one)").format(file=_in_effect[0]))
    os.environ["FONTCONFIG_FILE"] = path


def role_report(templates_dir: Path, content_dir: Path | None = None) -> list[str]:
    def line(f: RoleFont) -> str:
        if f.substituted:
            return _("{role}: {official} served by {face} (free substitute)").format(role=f.role, official=f.official, face=face(f))
        where = _("in {folder}").format(folder=display_path(f.folder)) if f.folder else _("installed")
        if f.served_by != f.official:
            return _("{role}: {official} served by {face} ({where})").format(role=f.role, official=f.official, face=face(f), where=where)
        return _("{role}: {official} ({where})").format(role=f.role, official=f.official, where=where)

    return [line(f) for f in resolve_roles(templates_dir, content_dir)]


def face(f: RoleFont) -> str:
    """The face serving a role, with the weight it is asked for."""
    return f"{f.served_by} {f.weight}" if f.weight else f.served_by


def substitutes(templates_dir: Path, content_dir: Path | None = None) -> list[RoleFont]:
    """The official roles (OFFICIAL_ROLES) that a free face serves on this machine."""
    return [f for f in resolve_roles(templates_dir, content_dir) if f.role in OFFICIAL_ROLES and f.substituted]


def substitute_warnings(templates_dir: Path, content_dir: Path | None = None) -> list[Problem]:
    """One warning per official role served by a free substitute: what a build reports."""
    return [
        Problem(Location(Templates(templates_dir, content_dir).find("fonts.yaml")), _(
            "font role {role} ({name}): the official font {official} is neither installed nor in the content's {folder}/ folder; the PDFs use "
            "the free substitute {face} instead (`reportgen publish` refuses this unless the content's settings allow substitutes)"
        ).format(role=f.role, name=OFFICIAL_ROLES[f.role], official=f.official, folder=FONTS_FOLDER, face=face(f)), "warning")
        for f in substitutes(templates_dir, content_dir)
    ]


def substitute_refusals(templates_dir: Path, content_dir: Path, where: Location) -> list[Problem]:
    """One error per official role served by a free substitute: why publishing is refused."""
    folder = display_path(Path(content_dir) / FONTS_FOLDER)
    return [
        Problem(where, _("font role {role} ({name}): the official font {official} is neither installed nor in {folder}/, and the PDFs use the "
                         "free substitute {face}; install {official}, or put its font file (.ttf, .otf, .ttc) in {folder}/ and build again, "
                         "or allow substitutes in the content's settings (settings.yaml: `fonts: {{allow_substitutes: true}}`)"
                         ).format(role=f.role, name=OFFICIAL_ROLES[f.role], official=f.official, folder=folder, face=f.served_by))
        for f in substitutes(templates_dir, content_dir)
    ]


def missing_characters(html: str, templates_dir: Path, content_dir: Path | None = None) -> list[str]:
    """The characters printed in the body of `html` that none of the faces serving the font roles
    has: the PDF prints them as an empty box (or in some other face fontconfig finds), and Word
    likewise. Characters without a glyph of their own (spaces, controls, format characters,
    variation selectors) are not asked for."""
    import lxml.html

    body = lxml.html.document_fromstring(html).find("body")
    printed = set(body.text_content()) if body is not None else set()
    covered = coverage(templates_dir, content_dir)
    return sorted(c for c in printed if ord(c) not in covered and unicodedata.category(c) not in NO_GLYPH and not VARIATION_SELECTORS.match(c))


def coverage(templates_dir: Path, content_dir: Path | None = None) -> frozenset[int]:
    """The code points the faces serving the font roles have: fontconfig's charset of each face,
    read from its character map."""
    return _coverage(frozenset(f.served_by for f in resolve_roles(templates_dir, content_dir)), folder_fonts(content_dir))


@cache
def _coverage(families: frozenset[str], fonts: tuple[Path, ...]) -> frozenset[int]:
    points: set[int] = set()
    for line in fc_list("%{family}\t%{charset}") + fc_scan(fonts, "%{family}\t%{charset}"):
        names, _, charset = line.partition("\t")
        if split_families([names]) & families:
            for part in charset.split():  # hexadecimal code points and ranges: 20-7e a0 …
                first, _, last = part.partition("-")
                points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def chart_font(templates_dir: Path, content_dir: Path | None = None) -> str:
    """The family charts are drawn with: the face serving the 黑体 role, by a name matplotlib knows.
    A face from the content's fonts folder is added to matplotlib's list first."""
    hei = next(f for f in resolve_roles(templates_dir, content_dir) if f.role == "hei")
    if hei.substituted:
        return hei.served_by
    fonts = folder_fonts(content_dir) if hei.folder else ()
    if fonts:
        register_with_matplotlib(fonts)
    families = installed_families(fonts)
    return next((n for n in font_roles(templates_dir, content_dir)["hei"]["official"] if n.isascii() and n in families), hei.served_by)


@cache
def register_with_matplotlib(fonts: tuple[Path, ...]) -> None:
    from matplotlib import font_manager

    for path in fonts:
        font_manager.fontManager.addfont(str(path))
