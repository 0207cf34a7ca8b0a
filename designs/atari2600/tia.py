"""The TIA (Television Interface Adaptor) of the Atari 2600: video, collisions, inputs and audio.

The golden model is the Stella emulator inside ale-py (its TIA descends from Stella 3.x), so this
TIA follows that emulator's rules, which approximate the hardware, rather than the TIA's own
counters. The rules, in the order they matter:

Clocking: one `sync` clock is one colour clock (3.579545 MHz on NTSC). The CPU runs at a third of
that: `cpu_ce` is high on every third colour clock, and the host lets the CPU make one bus cycle
on each. A register write is presented on `addr`/`data_in` with `write` high for that one colour
clock. Stella stamps a write made on line position h (`hcount`) with the clock S = h + 1: the
write's CPU cycle in the line is S / 3. Most writes change what is drawn from S on; some later:
VBLANK, REFPx, GRPx by 1 clock, NUSIZx and RESMx by 8, PF0..PF2 by 4, 5, 2 or 3 clocks (by the
CPU cycle number modulo 4).

A line is 228 colour clocks (`hcount` 0..227): 68 of horizontal blank (HSYNC on 16..31), then the
160 visible pixels (pixel x = hcount - 68). RSYNC restarts the line as the hardware does (Stella
ignores RSYNC).

Objects have positions (0..159, the pixel where their first copy begins), not counters:
- RESPx puts the player at x + 5 (at 3 if S falls in the blank); RESMx and RESBL at x + 4 (2 in
  the blank), where x = S - 68. A few RESMx/RESBL writes made a fixed number of clocks after an
  HMOVE get special positions (Stella's table of known game tricks).
- A RESPx that lands inside one of the player's old copies takes effect 11 clocks later; after a
  RESPx (unless it landed on an old copy's 4-clock start-up) the first copy is not drawn for the
  rest of the line. That suppression ends at the end of the line, or on a NUSIZx write or an
  HMOVE. (Stella ends it only at the end of a displayed line; lines it does not display are not
  compared, and this way every line shows the player.)
- HMOVE moves every object at once by an amount that depends on HMxx and on the CPU cycle of the
  HMOVE: the full move (HMxx, positive = left) in cycles 0..3 and 75, a move clamped toward the
  right in cycles 4..20, none in 21..54, and leftward moves in 55..74 (the "HMOVE during the
  line" tables). An HMOVE in cycles 0..20 or 75 blanks the first 8 pixels of the next displayed
  line it reaches (the same line for cycles 0..20), if `hmove_blanks` allows it.
- Clearing RESMPx puts the missile at its player's centre (player + 4, + 8 double, + 16 quad);
  while RESMPx is set the missile is not drawn.
- Double and quad players start one pixel after their position.
- Stella's "Cosmic Ark" starfield: HMM0 changed from 7 to 6 exactly 21 CPU cycles after an HMOVE
  makes missile 0 jump at the end of every displayed line until the next HMOVE.

Stella's frame: a frame ends when VSYNC is switched off at least 228 clocks after it was switched
on (or at any TIA write once a frame has run past `frame_max_lines` lines); the next frame's line
0 is the line where that happened (the next line if the write was a WSYNC). Stella draws, and so
detects collisions, only on the displayed lines `frame_ystart` .. `frame_ystart + frame_height - 1`
of its frame, and not while VBLANK is on. `frame_line` and `frame_end` report this framing to the
host (ale-py's screen is those lines); the host should drive the window inputs with the
cartridge's Stella properties.

Colours follow Stella's priority encoder; in score mode with the priority bit set, the
playfield still takes the players' colours when no player, missile or ball is enabled at all.
"""
from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal, Value, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

LINE_CLOCKS = 228
HBLANK_CLOCKS = 68
HMOVE_BLANK_PIXELS = 8
VISIBLE_PIXELS = 160
HSYNC_START, HSYNC_END = 16, 32
CPU_CYCLES_PER_LINE = LINE_CLOCKS // 3
# A paddle delay meaning "nothing connected": the INPT0..3 pin never charges.
PADDLE_NEVER = 0xFFFF
# Colour clocks of the two audio ticks in each line (the TIA audio rate is 2 per line, 31.4 kHz).
AUDIO_TICK_CLOCKS = (0, LINE_CLOCKS // 2)
# RSYNC restarts the line 3 colour clocks after it takes effect.
RSYNC_HCOUNT = LINE_CLOCKS - 3

# Stella's frame (its defaults: NTSC, "Display.YStart" 34, "Display.Height" 210).
DEFAULT_YSTART, DEFAULT_HEIGHT, DEFAULT_MAX_LINES = 34, 210, 290
VSYNC_MIN_CLOCKS = LINE_CLOCKS

# Write registers (address bits 5..0).
VSYNC, VBLANK, WSYNC, RSYNC = 0x00, 0x01, 0x02, 0x03
NUSIZ0, NUSIZ1, COLUP0, COLUP1, COLUPF, COLUBK, CTRLPF = 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A
REFP0, REFP1, PF0, PF1, PF2 = 0x0B, 0x0C, 0x0D, 0x0E, 0x0F
RESP0, RESP1, RESM0, RESM1, RESBL = 0x10, 0x11, 0x12, 0x13, 0x14
AUDC0, AUDC1, AUDF0, AUDF1, AUDV0, AUDV1 = 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A
GRP0, GRP1, ENAM0, ENAM1, ENABL = 0x1B, 0x1C, 0x1D, 0x1E, 0x1F
HMP0, HMP1, HMM0, HMM1, HMBL = 0x20, 0x21, 0x22, 0x23, 0x24
VDELP0, VDELP1, VDELBL, RESMP0, RESMP1 = 0x25, 0x26, 0x27, 0x28, 0x29
HMOVE, HMCLR, CXCLR = 0x2A, 0x2B, 0x2C

# Read registers (address bits 3..0); the value is on data bits 7 and 6.
CXM0P, CXM1P, CXP0FB, CXP1FB, CXM0FB, CXM1FB, CXBLPF, CXPPMM = range(8)
INPT0, INPT1, INPT2, INPT3, INPT4, INPT5 = range(8, 14)

# Colour clocks between a write and its effect, where not 0 (Stella's poke delays).
WRITE_DELAYS = {VBLANK: 1, NUSIZ0: 8, NUSIZ1: 8, REFP0: 1, REFP1: 1, RESM0: 8, RESM1: 8,
                GRP0: 1, GRP1: 1}
# Playfield writes: by the write's CPU cycle in the line, modulo 4.
PLAYFIELD_DELAYS = (4, 5, 2, 3)
# A RESPx landing on an old copy of the player moves it this many clocks later.
RESP_IN_COPY_DELAY = 11

# Reset positions: pixel of the write plus an offset, or a fixed pixel for writes in the blank.
PLAYER_RESET_OFFSET, PLAYER_BLANK_POSITION = 5, 3
OTHER_RESET_OFFSET, OTHER_BLANK_POSITION = 4, 2
# (clocks since the last HMOVE, line position S) -> position, for RESM0, RESM1 and RESBL.
RESET_AFTER_HMOVE = {
    RESM0: {(60, 69): 8},
    RESM1: {(9, 18): 3},
    RESBL: {(54, 60): 10, (54, 69): 10, (9, 18): 3, (21, 30): 6, (18, 27): 5},
}
# A write to the playfield's reflection bit reaches the current line only before this position.
REFLECT_WRITE_LIMIT = HBLANK_CLOCKS + 79

# HMOVE: the CPU cycle of the HMOVE (S / 3) decides the move. Cycles 0..20 and 75 (in the blank):
# the move HMxx, but no further left than the cycle's floor (HMOVE_EARLY_FLOOR, in pixels, with
# positive = right). Cycles 55..74: the move is min(0, HMxx move + HMOVE_LATE_SHIFT). Others: none.
HMOVE_EARLY_LAST = 20
HMOVE_EARLY_FLOOR = (-8, -8, -8, -8, -6, -5, -5, -4, -3, -2, -2, -1, 0, 1, 1, 2, 3, 4, 4, 5, 6)
HMOVE_LATE_FIRST = 55
HMOVE_LATE_SHIFT = (6, 5, 4, 4, 3, 2, 1, 1, 0, -1, -2, -2, -3, -4, -5, -5, -6, -7, -8, -8)

# The "Cosmic Ark" starfield (see TIA.elaborate): the HMM0 write's distance from the HMOVE, the
# jumps left per step 0..3, and missile 0's look after a step.
STARFIELD_AFTER_HMOVE = 3 * 21
STARFIELD_JUMPS = (18, 33, 0, 17)
STARFIELD_NORMAL, STARFIELD_WIDE, STARFIELD_HIDDEN = 0, 1, 2

# Player copy starts (offsets from the position) for NUSIZ bits 2..0.
PLAYER_COPIES = {
    0: (0,), 1: (0, 16), 2: (0, 32), 3: (0, 16, 32),
    4: (0, 64), 5: (0,), 6: (0, 32, 64), 7: (0,),
}
DOUBLE_SIZE, QUAD_SIZE = 5, 7
# RESPx within the first clocks of an old copy ("start-up") keeps the first copy drawn.
COPY_START_CLOCKS = 4
# The missile's offset from its player when RESMPx is cleared.
MISSILE_CENTRE = {"single": 4, "double": 8, "quad": 16}


def hmove_motion(cycle, hm):
    """Stella's HMOVE move (pixels, positive = right) for an HMOVE in CPU cycle `cycle` of the
    line with motion nibble `hm` (HMxx bits 7..4). The Python model of `TIA`'s HMOVE logic."""
    natural = -hm if hm < 8 else 16 - hm
    if cycle <= HMOVE_EARLY_LAST:
        return max(natural, HMOVE_EARLY_FLOOR[cycle])
    if cycle == CPU_CYCLES_PER_LINE - 1:
        return natural
    if cycle >= HMOVE_LATE_FIRST:
        return min(0, natural + HMOVE_LATE_SHIFT[cycle - HMOVE_LATE_FIRST])
    return 0


class AudioChannel(wiring.Component):
    """One TIA sound channel: a frequency divider feeding one of AUDC's 16 waveform generators.

    control: AUDC (waveform), frequency: AUDF (divide the audio clock by AUDF + 1), volume: AUDV.
    tick: one audio clock (the TIA gives two per line).
    level: the channel's output, `volume` while the waveform is high, else 0.
    """

    control: In(4)
    frequency: In(5)
    volume: In(4)
    tick: In(1)
    level: Out(4)

    # Waveform families of AUDC; 0 and 11 are "always high".
    POLY4 = (1,)
    DIV31_POLY4 = (2,)
    POLY5_POLY4 = (3,)
    SQUARE = (4, 5, 12, 13)
    DIV31 = (6, 10, 14)
    POLY5_SQUARE = (7, 15)
    POLY9 = (8,)
    POLY5 = (9,)
    # The pure div-31 tone is high for 18 of its 31 steps.
    DIV31_HIGH_STEPS = 18

    def elaborate(self, platform):
        m = Module()
        divider = Signal(5)
        prescale3 = Signal(2)
        poly4 = Signal(4, init=0xF)
        poly5 = Signal(5, init=0x1F)
        poly9 = Signal(9, init=0x1FF)
        div31 = Signal(5)
        wave = Signal()

        # Modes 12..15 divide the clock by 3 before the waveform generator.
        divide_by_3 = self.control[2:4] == 0b11
        divider_fires = self.tick & (divider == self.frequency)
        step = Signal()
        m.d.comb += step.eq(divider_fires & (~divide_by_3 | (prescale3 == 2)))
        with m.If(self.tick):
            m.d.sync += divider.eq(Mux(divider_fires, 0, divider + 1))
        with m.If(divider_fires):
            m.d.sync += prescale3.eq(Mux(prescale3 == 2, 0, prescale3 + 1))

        div31_next = Mux(div31 == 30, 0, div31 + 1)
        div31_edge = (div31 == 30) | (div31 == self.DIV31_HIGH_STEPS - 1)
        poly4_next = Cat(poly4[3] ^ poly4[2], poly4[:3])
        with m.If(step):
            m.d.sync += [
                # x^5 + x^3 + 1 and x^9 + x^5 + 1 maximal-length shift registers.
                poly5.eq(Cat(poly5[4] ^ poly5[2], poly5[:4])),
                poly9.eq(Cat(poly9[8] ^ poly9[4], poly9[:8])),
                div31.eq(div31_next),
            ]
            with m.Switch(self.control):
                with m.Case(*self.POLY4):
                    m.d.sync += [poly4.eq(poly4_next), wave.eq(poly4_next[0])]
                with m.Case(*self.DIV31_POLY4):
                    with m.If(div31_edge):
                        m.d.sync += [poly4.eq(poly4_next), wave.eq(poly4_next[0])]
                with m.Case(*self.POLY5_POLY4):
                    with m.If(poly5[4]):
                        m.d.sync += [poly4.eq(poly4_next), wave.eq(poly4_next[0])]
                with m.Case(*self.SQUARE):
                    m.d.sync += wave.eq(~wave)
                with m.Case(*self.DIV31):
                    m.d.sync += wave.eq(div31_next < self.DIV31_HIGH_STEPS)
                with m.Case(*self.POLY5_SQUARE):
                    with m.If(poly5[4]):
                        m.d.sync += wave.eq(~wave)
                with m.Case(*self.POLY9):
                    m.d.sync += wave.eq(poly9[8])
                with m.Case(*self.POLY5):
                    m.d.sync += wave.eq(poly5[4])
        # AUDC 0 and 11 output the volume directly (used to play samples by writing AUDV).
        always_high = (self.control == 0) | (self.control == 11)
        m.d.comb += self.level.eq(Mux(wave | always_high, self.volume, 0))
        return m


def _mod160(value):
    """`value` (an expression in -160..319) reduced to 0..159."""
    value = Value.cast(value)
    wrapped = Mux(value >= VISIBLE_PIXELS, value - VISIBLE_PIXELS, value)
    # Only a signed value can be negative (a constant comparison would fail lint).
    if value.shape().signed:
        wrapped = Mux(value < 0, value + VISIBLE_PIXELS, wrapped)
    return wrapped[:8]


def _at_or_after(value, start):
    """`value >= start`, left out when `start` is 0 (always true for an unsigned value)."""
    return value >= start if start else Const(1)


def _any(conditions):
    """OR of a non-empty list of 1-bit expressions."""
    result = conditions[0]
    for condition in conditions[1:]:
        result = result | condition
    return result


class TIA(wiring.Component):
    """The TIA, clocked at the colour clock (see the module docstring for its timing rules).

    CPU bus:
    addr: address bits 5..0 (writes use all six, reads bits 3..0).
    data_in: the byte the CPU writes.
    write: a CPU write to the TIA ends on this colour clock (assert it only when `cpu_ce` is high).
    read_data: the register at `addr`, on bits 7..6; bits 5..0 are 0 (on the real bus they float:
        the host fills them in).
    cpu_ce: a CPU cycle ends on this colour clock (every third clock).
    rdy: the 6502's RDY line: low from a WSYNC write until the next line starts.

    Controller inputs:
    fire0_n, fire1_n: the INPT4 and INPT5 pins (player 0 and 1 fire buttons), 0 = pressed.
    paddle_delay: for each of INPT0..3, the CPU cycles its capacitor takes to charge after
        VBLANK bit 7 stops dumping it (the paddle's position); the pin then reads 1.
        PADDLE_NEVER (the reset value) = nothing connected: it reads 0.
    hmove_blanks: 1 = an HMOVE blanks the first 8 pixels of its line (the hardware, and
        Stella's default); 0 = it does not (Stella's per-cartridge "HmoveBlanks NO" setting).

    Stella's frame (see the module docstring):
    frame_ystart, frame_height: the displayed lines of a frame (Stella's per-cartridge
        "Display.YStart" and "Display.Height"); collisions happen only there.
    frame_max_lines: a frame longer than this many lines ends at the next TIA write (290 NTSC).
    colour_loss: Stella's PAL colour loss: every drawn colour gets bit 0 set after a frame with
        an odd number of lines (on for cartridges Stella detects as PAL).
    frame_line: the current line of Stella's frame (saturates at 511).
    frame_end: Stella's frame ends on this clock (the write that ends it); the next line
        counted from 0 is the one holding the next clock (or, if a WSYNC write ends it, the next
        line).

    Video, for the current colour clock:
    hcount: position in the line, 0..227 (visible pixel x = hcount - 68).
    colour: the TIA colour value (a COLUxx register; bit 0 clear unless `colour_loss`), 0 while
        blanked.
    hsync, hblank: horizontal sync and blank (blank includes the HMOVE blank).
    vsync, vblank: VSYNC bit 1 and VBLANK bit 1 as last written.

    Audio:
    audio0, audio1: the two channels' output levels (0..15).
    audio_tick: the channels step on this colour clock (twice per line, the TIA audio rate).
    """

    addr: In(6)
    data_in: In(8)
    write: In(1)
    read_data: Out(8)
    cpu_ce: Out(1)
    rdy: Out(1)

    fire0_n: In(1, init=1)
    fire1_n: In(1, init=1)
    paddle_delay: In(unsigned(16), init=PADDLE_NEVER).array(4)
    hmove_blanks: In(1, init=1)

    frame_ystart: In(8, init=DEFAULT_YSTART)
    frame_height: In(9, init=DEFAULT_HEIGHT)
    frame_max_lines: In(9, init=DEFAULT_MAX_LINES)
    colour_loss: In(1)
    frame_line: Out(9)
    frame_end: Out(1)

    hcount: Out(8)
    colour: Out(8)
    hsync: Out(1)
    hblank: Out(1)
    vsync: Out(1)
    vblank: Out(1)

    audio0: Out(4)
    audio1: Out(4)
    audio_tick: Out(1)

    def elaborate(self, platform):
        m = Module()

        # --- Clocks: the CPU cycle and the line counter -----------------------------------------
        cpu_phase = Signal(range(3))
        m.d.sync += cpu_phase.eq(Mux(cpu_phase == 2, 0, cpu_phase + 1))
        m.d.comb += self.cpu_ce.eq(cpu_phase == 2)

        hcount = self.hcount
        line_end = hcount == LINE_CLOCKS - 1
        in_picture = hcount >= HBLANK_CLOCKS
        x = Signal(8)
        m.d.comb += [
            x.eq(hcount - HBLANK_CLOCKS),
            self.hsync.eq((hcount >= HSYNC_START) & (hcount < HSYNC_END)),
        ]
        # Stella's stamp of a write on this clock: line position S and its CPU cycle S / 3.
        stamp = Signal(8)
        stamp_cycle = Signal(7)
        m.d.comb += [stamp.eq(Mux(line_end, 0, hcount + 1)),
                     stamp_cycle.eq((stamp * 171) >> 9)]   # exact S / 3 for S < 228
        stamp_in_blank = stamp < HBLANK_CLOCKS

        # --- Writes: immediate, or held for their delay --------------------------------------
        # Writes come at least 3 colour clocks apart (the CPU's cycles), so one slot holds the
        # write in flight. If two meet anyway (a read-modify-write's two writes), the older
        # goes first and the newer waits a clock in the slot.
        write_delay = Signal(4)
        with m.Switch(self.addr):
            for register, delay in WRITE_DELAYS.items():
                with m.Case(register):
                    m.d.comb += write_delay.eq(delay)
            with m.Case(PF0, PF1, PF2):
                m.d.comb += write_delay.eq(Array(PLAYFIELD_DELAYS)[stamp_cycle[:2]])
        pending, pending_addr, pending_data = Signal(), Signal(6), Signal(8)
        pending_count = Signal(4)
        pending_due = pending & ((pending_count == 0) | self.write)
        to_slot = self.write & ((write_delay != 0) | pending_due)
        apply, apply_addr, data = Signal(), Signal(6), Signal(8)
        m.d.comb += [
            apply.eq(pending_due | (self.write & (write_delay == 0))),
            apply_addr.eq(Mux(pending_due, pending_addr, self.addr)),
            data.eq(Mux(pending_due, pending_data, self.data_in)),
        ]
        with m.If(pending):
            m.d.sync += pending_count.eq(pending_count - 1)
        with m.If(pending_due):
            m.d.sync += pending.eq(0)

        def written(register):
            """A write to `register` takes effect on this clock (immediate or from the slot)."""
            return apply & (apply_addr == register)

        # --- Stella's frame and its displayed lines --------------------------------------------
        frame_line = self.frame_line
        vsync_armed = Signal()
        vsync_clocks = Signal(range(VSYNC_MIN_CLOCKS + 1))
        with m.If(vsync_clocks != VSYNC_MIN_CLOCKS):
            m.d.sync += vsync_clocks.eq(vsync_clocks + 1)
        vsync_write = self.write & (self.addr == VSYNC)
        with m.If(vsync_write & self.data_in[1]):
            m.d.sync += [vsync_armed.eq(1), vsync_clocks.eq(1)]
        vsync_done = (vsync_write & ~self.data_in[1] & vsync_armed
                      & (vsync_clocks == VSYNC_MIN_CLOCKS))
        frame_overrun = self.write & (frame_line > self.frame_max_lines)
        m.d.comb += self.frame_end.eq(vsync_done | frame_overrun)
        # A frame that a WSYNC write ends (an overlong one) starts on the next line, after the
        # CPU has waited out this one (Stella lets the instruction finish first).
        halting = self.write & (self.addr == WSYNC) & ~line_end
        restart_next_line = Signal()
        with m.If(line_end & (frame_line != 511)):
            m.d.sync += frame_line.eq(frame_line + 1)
        with m.If(line_end & restart_next_line):
            m.d.sync += [frame_line.eq(0), restart_next_line.eq(0)]
        odd_frame = Signal()
        with m.If(self.frame_end):
            m.d.sync += vsync_armed.eq(0)
            with m.If(halting):
                m.d.sync += [restart_next_line.eq(1), odd_frame.eq(~frame_line[0])]
            with m.Else():
                m.d.sync += [frame_line.eq(0), odd_frame.eq(frame_line[0])]
        displayed = ((frame_line >= self.frame_ystart)
                     & (frame_line < self.frame_ystart + self.frame_height))

        wsync = Signal()
        with m.If(line_end):
            m.d.sync += wsync.eq(0)
        # A WSYNC written in the line's last CPU cycle does not halt the CPU (as in Stella).
        with m.If(halting):
            m.d.sync += wsync.eq(1)
        m.d.comb += self.rdy.eq(~wsync)

        with m.If(self.write & (self.addr == RSYNC)):
            m.d.sync += hcount.eq(RSYNC_HCOUNT)
        with m.Else():
            m.d.sync += hcount.eq(Mux(line_end, 0, hcount + 1))

        # --- Plain registers ---------------------------------------------------------------------
        vsync_on, vblank_on = Signal(), Signal()
        input_latch_on = Signal()
        dump_on = Signal()
        nusiz = [Signal(6, name=f"nusiz{i}") for i in range(2)]
        colup = [Signal(7, name=f"colup{i}") for i in range(2)]
        colupf, colubk = Signal(7), Signal(7)
        reflect_pf, score, pf_priority = Signal(), Signal(), Signal()
        reflect_pf_drawn = Signal()
        ball_size = Signal(2)
        refp = [Signal(name=f"refp{i}") for i in range(2)]
        pf0, pf1, pf2 = Signal(4), Signal(8), Signal(8)
        grp_new = [Signal(8, name=f"grp{i}_new") for i in range(2)]
        grp_old = [Signal(8, name=f"grp{i}_old") for i in range(2)]
        enam = [Signal(name=f"enam{i}") for i in range(2)]
        enabl_new, enabl_old = Signal(), Signal()
        hm = {name: Signal(4, name=f"hm{name}") for name in ("p0", "p1", "m0", "m1", "bl")}
        vdelp = [Signal(name=f"vdelp{i}") for i in range(2)]
        vdelbl = Signal()
        resmp = [Signal(name=f"resmp{i}") for i in range(2)]
        audc = [Signal(4, name=f"audc{i}") for i in range(2)]
        audf = [Signal(5, name=f"audf{i}") for i in range(2)]
        audv = [Signal(4, name=f"audv{i}") for i in range(2)]

        # register -> (target, first data bit)
        simple_registers = {
            NUSIZ0: (nusiz[0], 0), NUSIZ1: (nusiz[1], 0),
            COLUP0: (colup[0], 1), COLUP1: (colup[1], 1), COLUPF: (colupf, 1), COLUBK: (colubk, 1),
            REFP0: (refp[0], 3), REFP1: (refp[1], 3),
            PF0: (pf0, 4), PF1: (pf1, 0), PF2: (pf2, 0),
            AUDC0: (audc[0], 0), AUDC1: (audc[1], 0), AUDF0: (audf[0], 0), AUDF1: (audf[1], 0),
            AUDV0: (audv[0], 0), AUDV1: (audv[1], 0),
            ENAM0: (enam[0], 1), ENAM1: (enam[1], 1), ENABL: (enabl_new, 1),
            HMP0: (hm["p0"], 4), HMP1: (hm["p1"], 4), HMM0: (hm["m0"], 4), HMM1: (hm["m1"], 4),
            HMBL: (hm["bl"], 4),
            VDELP0: (vdelp[0], 0), VDELP1: (vdelp[1], 0), VDELBL: (vdelbl, 0),
            RESMP0: (resmp[0], 1), RESMP1: (resmp[1], 1),
            VSYNC: (vsync_on, 1),
        }
        for register, (target, first_bit) in simple_registers.items():
            with m.If(written(register)):
                m.d.sync += target.eq(data[first_bit:first_bit + len(target)])
        with m.If(written(VBLANK)):
            value = data
            m.d.sync += [vblank_on.eq(value[1]), input_latch_on.eq(value[6]), dump_on.eq(value[7])]
        with m.If(written(CTRLPF)):
            value = data
            m.d.sync += [reflect_pf.eq(value[0]), score.eq(value[1]), pf_priority.eq(value[2]),
                         ball_size.eq(value[4:6])]
            # Stella switches the drawn reflection at once only in the line's first part.
            with m.If(stamp < REFLECT_WRITE_LIMIT):
                m.d.sync += reflect_pf_drawn.eq(value[0])
        with m.If(line_end):
            m.d.sync += reflect_pf_drawn.eq(reflect_pf)
        # Writing one player's graphics copies the other player's (and the ball's) into the
        # "old" registers that VDELxx shows.
        with m.If(written(GRP0)):
            m.d.sync += [grp_new[0].eq(data), grp_old[1].eq(grp_new[1])]
        with m.If(written(GRP1)):
            m.d.sync += [grp_new[1].eq(data), grp_old[0].eq(grp_new[0]),
                         enabl_old.eq(enabl_new)]
        with m.If(written(HMCLR)):
            m.d.sync += [signal.eq(0) for signal in hm.values()]
        m.d.comb += [self.vsync.eq(vsync_on), self.vblank.eq(vblank_on)]

        # --- Object positions --------------------------------------------------------------------
        names = ("p0", "p1", "m0", "m1", "bl")
        position = {name: Signal(8, name=f"pos_{name}") for name in names}
        hmove = written(HMOVE)
        # Clocks since the last HMOVE (for the reset positions Stella special-cases).
        since_hmove = Signal(8, init=255)
        with m.If(hmove):
            m.d.sync += since_hmove.eq(1)
        with m.Elif(since_hmove != 255):
            m.d.sync += since_hmove.eq(since_hmove + 1)

        # The HMOVE move depends on the write's CPU cycle: its floor (early cycles) or shift
        # (late cycles) is looked up once for all objects.
        early_floor = Signal(signed(5))
        late_shift = Signal(signed(5))
        m.d.comb += [
            early_floor.eq(Array(Const(v, signed(5)) for v in HMOVE_EARLY_FLOOR)[stamp_cycle[:5]]),
            late_shift.eq(Array(Const(v, signed(5)) for v in HMOVE_LATE_SHIFT)[
                (stamp_cycle - HMOVE_LATE_FIRST)[:5]]),
        ]
        early = stamp_cycle <= HMOVE_EARLY_LAST
        last_cycle = stamp_cycle == CPU_CYCLES_PER_LINE - 1
        late = stamp_cycle >= HMOVE_LATE_FIRST

        def motion(nibble):
            """The HMOVE move of an object with HMxx nibble `nibble`, for this write's cycle."""
            natural = Signal(signed(6), name=f"{nibble.name}_natural")
            m.d.comb += natural.eq(Mux(nibble[3], 16 - nibble, -nibble))
            shifted = natural + late_shift
            move = Signal(signed(6), name=f"{nibble.name}_move")
            with m.If(early):
                m.d.comb += move.eq(Mux(natural > early_floor, natural, early_floor))
            with m.Elif(last_cycle):
                m.d.comb += move.eq(natural)
            with m.Elif(late):
                m.d.comb += move.eq(Mux(shifted < 0, shifted, 0))
            return move

        # Where a RESxx written on this clock puts its object.
        player_reset, other_reset = Signal(8), Signal(8)
        m.d.comb += [
            player_reset.eq(Mux(stamp_in_blank, PLAYER_BLANK_POSITION,
                                _mod160(stamp - HBLANK_CLOCKS + PLAYER_RESET_OFFSET))),
            other_reset.eq(Mux(stamp_in_blank, OTHER_BLANK_POSITION,
                               _mod160(stamp - HBLANK_CLOCKS + OTHER_RESET_OFFSET))),
        ]
        reset_position = {RESP0: player_reset, RESP1: player_reset}
        for register in (RESM0, RESM1, RESBL):
            value = other_reset
            for (after, at), special in RESET_AFTER_HMOVE[register].items():
                value = Mux((since_hmove == after) & (stamp == at), special, value)
            reset_position[register] = value

        # Players: RESPx, possibly 11 clocks late, and the "first copy not drawn" flag.
        skip_first = [Signal(name=f"p{i}_skip_first") for i in range(2)]
        late_reset = [Signal(name=f"p{i}_late_reset") for i in range(2)]
        late_count = [Signal(4, name=f"p{i}_late_count") for i in range(2)]
        late_position = [Signal(8, name=f"p{i}_late_position") for i in range(2)]
        for i, register in ((0, RESP0), (1, RESP1)):
            name = f"p{i}"
            new_position = reset_position[register]
            starting, showing = self._reset_lands(m, name, new_position, position[name],
                                                  nusiz[i][:3])
            with m.If(late_reset[i]):
                m.d.sync += late_count[i].eq(late_count[i] - 1)
                with m.If(late_count[i] == 0):
                    m.d.sync += [late_reset[i].eq(0), position[name].eq(late_position[i]),
                                 skip_first[i].eq(1)]
            with m.If(line_end | hmove | written(NUSIZ0 + i)):
                m.d.sync += skip_first[i].eq(0)
            with m.If(written(register)):
                with m.If(showing):
                    m.d.sync += [late_reset[i].eq(1), late_count[i].eq(RESP_IN_COPY_DELAY - 1),
                                 late_position[i].eq(new_position)]
                with m.Else():
                    m.d.sync += [position[name].eq(new_position), skip_first[i].eq(~starting)]

        # Missiles: RESMx lands 8 clocks late, so the slot carries the position it computed.
        for i, register in ((0, RESM0), (1, RESM1)):
            name = f"m{i}"
            with m.If(written(register)):
                m.d.sync += position[name].eq(data)
            # Clearing RESMPx puts the missile at the centre of its player.
            size = nusiz[i][:3]
            centre = Mux(size == DOUBLE_SIZE, MISSILE_CENTRE["double"],
                         Mux(size == QUAD_SIZE, MISSILE_CENTRE["quad"], MISSILE_CENTRE["single"]))
            with m.If(written(RESMP0 + i) & resmp[i] & ~data[1]):
                m.d.sync += position[name].eq(_mod160(position[f"p{i}"] + centre))
        with m.If(written(RESBL)):
            m.d.sync += position["bl"].eq(reset_position[RESBL])

        with m.If(hmove):
            for name in names:
                moved = position[name] + motion(hm[name])
                m.d.sync += position[name].eq(_mod160(moved))

        # Stella's "Cosmic Ark" starfield: HMM0 changed from 7 to 6 exactly 21 CPU cycles after
        # an HMOVE makes missile 0 jump left at the end of every displayed line, by 33, 0, 17
        # and 18 pixels in turn, drawn at least 2 pixels wide after the first jump, hidden after
        # the second, until the next HMOVE. The look lasts until a write redoes missile 0.
        starfield = Signal()
        starfield_step = Signal(2)
        m0_look = Signal(2)
        with m.If(written(NUSIZ0) | written(RESM0) | hmove | (written(RESMP0) & resmp[0])):
            m.d.sync += m0_look.eq(STARFIELD_NORMAL)
        with m.If(hmove):
            m.d.sync += starfield.eq(0)
        with m.If(written(HMM0) & (since_hmove == STARFIELD_AFTER_HMOVE) & (hm["m0"] == 7)
                  & (data[4:] == 6)):
            m.d.sync += [starfield.eq(1), starfield_step.eq(0)]
        with m.If(starfield & displayed & line_end):
            step = (starfield_step + 1)[:2]
            jump = Array(Const(v, 6) for v in STARFIELD_JUMPS)[step]
            m.d.sync += [starfield_step.eq(step), m0_look.eq(step),
                         position["m0"].eq(_mod160(position["m0"] - jump))]

        # The slot: delayed writes enter it; RESMx's computed position replaces its data.
        with m.If(to_slot):
            slot_data = self.data_in
            for register in (RESM0, RESM1):
                slot_data = Mux(self.addr == register, reset_position[register], slot_data)
            m.d.sync += [pending.eq(1), pending_addr.eq(self.addr), pending_data.eq(slot_data),
                         pending_count.eq(Mux(write_delay == 0, 0, write_delay - 1))]

        # --- HMOVE blank: the first 8 pixels of a displayed line ------------------------------
        hmove_blank = Signal()
        hmove_blank_cycle = (stamp_cycle <= HMOVE_EARLY_LAST) | (
            stamp_cycle == CPU_CYCLES_PER_LINE - 1)
        with m.If(displayed & (hcount == HBLANK_CLOCKS + HMOVE_BLANK_PIXELS - 1)):
            m.d.sync += hmove_blank.eq(0)
        with m.If(hmove & self.hmove_blanks & hmove_blank_cycle):
            m.d.sync += hmove_blank.eq(1)
        blanked_pixel = hmove_blank & (hcount < HBLANK_CLOCKS + HMOVE_BLANK_PIXELS)
        hblank = ~in_picture | blanked_pixel
        m.d.comb += self.hblank.eq(hblank)

        # --- Object pixels -----------------------------------------------------------------------
        offset = {}
        for name in names:
            offset[name] = Signal(8, name=f"offset_{name}")
            m.d.comb += offset[name].eq(_mod160(x - position[name]))
        graphics = [Mux(vdelp[i], grp_old[i], grp_new[i]) for i in range(2)]
        players = [self._player_pixel(m, offset[f"p{i}"], nusiz[i][:3], graphics[i], refp[i],
                                      skip_first[i], f"player{i}")
                   for i in range(2)]
        missile_enabled = [enam[i] & ~resmp[i] for i in range(2)]
        missiles = [
            self._missile_pixel(m, offset["m0"], nusiz[0],
                                missile_enabled[0] & (m0_look != STARFIELD_HIDDEN),
                                m0_look == STARFIELD_WIDE, "missile0"),
            self._missile_pixel(m, offset["m1"], nusiz[1], missile_enabled[1], 0, "missile1"),
        ]
        ball = Signal()
        ball_enabled = Mux(vdelbl, enabl_old, enabl_new)
        m.d.comb += ball.eq(ball_enabled & (offset["bl"] < (Const(1, 5) << ball_size)))

        # --- Playfield: 20 bits of 4 pixels per half line --------------------------------------
        pf_pattern = Cat(pf0, *(pf1[7 - i] for i in range(8)), pf2)
        right_half = x >= VISIBLE_PIXELS // 2
        half_x = Mux(right_half, x - VISIBLE_PIXELS // 2, x)
        block = Signal(5)
        m.d.comb += block.eq(Mux(right_half & reflect_pf_drawn, 19 - half_x[2:], half_x[2:]))
        playfield = Signal()
        m.d.comb += playfield.eq(pf_pattern.bit_select(block, 1))

        # --- Collisions: on the displayed lines' pixels, outside VBLANK --------------------------
        objects = {"p0": players[0], "p1": players[1], "m0": missiles[0], "m1": missiles[1],
                   "bl": ball, "pf": playfield}
        # Read register -> (pair on bit 7, pair on bit 6).
        collision_pairs = {
            CXM0P: (("m0", "p1"), ("m0", "p0")),
            CXM1P: (("m1", "p0"), ("m1", "p1")),
            CXP0FB: (("p0", "pf"), ("p0", "bl")),
            CXP1FB: (("p1", "pf"), ("p1", "bl")),
            CXM0FB: (("m0", "pf"), ("m0", "bl")),
            CXM1FB: (("m1", "pf"), ("m1", "bl")),
            CXBLPF: (("bl", "pf"), None),
            CXPPMM: (("p0", "p1"), ("m0", "m1")),
        }
        drawing = in_picture & displayed & ~vblank_on
        latches, seen = {}, {}
        for pairs in collision_pairs.values():
            for pair in filter(None, pairs):
                latch = latches[pair] = Signal(name=f"cx_{pair[0]}_{pair[1]}")
                # A read sees this clock's pixel too (Stella draws up to the read first).
                seen[pair] = latch | (drawing & objects[pair[0]] & objects[pair[1]])
                with m.If(drawing & objects[pair[0]] & objects[pair[1]]):
                    m.d.sync += latch.eq(1)
                with m.If(written(CXCLR)):
                    m.d.sync += latch.eq(0)

        # --- Fire buttons, with the VBLANK bit 6 latch ---------------------------------------
        fire_latched = [Signal(init=1, name=f"fire{i}_latched") for i in range(2)]
        for latched, pin in zip(fire_latched, (self.fire0_n, self.fire1_n)):
            m.d.sync += latched.eq(Mux(input_latch_on, latched & pin, 1))
        fire = [Mux(input_latch_on, latched, pin)
                for latched, pin in zip(fire_latched, (self.fire0_n, self.fire1_n))]

        # --- Paddles: CPU cycles since VBLANK bit 7 stopped dumping the capacitors ---------------
        charge_cycles = Signal(16)
        with m.If(dump_on):
            m.d.sync += charge_cycles.eq(0)
        with m.Elif(self.cpu_ce & (charge_cycles != PADDLE_NEVER)):
            m.d.sync += charge_cycles.eq(charge_cycles + 1)
        paddles = [~dump_on & (delay != PADDLE_NEVER) & (charge_cycles >= delay)
                   for delay in self.paddle_delay]

        with m.Switch(self.addr[:4]):
            for register, (pair7, pair6) in collision_pairs.items():
                with m.Case(register):
                    bit6 = seen[pair6] if pair6 else Const(0)
                    m.d.comb += self.read_data.eq(Cat(Const(0, 6), bit6, seen[pair7]))
            for register, value in ((INPT0, paddles[0]), (INPT1, paddles[1]),
                                    (INPT2, paddles[2]), (INPT3, paddles[3]),
                                    (INPT4, fire[0]), (INPT5, fire[1])):
                with m.Case(register):
                    m.d.comb += self.read_data.eq(Cat(Const(0, 7), value))

        # --- Colour: Stella's priority encoder ------------------------------------------------
        # Stella draws a playfield-only line (no player graphics, missile or ball enabled) with
        # the score colours even when the priority bit is set.
        nothing_but_playfield = ~(graphics[0].any() | graphics[1].any() | missile_enabled[0]
                                  | missile_enabled[1] | ball_enabled)
        priority = pf_priority & ~nothing_but_playfield
        score_playfield = score & ~priority & playfield
        colour = Signal(7)
        with m.If(priority & (playfield | ball)):
            m.d.comb += colour.eq(colupf)
        with m.Elif(score_playfield & ~right_half):
            m.d.comb += colour.eq(colup[0])
        with m.Elif(players[0] | missiles[0]):
            m.d.comb += colour.eq(colup[0])
        with m.Elif(players[1] | missiles[1]):
            m.d.comb += colour.eq(colup[1])
        with m.Elif(score_playfield):
            m.d.comb += colour.eq(colup[1])
        with m.Elif(playfield | ball):
            m.d.comb += colour.eq(colupf)
        with m.Else():
            m.d.comb += colour.eq(colubk)
        m.d.comb += self.colour.eq(
            Mux(hblank | vblank_on, 0, Cat(self.colour_loss & odd_frame, colour)))

        # --- Audio ------------------------------------------------------------------------------
        audio_tick = Signal()
        m.d.comb += audio_tick.eq(
            (hcount == AUDIO_TICK_CLOCKS[0]) | (hcount == AUDIO_TICK_CLOCKS[1]))
        m.d.comb += self.audio_tick.eq(audio_tick)
        for i, output in enumerate((self.audio0, self.audio1)):
            channel = AudioChannel()
            m.submodules[f"audio{i}"] = channel
            m.d.comb += [channel.control.eq(audc[i]), channel.frequency.eq(audf[i]),
                         channel.volume.eq(audv[i]), channel.tick.eq(audio_tick),
                         output.eq(channel.level)]
        return m

    @staticmethod
    def _copy_spans(size):
        """(start, width) of each copy of a player for NUSIZ mode `size`, as Python values."""
        if size == DOUBLE_SIZE:
            return [(0, 16)]
        if size == QUAD_SIZE:
            return [(0, 32)]
        return [(start, 8) for start in PLAYER_COPIES[size]]

    def _reset_lands(self, m, name, new_position, old_position, size):
        """Where a RESPx to `new_position` lands relative to the player's old copies:
        (in a copy's first 4 clocks, in a copy's drawn pixels)."""
        distance = Signal(8, name=f"{name}_reset_distance")
        m.d.comb += distance.eq(_mod160(new_position - old_position))
        starting = Signal(name=f"{name}_reset_starting")
        showing = Signal(name=f"{name}_reset_showing")
        with m.Switch(size):
            for mode in PLAYER_COPIES:
                with m.Case(mode):
                    spans = self._copy_spans(mode)
                    m.d.comb += [
                        starting.eq(_any([_at_or_after(distance, start)
                                          & (distance < start + COPY_START_CLOCKS)
                                          for start, _ in spans])),
                        showing.eq(_any([(distance >= start + COPY_START_CLOCKS)
                                         & (distance < start + COPY_START_CLOCKS + width)
                                         for start, width in spans])),
                    ]
        return starting, showing

    @staticmethod
    def _player_pixel(m, offset, size, graphics, reflect, skip_first, name):
        """Whether a player draws a pixel `offset` pixels after its position (NUSIZ copies)."""
        pixel = Signal(name=name)
        index = Signal(3, name=f"{name}_index")
        shown = Signal(name=f"{name}_shown")
        # Double and quad players start one pixel after their position.
        late = Signal(8, name=f"{name}_late")
        m.d.comb += late.eq(offset - 1)
        wide_first = ~skip_first
        with m.Switch(size):
            for mode, starts in PLAYER_COPIES.items():
                with m.Case(mode):
                    if mode == DOUBLE_SIZE:
                        m.d.comb += [shown.eq(wide_first & (offset >= 1) & (offset < 17)),
                                     index.eq(late[1:4])]
                    elif mode == QUAD_SIZE:
                        m.d.comb += [shown.eq(wide_first & (offset >= 1) & (offset < 33)),
                                     index.eq(late[2:5])]
                    else:
                        hits = [_at_or_after(offset, start) & (offset < start + 8)
                                & (~skip_first if start == 0 else 1) for start in starts]
                        # Copies start at multiples of 8, so the bit is the offset's low bits.
                        m.d.comb += [shown.eq(_any(hits)), index.eq(offset[:3])]
        bit = Mux(reflect, graphics.bit_select(index, 1), graphics.bit_select(~index, 1))
        m.d.comb += pixel.eq(shown & bit)
        return pixel

    @staticmethod
    def _missile_pixel(m, offset, nusiz, enabled, wide, name):
        """Whether a missile draws a pixel `offset` pixels after its position: its width is
        NUSIZ bits 5..4 (at least 2 pixels if `wide`), its copies as the player's (one copy in
        the double and quad modes)."""
        pixel = Signal(name=name)
        width = Signal(4, name=f"{name}_width")
        m.d.comb += width.eq(1 << (nusiz[4:6] | wide))
        shown = Signal(name=f"{name}_shown")
        with m.Switch(nusiz[:3]):
            for mode, starts in PLAYER_COPIES.items():
                with m.Case(mode):
                    hits = [_at_or_after(offset, start) & (offset < start + width)
                            for start in starts]
                    m.d.comb += shown.eq(_any(hits))
        m.d.comb += pixel.eq(enabled & shown)
        return pixel
