"""The DPC chip of Pitfall II: eight data fetchers, a random number generator and three voices.

The rules are those of the Stella inside ale-py (CartDPC.cxx), which this follows, quirks
included (one exception, in the music, below). Cartridge offsets (A11..A0; A12 selects the
cartridge):

    reads  $000-$03F  function = offset bits 5..3, fetcher = bits 2..0:
                      0: fetchers 0-3 the random number, 4-7 the music amplitude;
                      1: display data; 2: display data AND the flag; 7: the flag (0 or $FF);
                      3-6: 0. Every read first updates the fetcher's flag (its counter's low byte
                      equal to its top: $FF, else equal to its bottom: 0), then counts the
                      counter down by one (11 bits), except a fetcher 5-7 in music mode.
    writes $040-$07F  function = offset bits 5..3: 0 top (and the flag cleared), 1 bottom,
                      2 counter low (in music mode the top instead of the byte), 3 counter high
                      (bits 2..0; for fetchers 5-7 bit 4 is music mode), 6 random number reset.

Display data sits in the image after the 8K program: fetcher counter c reads image byte
8192 + 2047 - c. The random number (8 bits, reset to 1) shifts left once per cartridge access
that reaches Stella's DPC device: every write to the cartridge and every read of $000-$07F and of
the hotspot page $FC0-$FFF (Stella maps the rest of the program ROM directly), and it shifts in the
XNOR of its bits 7, 5, 4 and 3. A read that WSYNC holds (the CPU repeats it) acts once, as
Stella's CPU reads once after the wait. After reset: bank 1, all registers 0, random number 1, no
music mode (Stella's power-on state; it sets no register at random).

Music: an oscillator clocks the music-mode fetchers 15750 times per 1193191.66666667 CPU cycles
(Stella's constants), which is 1890 clocks per 143183 cycles exactly, counted here in integers
from the first instruction on. Stella sums the same ratio in floating point; its whole clocks
agree with the integer count except when the exact count is a whole number, where its rounding
can move one clock to the next music read (tests/test_atari_dpc.py checks this). As in
Stella they are brought up to date only by music reads (function 0, fetchers 4-7): a music read
takes the W oscillator clocks since the last one and moves each music-mode fetcher with a nonzero
top from low byte L to L - (W mod (top + 1)) (plus top + 1 if that is negative; a zero top gives
0), then sets its flag to 0 if that is at most its bottom, else to $FF if at most its top. With
no clock since the last music read nothing changes. The amplitude is a table lookup of the three
music flags. The circuit keeps, per voice, W modulo (top + 1) as the clocks come, so it needs no
divider; a write to a voice's top restarts that count at W (0 for a zero top). This equals
Stella's rule except after a top write while more clocks were pending than the new top (and not
zero) or than 63: Pitfall II writes tops with 1 or 2 clocks pending (or with a zero top).
"""
from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

FETCHERS = 8
MUSIC_FETCHERS = (5, 6, 7)
COUNTER_BITS = 11
PROGRAM_BYTES = 8192
DISPLAY_BYTES = 2048
# Oscillator clocks per CPU cycle: Stella's 15750 / 1193191.66666667 is 15750 * 3 / 3579575,
# which reduces to this ratio.
OSC_CLOCKS, OSC_CYCLES = 1890, 143183
# The amplitude a music read returns, by the flags of fetchers 7, 6, 5 (bit 2..0).
MUSIC_AMPLITUDES = (0x00, 0x04, 0x05, 0x09, 0x06, 0x0A, 0x0B, 0x0F)
RANDOM_RESET = 1
# Pending oscillator clocks are counted up to 2 ** PENDING_BITS - 1 (see `DataFetchers._music`).
PENDING_BITS = 6


class Function:
    """Values of offset bits 5..3."""
    RANDOM_OR_MUSIC, DISPLAY, DISPLAY_AND_FLAG, FLAG = 0, 1, 2, 7  # reads of $000-$03F
    TOP, BOTTOM, COUNTER_LOW, COUNTER_HIGH, RANDOM_RESET = 0, 1, 2, 3, 6  # writes of $040-$07F


def next_random(value):
    """The random number after one shift: in comes the XNOR of bits 7, 5, 4 and 3."""
    return Cat(~(value[7] ^ value[5] ^ value[4] ^ value[3]), value[:7])


class DataFetchers(wiring.Component):
    """The DPC's registers and what a cartridge access does to them.

    offset: the CPU address A11..A0; selected: A12 (the cartridge is addressed).
    access: a CPU bus cycle ends on this clock; write: it is a write; data_in: the byte written.
    rdy: 0 = the CPU is held in this read cycle (WSYNC) and will repeat it: Stella's CPU reads
        once, after the wait, so only the last repetition acts on the registers (the oscillator
        counts every cycle, as Stella's system clock does).
    sync: the cycle is an opcode fetch (the oscillator counts from the first one on).
    enable: the cartridge is a DPC one (otherwise nothing changes and `own_read` stays low).
    display: the cycle reads display data; display_addr: the byte of the 2K display data it reads
        (valid from the clock after `access` until the next `access`, like the address).
    rom_data: the image byte the cartridge fetched for this cycle.
    own_read: the read's byte is `read_data` (offsets $000-$03F), not the program ROM's.

    `music=False` leaves out music mode (for the TT chip, where it does not fit): fetchers 5-7
    are plain fetchers, and music reads return 0, the amplitude with no voice in music mode.
    """

    offset: In(12)
    selected: In(1)
    access: In(1)
    write: In(1)
    data_in: In(8)
    rdy: In(1, init=1)
    sync: In(1)
    enable: In(1)
    display: Out(1)
    display_addr: Out(11)
    rom_data: In(8)
    own_read: Out(1)
    read_data: Out(8)

    def __init__(self, music: bool = True):
        self.music = music
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        tops = [Signal(8, name=f"top{i}") for i in range(FETCHERS)]
        bottoms = [Signal(8, name=f"bottom{i}") for i in range(FETCHERS)]
        counters = [Signal(COUNTER_BITS, name=f"counter{i}") for i in range(FETCHERS)]
        flags = [Signal(name=f"flag{i}") for i in range(FETCHERS)]
        # Without music, no fetcher is ever in music mode.
        music_mode = [Const(0)] * FETCHERS
        if self.music:
            music_mode[MUSIC_FETCHERS[0]:] = [Signal(name=f"music{i}") for i in MUSIC_FETCHERS]
        random = Signal(8, init=RANDOM_RESET)

        index = self.offset[:3]
        function = self.offset[3:6]
        in_registers = self.selected & (self.offset < 0x040)
        in_write_registers = (self.offset >= 0x040) & (self.offset < 0x080)
        done = self.access & self.enable
        acts = done & (self.rdy | self.write)
        read_done = acts & in_registers & ~self.write
        written = acts & self.selected & self.write & in_write_registers
        music_read = read_done & (function == Function.RANDOM_OR_MUSIC) & index[2]

        # The addressed fetcher's registers, and its flag as the read sees it: first compared
        # with the counter's low byte.
        top, bottom = Signal(8), Signal(8)
        counter, flag, in_music = Signal(COUNTER_BITS), Signal(), Signal()
        m.d.comb += [top.eq(Array(tops)[index]), bottom.eq(Array(bottoms)[index]),
                     counter.eq(Array(counters)[index]), flag.eq(Array(flags)[index]),
                     in_music.eq(Array(music_mode)[index])]
        flag_seen = Signal()
        m.d.comb += flag_seen.eq(Mux(counter[:8] == top, 1,
                                     Mux(counter[:8] == bottom, 0, flag)))
        counted_down = (counter - 1)[:COUNTER_BITS]

        for i in range(FETCHERS):
            addressed = index == i
            with m.If(read_done & addressed):
                # Its flag updated, then counted down unless it is a music voice (the music
                # update below comes after the flag update and overrides it).
                m.d.sync += flags[i].eq(flag_seen)
                with m.If(~in_music):
                    m.d.sync += counters[i].eq(counted_down)
            with m.If(written & addressed):
                with m.Switch(function):
                    with m.Case(Function.TOP):
                        m.d.sync += [tops[i].eq(self.data_in), flags[i].eq(0)]
                    with m.Case(Function.BOTTOM):
                        m.d.sync += bottoms[i].eq(self.data_in)
                    with m.Case(Function.COUNTER_LOW):
                        m.d.sync += counters[i][:8].eq(Mux(music_mode[i], tops[i], self.data_in))
                    with m.Case(Function.COUNTER_HIGH):
                        m.d.sync += counters[i][8:].eq(self.data_in[:3])
                        if self.music and i in MUSIC_FETCHERS:
                            m.d.sync += music_mode[i].eq(self.data_in[4])

        # The voices' flags as a music read starts from them (the addressed one updated first).
        flags_seen = [Mux(index == i, flag_seen, flags[i]) for i in MUSIC_FETCHERS]
        if self.music:
            top_written = written & (function == Function.TOP)
            flags_seen = self._music(m, tops, bottoms, counters, flags, music_mode, flags_seen,
                                     index, done, music_read, top_written)
        voice_flags = [music_mode[i] & seen for i, seen in zip(MUSIC_FETCHERS, flags_seen)]

        # The random number shifts on every access that reaches Stella's device; a reset write
        # comes after its shift.
        shifted = next_random(random)
        reaches_device = self.selected & (self.write | (self.offset < 0x080)
                                          | (self.offset >= 0xFC0))
        with m.If(acts & reaches_device):
            m.d.sync += random.eq(shifted)
            with m.If(written & (function == Function.RANDOM_RESET)):
                m.d.sync += random.eq(RANDOM_RESET)

        amplitude = Array(Const(value, 8) for value in MUSIC_AMPLITUDES)[Cat(*voice_flags)]
        with m.Switch(function):
            with m.Case(Function.RANDOM_OR_MUSIC):
                m.d.comb += self.read_data.eq(Mux(index[2], amplitude, shifted))
            with m.Case(Function.DISPLAY):
                m.d.comb += self.read_data.eq(self.rom_data)
            with m.Case(Function.DISPLAY_AND_FLAG):
                m.d.comb += self.read_data.eq(self.rom_data & flag_seen.replicate(8))
            with m.Case(Function.FLAG):
                m.d.comb += self.read_data.eq(flag_seen.replicate(8))
        m.d.comb += [
            self.own_read.eq(self.enable & in_registers),
            self.display.eq(self.enable & in_registers
                            & ((function == Function.DISPLAY)
                               | (function == Function.DISPLAY_AND_FLAG))),
            self.display_addr.eq(~counter),
        ]
        return m

    def _music(self, m, tops, bottoms, counters, flags, music_mode, flags_seen, index, done,
               music_read, top_written):
        """The oscillator and the music read's update of the voices; returns the voices' flags
        as a music read leaves them."""
        # `phase` already holds this cycle's share, so a music read sees the clock its own cycle
        # completes, as Stella counts the cycle before the access.
        counting = Signal()
        phase = Signal(range(OSC_CYCLES + OSC_CLOCKS), init=OSC_CLOCKS)
        clock_now = (counting | self.sync) & (phase >= OSC_CYCLES)
        with m.If(done & (counting | self.sync)):
            m.d.sync += [counting.eq(1),
                         phase.eq(Mux(phase >= OSC_CYCLES, phase - OSC_CYCLES, phase) + OSC_CLOCKS)]
        # Clocks since the last music read (saturating), for a write to a voice's top.
        pending = Signal(PENDING_BITS)
        pending_now = Mux(clock_now & (pending != 2 ** PENDING_BITS - 1), pending + 1, pending)
        with m.If(done):
            m.d.sync += pending.eq(pending_now)
        with m.If(music_read):
            m.d.sync += pending.eq(0)

        after = []
        for voice, i in enumerate(MUSIC_FETCHERS):
            top, bottom, low = tops[i], bottoms[i], counters[i][:8]
            # Clocks since the last music read, modulo top + 1 (what Stella's rule subtracts).
            step = Signal(8, name=f"voice{voice}_step")
            step_now = Mux(clock_now, Mux(step >= top, 0, step + 1), step)
            with m.If(done & clock_now):
                m.d.sync += step.eq(step_now)
            with m.If(music_read):
                m.d.sync += step.eq(0)
            with m.If(top_written & (index == i)):
                # The clocks pending now, modulo the new top + 1 (exact while they are fewer).
                m.d.sync += step.eq(Mux(self.data_in == 0, 0, pending_now))

            difference = low - step_now
            wrapped = Mux(difference[8], difference + top + 1, difference)[:8]
            new_low = Mux(top == 0, 0, wrapped)
            flag_after = Mux(new_low <= bottom, 0, Mux(new_low <= top, 1, flags_seen[voice]))
            moves = music_mode[i] & (pending_now != 0)
            with m.If(music_read & moves):
                m.d.sync += [low.eq(new_low), flags[i].eq(flag_after)]
            after.append(Mux(moves, flag_after, flags_seen[voice]))
        return after
