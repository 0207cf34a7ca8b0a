"""The FET overlay: hello's netlist replayed at switch level with its traced pins, drawn headless;
the pictures and the switch-level values are checked against the trace."""
import os

import numpy as np
import pygame
import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"

from ttsim import cli, registry  # noqa: E402
from ttsim.tools import fets  # noqa: E402
from ttsim.viewer import fets as overlay  # noqa: E402
from ttsim.viewer.app import Session  # noqa: E402
from ttsim.viewer.trace import Trace  # noqa: E402


SIZE = (1000, 700)
STEADY = "60us"  # digit 2 since 51.4 us: nothing near the digit toggled within the fade


@pytest.fixture(autouse=True, scope="module")
def fonts():
    pygame.font.init()


@pytest.fixture(scope="module")
def netlist():
    return fets.build(registry.get("hello"))[1]


def session(trace_path, view):
    trace = Trace(trace_path)
    return trace, Session(trace, registry.get("hello"), size=SIZE, panel_names=["fets"],
                          fets_view=view)


def colour_count(picture, colour) -> int:
    pixels = pygame.surfarray.pixels3d(picture)
    return int(np.all(pixels == np.array(colour, dtype=pixels.dtype), axis=2).sum())


@pytest.mark.parametrize("sim", ["icarus", "verilator"])
def test_switch_level_outputs_equal_the_trace_at_every_digit(hello_traces, sim):
    trace = Trace(hello_traces[sim])
    slot = overlay.fets_slot(trace, registry.get("hello"), overlay.FetView())
    uo_out = trace.signal("uo_out")
    times = [uo_out.time(i) for i in range(len(uo_out))]
    checked = 0
    for time in times[1:]:
        for at in (time + 1, time + 20_000_000):  # just after the change and 2,000 cycles on
            frame = slot.data_at(at)
            assert set(frame.outputs) == {"uo_out", "uio_out", "uio_oe"}
            for port, (switch, traced) in frame.outputs.items():
                if traced is not None:
                    assert switch == traced, (sim, at, port)
                    checked += 1
            assert frame.outputs_match
    assert checked > 40
    assert frame.cycle > 1000


def test_moving_back_gives_the_same_state_as_a_fresh_replay(hello_traces):
    trace = Trace(hello_traces["icarus"])
    design = registry.get("hello")
    walked = overlay.fets_slot(trace, design, overlay.FetView())
    walked.data_at(400_000_000)
    back = walked.data_at(123_456_000)
    fresh = overlay.fets_slot(trace, design, overlay.FetView()).data_at(123_456_000)
    assert np.array_equal(back.levels, fresh.levels)
    assert np.array_equal(back.conducting, fresh.conducting)
    assert np.array_equal(back.glow, fresh.glow)
    assert back.cycle == fresh.cycle


def test_cells_have_depths_modules_and_outputs(netlist):
    cells = overlay.netlist_cells(netlist)
    assert sum(len(c.pmos) + len(c.nmos) for c in cells) == len(netlist["transistors"])
    driver = {cell.output: cell for cell in cells}
    for cell in cells:
        if cell.kind.startswith("dff"):
            assert cell.depth == 0
            continue
        gates = {netlist["transistors"][t][1] for t in cell.pmos + cell.nmos}
        for source in (driver[g] for g in gates if g in driver):
            assert cell.depth > source.depth
    digit = [c for c in cells if c.net == "counter.digit[1]"]
    assert len(digit) == 1 and digit[0].module == "counter"
    assert digit[0].output == netlist["names"]["counter.digit[1]"]
    assert {"counter", "display"} <= {cell.module for cell in cells}


def test_screenshot_draws_both_kinds_in_both_states(hello_traces, tmp_path):
    out = tmp_path / "fets.png"
    code = cli.main(["view", str(hello_traces["icarus"]), "--panels", "fets", "--at", STEADY,
                     "--size", "x".join(map(str, SIZE)), "--fets-zoom", "3",
                     "--fets-focus", "counter.digit[1]", "--screenshot", str(out)])
    assert code == 0
    picture = pygame.image.load(str(out))
    assert picture.get_size() == SIZE
    for colour in (overlay.NMOS_ON, overlay.NMOS_OFF, overlay.PMOS_ON, overlay.PMOS_OFF):
        assert colour_count(picture, colour) > 50, colour


def test_a_net_at_1_and_one_at_0_are_drawn_in_their_level_colours(hello_traces):
    view = overlay.FetView(module="counter", zoom=2, focus="counter.digit[1]")
    trace, shot = session(hello_traces["icarus"], view)
    at = trace.ticks(STEADY)
    shot.view.cursor = at
    digit = trace.signal("counter.digit").value_at(at)
    assert digit == 2  # the trace says: digit[1] is 1, digit[0] is 0
    picture = shot.frame()
    slot = shot.panels[0]
    panel, frame = slot.panel, slot.data_at(at)
    area = panel.area
    assert area.w == SIZE[0] and area.bottom < SIZE[1]
    for bit, colour in ((1, overlay.NET_HIGH), (0, overlay.NET_LOW)):
        cell = next(c for c in panel.cells if c.net == f"counter.digit[{bit}]")
        assert frame.glow[cell.output] == 0 and frame.levels[cell.output] == bit
        pin = panel.output_pin(area, cell)
        assert area.contains(pin) and pin.w >= 4
        assert tuple(picture.get_at(pin.center))[:3] == colour
    # Only the counter's cells are drawn.
    assert {cell.module for cell in panel.cells} == {"counter"}
    assert len(panel.cells) < len(overlay.netlist_cells(fets.build(shot.design)[1]))


@pytest.mark.parametrize("options, message", [
    (["--panels", "fets", "--fets-focus", "no_such_net"],
     "no cell of the shown module drives a net named"),
    (["--panels", "fets", "--module", "no_such_module"], "no cells in module 'no_such_module'"),
    (["--panels", "fets", "--fets-zoom", "0.5"], "--fets-zoom must be at least 1"),
    (["--panels", "pins", "--module", "counter"], "add --panels fets"),
])
def test_bad_overlay_options_give_one_line(hello_traces, tmp_path, capsys, options,
                                           message):
    code = cli.main(["view", str(hello_traces["icarus"]), *options,
                     "--screenshot", str(tmp_path / "x.png")])
    assert code == 2
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error


def test_a_trace_of_the_atari_core_replays_the_core_netlist(atari_core_check):
    # `ttsim switch --trace` traces the Atari core (no TT pins): the overlay takes the netlist of
    # the design's native top and drives every one of its inputs from the trace.
    _, _, path = atari_core_check
    trace = Trace(path)
    design = registry.get("atari2600")
    netlist, ports = overlay.trace_netlist(trace, design)
    assert {"rom_addr", "rom_data", "scheme", "joystick_n"} <= set(ports)
    assert "ui_in" not in netlist["ports"]
    cartridge = next(cell.module for cell in overlay.netlist_cells(netlist)
                     if cell.module.rpartition(".")[2] == "cartridge")
    slot = overlay.fets_slot(trace, design, overlay.FetView(module=cartridge), netlist=netlist)
    rom_addr = trace.signal("rom_addr")
    late = [rom_addr.time(i) + 1 for i in range(len(rom_addr) - 12, len(rom_addr))]
    for time in late:
        frame = slot.data_at(time)
        assert frame.outputs["rom_addr"][0] == frame.outputs["rom_addr"][1], time
        assert frame.outputs_match
    assert frame.cycle > 800
    # The cartridge's cells (its submodules' too, as the overlay draws them), no others.
    assert all(cell.module == cartridge or cell.module.startswith(f"{cartridge}.")
               for cell in slot.panel.cells)
