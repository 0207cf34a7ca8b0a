"""The interactive window driven by synthetic key and mouse events (SDL's dummy driver): zoom, pan,
cursor snapping, edge and value search, markers, rows, the signal tree, saving, playing, reloading.
"""
import os
import shutil

import numpy as np
import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
import pygame  # noqa: E402

from ttsim.viewer import theme  # noqa: E402
from ttsim.viewer.app import Session  # noqa: E402
from ttsim.viewer.trace import Trace  # noqa: E402
from ttsim.viewer.view import View  # noqa: E402
from ttsim.viewer.window import Window  # noqa: E402


SIZE = (1000, 500)


@pytest.fixture
def window(hello_traces, tmp_path):
    pygame.font.init()
    path = tmp_path / "hello.vcd"
    shutil.copy(hello_traces["icarus"], path)
    trace = Trace(path)
    session = Session(trace, size=SIZE)
    for spec in ("clk", "uo_out", "counter.digit"):
        session.view.add(trace, spec)
    session.view.start, session.view.end, session.view.cursor = 0.0, 100e6, 10_000_000
    window = Window(session, tmp_path / "saved.json")
    window.draw(pygame.Surface(SIZE))  # lays the pane out
    return window


def key(window, code, mod=0, text=""):
    window.handle(pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod, unicode=text))


def type_text(window, text):
    for char in text:
        key(window, ord(char), text=char)
    key(window, pygame.K_RETURN)


def test_keys_zoom_pan_and_fit(window):
    view = window.view
    key(window, pygame.K_PLUS, text="+")
    assert view.end - view.start == pytest.approx(80e6)
    assert view.start < view.cursor < view.end
    key(window, pygame.K_MINUS, text="-")
    assert view.end - view.start == pytest.approx(100e6)
    start = view.start
    key(window, pygame.K_RIGHT)
    assert view.start == pytest.approx(start + 10e6)
    key(window, pygame.K_f, text="f")
    assert (view.start, view.end) == (0.0, float(window.trace.end_time))


def test_click_snaps_to_the_nearest_edge_of_the_row_under_the_mouse(window):
    layout = window.session.layout
    uo_out = window.trace.signal("uo_out")
    edge = uo_out.next_change(0)
    y = layout.waves.y + 1 * 22 + 11  # the uo_out row
    x = int(layout.x_of(window.view, edge)) + 4
    window.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(x, y)))
    assert window.view.cursor == edge and window.view.selected == 1
    far = int(layout.x_of(window.view, edge)) + 60
    window.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(far, y)))
    assert window.view.cursor == int(layout.time_at(window.view, far))


def test_drag_pans(window):
    layout = window.session.layout
    start = window.view.start
    x, y = layout.waves.centerx, layout.waves.y + 5
    window.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=3, pos=(x, y)))
    window.handle(pygame.event.Event(pygame.MOUSEMOTION, pos=(x - layout.waves.w // 2, y)))
    window.handle(pygame.event.Event(pygame.MOUSEBUTTONUP, button=3, pos=(x, y)))
    assert window.view.start == pytest.approx(start + 50e6, rel=0.02)


def test_edges_values_and_markers(window):
    view = window.view
    uo_out = window.trace.signal("uo_out")
    view.selected = 1
    key(window, pygame.K_n, text="n")
    first = uo_out.next_change(10_000_000)
    assert view.cursor == first
    key(window, pygame.K_n, text="n")
    assert view.cursor == uo_out.next_change(first)
    key(window, pygame.K_p, text="p")
    assert view.cursor == first
    key(window, pygame.K_m, text="m")
    key(window, pygame.K_SLASH, text="/")
    type_text(window, "7f")  # the segments of an 8
    assert uo_out.value_at(view.cursor) == 0x7F and view.cursor > first
    assert uo_out.value_at(view.cursor - 1) != 0x7F
    key(window, pygame.K_m, text="m")
    assert view.markers == {1: first, 2: view.cursor}
    key(window, pygame.K_1, text="1")
    assert view.cursor == first
    key(window, pygame.K_SLASH, text="/")
    type_text(window, "0d300")
    assert "never" in window.message and view.cursor == first


def test_rows_move_remove_format_and_group(window):
    view = window.view
    view.selected = 0
    key(window, pygame.K_DOWN, mod=pygame.KMOD_ALT)
    assert [r.name.rsplit(".", 1)[-1] for r in view.rows] == ["uo_out", "clk", "digit"]
    assert view.selected == 1
    key(window, pygame.K_t, text="t")
    assert view.rows[1].format == "ascii"  # clk was binary
    key(window, pygame.K_g, text="g")
    type_text(window, "ctl")
    assert view.rows[1].group == "ctl"
    key(window, pygame.K_DELETE)
    assert [r.name.rsplit(".", 1)[-1] for r in view.rows] == ["uo_out", "digit"]


def test_tree_filters_and_adds_signals(window):
    key(window, pygame.K_a, text="a")
    for char in "presc":
        key(window, ord(char), text=char)
    names = [name for _, _, name in window.tree.entries if name]
    assert names == ["tt_um_ttsim_hello.counter.prescale"]
    key(window, pygame.K_RETURN)
    key(window, pygame.K_ESCAPE)
    assert window.tree is None
    assert window.view.rows[-1].name == "tt_um_ttsim_hello.counter.prescale"
    screen = pygame.Surface(SIZE)
    key(window, pygame.K_a, text="a")
    window.draw(screen)
    assert screen.get_at((25, 60))[:3] == theme.PANEL  # the tree's panel covers the waves


def test_save_play_and_reload(window, hello_traces):
    key(window, pygame.K_s, text="s")
    saved = View.load(window.view_file, window.trace)
    assert [r.name for r in saved.rows] == [r.name for r in window.view.rows]
    key(window, pygame.K_SPACE, text=" ")
    assert window.playing
    before = window.view.cursor
    window.advance(1.0)
    assert window.view.cursor > before
    # The file changes under the window: a Verilator trace of the same design replaces it.
    path = window.trace.path
    shutil.copy(hello_traces["verilator"], path)
    os.utime(path, (1, 1))
    window.reload_if_changed()
    assert window.trace.format == "FST" and "reloaded" in window.message
    assert len(window.view.rows) == 3


def test_the_window_loop_runs_and_quits(window):
    from ttsim.viewer.window import run_window

    pygame.display.init()
    for code in (pygame.K_SPACE, pygame.K_PLUS, pygame.K_h):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=code, mod=0, unicode=""))
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    span = window.view.end - window.view.start
    run_window(window.session)
    assert window.view.end - window.view.start == pytest.approx(span * 0.8)
    pygame.display.quit()


def test_live_trace_keeps_only_the_changes():
    from ttsim import registry
    from ttsim.viewer.live import LiveTrace

    trace = LiveTrace(registry.get("hello"), {"uo_out": 8})
    trace.append({"uo_out": np.array([3, 3, 5, 5, 5], dtype=np.uint8)}, 5)
    trace.append({"uo_out": np.array([5, 7, 7], dtype=np.uint8)}, 3)
    uo_out = trace.signal("uo_out")
    period = trace.cycle_ticks
    assert uo_out.times.tolist() == [0, 2 * period, 6 * period]
    assert [uo_out.value(i) for i in range(3)] == [3, 5, 7]
    assert trace.end_time == 8 * period and uo_out.version == 2


def test_live_window_runs_the_fast_path_and_flips_switches():
    from ttsim import registry
    from ttsim.viewer.live import LiveWindow, live_session

    pygame.font.init()
    session, simulation = live_session(registry.get("hello"), SIZE)
    with simulation:
        window = LiveWindow(session, simulation)
        window.run_slice()
        first = session.trace.cycles
        assert first > 0 and session.view.cursor == session.trace.end_time
        key(window, pygame.K_F1)  # ui_in[0]: count down, which lights the decimal point
        window.run_slice()
        assert session.trace.cycles > first
        uo_out = session.trace.signal("uo_out")
        assert uo_out.value_at(session.trace.end_time) & 0x80
        assert not uo_out.value_at(first * session.trace.cycle_ticks - 1) & 0x80
        key(window, pygame.K_SPACE)
        paused_at = session.trace.cycles
        window.run_slice()
        assert session.trace.cycles == paused_at
        screen = pygame.Surface(SIZE)
        window.draw(screen)
        assert session.panels and session.layout.row_count == len(session.view.rows)


def test_the_live_window_runs_in_the_window_loop():
    # The loop every window shares: the live window's frame hook runs a slice each frame and its
    # key hook flips a switch; the loop stops after `seconds` with the simulation still open.
    from ttsim import registry
    from ttsim.viewer.live import LiveWindow, live_session

    pygame.font.init()
    session, simulation = live_session(registry.get("hello"), SIZE)
    with simulation:
        window = LiveWindow(session, simulation)
        window.run("live test", seconds=0.5, script=[(0.0, pygame.event.Event(
            pygame.KEYDOWN, key=pygame.K_F1, mod=0, unicode=""))])
        assert not pygame.display.get_init()  # the loop closes the display it opened
        assert session.trace.cycles > 0 and simulation.get("ui_in") == 1
        assert session.view.cursor == session.trace.end_time and window.drawing_s > 0
        uo_out = session.trace.signal("uo_out")
        assert uo_out.value_at(session.trace.end_time) & 0x80  # counting down: decimal point


def test_mode_keys_wait_while_a_prompt_takes_the_typing():
    from ttsim import registry
    from ttsim.viewer.live import LiveWindow, live_session

    pygame.font.init()
    session, simulation = live_session(registry.get("hello"), SIZE)
    with simulation:
        window = LiveWindow(session, simulation)
        key(window, pygame.K_SLASH, text="/")
        key(window, pygame.K_SPACE, text=" ")
        assert not window.paused and window.prompt.text == " "
        key(window, pygame.K_ESCAPE)
        key(window, pygame.K_SPACE, text=" ")
        assert window.paused and window.prompt is None


def test_fet_overlay_keys_zoom_and_focus(hello_traces, tmp_path):
    pygame.font.init()
    path = tmp_path / "hello.vcd"
    shutil.copy(hello_traces["icarus"], path)
    trace = Trace(path)
    session = Session(trace, size=SIZE, panel_names=["fets"])
    for spec in ("clk", "counter.digit"):
        session.view.add(trace, spec)
    window = Window(session, tmp_path / "saved.json")
    window.draw(pygame.Surface(SIZE))
    overlay = session.panels[0].panel
    key(window, pygame.K_z, text="z")
    key(window, pygame.K_z, text="z")
    assert overlay.view.zoom == 4
    key(window, pygame.K_x, text="x")
    assert overlay.view.zoom == 2
    for _ in range(3):
        key(window, pygame.K_x, text="x")
    assert overlay.view.zoom == 1  # never below the whole module
    window.view.selected = 1  # counter.digit: a bus, so the cell driving its bit 0
    key(window, pygame.K_o, text="o")
    assert overlay.view.focus == "counter.digit[0]"
    assert overlay.focus.net == "counter.digit[0]"
    window.view.selected = 0  # clk is an input: no cell drives it
    key(window, pygame.K_o, text="o")
    assert "no cell" in window.message and overlay.view.focus == "counter.digit[0]"
    window.draw(pygame.Surface(SIZE))
