"""Font roles: which installed face serves each official font role on this machine.

Templates, CSS and Word styles name the official fonts (仿宋_GB2312 …). For rendering, a fontconfig
file generated here maps each official name that is not installed to the free face chosen by
`templates/fonts.yaml`; WeasyPrint, LibreOffice and matplotlib all honour it via FONTCONFIG_FILE.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from .errors import Location, Problem, TemplateError, WriterError
from .yamlsource import read_template_yaml


@dataclass(frozen=True)
class RoleFont:
    role: str
    official: str  # the name documents carry
    served_by: str  # the installed family that renders it
    weight: str | None  # a weight the free face is asked for (the title's heavy Song)

    @property
    def substituted(self) -> bool:
        return self.served_by != self.official


def fc_list(fmt: str) -> list[str]:
    """fc-list output lines, read with the system configuration."""
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    try:
        out = subprocess.run(["fc-list", "--format", fmt + "\n"], env=env, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise WriterError(f"fontconfig's fc-list is not available ({exc}); run scripts/install.sh") from None
    return out.splitlines()


def installed_families() -> set[str]:
    """Every family name (in every language) fontconfig knows."""
    return {name.strip() for line in fc_list("%{family}") for name in line.split(",") if name.strip()}


@cache
def font_roles(templates_dir: Path) -> dict[str, dict]:
    """templates/fonts.yaml: role → its official names and free faces."""
    path = templates_dir / "fonts.yaml"
    roles = (read_template_yaml(path, templates_dir) or {}).get("roles")
    if not isinstance(roles, dict):
        raise TemplateError([Problem(Location(path), "expected `roles:` mapping each font role to its names and faces")])
    return roles


def official_names(templates_dir: Path) -> dict[str, str]:
    """Each role's first official name: the name documents carry."""
    return {role: spec["official"][0] for role, spec in font_roles(templates_dir).items()}


@cache
def resolve_roles(templates_dir: Path) -> tuple[RoleFont, ...]:
    """Pick the face for each role: an installed official font wins, else the first installed free face."""
    roles = font_roles(templates_dir)
    families = installed_families()
    out = []
    for role, spec in roles.items():
        official = spec["official"]
        chosen = next((name for name in official if name in families), None)
        weight = None
        if chosen is None:
            free = next((f for f in spec["free"] if f["family"] in families), None)
            if free is None:
                wanted = ", ".join(f["family"] for f in spec["free"])
                raise WriterError(f"no font for role '{role}': none of {', '.join(official)}, {wanted} is installed; run scripts/install.sh")
            chosen, weight = free["family"], free.get("weight")
        out.append(RoleFont(role, official[0], chosen, weight))
    return tuple(out)


def fontconfig_file(templates_dir: Path) -> Path:
    """Write (once per content) the fontconfig file that maps official names to their serving faces."""
    rules = []
    roles = font_roles(templates_dir)
    for font in resolve_roles(templates_dir):
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


def use_project_fonts(templates_dir: Path) -> None:
    """Point fontconfig at the project's mapping; call before WeasyPrint is first imported."""
    os.environ["FONTCONFIG_FILE"] = str(fontconfig_file(templates_dir))


def role_report(templates_dir: Path) -> list[str]:
    return [
        f"{f.role}: {f.official}" + (f" served by {f.served_by}{' ' + f.weight if f.weight else ''} (free substitute)" if f.substituted else " (installed)")
        for f in resolve_roles(templates_dir)
    ]


def chart_font(templates_dir: Path) -> str:
    """The family charts are drawn with: the face serving the 黑体 role, by a name matplotlib knows."""
    hei = next(f for f in resolve_roles(templates_dir) if f.role == "hei")
    if hei.substituted:
        return hei.served_by
    families = installed_families()
    return next((n for n in font_roles(templates_dir)["hei"]["official"] if n.isascii() and n in families), hei.served_by)
