"""Shared fixtures: running the real `ttsim` command, and throw-away designs in the tree."""
import shutil
import subprocess
import sys
import uuid

import pytest

from ttsim.paths import BUILD_DIR, DESIGNS_DIR, TB_DIR


def run_ttsim(*args, env=None, timeout=900) -> subprocess.CompletedProcess:
    """Runs `python -m ttsim ARGS` as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "ttsim", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=timeout)


@pytest.fixture
def ttsim():
    return run_ttsim


@pytest.fixture
def scratch_design():
    """A unique design name; its design, testbench and build folders are removed afterwards."""
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    yield name
    for folder in (DESIGNS_DIR / name, TB_DIR / name, BUILD_DIR / name):
        shutil.rmtree(folder, ignore_errors=True)
