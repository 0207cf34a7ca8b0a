"""Every registered design's cocotb suite, on both simulators, as `ttsim test` runs it."""
import pytest
import pywellen

from ttsim import registry
from ttsim.tools import simulate


@pytest.mark.parametrize("sim", ["icarus", "verilator"])
@pytest.mark.parametrize("name", registry.names())
def test_design_suite(name, sim):
    result = simulate.run_suite(registry.get(name), sim=sim)
    assert result.tests > 0
    assert result.failed == 0, f"{result.failed} of {result.tests} failed; see {result.results_xml}"


@pytest.mark.parametrize("sim, waves", [("icarus", "vcd"), ("icarus", "fst"),
                                        ("verilator", "vcd"), ("verilator", "fst")])
def test_hello_writes_waves(ttsim, sim, waves):
    result = ttsim("test", "hello", "--sim", sim, "--waves", waves, "-k", "counts_up")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    wave_lines = [line for line in result.stdout.splitlines() if line.startswith("waves:")]
    assert len(wave_lines) == 1
    path = wave_lines[0].split(maxsplit=1)[1]
    assert path.endswith(f".{waves}")
    trace = pywellen.Waveform(path)
    assert trace.file_format.lower() == waves
    names = {var.full_name for var in trace.all_vars()}
    assert "tt_um_ttsim_hello.uo_out" in names
    # The digit steps every 256 cycles while counting up: uo_out must change in the trace.
    uo_out = next(v for v in trace.all_vars() if v.full_name == "tt_um_ttsim_hello.uo_out")
    changes = uo_out.signal
    assert len({changes[i][1] for i in range(len(changes))}) > 2
