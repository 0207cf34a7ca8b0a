"""The fast path and cocotb (on Icarus and on Verilator) give the same outputs, cycle by cycle,
for every registered design's TT top: the same stimulus (reset, random ui_in/uio_in, a reset half
way) is replayed under cocotb by tb/replay.py and run through the fast path's recorder."""
import pytest

from ttsim import registry
from ttsim.tools import bench

CYCLES = 3000


@pytest.mark.parametrize("sim", ["icarus", "verilator"])
@pytest.mark.parametrize("name", registry.names())
def test_fast_path_matches_cocotb_cycle_by_cycle(name, sim):
    design = registry.get(name)
    columns = bench.stimulus(CYCLES, seed=7)
    fast, _ = bench.fast_replay(design, columns)
    cocotb, _ = bench.cocotb_replay(design, sim, columns)
    assert all(len(cocotb[pin]) == len(fast[pin]) == CYCLES for pin in bench.OUTPUTS)
    assert bench.first_mismatch(fast, cocotb) is None, bench.first_mismatch(fast, cocotb)
