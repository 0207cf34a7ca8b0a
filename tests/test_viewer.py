"""The viewer driven headless: traces from Icarus and Verilator, signals added, zoom, cursor moves,
captures; the pictures are checked pixel by pixel where the rows, values, cursor and panels must be.
"""
import os

import numpy as np
import pytest
import pywellen
from vcd import VCDWriter

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
import pygame  # noqa: E402

from ttsim import cli, registry  # noqa: E402
from ttsim.errors import TtsimError  # noqa: E402
from ttsim.viewer import theme, vga  # noqa: E402
from ttsim.viewer.app import Session, choose_panels  # noqa: E402
from ttsim.viewer.pins import segment_polygons  # noqa: E402
from ttsim.viewer.trace import SignalData, Trace  # noqa: E402
from ttsim.viewer.view import View  # noqa: E402
from ttsim.viewer.waveform import ROW_HEIGHT, PAD  # noqa: E402


# Which segments each hex digit lights (written out independently of the design and the viewer).
DIGIT_SEGMENTS = ["abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc",
                  "abcdefg", "abcdfg", "abcefg", "cdefg", "adef", "bcdeg", "adefg", "aefg"]


@pytest.fixture(autouse=True, scope="module")
def fonts():
    pygame.font.init()


def pixel(surface, x, y):
    return tuple(surface.get_at((int(x), int(y))))[:3]


def raw_value(path, name, time):
    """A signal's value read with pywellen directly (not through the viewer)."""
    var = next(v for v in pywellen.Waveform(str(path)).all_vars() if v.full_name == name)
    return var.signal.value_at(time)


def row_top(session, index):
    return session.layout.waves.y + (index - session.layout.first_row) * ROW_HEIGHT


WINDOW = (24_000_000, 28_000_000)  # ps: 40 clock periods and the digit's first step
CURSOR = 26_530_000


@pytest.mark.parametrize("sim", ["icarus", "verilator"])
def test_screenshot_draws_rows_values_cursor_and_digit(hello_traces, tmp_path, sim):
    out = tmp_path / "shot.png"
    code = cli.main(["view", str(hello_traces[sim]), "--screenshot", str(out), "--size", "1000x500",
                     "--signals", "clk,uo_out,counter.digit:unsigned", "--from", "24us",
                     "--to", "28us", "--at", "26.53us"])
    assert code == 0
    picture = pygame.image.load(str(out))
    assert picture.get_size() == (1000, 500)
    trace = Trace(hello_traces[sim])
    session = Session(trace, size=(1000, 500))
    for spec in ("clk", "uo_out", "counter.digit:unsigned"):
        session.view.add(trace, spec)
    session.view.start, session.view.end, session.view.cursor = WINDOW[0], WINDOW[1], CURSOR
    session.frame()  # lays the pane out the way the command did
    layout = session.layout

    # clk: high phases drawn on the row's top line, low phases on its bottom line.
    clk = trace.signal("clk")
    top, bottom = row_top(session, 0) + PAD, row_top(session, 0) + ROW_HEIGHT - PAD - 1
    checked = 0
    for first, second in zip(clk.times[:-1], clk.times[1:]):
        pixels = layout.x_of(session.view, second) - layout.x_of(session.view, first)
        if not WINDOW[0] <= first < second <= WINDOW[1] or pixels < 4:
            continue
        x = layout.x_of(session.view, (first + second) / 2)
        high = raw_value(hello_traces[sim], clk.name, int(first)) == 1
        assert pixel(picture, x, top if high else bottom) == theme.WAVE
        assert pixel(picture, x, bottom if high else top) != theme.WAVE
        checked += 1
    assert checked >= 10

    # uo_out: an edge where it changes (a vertical line through the row's middle), rails between.
    uo_out = trace.signal("uo_out")
    change = next(int(t) for t in uo_out.times if WINDOW[0] < t < WINDOW[1])
    x = round(layout.x_of(session.view, change))
    middle = row_top(session, 1) + ROW_HEIGHT // 2
    assert theme.BUS in {pixel(picture, x + dx, middle) for dx in (-1, 0, 1)}
    quiet_x = layout.x_of(session.view, change) - 30
    assert pixel(picture, quiet_x, row_top(session, 1) + PAD) == theme.BUS
    assert pixel(picture, quiet_x, row_top(session, 1) + ROW_HEIGHT - PAD - 1) == theme.BUS

    # The cursor is a white line at 26.53 us, and the value column shows text for each row.
    cursor_x = round(layout.x_of(session.view, CURSOR))
    assert pixel(picture, cursor_x, layout.waves.bottom - 3) == theme.CURSOR
    for index in range(3):
        band = [pixel(picture, x, y) for x in range(layout.names.x + 170, layout.names.right)
                for y in range(row_top(session, index), row_top(session, index) + ROW_HEIGHT)]
        assert any(colour == theme.BUS for colour in band)

    # The seven-segment digit shows what uo_out holds at the cursor.
    value = raw_value(hello_traces[sim], "tt_um_ttsim_hello.uo_out", CURSOR)
    patterns = [sum(1 << "abcdefg".index(s) for s in lit) for lit in DIGIT_SEGMENTS]
    digit = patterns.index(value & 0x7F)
    panel_x = session.layout.waves.right + 2
    area_height = 160 - 20
    width = area_height * 0.55
    centre_x = panel_x + (270 - 2) / 2
    left = int(centre_x - width / 2 - area_height * 0.05)
    polygons = segment_polygons(left, 28 + 10, area_height)
    for segment in "abcdefg":
        xs, ys = zip(*polygons[segment])
        colour = pixel(picture, sum(xs) / len(xs), sum(ys) / len(ys))
        expected = theme.SEGMENT_ON if segment in DIGIT_SEGMENTS[digit] else theme.SEGMENT_OFF
        assert colour == expected, f"segment {segment} of digit {digit:x}"


def test_session_zoom_pan_snap_and_markers(hello_traces):
    trace = Trace(hello_traces["icarus"])
    session = Session(trace, size=(900, 400))
    session.view.add(trace, "uo_out")
    session.view.add(trace, "ui_in:binary")
    session.view.fit(trace.end_time)
    session.frame()
    full = session.view.end - session.view.start
    session.view.zoom(0.25, around=1e8)
    assert session.view.end - session.view.start == pytest.approx(full / 4)
    assert session.view.start < 1e8 < session.view.end
    uo_out = trace.signal("uo_out")
    session.view.cursor = uo_out.next_change(int(session.view.start))
    session.view.set_marker(1, session.view.cursor)
    session.view.cursor = uo_out.next_change(session.view.cursor)
    session.view.set_marker(2, session.view.cursor)
    surface = session.frame()
    layout = session.layout
    for number, time in session.view.markers.items():
        assert pixel(surface, layout.x_of(session.view, time), layout.waves.bottom - 2) in \
            (theme.MARKER, theme.CURSOR)
    # Marker 2 sits under the cursor; marker 1 shows alone in orange.
    assert pixel(surface, layout.x_of(session.view, session.view.markers[1]),
                 layout.waves.bottom - 2) == theme.MARKER
    session.view.pan(0.5)
    assert session.view.start > 0


def test_analog_row_follows_the_value(hello_traces):
    trace = Trace(hello_traces["icarus"])
    session = Session(trace, size=(900, 300))
    session.view.add(trace, "counter.digit:analog")
    session.view.start, session.view.end = 0.0, float(trace.end_time)
    surface = session.frame()
    digit = trace.signal("counter.digit")
    layout = session.layout
    heights = []
    for time in (0.3e8, 1.2e8, 2.0e8):
        x = layout.x_of(session.view, time)
        column = [y for y in range(layout.waves.y, layout.waves.y + ROW_HEIGHT)
                  if pixel(surface, x, y) == theme.ANALOG]
        assert column, f"nothing drawn at {time}"
        heights.append((digit.value_at(int(time)), -min(column)))
    # Higher digits are drawn higher up (strictly, as the three sampled digits differ).
    assert [h for _, h in sorted(heights)] == sorted(h for _, h in heights)
    assert len({v for v, _ in heights}) == 3


def test_record_writes_the_frames_the_session_draws(hello_traces, tmp_path):
    out = tmp_path / "sweep.gif"
    code = cli.main(["view", str(hello_traces["icarus"]), "--record", str(out), "--from", "0",
                     "--to", "60us", "--frames", "5", "--size", "640x320",
                     "--signals", "uo_out,counter.digit"])
    assert code == 0
    frames = pygame.image.load_animation(str(out))
    assert len(frames) == 5
    trace = Trace(hello_traces["icarus"])
    session = Session(trace, size=(640, 320))
    session.view.add(trace, "uo_out")
    session.view.add(trace, "counter.digit")
    session.view.start, session.view.end = 0.0, 60e6
    cursor_columns = []
    for number, (frame, _) in enumerate(frames):
        session.view.cursor = int(60e6 * number / 4)
        expected = pygame.surfarray.array3d(session.frame()).astype(int)
        decoded = pygame.surfarray.array3d(frame).astype(int)
        assert decoded.shape == expected.shape
        # The palette keeps the viewer's flat colours exact; only anti-aliased edges may move.
        assert np.mean(np.abs(decoded - expected).max(axis=2) <= 48) > 0.995
        assert np.mean(np.all(decoded == expected, axis=2)) > 0.9
        y = session.layout.waves.bottom - 2
        x = next(x for x in range(session.layout.waves.x, session.layout.waves.right + 1)
                 if tuple(decoded[x, y]) == theme.CURSOR)
        assert x == pytest.approx(session.layout.x_of(session.view, session.view.cursor), abs=1)
        cursor_columns.append(x)
    assert cursor_columns == sorted(cursor_columns) and len(set(cursor_columns)) == 5


def test_bad_input_is_one_line_and_exit_2(ttsim, hello_traces, tmp_path):
    broken = tmp_path / "broken.vcd"
    broken.write_bytes(hello_traces["icarus"].read_bytes()[:200] + b"\n#zz\x00\x01")
    view_file = tmp_path / "view.json"
    view_file.write_text('{"rows": [{"name": "tt_um_ttsim_hello.gone"}], "window": [0, 10]}')
    cases = [
        ([str(broken), "--screenshot", str(tmp_path / "a.png")], "cannot read trace"),
        ([str(tmp_path / "none.vcd"), "--screenshot", str(tmp_path / "a.png")], "does not exist"),
        ([str(hello_traces["icarus"]), "--screenshot", str(tmp_path / "a.png"),
          "--signals", "nothing_here"], "no signal 'nothing_here'"),
        ([str(hello_traces["icarus"]), "--screenshot", str(tmp_path / "a.png"),
          "--view", str(view_file)], "lacks: tt_um_ttsim_hello.gone"),
        ([str(hello_traces["icarus"]), "--screenshot", str(tmp_path / "a.png"), "--at", "later"],
         "not a time"),
        ([str(hello_traces["icarus"]), "--record", str(tmp_path / "a.gif")], "needs --from"),
    ]
    for args, message in cases:
        result = ttsim("view", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
            result.stderr


# --- the VGA monitor on a synthetic TinyVGA trace ---------------------------------------------
PIXEL_PS = 40_000  # 25 MHz


def bar_colour(frame: int, x: int) -> int:
    """uo_out colour bits of the test pattern: 8 vertical bars, shifted by one bar per frame."""
    bar = (x // 80 + frame) % 8
    red, green, blue = bar & 1, bar >> 1 & 1, bar >> 2 & 1
    return red | green << 1 | blue << 2 | red << 4 | green << 5 | blue << 6  # both bits of each


def write_vga_trace(path, frames: int = 3) -> None:
    """640x480 timing at 25 MHz: visible, front porch, sync (active low), back porch."""
    with open(path, "w") as file, VCDWriter(file, timescale="1 ps") as writer:
        uo_out = writer.register_var("tt_um_vga", "uo_out", "wire", size=8)
        time = 0
        for frame in range(frames):
            for line in range(525):
                vsync = 0 if 490 <= line < 492 else 1
                syncs = vsync << 3 | 1 << 7
                for x in range(0, 640, 80) if line < 480 else [0]:
                    colour = bar_colour(frame, x) if line < 480 else 0
                    writer.change(uo_out, time + x * PIXEL_PS, colour | syncs)
                writer.change(uo_out, time + 640 * PIXEL_PS, syncs)
                writer.change(uo_out, time + 656 * PIXEL_PS, vsync << 3)
                writer.change(uo_out, time + 752 * PIXEL_PS, syncs)
                time += 800 * PIXEL_PS


def expected_rgb(frame: int, x: int) -> tuple:
    bits = bar_colour(frame, x)
    return tuple(255 * (bits >> channel & 1) for channel in range(3))


def test_vga_decoder_draws_up_to_the_beam(tmp_path):
    path = tmp_path / "vga.vcd"
    write_vga_trace(path)
    decoder = vga.VgaDecoder(Trace(path).signal("uo_out"))
    assert decoder.pixel_ticks == pytest.approx(PIXEL_PS)
    # Frame 2's picture, drawn down to line 240 (the frame timing starts at frame 1's vsync).
    line_240 = (2 * 525 + 240) * 800 * PIXEL_PS + 300 * PIXEL_PS
    image, fresh, beam = decoder.picture(line_240)
    assert beam is not None and beam[1] == 240 and abs(beam[0] - 300) <= 1
    for x in range(40, 640, 80):
        assert tuple(image[100, x]) == expected_rgb(2, x)  # this frame
        assert tuple(image[400, x]) == tuple(c // 2 for c in expected_rgb(1, x))  # last frame
    assert fresh[:240].all() and not fresh[241:].any()


def test_vga_panel_is_chosen_from_the_pins_and_draws_the_picture(tmp_path):
    path = tmp_path / "vga.vcd"
    write_vga_trace(path)
    trace = Trace(path)
    hello = registry.get("hello")
    vga_pins = dict(hello.pins, uo=("R1", "G1", "B1", "VSYNC", "R0", "G0", "B0", "HSYNC"))
    design = registry.Design(**{**hello.__dict__, "name": "vga_test", "pins": vga_pins})
    slots = choose_panels(trace, design)
    assert [type(slot.panel).__name__ for slot in slots] == ["PinsPanel", "VgaPanel"]
    with pytest.raises(TtsimError, match="unknown viewer panel"):
        choose_panels(trace, registry.Design(**{**design.__dict__,
                                                "sections": {"viewer": {"panels": ["radar"]}}}))
    session = Session(trace, design, View(), size=(1000, 720))
    session.view.add(trace, "uo_out")
    session.view.fit(trace.end_time)
    session.view.cursor = (2 * 525 + 479) * 800 * PIXEL_PS + 700 * PIXEL_PS  # frame 2 complete
    surface = session.frame()
    panel = slots[1].panel
    top = 2 + session.panels[0].panel.height(270)
    screen_x, screen_y, screen_w = session.layout.waves.right + 2 + 8, top + 28, 270 - 2 - 16
    for bar in range(8):
        x = screen_x + (bar * 80 + 40) * screen_w // 640
        y = screen_y + 120 * screen_w * 3 // 4 // 480
        drawn = pixel(surface, x, y)  # smoothly scaled: exact up to rounding
        assert max(abs(a - b) for a, b in zip(drawn, expected_rgb(2, bar * 80))) <= 4, bar
    assert panel.height(270) > 0


def test_vga_decoder_matches_the_fast_path_on_markov_art():
    """markov_art's first frame from the fast path's own VGA model, and decoded by the viewer from
    the same run's uo_out (recorded every cycle, kept as changes at 40 ticks a cycle)."""
    from ttsim import fast

    shot = fast.run("markov_art", frames=1, keep_frames=True)
    run = fast.run("markov_art", cycles=shot.report["cycles"] + 10, record=("uo_out",))
    uo_out = run.recording["uo_out"].astype(np.int64)
    changes = np.flatnonzero(np.diff(uo_out, prepend=-1))
    signal = SignalData("uo_out", 8, False, zip((changes * 40).tolist(), uo_out[changes].tolist()))
    decoder = vga.VgaDecoder(signal)
    assert decoder.pixel_ticks == pytest.approx(40)
    image, fresh, _ = decoder.picture(int(decoder.vsync_falls[1]) - 1)  # just before frame 2
    assert fresh.all()
    assert np.array_equal(image, shot.frames[0])
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 2  # a real picture, not a blank one


def test_lanes_panel_shows_each_accumulator_and_its_activity(tmp_path):
    path = tmp_path / "lanes.vcd"
    with open(path, "w") as file, VCDWriter(file, timescale="1 ns") as writer:
        accs = [writer.register_var("tt_um_x.array", f"acc{n}", "wire", size=8) for n in range(3)]
        # lane 0: 5, then 20 at 1000 ns; lane 1: -10 (0xf6) throughout; lane 2: 0, 100 at 10 ns
        for time, lane, value in [(0, 0, 5), (0, 1, 0xF6), (0, 2, 0), (10, 2, 100), (1000, 0, 20)]:
            writer.change(accs[lane], time, value)
    trace = Trace(path)
    hello = registry.get("hello")  # 10 MHz: 8 cycles of activity are 800 ns
    design = registry.Design(**{**hello.__dict__, "sections": {"viewer": {"lanes": "acc"}}})
    [slot] = choose_panels(trace, design)
    lanes = slot.data_at(1100)
    assert [(lane.value, lane.active) for lane in lanes] == [(20, True), (-10, False), (100, False)]
    surface = pygame.Surface((270, slot.panel.height(270)))
    slot.panel.draw(surface, surface.get_rect(), lanes)
    # Lane 0 is framed (active), lane 1 is not; lane 2's bar (the largest value) is full length.
    cell_width = (270 - 8) // 4
    assert pixel(surface, 4, 28 + 20) == (255, 210, 80)
    assert pixel(surface, 4 + cell_width, 28 + 20) != (255, 210, 80)
    middle = 4 + 2 * cell_width + (cell_width - 4) // 2
    assert pixel(surface, middle + (cell_width - 4) // 2 - 6, 28 + 40 - 8) == (90, 200, 120)
    assert pixel(surface, 4 + cell_width + (cell_width - 4) // 2 - 3, 28 + 40 - 8) == (230, 100, 90)
