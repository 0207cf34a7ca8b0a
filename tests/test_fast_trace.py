"""Trace windows: hello runs at full speed to cycle 500, then cycles 500..599 are traced (VCD or
FST from the file name), read back with pywellen."""
import pytest
import pywellen

from ttsim import fast

HALF_PERIOD_PS = 50_000  # hello's 10 MHz clock


@pytest.mark.parametrize("suffix", [".vcd", ".fst"])
def test_window_holds_only_the_asked_cycles(tmp_path, suffix):
    path = tmp_path / f"window{suffix}"
    result = fast.run("hello", cycles=1000, trace=path, trace_from=500, trace_to=600)
    assert result.report["cycles"] == 1000 and result.report["trace"] == str(path)
    waves = pywellen.Waveform(str(path))
    # Cycle c starts at half period 2c and its rising edge is at 2c + 1. The digit (uio_out)
    # became 1 at cycle 255 and becomes 2 at the rising edge of cycle 511.
    assert list(waves["TOP.uio_out"].signal) == [(1000 * HALF_PERIOD_PS, 1),
                                                (1023 * HALF_PERIOD_PS, 2)]
    clock = list(waves["TOP.clk"].signal)
    assert clock[0] == (1000 * HALF_PERIOD_PS, 0)
    assert clock[-1] == (1199 * HALF_PERIOD_PS, 1)
    assert sum(value for _, value in clock) == 100  # one rising edge per traced cycle


def test_window_must_not_end_before_it_starts(tmp_path):
    with pytest.raises(fast.TtsimError, match="start is after the end"):
        fast.run("hello", cycles=10, trace=tmp_path / "t.vcd", trace_from=5, trace_to=4)
