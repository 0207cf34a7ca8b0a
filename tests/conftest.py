"""Shared fixtures: running the real `ttsim` command, and throw-away designs in the tree."""
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ttsim import registry
from ttsim.paths import BUILD_DIR, DESIGNS_DIR, TB_DIR
from ttsim.tools import simulate


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


@pytest.fixture(scope="session")
def hello_traces(tmp_path_factory):
    """The hello design's counts_up test traced by Icarus (VCD) and Verilator (FST), copied away
    from build/ so later runs there do not change them under the tests."""
    folder = tmp_path_factory.mktemp("hello_traces")
    traces = {}
    for sim, waves in (("icarus", "vcd"), ("verilator", "fst")):
        result = simulate.run_suite(registry.get("hello"), sim=sim, waves=waves,
                                    test_filter="counts_up")
        assert result.passed and result.waves is not None
        traces[sim] = shutil.copy(result.waves, folder / f"hello_{sim}.{waves}")
    return {sim: Path(path) for sim, path in traces.items()}


@pytest.fixture(scope="session")
def atari_core_check(tmp_path_factory):
    """The Atari core (its native top: no ROM inside) checked at switch level against its RTL over
    900 colour clocks of freeway, with the RTL side traced: (CheckResult, CartridgeRom, trace)."""
    import ale_py

    from ttsim.tools import fastpath, switch_check

    design = registry.get("atari2600")
    rom = Path(ale_py.__file__).parent / "roms" / "freeway.bin"
    trace = tmp_path_factory.mktemp("atari_core") / "atari_core.vcd"
    stimulus = switch_check.CartridgeRom(rom.read_bytes())
    native = fastpath.fast_table(design)["top"]
    result = switch_check.check_design(design, 900, stimulus, top=native, trace=trace)
    return result, stimulus, trace
