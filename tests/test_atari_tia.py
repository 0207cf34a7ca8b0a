"""Amaranth simulation tests of the Atari 2600 TIA, with expectations from the Stella
Programmer's Guide and the TIA hardware notes (positions, sizes, motion, collisions, audio)."""
from dataclasses import dataclass, field

import pytest
from amaranth.sim import Simulator

from ttsim.designs.atari2600 import tia as T
from ttsim.designs.atari2600.tia import TIA, AudioChannel

LINE = T.LINE_CLOCKS
HBLANK = T.HBLANK_CLOCKS
BACKGROUND, P0_COLOUR, P1_COLOUR, PF_COLOUR = 0x12, 0x44, 0x86, 0xC8


@dataclass
class Trace:
    """What the TIA produced: per line, per colour clock, the video outputs; and register reads."""
    colour: list = field(default_factory=list)
    hblank: list = field(default_factory=list)
    rdy: list = field(default_factory=list)
    reads: dict = field(default_factory=dict)
    frame_ends: list = field(default_factory=list)   # (line, hcount) of each frame_end pulse
    frame_line: list = field(default_factory=list)   # per line, frame_line at its clock 0

    def pixels(self, line):
        """The 160 visible pixels of a line."""
        return self.colour[line][HBLANK:]

    def xs(self, line, colour):
        """The visible pixels of a line that show `colour`."""
        return [x for x, value in enumerate(self.pixels(line)) if value == colour]


def run(events, lines, fire0_n=1, ystart=0, **inputs):
    """Simulates the TIA from reset for `lines` lines.

    events: (line, hcount, register, value) writes, or value None to read the register there.
    ystart: the first line Stella displays (and detects collisions on); 0 = all lines.
    inputs: other TIA inputs to hold (name=value).
    """
    dut = TIA()
    schedule = {(line, hcount): (register, value) for line, hcount, register, value in events}
    trace = Trace()

    async def bench(ctx):
        ctx.set(dut.fire0_n, fire0_n)
        ctx.set(dut.frame_ystart, ystart)
        for name, value in inputs.items():
            ctx.set(getattr(dut, name), value)
        for line in range(lines):
            trace.frame_line.append(ctx.get(dut.frame_line))
            row_colour, row_hblank, row_rdy = [], [], []
            for hcount in range(LINE):
                register, value = schedule.get((line, hcount), (None, None))
                ctx.set(dut.write, register is not None and value is not None)
                if register is not None:
                    ctx.set(dut.addr, register)
                    ctx.set(dut.data_in, value or 0)
                    if value is None:
                        trace.reads[line, hcount] = ctx.get(dut.read_data)
                row_colour.append(ctx.get(dut.colour))
                row_hblank.append(ctx.get(dut.hblank))
                row_rdy.append(ctx.get(dut.rdy))
                if ctx.get(dut.frame_end):
                    trace.frame_ends.append((line, hcount))
                await ctx.tick()
            trace.colour.append(row_colour)
            trace.hblank.append(row_hblank)
            trace.rdy.append(row_rdy)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return trace


def setup(*writes):
    """Register writes on line 0, one per colour clock (all done before line 1)."""
    return [(0, hcount, register, value) for hcount, (register, value) in enumerate(writes)]


COLOURS = [(T.COLUBK, BACKGROUND), (T.COLUP0, P0_COLOUR), (T.COLUP1, P1_COLOUR),
           (T.COLUPF, PF_COLOUR)]


def at_cycle(line, cycle, register, value=0):
    """A CPU write that Stella stamps with CPU cycle `cycle` (1..75) of the line: it is on the
    bus in the colour clock before line position 3 * cycle."""
    return (line, 3 * cycle - 1, register, value)


def write_at_pixel(line, pixel, register, value=0):
    """A write whose effect starts at visible pixel `pixel` (written on the clock before)."""
    return (line, HBLANK + pixel - 1, register, value)


# --- Playfield ------------------------------------------------------------------------------

def test_playfield_bit_order_and_repeat():
    # PF0 bit 4 is the first 4-pixel block, PF1 is drawn bit 7 first, PF2 bit 0 first.
    trace = run(setup(*COLOURS, (T.PF0, 0x10), (T.PF1, 0x80), (T.PF2, 0x80)), lines=2)
    left = [0, 1, 2, 3, 16, 17, 18, 19, 76, 77, 78, 79]
    assert trace.xs(1, PF_COLOUR) == left + [x + 80 for x in left]


def test_playfield_reflected_right_half():
    trace = run(setup(*COLOURS, (T.PF0, 0x10), (T.CTRLPF, 0x01)), lines=2)
    assert trace.xs(1, PF_COLOUR) == [0, 1, 2, 3, 156, 157, 158, 159]


def test_score_mode_colours_halves_with_player_colours():
    trace = run(setup(*COLOURS, (T.PF2, 0xFF), (T.CTRLPF, 0x02)), lines=2)
    assert trace.xs(1, P0_COLOUR) == list(range(48, 80))
    assert trace.xs(1, P1_COLOUR) == list(range(128, 160))


def test_priority_bit_puts_playfield_over_players():
    objects = [(T.PF0, 0x10), (T.GRP0, 0xFF), (T.RESP0, 0)]  # PF at 0..3, P0 at 3..10
    normal = run(setup(*COLOURS, *objects), lines=2)
    assert normal.xs(1, P0_COLOUR) == list(range(3, 11))
    over = run(setup(*COLOURS, *objects, (T.CTRLPF, 0x04)), lines=2)
    assert over.xs(1, PF_COLOUR)[:4] == [0, 1, 2, 3]
    assert over.xs(1, P0_COLOUR) == list(range(4, 11))


def test_vblank_blanks_and_vsync_output():
    trace = run(setup(*COLOURS, (T.VBLANK, 0x02)), lines=2)
    assert set(trace.pixels(1)) == {0}
    trace = run(setup(*COLOURS), lines=2)
    assert set(trace.pixels(1)) == {BACKGROUND}
    assert set(trace.colour[1][:HBLANK]) == {0}


# --- Positioning --------------------------------------------------------------------------------

@pytest.mark.parametrize("register, enable, blank_pixel, offset, same_line", [
    # A moved player's first copy is not drawn again on the line of its RESP0 (Stella).
    (T.RESP0, (T.GRP0, 0x80), 3, 5, False),
    # RESM0 lands 8 clocks after the write, past pixel 44 on this line.
    (T.RESM0, (T.ENAM0, 0x02), 2, 4, False),
    (T.RESBL, (T.ENABL, 0x02), 2, 4, True),
])
def test_reset_positions(register, enable, blank_pixel, offset, same_line):
    colour = PF_COLOUR if register == T.RESBL else P0_COLOUR
    events = setup(*COLOURS, enable, (register, 0))  # during blank
    trace = run(events, lines=2)
    assert trace.xs(1, colour) == [blank_pixel]
    # Reset at visible pixel 40 of line 1: drawn `offset` pixels later from line 2 on.
    trace = run(setup(*COLOURS, enable) + [write_at_pixel(1, 40, register)], lines=3)
    assert trace.xs(1, colour) == [0] + ([40 + offset] if same_line else [])
    assert trace.xs(2, colour) == [40 + offset]


@pytest.mark.parametrize("nusiz, starts, width", [
    (0, [0], 8), (1, [0, 16], 8), (2, [0, 32], 8), (3, [0, 16, 32], 8),
    (4, [0, 64], 8), (6, [0, 32, 64], 8),
])
def test_player_copies(nusiz, starts, width):
    trace = run(setup(*COLOURS, (T.NUSIZ0, nusiz), (T.GRP0, 0xFF), (T.RESP0, 0)), lines=2)
    assert trace.xs(1, P0_COLOUR) == [3 + s + i for s in starts for i in range(width)]


@pytest.mark.parametrize("nusiz, scale", [(5, 2), (7, 4)])
def test_double_and_quad_players_stretch_each_bit(nusiz, scale):
    # GRP0 = 0x81: the first and last bits; wide players start one pixel later.
    trace = run(setup(*COLOURS, (T.NUSIZ0, nusiz), (T.GRP0, 0x81), (T.RESP0, 0)), lines=2)
    first = 3 + 1
    assert trace.xs(1, P0_COLOUR) == ([first + i for i in range(scale)]
                                      + [first + 7 * scale + i for i in range(scale)])


def test_reflected_player_missile_and_ball_sizes():
    events = setup(*COLOURS, (T.GRP0, 0xC0), (T.REFP0, 0x08), (T.RESP0, 0),
                   (T.NUSIZ1, 0x30), (T.ENAM1, 0x02), (T.CTRLPF, 0x20), (T.ENABL, 0x02)) + [
        write_at_pixel(1, 50, T.RESM1), write_at_pixel(1, 100, T.RESBL)]
    trace = run(events, lines=3)
    assert trace.xs(2, P0_COLOUR) == [9, 10]
    assert trace.xs(2, P1_COLOUR) == list(range(54, 62))
    assert trace.xs(2, PF_COLOUR) == [104, 105, 106, 107]


def test_missile_copies_follow_nusiz():
    trace = run(setup(*COLOURS, (T.NUSIZ0, 0x13), (T.ENAM0, 0x02), (T.RESM0, 0)), lines=2)
    assert trace.xs(1, P0_COLOUR) == [2, 3, 18, 19, 34, 35]


def test_resmp_centres_missile_on_player_and_hides_it():
    events = setup(*COLOURS, (T.ENAM0, 0x02), (T.RESM0, 0)) + [
        write_at_pixel(1, 60, T.RESP0), (1, 200, T.RESMP0, 0x02), (2, 200, T.RESMP0, 0)]
    trace = run(events, lines=4)
    assert trace.xs(1, P0_COLOUR) == [2]
    assert trace.xs(2, P0_COLOUR) == []
    # Stella puts the released missile 4 pixels into its player (which starts at 65).
    assert trace.xs(3, P0_COLOUR) == [65 + 4]


def test_player_graphics_writes_land_one_clock_late():
    # A quad-size player covers pixels 4..35; GRP0 written for pixel 20 shows from pixel 21.
    events = setup(*COLOURS, (T.NUSIZ0, 7), (T.RESP0, 0)) + [write_at_pixel(1, 20, T.GRP0, 0xFF)]
    trace = run(events, lines=2)
    assert trace.xs(1, P0_COLOUR) == list(range(21, 36))


# --- Vertical delay ---------------------------------------------------------------------------

def test_vdelp0_shows_old_graphics_until_grp1_written():
    events = setup(*COLOURS, (T.RESP0, 0), (T.VDELP0, 1), (T.GRP0, 0xFF)) + [
        (1, 200, T.GRP1, 0)]
    trace = run(events, lines=3)
    assert trace.xs(1, P0_COLOUR) == []
    assert trace.xs(2, P0_COLOUR) == list(range(3, 11))


def test_vdelbl_uses_old_enable():
    events = setup(*COLOURS, (T.RESBL, 0), (T.VDELBL, 1), (T.ENABL, 2)) + [(1, 200, T.GRP1, 0)]
    trace = run(events, lines=3)
    assert trace.xs(1, PF_COLOUR) == []
    assert trace.xs(2, PF_COLOUR) == [2]


# --- HMOVE --------------------------------------------------------------------------------------

@pytest.mark.parametrize("hm, move_left", [(0x10, 1), (0x70, 7), (0x00, 0), (0xF0, -1),
                                           (0x80, -8)])
def test_hmove_moves_by_hmxx_and_blanks_8_more_clocks(hm, move_left):
    events = setup(*COLOURS, (T.GRP0, 0x80), (T.HMP0, hm)) + [
        write_at_pixel(1, 40, T.RESP0), (2, 8, T.HMOVE, 0)]
    trace = run(events, lines=4)
    assert trace.xs(1, P0_COLOUR) == [0]
    assert trace.xs(2, P0_COLOUR) == [45 - move_left]
    assert trace.pixels(2)[:8] == [0] * 8 and trace.pixels(2)[8] == BACKGROUND
    assert trace.xs(3, P0_COLOUR) == [45 - move_left]
    assert trace.pixels(3)[0] == BACKGROUND


@pytest.mark.parametrize("hmove_cycle, blanked", [(2, True), (19, True), (20, False), (40, False)])
def test_only_an_early_hmove_blanks_its_line(hmove_cycle, blanked):
    trace = run(setup(*COLOURS) + [(1, 3 * hmove_cycle + 2, T.HMOVE, 0)], lines=3)
    assert trace.pixels(1)[:8] == ([0] * 8 if blanked else [BACKGROUND] * 8)
    assert trace.pixels(2)[:8] == [BACKGROUND] * 8


def test_hmove_blanks_can_be_switched_off():
    dut = TIA()
    row = []

    async def bench(ctx):
        ctx.set(dut.hmove_blanks, 0)
        for hcount, (register, value) in enumerate([(T.COLUBK, BACKGROUND), (T.HMOVE, 0)]):
            ctx.set(dut.addr, register)
            ctx.set(dut.data_in, value)
            ctx.set(dut.write, 1)
            await ctx.tick()
        ctx.set(dut.write, 0)
        for hcount in range(2, LINE):
            row.append(ctx.get(dut.colour))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert row[HBLANK - 2:HBLANK + 6] == [BACKGROUND] * 8


def test_hmclr_clears_motion():
    events = setup(*COLOURS, (T.GRP0, 0x80), (T.HMP0, 0x70), (T.RESP0, 0), (T.HMCLR, 0)) + [
        (1, 8, T.HMOVE, 0)]
    trace = run(events, lines=3)
    assert trace.xs(2, P0_COLOUR) == [3]


def test_all_objects_move_independently():
    events = setup(*COLOURS, (T.ENAM1, 2), (T.RESM1, 0), (T.HMM1, 0x90),
                   (T.ENABL, 2), (T.HMBL, 0x30)) + [
        write_at_pixel(1, 80, T.RESBL), (2, 8, T.HMOVE, 0)]
    trace = run(events, lines=3)
    assert trace.xs(2, P1_COLOUR) == [2 + 7]
    assert trace.xs(2, PF_COLOUR) == [84 - 3]


# --- Collisions ---------------------------------------------------------------------------------

def test_collisions_latch_until_cxclr():
    events = setup(*COLOURS, (T.GRP0, 0xFF), (T.RESP0, 0), (T.PF0, 0x10)) + [
        (1, 200, T.CXP0FB, None), (1, 201, T.CXPPMM, None), (1, 202, T.CXCLR, 0),
        (1, 203, T.CXP0FB, None), (2, 200, T.CXP0FB, None)]
    trace = run(events, lines=3)
    assert trace.reads[1, 200] == 0x80      # P0-PF on bit 7, P0-BL (bit 6) not hit
    assert trace.reads[1, 201] == 0x00
    assert trace.reads[1, 203] == 0x00
    assert trace.reads[2, 200] == 0x80


def test_collisions_happen_under_the_hmove_blank():
    # Player 0 and the playfield meet at pixel 3 only: hidden by the HMOVE blank, still latched.
    events = setup(*COLOURS, (T.GRP0, 0x80), (T.RESP0, 0), (T.PF0, 0x10)) + [
        (1, 0, T.CXCLR, 0), (1, 8, T.HMOVE, 0), (1, 200, T.CXP0FB, None)]
    trace = run(events, lines=2)
    assert trace.xs(1, P0_COLOUR) == []
    assert trace.reads[1, 200] == 0x80


def test_each_collision_pair_has_its_own_bit():
    # Everything on one spot: player 0 and 1, both missiles, ball and playfield at pixel 3.
    events = setup(*COLOURS, (T.GRP0, 0x80), (T.GRP1, 0x80), (T.RESP0, 0), (T.RESP1, 0),
                   (T.NUSIZ0, 0x10), (T.NUSIZ1, 0x10), (T.ENAM0, 2), (T.ENAM1, 2),
                   (T.RESM0, 0), (T.RESM1, 0), (T.CTRLPF, 0x10), (T.ENABL, 2), (T.RESBL, 0),
                   (T.PF0, 0x10))
    reads = [(1, 200 + register, register, None) for register in range(8)]
    trace = run(events + reads, lines=2)
    values = [trace.reads[1, 200 + register] for register in range(8)]
    assert values == [0xC0] * 6 + [0x80, 0xC0]


# --- CPU timing and inputs ----------------------------------------------------------------------

def test_wsync_holds_rdy_low_until_line_end():
    trace = run([(0, 30, T.WSYNC, 0)], lines=2)
    assert trace.rdy[0][:31] == [1] * 31
    assert trace.rdy[0][31:] == [0] * (LINE - 31)
    assert trace.rdy[1] == [1] * LINE


def test_wsync_in_the_last_cpu_cycle_of_a_line_does_not_halt():
    trace = run([(0, LINE - 1, T.WSYNC, 0)], lines=2)
    assert trace.rdy[1] == [1] * LINE


def test_cpu_clock_enable_every_third_colour_clock():
    dut = TIA()
    seen = []

    async def bench(ctx):
        for _ in range(12):
            seen.append(ctx.get(dut.cpu_ce))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert seen == [0, 0, 1] * 4


def test_rsync_restarts_line():
    # RSYNC at hcount 100: the line restarts 3 clocks after, so the next line's blank begins early.
    trace = run(setup(*COLOURS) + [(1, 100, T.RSYNC, 0)], lines=3)
    assert trace.hblank[1][101:104] == [0, 0, 0]
    assert trace.hblank[1][104:172] == [1] * 68
    assert trace.hblank[1][172] == 0


@pytest.mark.parametrize("latch", [False, True])
def test_fire_button_latch(latch):
    events = setup((T.VBLANK, 0x40 if latch else 0)) + [(1, 100, T.INPT4, None)]
    assert run(events, lines=2, fire0_n=1).reads[1, 100] == 0x80
    assert run(events, lines=2, fire0_n=0).reads[1, 100] == 0x00


def test_fire_latch_holds_a_press():
    dut = TIA()
    values = []

    async def bench(ctx):
        async def write(register, value):
            ctx.set(dut.addr, register)
            ctx.set(dut.data_in, value)
            ctx.set(dut.write, 1)
            await ctx.tick()
            ctx.set(dut.write, 0)
            await ctx.tick()         # VBLANK takes effect a colour clock after the write

        async def read_inpt4():
            ctx.set(dut.addr, T.INPT4)
            values.append(ctx.get(dut.read_data) >> 7)
            await ctx.tick()

        await write(T.VBLANK, 0x40)
        ctx.set(dut.fire0_n, 0)
        await ctx.tick()
        ctx.set(dut.fire0_n, 1)
        await read_inpt4()           # released, but the latch remembers the press
        await write(T.VBLANK, 0x00)
        await read_inpt4()           # latch off: the pin again
        await write(T.VBLANK, 0x40)
        await read_inpt4()           # latch re-armed, released

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert values == [0, 1, 1]


# --- Audio ----------------------------------------------------------------------------------------

def audio_levels(control, frequency, ticks, volume=15):
    """The channel's level after each of `ticks` audio clocks."""
    dut = AudioChannel()
    levels = []

    async def bench(ctx):
        ctx.set(dut.control, control)
        ctx.set(dut.frequency, frequency)
        ctx.set(dut.volume, volume)
        ctx.set(dut.tick, 1)
        for _ in range(ticks):
            await ctx.tick()
            levels.append(ctx.get(dut.level))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return levels


def period(levels):
    """Smallest p with levels repeating every p samples (over the second half of the list)."""
    tail = levels[len(levels) // 2:]
    for p in range(1, len(tail) // 2 + 1):
        if all(tail[i] == tail[i + p] for i in range(len(tail) - p)):
            return p
    return None


@pytest.mark.parametrize("control, divide", [
    (4, 2), (5, 2), (12, 6), (13, 6), (6, 31), (10, 31), (14, 93),
    (1, 15), (9, 31), (3, 465), (2, 465), (7, 31), (15, 93),
])
def test_audio_waveform_periods(control, divide):
    frequency = 1
    levels = audio_levels(control, frequency, ticks=8 * divide * (frequency + 1))
    assert period(levels) == divide * (frequency + 1)
    assert set(levels) == {0, 15}


def test_audio_white_noise_and_constant_modes():
    assert period(audio_levels(8, 0, ticks=4 * 511)) == 511
    assert set(audio_levels(0, 3, ticks=20, volume=9)) == {9}
    assert set(audio_levels(11, 3, ticks=20, volume=9)) == {9}


def test_audio_div31_tone_is_18_high_13_low():
    levels = audio_levels(6, 0, ticks=93)
    tail = levels[31:62]
    assert sorted(tail).count(15) == 18 and tail.count(0) == 13


def test_audio_ticks_twice_per_line_through_tia():
    events = setup((T.AUDC0, 4), (T.AUDF0, 0), (T.AUDV0, 8))
    dut = TIA()
    schedule = {(0, hcount): (register, value) for _, hcount, register, value in events}
    levels, ticks = [], []

    async def bench(ctx):
        for clock in range(LINE * 4):
            register, value = schedule.get((0, clock), (None, None))
            ctx.set(dut.write, register is not None)
            if register is not None:
                ctx.set(dut.addr, register)
                ctx.set(dut.data_in, value)
            ticks.append(ctx.get(dut.audio_tick))
            await ctx.tick()
            levels.append(ctx.get(dut.audio0))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert sum(ticks) == 8
    # A square wave at half the audio rate: the level flips at every audio tick after set-up.
    flips = [clock for clock in range(1, len(levels)) if levels[clock] != levels[clock - 1]]
    assert [flip % (LINE // 2) for flip in flips] == [0] * len(flips)
    assert len(flips) >= 6


def test_paddle_pins_charge_after_the_dump_ends():
    dut = TIA()
    reads = {}

    async def bench(ctx):
        ctx.set(dut.paddle_delay[0], 100)          # INPT0: charges 100 CPU cycles after release
        ctx.set(dut.paddle_delay[1], 10)
        # INPT2, INPT3 keep PADDLE_NEVER: nothing connected.
        for value in (0x80, 0x00):                 # dump on, then off
            ctx.set(dut.addr, T.VBLANK)
            ctx.set(dut.data_in, value)
            ctx.set(dut.write, 1)
            await ctx.tick()
            ctx.set(dut.write, 0)
        for clock in range(3 * 120):
            for register in (T.INPT0, T.INPT1, T.INPT2):
                ctx.set(dut.addr, register)
                reads.setdefault(register, []).append(ctx.get(dut.read_data) >> 7)
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    # Charged after the given number of CPU cycles (3 colour clocks each), within one cycle.
    assert abs(reads[T.INPT0].index(1) - 3 * 100) <= 3
    assert abs(reads[T.INPT1].index(1) - 3 * 10) <= 3
    assert set(reads[T.INPT2]) == {0}
    assert reads[T.INPT0][-1] == 1


# --- Stella's timing rules ------------------------------------------------------------------------
# ale-py's Stella (the golden model) applies writes after fixed delays, moves objects at once on
# HMOVE by a table of the CPU cycle, and draws (and detects collisions) only on its displayed
# lines. These tests pin those rules down with values worked out from that emulator's TIA.

@pytest.mark.parametrize("cycle, first_pixel", [(49, 84), (50, 84), (51, 88), (52, 92)])
def test_playfield_writes_land_4_5_2_or_3_clocks_late_by_cpu_cycle(cycle, first_pixel):
    # PF0's first block repeats at pixels 80..95 of the right half: the write shows from
    # 3 * cycle + delay(cycle % 4), delays 4, 5, 2, 3.
    trace = run(setup(*COLOURS) + [at_cycle(1, cycle, T.PF0, 0xF0)], lines=3)
    assert [x for x in trace.xs(1, PF_COLOUR) if x >= 80][0] == first_pixel
    assert trace.xs(2, PF_COLOUR) == list(range(16)) + list(range(80, 96))


def test_nusiz_writes_land_8_clocks_late():
    # Two close copies at 3 and 19; NUSIZ0 = 0 written at pixel 15 ends them from pixel 23.
    events = setup(*COLOURS, (T.NUSIZ0, 1), (T.GRP0, 0xFF), (T.RESP0, 0)) + [
        write_at_pixel(1, 15, T.NUSIZ0, 0)]
    trace = run(events, lines=3)
    assert trace.xs(1, P0_COLOUR) == list(range(3, 11)) + [19, 20, 21, 22]
    assert trace.xs(2, P0_COLOUR) == list(range(3, 11))


def test_vblank_lands_one_clock_late():
    trace = run(setup(*COLOURS) + [write_at_pixel(1, 50, T.VBLANK, 0x02)], lines=2)
    assert trace.pixels(1)[50] == BACKGROUND and set(trace.pixels(1)[51:]) == {0}


def test_respx_hides_the_moved_players_first_copy_for_the_rest_of_the_line():
    events = setup(*COLOURS, (T.NUSIZ0, 1), (T.GRP0, 0xFF), (T.RESP0, 0)) + [
        write_at_pixel(1, 40, T.RESP0)]
    trace = run(events, lines=3)
    # Old copies at 3 and 19; the new ones at 45 and 61, the first of them not yet drawn.
    assert trace.xs(1, P0_COLOUR) == list(range(3, 11)) + list(range(19, 27)) + list(range(61, 69))
    assert trace.xs(2, P0_COLOUR) == list(range(45, 53)) + list(range(61, 69))


def test_respx_in_a_copys_start_up_keeps_the_first_copy():
    # The player is at 3; a reset to 5 lands within the copy's first 4 clocks: drawn at 5 at once.
    events = setup(*COLOURS, (T.GRP0, 0xFF), (T.RESP0, 0)) + [write_at_pixel(1, 0, T.RESP0)]
    trace = run(events, lines=2)
    assert trace.xs(1, P0_COLOUR) == list(range(5, 13))


def test_respx_onto_a_drawn_copy_moves_it_11_clocks_later():
    # The player is drawn at 3..10; a reset to 8 (written at pixel 3) lands in that copy: the
    # copy is finished where it was, and the move shows from the next line.
    events = setup(*COLOURS, (T.GRP0, 0xFF), (T.RESP0, 0)) + [write_at_pixel(1, 3, T.RESP0)]
    trace = run(events, lines=3)
    assert trace.xs(1, P0_COLOUR) == list(range(3, 11))
    assert trace.xs(2, P0_COLOUR) == list(range(8, 16))


@pytest.mark.parametrize("cycle, hm, expected", [
    (0, 0x8, 8), (3, 0x7, -7), (10, 0x7, -2), (15, 0xF, 2), (20, 0x9, 7), (40, 0x3, 0),
    (55, 0x7, -1), (64, 0x0, -1), (73, 0x9, -1), (74, 0x0, -8), (75, 0x7, -7),
])
def test_hmove_motion_follows_stellas_cycle_table(cycle, hm, expected):
    assert T.hmove_motion(cycle, hm) == expected


@pytest.mark.parametrize("cycle, hm", [(10, 0x70), (30, 0x70), (60, 0x70), (17, 0x10)])
def test_hmove_moves_by_its_cpu_cycle(cycle, hm):
    events = setup(*COLOURS, (T.GRP0, 0x80), (T.HMP0, hm)) + [
        write_at_pixel(1, 40, T.RESP0), at_cycle(2, cycle, T.HMOVE)]
    trace = run(events, lines=4)
    assert trace.xs(3, P0_COLOUR) == [45 + T.hmove_motion(cycle, hm >> 4)]


def test_hmove_in_the_last_cycle_blanks_the_next_line():
    trace = run(setup(*COLOURS) + [at_cycle(1, 75, T.HMOVE)], lines=3)
    assert trace.pixels(1)[:8] == [BACKGROUND] * 8
    assert trace.pixels(2)[:8] == [0] * 8 and trace.pixels(2)[8] == BACKGROUND


def test_hmove_blank_waits_for_a_displayed_line():
    # Stella clears its HMOVE-blank flag only while drawing: an HMOVE on an undisplayed line
    # blanks the first displayed one.
    trace = run(setup(*COLOURS) + [at_cycle(1, 5, T.HMOVE)], lines=5, ystart=3)
    assert trace.pixels(3)[:8] == [0] * 8
    assert trace.pixels(4)[:8] == [BACKGROUND] * 8


def test_frame_ends_when_vsync_stops_after_a_full_line():
    events = [(0, 10, T.VSYNC, 0x02), (0, 100, T.VSYNC, 0x00),      # too short: no frame end
              (1, 10, T.VSYNC, 0x02), (2, 10, T.VSYNC, 0x00)]       # 228 clocks: ends it
    trace = run(events, lines=5)
    assert trace.frame_ends == [(2, 10)]
    assert trace.frame_line == [0, 1, 2, 1, 2]


@pytest.mark.parametrize("register, next_line", [(T.COLUBK, 1), (T.WSYNC, 0)])
def test_overlong_frame_ends_at_the_next_write(register, next_line):
    trace = run([(4, 50, register, 0)], lines=6, frame_max_lines=3)
    assert trace.frame_ends == [(4, 50)]
    # The new frame's line 0 holds the write, or, after a WSYNC, is the next line.
    assert trace.frame_line[5] == next_line


def test_collisions_only_on_displayed_lines_outside_vblank():
    # Player 0 and the playfield meet at pixel 3 on every line.
    objects = [(T.GRP0, 0x80), (T.RESP0, 0), (T.PF0, 0x10)]
    read = [(1, 200, T.CXP0FB, None), (2, 0, T.CXCLR, 0), (2, 200, T.CXP0FB, None)]
    trace = run(setup(*COLOURS, *objects) + read, lines=3, ystart=2)
    assert trace.reads == {(1, 200): 0x00, (2, 200): 0x80}
    trace = run(setup(*COLOURS, (T.VBLANK, 0x02), *objects) + read, lines=3)
    assert trace.reads == {(1, 200): 0x00, (2, 200): 0x00}


def test_collision_read_sees_the_pixel_being_drawn():
    events = setup(*COLOURS, (T.GRP0, 0x80), (T.RESP0, 0), (T.PF0, 0x10)) + [
        (1, 0, T.CXCLR, 0), (1, HBLANK + 3, T.CXP0FB, None)]
    assert run(events, lines=2).reads[1, HBLANK + 3] == 0x80


@pytest.mark.parametrize("graphics, left, right", [(0x00, P0_COLOUR, P1_COLOUR),
                                                   (0x01, PF_COLOUR, PF_COLOUR)])
def test_score_with_priority_colours_a_playfield_only_line(graphics, left, right):
    # Stella's playfield-only drawing keeps the score colours even with the priority bit.
    events = setup(*COLOURS, (T.PF2, 0xFF), (T.CTRLPF, 0x06), (T.GRP1, graphics))
    trace = run(events, lines=2)
    assert set(trace.pixels(1)[48:80]) == {left}
    assert set(trace.pixels(1)[128:160]) == {right}


@pytest.mark.parametrize("pixel, same_line", [(69, True), (79, False)])
def test_playfield_reflection_written_late_waits_for_the_next_line(pixel, same_line):
    events = setup(*COLOURS, (T.PF0, 0x10)) + [write_at_pixel(1, pixel, T.CTRLPF, 0x01)]
    trace = run(events, lines=3)
    reflected, plain = [0, 1, 2, 3, 156, 157, 158, 159], [0, 1, 2, 3, 80, 81, 82, 83]
    assert trace.xs(1, PF_COLOUR) == (reflected if same_line else plain)
    assert trace.xs(2, PF_COLOUR) == reflected


def test_ball_reset_right_after_hmove_is_a_special_case():
    # Stella's table of known tricks: RESBL 18 clocks after an HMOVE at clock 9 puts the ball at 5.
    events = setup(*COLOURS, (T.ENABL, 2)) + [(1, 8, T.HMOVE, 0), (1, 26, T.RESBL, 0)]
    assert run(events, lines=3).xs(2, PF_COLOUR) == [5]


def test_colour_loss_sets_bit_0_after_an_odd_frame():
    events = setup(*COLOURS) + [(0, 20, T.VSYNC, 0x02), (1, 20, T.VSYNC, 0x00)]
    trace = run(events, lines=3, colour_loss=1)
    assert set(trace.pixels(0)) == {BACKGROUND}              # before any frame ended
    assert set(trace.pixels(2)) == {BACKGROUND | 1}          # the frame ended on its line 1


def test_cosmic_ark_starfield_moves_missile_0_every_line():
    # HMM0 going from 7 to 6 exactly 21 CPU cycles after an HMOVE: Stella's starfield trick.
    events = setup(*COLOURS, (T.ENAM0, 2), (T.HMM0, 0x70)) + [
        write_at_pixel(0, 96, T.RESM0),                  # missile 0 at 100
        (1, 8, T.HMOVE, 0), (1, 8 + 63, T.HMM0, 0x60)]   # moved to 93; the trick switched on
    trace = run(events, lines=6)
    assert [trace.xs(line, P0_COLOUR) for line in range(1, 6)] == [
        [93], [60, 61], [], [43], [25]]                  # jumps 33 (wide), 0 (hidden), 17, 18
