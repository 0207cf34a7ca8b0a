"""Where ttsim finds designs and writes its output.

In a source checkout (the usual case: `pip install -e`) everything is relative to the repository
root, so `build/` and `out/` land beside `designs/` whatever the current directory. Installed from a
wheel, outputs go below the current directory.
"""
from pathlib import Path

import ttsim.designs
import ttsim.tb

DESIGNS_DIR = Path(ttsim.designs.__path__[0]).resolve()
TB_DIR = Path(ttsim.tb.__path__[0]).resolve()
PACKAGE_DIR = Path(__file__).resolve().parent


def _workspace() -> Path:
    checkout = DESIGNS_DIR.parent
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


ROOT = _workspace()
BUILD_DIR = ROOT / "build"
OUT_DIR = ROOT / "out"
