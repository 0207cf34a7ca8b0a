"""The TIA (Television Interface Adaptor) of the Atari 2600: video, collisions, inputs and audio.

Clocking: one `sync` clock is one colour clock (3.579545 MHz on NTSC). The CPU runs at a third of
that: the TIA raises `cpu_ce` on every third colour clock, and the host lets the CPU make one bus
cycle on each of those clocks. A register write is presented on `addr`/`data_in` with `write` high
for that one colour clock; it takes effect from the next colour clock on (GRP0 and GRP1 one clock
later still, as Stella has it). A write in CPU cycle k of a line thus takes effect at colour clock
3k + 3, i.e. visible pixel 3k - 65.

A line is 228 colour clocks (`hcount` 0..227): 68 of horizontal blank (HSYNC on 16..31), then the
160 visible pixels (pixel x = hcount - 68). After an HMOVE written in the first 20 CPU cycles of
a line the blank lasts 8 clocks longer (to hcount 76) on that line (Stella's rule; later HMOVEs
do not blank). A WSYNC written in the last CPU cycle of a line does not halt the CPU.

Movable objects are timed as the TIA hardware notes describe: each has a position counter of 160
states that advances on every visible colour clock and on the extra clocks HMOVE sends during
blank. Writing RESPx at visible pixel p (the first clock on which the write is in effect) draws the
player from pixel p + 5, RESMx and RESBL from p + 4; a reset during horizontal blank puts players
at pixel 3 and missiles and the ball at pixel 2. HMOVE gives each object (HMxx bits 7..4 xor 8)
extra clocks, one every 4 colour clocks, while the line's blank lasts 8 clocks longer: the net
move is HMxx (signed, positive = left). Extra clocks falling in the visible part are lost; an
HMOVE without the blank does not hold the counters for 8 clocks, so the extra clocks it does
deliver (say, in the next line's blank) all move objects left.
Under the 8 blanked pixels of an HMOVE line objects are drawn (and collide) where they end up, as
Stella does; only the colour output is black there.
"""
from amaranth.hdl import Cat, Const, Module, Mux, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

LINE_CLOCKS = 228
HBLANK_CLOCKS = 68
HMOVE_BLANK_EXTRA = 8
VISIBLE_PIXELS = 160
HSYNC_START, HSYNC_END = 16, 32
# An HMOVE written before this colour clock (CPU cycle 20) extends that line's blank.
HMOVE_BLANK_BEFORE = 3 * 20
# A paddle delay meaning "nothing connected": the INPT0..3 pin never charges.
PADDLE_NEVER = 0xFFFF
# Colour clocks of the two audio ticks in each line (the TIA audio rate is 2 per line, 31.4 kHz).
AUDIO_TICK_CLOCKS = (0, LINE_CLOCKS // 2)
# RSYNC restarts the line 3 colour clocks after it takes effect.
RSYNC_HCOUNT = LINE_CLOCKS - 3

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
# Registers whose writes take effect one colour clock later than the others.
ONE_CLOCK_LATE = (GRP0, GRP1)

# Read registers (address bits 3..0); the value is on data bits 7 and 6.
CXM0P, CXM1P, CXP0FB, CXP1FB, CXM0FB, CXM1FB, CXBLPF, CXPPMM = range(8)
INPT0, INPT1, INPT2, INPT3, INPT4, INPT5 = range(8, 14)

# Position-counter values loaded by a reset, chosen so that the object is drawn at the documented
# pixel: the counter reaches 0 where the object's first pixel is.
PLAYER_START_DELAY = 5
OTHER_START_DELAY = 4
# A reset during blank acts like a reset two pixels before pixel 0.
BLANK_RESET_PIXEL = -2

# Player copy starts (position counter values) for NUSIZ bits 2..0.
PLAYER_COPIES = {
    0: (0,), 1: (0, 16), 2: (0, 32), 3: (0, 16, 32),
    4: (0, 64), 5: (0,), 6: (0, 32, 64), 7: (0,),
}
DOUBLE_SIZE, QUAD_SIZE = 5, 7
# RESMPx locks the missile this many counts behind its player, for 1x, 2x and 4x players.
MISSILE_TO_PLAYER_OFFSET = {"single": 3, "double": 6, "quad": 10}


class MotionCounter(wiring.Component):
    """The horizontal position counter of one movable object, with its HMOVE movement latch.

    advance: a visible colour clock (the normal motion clock).
    hblank: the line is in (possibly extended) horizontal blank.
    hmove_start: HMOVE takes effect: arm the movement latch.
    hmove_tick: an HMOVE movement tick this colour clock (one every 4 clocks while HMOVE runs).
    hmove_step: number of the current movement tick, 0..15.
    motion: HMxx bits 7..4 (signed, positive moves left).
    load: set the counter to `load_value` instead of advancing (object reset, RESMP lock).
    load_value: 0..159.
    position: the counter, 0..159; the object's first pixel is drawn where it is 0.
    next_position: the value `position` takes on the next clock.
    """

    advance: In(1)
    hblank: In(1)
    hmove_start: In(1)
    hmove_tick: In(1)
    hmove_step: In(4)
    motion: In(4)
    load: In(1)
    load_value: In(8)
    position: Out(8)
    next_position: Out(8)

    def elaborate(self, platform):
        m = Module()
        moving = Signal()
        # HMOVE gives (motion xor 8) extra clocks: the latch drops at the tick with that number.
        extra_clocks = self.motion ^ 0x8
        done = self.hmove_step == extra_clocks
        extra = self.hmove_tick & moving & ~done & self.hblank
        with m.If(self.hmove_tick & done):
            m.d.sync += moving.eq(0)
        with m.If(self.hmove_start):
            m.d.sync += moving.eq(1)

        with m.If(self.load):
            m.d.comb += self.next_position.eq(self.load_value)
        with m.Elif(self.advance | extra):
            m.d.comb += self.next_position.eq(
                Mux(self.position == VISIBLE_PIXELS - 1, 0, self.position + 1))
        with m.Else():
            m.d.comb += self.next_position.eq(self.position)
        m.d.sync += self.position.eq(self.next_position)
        return m


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


class TIA(wiring.Component):
    """The TIA, clocked at the colour clock.

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

    Video, for the current colour clock:
    hcount: position in the line, 0..227 (visible pixel x = hcount - 68).
    colour: the TIA colour value (a COLUxx register, bit 0 clear), 0 while blanked.
    hsync, hblank: horizontal sync and blank (blank includes the HMOVE extension).
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

        # Writes to a few registers land one colour clock later than the others (as in Stella).
        late_write, late_addr, late_data = Signal(), Signal(6), Signal(8)
        m.d.sync += [late_write.eq(self.write), late_addr.eq(self.addr),
                     late_data.eq(self.data_in)]

        def written(register):
            if register in ONE_CLOCK_LATE:
                return late_write & (late_addr == register)
            return self.write & (self.addr == register)

        # --- Clocks: the CPU cycle and the line counter -----------------------------------------
        cpu_phase = Signal(range(3))
        m.d.sync += cpu_phase.eq(Mux(cpu_phase == 2, 0, cpu_phase + 1))
        m.d.comb += self.cpu_ce.eq(cpu_phase == 2)

        hcount = self.hcount
        hmove_blank = Signal()
        line_end = hcount == LINE_CLOCKS - 1
        with m.If(written(RSYNC)):
            m.d.sync += hcount.eq(RSYNC_HCOUNT)
        with m.Else():
            m.d.sync += hcount.eq(Mux(line_end, 0, hcount + 1))

        extended_end = HBLANK_CLOCKS + HMOVE_BLANK_EXTRA
        hblank = (hcount < HBLANK_CLOCKS) | (hmove_blank & (hcount < extended_end))
        visible = ~hblank
        # The 160 pixel columns, including the 8 an HMOVE blanks.
        in_picture = hcount >= HBLANK_CLOCKS
        # Whether the next colour clock (where a write first takes effect) is visible.
        next_visible = ((hcount >= HBLANK_CLOCKS - 1) & ~line_end
                        & ~(hmove_blank & (hcount < extended_end - 1)))
        x = Signal(8)
        m.d.comb += [
            x.eq(hcount - HBLANK_CLOCKS),
            self.hblank.eq(hblank),
            self.hsync.eq((hcount >= HSYNC_START) & (hcount < HSYNC_END)),
        ]

        wsync = Signal()
        with m.If(line_end):
            m.d.sync += wsync.eq(0)
        # A WSYNC written in the line's last CPU cycle does not halt the CPU (as in Stella).
        with m.If(written(WSYNC) & ~line_end):
            m.d.sync += wsync.eq(1)
        m.d.comb += self.rdy.eq(~wsync)

        # --- Plain registers ---------------------------------------------------------------------
        vsync_on, vblank_on = Signal(), Signal()
        input_latch_on = Signal()
        dump_on = Signal()
        nusiz = [Signal(6, name=f"nusiz{i}") for i in range(2)]
        colup = [Signal(7, name=f"colup{i}") for i in range(2)]
        colupf, colubk = Signal(7), Signal(7)
        reflect_pf, score, pf_priority = Signal(), Signal(), Signal()
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

        data = self.data_in
        simple_registers = [
            (VSYNC, vsync_on, data[1]),
            (NUSIZ0, nusiz[0], data[:6]), (NUSIZ1, nusiz[1], data[:6]),
            (COLUP0, colup[0], data[1:]), (COLUP1, colup[1], data[1:]),
            (COLUPF, colupf, data[1:]), (COLUBK, colubk, data[1:]),
            (REFP0, refp[0], data[3]), (REFP1, refp[1], data[3]),
            (PF0, pf0, data[4:]), (PF1, pf1, data), (PF2, pf2, data),
            (AUDC0, audc[0], data[:4]), (AUDC1, audc[1], data[:4]),
            (AUDF0, audf[0], data[:5]), (AUDF1, audf[1], data[:5]),
            (AUDV0, audv[0], data[:4]), (AUDV1, audv[1], data[:4]),
            (ENAM0, enam[0], data[1]), (ENAM1, enam[1], data[1]),
            (ENABL, enabl_new, data[1]),
            (HMP0, hm["p0"], data[4:]), (HMP1, hm["p1"], data[4:]),
            (HMM0, hm["m0"], data[4:]), (HMM1, hm["m1"], data[4:]), (HMBL, hm["bl"], data[4:]),
            (VDELP0, vdelp[0], data[0]), (VDELP1, vdelp[1], data[0]), (VDELBL, vdelbl, data[0]),
            (RESMP0, resmp[0], data[1]), (RESMP1, resmp[1], data[1]),
        ]
        for register, target, value in simple_registers:
            with m.If(written(register)):
                m.d.sync += target.eq(value)
        with m.If(written(VBLANK)):
            m.d.sync += [vblank_on.eq(data[1]), input_latch_on.eq(data[6]), dump_on.eq(data[7])]
        with m.If(written(CTRLPF)):
            m.d.sync += [reflect_pf.eq(data[0]), score.eq(data[1]), pf_priority.eq(data[2]),
                         ball_size.eq(data[4:6])]
        # Writing one player's graphics copies the other player's (and the ball's) into the
        # "old" registers that VDELxx shows.
        with m.If(written(GRP0)):
            m.d.sync += [grp_new[0].eq(late_data), grp_old[1].eq(grp_new[1])]
        with m.If(written(GRP1)):
            m.d.sync += [grp_new[1].eq(late_data), grp_old[0].eq(grp_new[0]),
                         enabl_old.eq(enabl_new)]
        with m.If(written(HMCLR)):
            m.d.sync += [signal.eq(0) for signal in hm.values()]
        m.d.comb += [self.vsync.eq(vsync_on), self.vblank.eq(vblank_on)]

        # --- HMOVE: a movement tick every 4 colour clocks, 16 ticks ------------------------------
        hmove_start = written(HMOVE)
        hmove_running = Signal()
        hmove_step = Signal(4)
        hmove_tick = Signal()
        m.d.comb += hmove_tick.eq(hmove_running & (hcount[:2] == 0))
        with m.If(hmove_tick):
            m.d.sync += hmove_step.eq(hmove_step + 1)
            with m.If(hmove_step == 15):
                m.d.sync += hmove_running.eq(0)
        with m.If(line_end):
            m.d.sync += hmove_blank.eq(0)
        with m.If(hmove_start):
            m.d.sync += [hmove_running.eq(1), hmove_step.eq(0)]
            # Only an HMOVE in the first 20 CPU cycles of a line blanks it (as in Stella).
            with m.If(self.hmove_blanks & (hcount < HMOVE_BLANK_BEFORE)):
                m.d.sync += hmove_blank.eq(1)

        # --- Movable objects -------------------------------------------------------------------
        counters = {}
        for name in ("p0", "p1", "m0", "m1", "bl"):
            counter = counters[name] = MotionCounter()
            m.submodules[f"motion_{name}"] = counter
            m.d.comb += [
                counter.advance.eq(visible),
                counter.hblank.eq(hblank),
                counter.hmove_start.eq(hmove_start),
                counter.hmove_tick.eq(hmove_tick),
                counter.hmove_step.eq(hmove_step),
                counter.motion.eq(hm[name]),
            ]

        def reset_value(start_delay):
            return Mux(next_visible, (-start_delay) % VISIBLE_PIXELS,
                       (-(start_delay + BLANK_RESET_PIXEL)) % VISIBLE_PIXELS)

        for name, register in (("p0", RESP0), ("p1", RESP1), ("bl", RESBL)):
            delay = PLAYER_START_DELAY if name[0] == "p" else OTHER_START_DELAY
            m.d.comb += [counters[name].load.eq(written(register)),
                         counters[name].load_value.eq(reset_value(delay))]
        for i, register in ((0, RESM0), (1, RESM1)):
            missile, player = counters[f"m{i}"], counters[f"p{i}"]
            # RESMPx holds the missile at its player's centre.
            size = nusiz[i][:3]
            offset = Mux(size == DOUBLE_SIZE, MISSILE_TO_PLAYER_OFFSET["double"],
                         Mux(size == QUAD_SIZE, MISSILE_TO_PLAYER_OFFSET["quad"],
                             MISSILE_TO_PLAYER_OFFSET["single"]))
            locked_position = Mux(player.next_position >= offset, player.next_position - offset,
                                  player.next_position + VISIBLE_PIXELS - offset)
            m.d.comb += [
                missile.load.eq(written(register) | resmp[i]),
                missile.load_value.eq(Mux(resmp[i], locked_position,
                                          reset_value(OTHER_START_DELAY))),
            ]

        # Under the HMOVE blank (pixels 0..7 of an HMOVE line) the counters stand still, but
        # objects are drawn (and collide, unseen) where the counters will have got to by pixel 8,
        # as in Stella.
        in_hmove_blank = hmove_blank & (hcount >= HBLANK_CLOCKS) & (hcount < extended_end)
        behind = Signal(4)
        m.d.comb += behind.eq(Mux(in_hmove_blank, extended_end - hcount, 0))
        drawn = {}
        for name, counter in counters.items():
            drawn[name] = Signal(8, name=f"drawn_{name}")
            m.d.comb += drawn[name].eq(
                Mux(counter.position >= behind, counter.position - behind,
                    counter.position + VISIBLE_PIXELS - behind))

        players = [
            self._player_pixel(m, drawn[f"p{i}"], nusiz[i][:3],
                               Mux(vdelp[i], grp_old[i], grp_new[i]), refp[i], f"player{i}")
            for i in range(2)
        ]
        missiles = [
            self._missile_pixel(m, drawn[f"m{i}"], nusiz[i],
                                enam[i] & ~resmp[i], f"missile{i}")
            for i in range(2)
        ]
        ball = Signal()
        ball_enabled = Mux(vdelbl, enabl_old, enabl_new)
        m.d.comb += ball.eq(ball_enabled & (drawn["bl"] < (1 << ball_size)))

        # --- Playfield: 20 bits of 4 pixels per half line --------------------------------------
        pf_pattern = Cat(pf0, *(pf1[7 - i] for i in range(8)), pf2)
        right_half = x >= VISIBLE_PIXELS // 2
        half_x = Mux(right_half, x - VISIBLE_PIXELS // 2, x)
        block = Signal(5)
        m.d.comb += block.eq(Mux(right_half & reflect_pf, 19 - half_x[2:], half_x[2:]))
        playfield = Signal()
        m.d.comb += playfield.eq(pf_pattern.bit_select(block, 1))

        # --- Collisions ---------------------------------------------------------------------------
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
        latches = {}
        for pairs in collision_pairs.values():
            for pair in filter(None, pairs):
                latch = latches[pair] = Signal(name=f"cx_{pair[0]}_{pair[1]}")
                with m.If(in_picture & objects[pair[0]] & objects[pair[1]]):
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
                    bit6 = latches[pair6] if pair6 else Const(0)
                    m.d.comb += self.read_data.eq(Cat(Const(0, 6), bit6, latches[pair7]))
            for register, value in ((INPT0, paddles[0]), (INPT1, paddles[1]),
                                    (INPT2, paddles[2]), (INPT3, paddles[3]),
                                    (INPT4, fire[0]), (INPT5, fire[1])):
                with m.Case(register):
                    m.d.comb += self.read_data.eq(Cat(Const(0, 7), value))

        # --- Colour: priority encoder ---------------------------------------------------------
        score_p0 = playfield & score & ~pf_priority & ~right_half
        score_p1 = playfield & score & ~pf_priority & right_half
        plain_pf = (playfield & ~(score & ~pf_priority)) | ball
        first_p0 = players[0] | missiles[0] | score_p0
        first_p1 = players[1] | missiles[1] | score_p1
        colour = Signal(7)
        with m.If(pf_priority & plain_pf):
            m.d.comb += colour.eq(colupf)
        with m.Elif(first_p0):
            m.d.comb += colour.eq(colup[0])
        with m.Elif(first_p1):
            m.d.comb += colour.eq(colup[1])
        with m.Elif(plain_pf):
            m.d.comb += colour.eq(colupf)
        with m.Else():
            m.d.comb += colour.eq(colubk)
        m.d.comb += self.colour.eq(Mux(hblank | vblank_on, 0, Cat(Const(0, 1), colour)))

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
    def _player_pixel(m, position, size, graphics, reflect, name):
        """Whether a player draws a pixel here: its position counter against NUSIZ's copies."""
        pixel = Signal(name=name)
        index = Signal(3, name=f"{name}_index")
        shown = Signal(name=f"{name}_shown")
        # Double and quad players start one clock later than the 1x copies.
        late = Signal(8, name=f"{name}_late")
        m.d.comb += late.eq(position - 1)
        with m.Switch(size):
            for mode, starts in PLAYER_COPIES.items():
                with m.Case(mode):
                    if mode == DOUBLE_SIZE:
                        m.d.comb += [shown.eq((position >= 1) & (position < 17)),
                                     index.eq(late[1:4])]
                    elif mode == QUAD_SIZE:
                        m.d.comb += [shown.eq((position >= 1) & (position < 33)),
                                     index.eq(late[2:5])]
                    else:
                        hits = [(position >= start) & (position < start + 8) for start in starts]
                        # Copies start at multiples of 8, so the bit is the counter's low bits.
                        m.d.comb += [shown.eq(_any(hits)), index.eq(position[:3])]
        bit = Mux(reflect, graphics.bit_select(index, 1), graphics.bit_select(~index, 1))
        m.d.comb += pixel.eq(shown & bit)
        return pixel

    @staticmethod
    def _missile_pixel(m, position, nusiz, enabled, name):
        """Whether a missile draws a pixel here: its width is NUSIZ bits 5..4, copies as players'."""
        pixel = Signal(name=name)
        width = Signal(4, name=f"{name}_width")
        m.d.comb += width.eq(1 << nusiz[4:6])
        shown = Signal(name=f"{name}_shown")
        with m.Switch(nusiz[:3]):
            for mode, starts in PLAYER_COPIES.items():
                with m.Case(mode):
                    hits = [(position >= start) & (position < start + width) for start in starts]
                    m.d.comb += shown.eq(_any(hits))
        m.d.comb += pixel.eq(enabled & shown)
        return pixel


def _any(conditions):
    """OR of a non-empty list of 1-bit expressions."""
    result = conditions[0]
    for condition in conditions[1:]:
        result = result | condition
    return result
