"""The Chinese user guide's page images come from a real build (scripts/guide_images.py), and the
guide shows exactly the images the script makes."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).parents[1]
GUIDE = ROOT / "docs" / "用户手册.md"
IMAGES = ROOT / "docs" / "images" / "guide"


@pytest.mark.slow
def test_guide_images_regenerate_from_a_build(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "guide_images.py"), str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in tmp_path.glob("*.png"))
    shown = sorted(set(re.findall(r"\(images/guide/([\w-]+\.png)\)", GUIDE.read_text(encoding="utf-8"))))
    assert made == shown == sorted(p.name for p in IMAGES.glob("*.png"))
    for name in made:
        with Image.open(tmp_path / name) as fresh, Image.open(IMAGES / name) as committed:
            assert fresh.size == committed.size, name  # the same pages at the same resolution
            width, height = fresh.size
            assert abs(min(width, height) / max(width, height) - 210 / 297) < 0.01, name  # an A4 page
