"""The Atari TV panel over a real trace of the native console (Amaranth simulation of a small ROM
that draws known colour bands), its headless screenshot, and the live mode's keyboard."""
import os
import time
from pathlib import Path

import numpy as np
import pytest
from amaranth.sim import Simulator
from vcd import VCDWriter

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
import pygame  # noqa: E402

from ttsim import cli  # noqa: E402
from ttsim.designs.atari2600 import tia as T  # noqa: E402
from ttsim.designs.atari2600.console import AtariWithRom  # noqa: E402
from ttsim.errors import TtsimError  # noqa: E402
from ttsim.viewer import atari_tv, theme  # noqa: E402
from ttsim.viewer.app import Session, ntsc_palette  # noqa: E402
from ttsim.viewer.atari_tv import AtariTvPanel, TvDecoder, tv_signals  # noqa: E402
from ttsim.viewer.trace import Trace  # noqa: E402

COLOUR_CLOCK_HZ = 3_579_545
FRAME_COUNTER = 0x80
BANDS = 8
SKIPPED_LINES = atari_tv.FIRST_LINE - 1  # after the VSYNC line: the first band is TV row 0
ORIGIN = 0xF800
INIT = bytes([0x78, 0xD8, 0xA9, 0x00, 0x85, FRAME_COUNTER])  # SEI, CLD, frame counter = 0
FRAME = bytes([
    0xE6, FRAME_COUNTER, 0xA5, FRAME_COUNTER,   # INC, LDA counter
    0x0A, 0x0A, 0x0A, 0x0A, 0xA8,               # ASL x4, TAY: Y = 16 * counter
    0xA9, 0x02, 0x85, T.VSYNC,                  # VSYNC on: this line is line 0
    0x85, T.WSYNC, 0xA9, 0x00, 0x85, T.VSYNC,   # ... off in line 1
    0xA2, SKIPPED_LINES,                        # LDX
    0x85, T.WSYNC, 0xCA, 0xD0, 0xFB,            # STA WSYNC, DEX, BNE: lines 1..36 end
    0xA2, BANDS,                                # LDX
    0x84, T.COLUBK, 0xC8, 0xC8,                 # STY COLUBK early in the line, INY, INY
    0x85, T.WSYNC, 0xCA, 0xD0, 0xF7,            # STA WSYNC, DEX, BNE
])
FRAME_LINES = 1 + SKIPPED_LINES + BANDS
CURSOR_ROW, CURSOR_X = 3, 100


def band_colour(frame, row):
    """The background colour the ROM gives TV row `row` of frame `frame` (0 = first VSYNC)."""
    return (16 * (frame + 1) + 2 * row) & 0xFF


def rom_image(program):
    """A 2K cartridge: `program` at its start, where the reset vector points."""
    image = bytearray([0xEA] * 2048)
    image[:len(program)] = program
    image[0x7FC:0x7FE] = ORIGIN.to_bytes(2, "little")
    return bytes(image)


def bands_rom():
    frame_at = ORIGIN + len(INIT)
    return rom_image(INIT + FRAME + bytes([0x4C, frame_at & 0xFF, frame_at >> 8]))  # JMP frame


@pytest.fixture(scope="module")
def bands_trace(tmp_path_factory):
    """A VCD of the console running the bands ROM for two frames and a bit (~5 s of pysim)."""
    path = tmp_path_factory.mktemp("atari_tv") / "bands.vcd"
    dut = AtariWithRom(bands_rom())
    sim = Simulator(dut)
    sim.add_clock(1 / COLOUR_CLOCK_HZ)

    async def bench(ctx):
        await ctx.tick().repeat(2 * FRAME_LINES * T.LINE_CLOCKS + 1200)

    sim.add_testbench(bench)
    with sim.write_vcd(str(path), traces=[dut.colour, dut.hcount, dut.vsync]):
        sim.run()
    return path


@pytest.fixture(autouse=True, scope="module")
def fonts():
    pygame.font.init()


def decoder_of(trace):
    names = tv_signals(trace.names)
    return TvDecoder(*(trace.signal(names[s], full=True) for s in ("hcount", "colour", "vsync")))


def beam_time(trace, frame):
    """The time the beam draws (CURSOR_X, CURSOR_ROW) of `frame`, from the ROM's fixed timing:
    the frame's VSYNC rise, the line it is in, then whole 228-clock lines."""
    hcount = trace.signal(tv_signals(trace.names)["hcount"], full=True)
    vsync = trace.signal(tv_signals(trace.names)["vsync"], full=True)
    rise = vsync.times[np.flatnonzero(vsync.values[1:] > vsync.values[:-1]) + 1][frame]
    clock = hcount.count_until(int(rise)) - 1
    line_start = clock - int(hcount.values[clock])
    row_clock = line_start + (atari_tv.FIRST_LINE + CURSOR_ROW) * T.LINE_CLOCKS
    return int(hcount.times[row_clock + T.HBLANK_CLOCKS + CURSOR_X])


def test_tv_signals_are_found_in_the_shallowest_scope():
    names = ["top.clk", "top.tia.hcount", "top.tia.colour", "top.tia.vsync", "top.hcount",
             "top.colour", "top.vsync", "other.hcount"]
    assert tv_signals(names) == {"hcount": "top.hcount", "colour": "top.colour",
                                 "vsync": "top.vsync"}
    assert tv_signals(["top.hcount", "top.colour"]) is None


def screen_point(screen, x, row):
    """The first screen pixel showing TV pixel (x, row) (the TV scales to the nearest pixel)."""
    return (screen.x - (-x * screen.w // atari_tv.WIDTH),
            screen.y - (-row * screen.h // atari_tv.ROWS))


def test_decoder_shows_the_bands_the_rom_draws(bands_trace):
    trace = Trace(bands_trace)
    decoder = decoder_of(trace)
    assert len(decoder.frame_starts) == 3  # two whole frames, the third just begun

    # Just before frame 1 starts, frame 0 is complete and current.
    whole = decoder.picture(int(decoder.frame_starts[1]) - 1)
    assert whole.frame == 0
    for row in range(BANDS):
        assert (whole.colours[row] == band_colour(0, row)).all(), row
        assert whole.fresh[row].all()

    # Mid-way through frame 1: rows above the beam are new, the rest is frame 0's, not fresh.
    time = beam_time(trace, 1)
    picture = decoder.picture(time)
    assert picture.frame == 1
    assert picture.beam == (CURSOR_X, CURSOR_ROW)
    assert picture.line == atari_tv.FIRST_LINE + CURSOR_ROW
    for row in range(BANDS):
        drawn = np.arange(atari_tv.WIDTH) <= CURSOR_X if row == CURSOR_ROW else \
            np.full(atari_tv.WIDTH, row < CURSOR_ROW)
        assert (picture.fresh[row] == drawn).all(), row
        expected = np.where(drawn, band_colour(1, row), band_colour(0, row))
        assert (picture.colours[row] == expected).all(), row

    # Before the first VSYNC there is no frame.
    assert decoder.picture(int(decoder.frame_starts[0]) - 1).frame is None


def test_screenshot_draws_the_tv_with_the_palette_and_the_beam(bands_trace, tmp_path):
    trace = Trace(bands_trace)
    time = beam_time(trace, 1)
    out = tmp_path / "tv.png"
    size = (1000, 640)
    assert cli.main(["view", str(bands_trace), "--screenshot", str(out), "--size", "1000x640",
                     "--at", str(time)]) == 0
    picture = pygame.image.load(str(out))
    assert picture.get_size() == size

    session = Session(trace, size=size)  # laid out as the command did, to find the TV
    session.view.cursor = time
    session.frame()
    slot, = [slot for slot in session.panels if isinstance(slot.panel, AtariTvPanel)]
    screen = slot.panel.screen_rect(slot.area)
    palette = ntsc_palette()

    def at(x, row):
        """The screenshot's colour at the centre of TV pixel (x, row)."""
        return tuple(picture.get_at(screen_point(screen, x, row)))[:3]

    for row in range(BANDS):
        for x in (10, 60, 140):
            if row < CURSOR_ROW or (row == CURSOR_ROW and x <= CURSOR_X):
                assert at(x, row) == tuple(palette[band_colour(1, row)]), (x, row)
            else:  # the previous frame, dimmed
                assert at(x, row) == tuple(palette[band_colour(0, row)] // 2), (x, row)
    assert at(80, 100) == tuple(palette[0])  # rows the ROM leaves to the next frame: black
    # The beam's ring is drawn around (CURSOR_X, CURSOR_ROW).
    centre_x = screen.x + round((CURSOR_X + 0.5) * screen.w / atari_tv.WIDTH)
    centre_y = screen.y + round((CURSOR_ROW + 0.5) * screen.h / atari_tv.ROWS)
    ring = [tuple(picture.get_at((centre_x + dx, centre_y + dy)))[:3]
            for dx in range(-5, 6) for dy in range(-5, 6)]
    assert theme.CURSOR in ring


def test_a_click_on_the_tv_moves_the_cursor_to_when_the_pixel_was_drawn(bands_trace):
    from ttsim.viewer.window import Window

    trace = Trace(bands_trace)
    session = Session(trace, size=(1000, 640))
    session.view.cursor = beam_time(trace, 1)
    window = Window(session)
    session.frame()
    slot, = [slot for slot in session.panels if isinstance(slot.panel, AtariTvPanel)]
    screen = slot.panel.screen_rect(slot.area)

    def click(x, row):
        position = screen_point(screen, x, row)
        window.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=position, button=1))
        return slot.data_at(session.view.cursor)

    # Below the beam the TV shows frame 0: the cursor goes back into frame 0, to that pixel.
    picture = click(30, CURSOR_ROW + 2)
    assert (picture.frame, picture.beam) == (0, (30, CURSOR_ROW + 2))
    picture = click(10, 1)
    assert (picture.frame, picture.beam) == (0, (10, 1))
    # Frame 0 has no frame before it: pixels the beam has yet to draw are black, with no time.
    assert (picture.colours[2:BANDS] == 0).all() and not picture.fresh[2:BANDS].any()
    before = session.view.cursor
    click(150, 6)
    assert session.view.cursor == before and "no time" in window.message
    # From the end of frame 1 a click goes to its pixels.
    session.view.cursor = int(decoder_of(trace).frame_starts[2]) - 1
    picture = click(40, 2)
    assert (picture.frame, picture.beam) == (1, (40, 2))


def test_tv_of_a_verilator_trace_shows_the_frames_the_fast_path_captured(tmp_path):
    """A real game traced by Verilator (FST): each frame the TV decodes from the trace is the
    frame the fast path's atari model captured from the same run, pixel for pixel."""
    import ale_py

    from ttsim import fast
    from ttsim.designs.atari2600.cartridge import SCHEMES
    from ttsim.tools import atari_run

    rom, scheme = atari_run.read_rom(Path(ale_py.__file__).parent / "roms" / "freeway.bin")
    path = tmp_path / "freeway.fst"
    with fast.Simulation("atari2600", native=True, trace=path) as sim:
        sim.attach_atari(rom, SCHEMES.index(scheme))
        sim.reset()
        for _ in range(10):  # the game's setup runs a while before its first VSYNC
            first, _, _ = sim.atari_frames(1)
            if len(first):
                break
        more, _, stop = sim.atari_frames(3, skip=1)
    assert stop == "frames"
    frames = np.concatenate([first, more])
    trace = Trace(path)
    decoder = decoder_of(trace)
    rows = slice(atari_tv.FIRST_LINE, atari_tv.FIRST_LINE + atari_tv.ROWS)
    for number, frame in enumerate(frames):
        picture = decoder.picture(int(decoder.frame_starts[number + 1]) - 1)
        assert picture.frame == number
        assert picture.fresh.all()
        assert (picture.colours == frame[rows]).all(), number
        assert len(np.unique(frame[rows])) > 4  # a real picture, not a blank screen


def write_vcd(path, signals):
    """A tiny VCD: signals is {name: (width, [(time, value), ...])} under scope `top`."""
    with open(path, "w") as file, VCDWriter(file, timescale="1 ns") as writer:
        variables = {name: writer.register_var("top", name, "wire", size=width)
                     for name, (width, _) in signals.items()}
        changes = sorted((at, name, value) for name, (_, values) in signals.items()
                         for at, value in values)
        for at, name, value in changes:
            writer.change(variables[name], at, value)


def test_tv_panel_is_chosen_from_the_signals_and_refused_without_them(tmp_path):
    with_tv = tmp_path / "tv.vcd"
    write_vcd(with_tv, {"hcount": (8, [(0, 0), (10, 1)]), "colour": (8, [(0, 0)]),
                        "vsync": (1, [(0, 0)])})
    panels = Session(Trace(with_tv)).panels
    assert [type(slot.panel) for slot in panels] == [AtariTvPanel]
    without = tmp_path / "plain.vcd"
    write_vcd(without, {"hcount": (8, [(0, 0)]), "data": (8, [(0, 3)])})
    assert Session(Trace(without)).panels == []
    with pytest.raises(TtsimError, match="Atari TV needs .*hcount, colour and vsync"):
        Session(Trace(without), panel_names=["tv"])


# The live mode: a ROM that shows its inputs as background colours, 8 TV rows each: SWCHA (the
# joysticks), SWCHB shifted left by one (the console switches; bit 0 is RESET), INPT4 (fire).
SWCHA, SWCHB = 0x0280, 0x0282
INPT4 = 0x0C
GROUP_ROWS = 8


def show_group(*reads):
    """Instructions that put a value in COLUBK early in the line, then end GROUP_ROWS lines."""
    return bytes([*reads, 0x85, T.COLUBK, 0xA2, GROUP_ROWS, 0x85, T.WSYNC, 0xCA, 0xD0, 0xFB])


def mirror_rom():
    program = bytes([
        0x78, 0xD8,                                         # SEI, CLD
        0xA9, 0x02, 0x85, T.VSYNC, 0x85, T.WSYNC,           # frame: VSYNC in line 0
        0xA9, 0x00, 0x85, T.VSYNC,
        0xA2, SKIPPED_LINES, 0x85, T.WSYNC, 0xCA, 0xD0, 0xFB,
    ]) + show_group(0xAD, SWCHA & 0xFF, SWCHA >> 8) \
        + show_group(0xAD, SWCHB & 0xFF, SWCHB >> 8, 0x0A) \
        + show_group(0xA5, INPT4) \
        + bytes([0x4C, 0x02, ORIGIN >> 8])                  # JMP frame
    return rom_image(program)


@pytest.fixture(scope="module")
def live():
    from ttsim import registry
    from ttsim.designs.atari2600.cartridge import SCHEMES
    from ttsim.viewer.atari_live import AtariLive

    pygame.font.init()
    console = AtariLive(registry.get("atari2600"), mirror_rom(), SCHEMES.index("2K"), (900, 560))
    yield console
    console.close()


def key(kind, code):
    return pygame.event.Event(kind, key=code, mod=0, unicode="", scancode=0)


def shown_inputs(live):
    """(SWCHA, SWCHB << 1, INPT4) as the console showed them in the newest frame's TV rows."""
    live.run_frames(2)
    live.collect()
    colours = live.picture.colours
    for group in range(3):
        rows = colours[group * GROUP_ROWS:(group + 1) * GROUP_ROWS]
        assert (rows == rows[0, 0]).all(), group  # whole rows, one value per group
    return tuple(int(colours[group * GROUP_ROWS, 0]) for group in range(3))


def test_live_keys_reach_the_console_and_its_picture(live):
    from ttsim.viewer.atari_live import AtariLiveWindow

    window = AtariLiveWindow(live)
    joystick, switches, fire = shown_inputs(live)
    assert joystick == 0xFE and switches == (0x3F << 1) & 0xFE and fire & 0x80

    for code in (pygame.K_UP, pygame.K_LEFT, pygame.K_SPACE, pygame.K_F1, pygame.K_F4):
        window.handle(key(pygame.KEYDOWN, code))
    joystick, switches, fire = shown_inputs(live)
    assert joystick == 0xAE  # up (bit 4) and left (bit 6) pushed
    assert switches == (0x7E << 1) & 0xFE  # RESET (bit 0) held, P0 difficulty (bit 6) A
    assert not fire & 0x80
    frame = live.session.frame()  # the TV draws the console's colour through the palette
    slot = live.session.panels[0]
    screen = slot.panel.screen_rect(slot.area)
    assert tuple(frame.get_at(screen_point(screen, 80, 2)))[:3] == tuple(ntsc_palette()[0xAE])

    for code in (pygame.K_UP, pygame.K_LEFT, pygame.K_SPACE, pygame.K_F1):
        window.handle(key(pygame.KEYUP, code))
    joystick, switches, fire = shown_inputs(live)
    assert joystick == 0xFE and switches == (0x7F << 1) & 0xFE and fire & 0x80  # F4 stays
    window.handle(key(pygame.KEYDOWN, pygame.K_F4))
    assert shown_inputs(live)[1] == (0x3F << 1) & 0xFE

    # The waveform pane got one joystick value per frame, the pushed one among them.
    joystick_row = live.trace.signal("joystick_n")
    assert 0xAF in joystick_row.values.tolist()
    assert live.session.view.cursor == live.trace.end_time


def test_live_pause_and_real_time_pacing(live):
    from ttsim.viewer.atari_live import FRAME_HZ, MAX_CATCH_UP, AtariLiveWindow

    window = AtariLiveWindow(live)
    window.handle(key(pygame.KEYDOWN, pygame.K_p))
    assert live.paused
    window.handle(key(pygame.KEYDOWN, pygame.K_p))
    assert not live.paused
    # The emulation thread runs about 60 frames a second of wall time, never more.
    live.collect()
    before, began = live.frames, time.perf_counter()
    live.start()
    time.sleep(0.5)
    live.stop()
    ran, seconds = live.frames - before, time.perf_counter() - began
    assert 1 <= ran <= seconds * FRAME_HZ + MAX_CATCH_UP
    live.collect()
    assert live.shown == live.frames


def test_live_window_loop_plays_beside_the_emulation_thread(live):
    # The window's loop with the Atari's hooks: keys reach the controls, each frame collects the
    # frames the thread ran; the thread stops with the loop.
    from ttsim.viewer.atari_live import AtariLiveWindow

    window = AtariLiveWindow(live)
    before = live.frames
    window.run("atari test", seconds=0.6, script=[(0.0, key(pygame.KEYDOWN, pygame.K_DOWN)),
                                                  (0.4, key(pygame.KEYUP, pygame.K_DOWN))])
    assert live._thread is None and not pygame.display.get_init()
    assert live.shown > before  # (the thread may have run a frame after the last collect)
    assert live.rates.displayed > 0 and window.drawing_s > 0
    assert 0xDF in live.trace.signal("joystick_n").values.tolist()  # down (bit 5) was pushed
    assert live.controls.ports()["joystick_n"] == 0xFF  # ... and let go


@pytest.mark.parametrize("args, message", [
    (["--live", "atari2600"], "plays a cartridge: add --rom FILE"),
    (["--live", "atari2600", "--rom", "/nonexistent/game.bin"], "does not exist"),
    (["--live", "hello", "--rom", "game.bin"], "takes no cartridge"),
    (["trace.vcd", "--rom", "game.bin"], "--rom goes with --live"),
])
def test_live_atari_options_are_one_line_errors(args, message, monkeypatch, capsys):
    monkeypatch.setenv("DISPLAY", ":0")  # the errors come before any window opens
    assert cli.main(["view", *args]) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1
