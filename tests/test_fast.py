"""The fast path's Python API and `ttsim run` on the hello design: stepping, recording, stop
conditions, input scripts, the build cache and the one-line errors."""
import json

import numpy as np
import pytest

from ttsim import cli, fast
from ttsim.errors import TtsimError

DIGIT_STEP = 256  # hello at speed 0: the digit steps every 256 cycles


@pytest.fixture(scope="module")
def hello():
    with fast.Simulation("hello") as sim:
        yield sim


def test_recorder_sees_the_digit_count_up(hello):
    hello.reset()
    start = hello.cycles
    result = hello.step(5 * DIGIT_STEP, record=("uio_out", "uio_oe"))
    assert result.reason == "cycles" and result.cycles == 5 * DIGIT_STEP
    assert hello.cycles == start + 5 * DIGIT_STEP
    digits = result.recording["uio_out"] & 0x0F
    assert digits.dtype == np.uint8
    # The digit changes exactly every 256 cycles, counting 0, 1, 2, ...
    changes = np.flatnonzero(np.diff(digits))
    assert np.all(np.diff(changes) == DIGIT_STEP)
    assert list(np.unique(digits)) == [0, 1, 2, 3, 4, 5]
    assert np.all(result.recording["uio_oe"] == 0x0F)


def test_stop_condition_and_script(hello):
    hello.reset()
    start = hello.cycles
    # Count down from the start of the next cycle: 0 -> F after the first step.
    hello.set_script([(start, "ui_in", 0x01)])
    hello.stop_when("uio_out==0xE && uo_out!=0")
    result = hello.step(100_000)
    hello.stop_when(None)
    assert result.reason == "condition"
    assert hello.get("uio_out") == 0xE
    assert hello.get("uo_out") & 0x80  # the decimal point shows counting down
    assert result.cycles == 2 * DIGIT_STEP


def test_unknown_signal_is_a_one_line_error(hello):
    with pytest.raises(TtsimError, match="no signal 'pc'"):
        hello.stop_when("pc==0x3469")
    with pytest.raises(TtsimError, match="output"):
        hello.set("uo_out", 1)


def test_second_build_is_a_cache_hit():
    first = fast.Simulation("hello")
    second = fast.Simulation("hello")
    assert second.build.library == first.build.library and not second.build.rebuilt
    first.close()
    second.close()


def run_cli(capsys, *args):
    """`ttsim run hello ARGS`: exit code, stdout, stderr (the `hello` fixture has built the
    library, so stderr holds no build message)."""
    code = cli.main(["run", "hello", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_run_json(hello, capsys):
    code, out, _ = run_cli(capsys, "--cycles", "100000", "--json")
    report = json.loads(out)
    assert code == 0 and report["cycles"] == 100_000 and report["stop"] == "cycles"
    assert report["cycles_per_s"] > 0 and report["wall_s"] > 0


def test_run_records_pins(hello, tmp_path, capsys):
    record = tmp_path / "pins.npz"
    script = tmp_path / "input.txt"
    script.write_text("# count down from cycle 300\n300 ui_in=0x01\n")
    code, _, _ = run_cli(capsys, "--cycles", "1000", "--input", str(script),
                         "--record", str(record))
    assert code == 0
    pins = np.load(record)
    assert pins["uo_out"].shape == (1000,)
    assert np.all(pins["ui_in"][:300] == 0) and np.all(pins["ui_in"][300:] == 1)
    assert np.all(pins["uo_out"][300:] & 0x80) and not np.any(pins["uo_out"][:300] & 0x80)


@pytest.mark.parametrize("args, message", [
    (["--cycles", "10", "--rom", "/nonexistent/game.bin"], "ROM file /nonexistent/game.bin does not exist"),
    (["--cycles", "10", "--trace", "t.fst", "--trace-from", "20", "--trace-to", "10"], "after --trace-to"),
    (["--cycles", "10", "--stop-when", "sync&&addr==0x3469"], "no signal 'sync'"),
    (["--cycles", "10", "--ram", "/nonexistent/ram.bin"], "RAM file /nonexistent/ram.bin does not exist"),
    (["--cycles", "10", "--stop-when", "uio_out=3"], "cannot read 'uio_out=3'"),
    ([], "say when to stop"),
    (["--cycles", "10", "--frames", "1", "--record", "pins.npz"], "cannot be combined"),
])
def test_bad_input_is_a_one_line_error(hello, capsys, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_no_vga_frames_from_a_design_without_vga(hello, capsys):
    """hello toggles uo_out[3] (VSYNC on TinyVGA) but makes no HSYNC: no frame may be seen."""
    code, out, _ = run_cli(capsys, "--frames", "1", "--max-seconds", "0.3", "--json")
    report = json.loads(out)
    assert code == 0 and report["stop"] == "wall_clock" and report["vga"]["frames"] == 0


def test_rom_larger_than_the_flash(hello, tmp_path, capsys):
    rom = tmp_path / "huge.bin"
    rom.write_bytes(bytes(16 * 1024 * 1024 + 1))
    code, _, err = run_cli(capsys, "--cycles", "10", "--rom", str(rom))
    assert code == 2 and err.count("\n") == 1 and "larger than the 16777216-byte flash" in err


def test_bench_json_shape_and_agreement(hello, capsys):
    code = cli.main(["bench", "hello", "--cycles", "50000", "--slow-cycles", "400", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["design"] == "hello" and result["cycles"] == 50_000
    assert set(result["backends"]) == {"fast", "cocotb_icarus", "cocotb_verilator", "pysim"}
    assert result["backends"]["fast"]["cycles"] == 50_000
    for name in ("cocotb_icarus", "cocotb_verilator", "pysim"):
        figures = result["backends"][name]
        assert figures["cycles"] == 400 and figures["matches_fast"] is True
        assert figures["cycles_per_s"] > 0
