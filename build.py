"""The main job: build every document of content/ into output/ (same as `reportgen build`)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))

from reportgen.cli import main  # noqa: E402

if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(["build", *sys.argv[1:]]))
