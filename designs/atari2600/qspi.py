"""The cartridge image in a QSPI flash: the TT QSPI PMOD's CS0 flash (a W25Q128JV, its QE bit set
as sold).

Flash layout (`flash_image` builds it): byte 0 is the cartridge's bank-switching scheme (an index
into `cartridge.SCHEMES`, read once after reset); the cartridge image starts at `ROM_BASE`.

Reads use Fast Read Quad I/O (EBh) in continuous-read mode, SPI mode 0 with SCK at half the clock
(12.6 MHz). After reset the reader first ends a continuous read the flash may still be in (8 SCK
cycles with all lines high), then sends the EBh command on SD0, once; each transaction sends the
24-bit address and the mode byte 20h (which keeps the flash in continuous mode, so later
transactions start straight with the address) on all four lines, then 4 dummy cycles, then data,
two cycles per byte, for as long as SCK runs. The data pins are registered before use, and a
nibble is taken at the falling SCK edge after the rising one. A random read therefore takes 29
clocks (CS high for one, 14 SCK cycles), more than the 21 clocks of a CPU cycle, while the next
byte of an open transaction takes 4: the reader keeps the last byte it read and the one after it,
streams ahead, and only closes the transaction when the CPU reads somewhere else. The core waits
(see `pacer.py`) for a byte that is not there yet.
"""
import enum

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .cartridge import ROM_ADDRESS_BITS, SCHEME_BITS, SCHEMES, check_rom

QUAD_IO_READ = 0xEB
CONTINUOUS_MODE = 0x20  # mode bits M5..M4 = 10: the next transaction has no command
DUMMY_CYCLES = 4
HEADER_ADDRESS = 0
ROM_BASE = 1 << ROM_ADDRESS_BITS  # 0x8000: after the header, aligned for the ROM's 15 bits
FLASH_ADDRESS_BITS = 24
ERASED = 0xFF


def flash_image(rom: bytes, scheme: str | None = None) -> bytes:
    """The flash contents that make the TT top run `rom` (its scheme detected unless given)."""
    scheme = check_rom(rom, scheme)
    header = bytes([SCHEMES.index(scheme)])
    return header + bytes([ERASED]) * (ROM_BASE - len(header)) + bytes(rom)


class Phase(enum.Enum):
    CLOSE = 0       # CS high for one clock; the next clock opens a transaction at `stream`
    MODE_RESET = 1  # once after reset: 8 cycles with all four lines high
    COMMAND = 2     # EBh on SD0, once after reset
    ADDRESS = 3     # 24 address bits and the mode byte, 4 bits per SCK cycle
    DUMMY = 4
    DATA = 5        # a nibble per SCK cycle, SCK held low while both bytes are in


class QspiRom(wiring.Component):
    """Serves cartridge bytes to the core from the flash.

    addr: the byte of the cartridge image the core reads; want: it needs that byte this cycle.
    ready: `data` is the byte at `addr` (only while `want`).
    scheme: the bank-switching scheme from the flash header; configured: it has been read (the
        core must wait until then).
    cs_n, sck, sd_out, sd_oe, sd_in: the flash pins; data line i is SDi (sd_oe 1 = driven); sd_in
        goes through a flip-flop first.
    """

    addr: In(ROM_ADDRESS_BITS)
    want: In(1)
    ready: Out(1)
    data: Out(8)
    scheme: Out(SCHEME_BITS)
    configured: Out(1)

    cs_n: Out(1, init=1)
    sck: Out(1)
    sd_out: Out(4)
    sd_oe: Out(4)
    sd_in: In(4)

    def elaborate(self, platform):
        m = Module()
        phase = Signal(Phase)
        need_mode_reset, need_command = Signal(init=1), Signal(init=1)
        count = Signal(range(8))
        shift = Signal(32)
        high_nibble, second_nibble = Signal(4), Signal()
        # The data pins go straight into a flip-flop, sampled at every edge: no logic between the
        # chip's inputs and its registers (which also keeps the fast path quick).
        pins = Signal(4)
        m.d.sync += pins.eq(self.sd_in)

        # The window: the byte at `base` and the one after it, each valid once read. The flash
        # delivers `base` first, then `base + 1`; a request outside the window restarts it.
        base = Signal(ROM_ADDRESS_BITS + 1, init=HEADER_ADDRESS)
        first, first_valid = Signal(8), Signal()
        second, second_valid = Signal(8), Signal()
        request = Cat(self.addr, Const(1, 1))  # ROM_BASE + addr
        is_first = base == request
        is_second = (base + 1)[:len(base)] == request
        active = self.want & self.configured
        m.d.comb += [
            self.ready.eq(active & ((is_first & first_valid) | (is_second & second_valid))),
            self.data.eq(Mux(is_first, first, second)),
        ]
        with m.If(active & is_second & second_valid):
            m.d.sync += [base.eq(request), first.eq(second), second_valid.eq(0)]
        with m.If(first_valid & ~self.configured):
            m.d.sync += [self.scheme.eq(first), self.configured.eq(1)]

        stream = Mux(first_valid, (base + 1)[:len(base)], base)  # the next byte the flash sends
        address_and_mode = Cat(Const(CONTINUOUS_MODE, 8), stream,
                               Const(0, FLASH_ADDRESS_BITS - len(base)))

        def next_sck_cycle(next_phase, next_count, next_shift, step):
            """On a falling SCK edge: the next cycle of this phase, or the first of the next."""
            with m.If(self.sck):
                m.d.sync += self.sck.eq(0)
                with m.If(count == 0):
                    m.d.sync += [phase.eq(next_phase), count.eq(next_count), shift.eq(next_shift)]
                with m.Else():
                    m.d.sync += [count.eq(count - 1), shift.eq(shift << step)]
            with m.Else():
                m.d.sync += self.sck.eq(1)

        with m.Switch(phase):
            with m.Case(Phase.CLOSE):
                m.d.sync += self.cs_n.eq(0)
                with m.If(need_mode_reset):
                    m.d.sync += [phase.eq(Phase.MODE_RESET), count.eq(7)]
                with m.Elif(need_command):
                    m.d.sync += [phase.eq(Phase.COMMAND), count.eq(7),
                                 shift.eq(QUAD_IO_READ << 24)]
                with m.Else():
                    m.d.sync += [phase.eq(Phase.ADDRESS), count.eq(7), shift.eq(address_and_mode)]
            with m.Case(Phase.MODE_RESET):
                # A flash left in continuous mode (the chip was reset, the flash was not) takes
                # this as an address and the mode byte FFh, which ends continuous mode; one that
                # is not takes it as the command FFh, which it ignores.
                m.d.comb += [self.sd_out.eq(0b1111), self.sd_oe.eq(0b1111)]
                next_sck_cycle(Phase.CLOSE, 0, 0, 0)
                with m.If(self.sck & (count == 0)):
                    m.d.sync += [self.cs_n.eq(1), need_mode_reset.eq(0)]
            with m.Case(Phase.COMMAND):
                # SD2 and SD3 are WP# and HOLD# until the quad phases: keep them high.
                m.d.comb += [self.sd_out.eq(Cat(shift[31], 0, 1, 1)), self.sd_oe.eq(0b1101)]
                next_sck_cycle(Phase.ADDRESS, 7, address_and_mode, 1)
            with m.Case(Phase.ADDRESS):
                m.d.comb += [self.sd_out.eq(shift[28:]), self.sd_oe.eq(0b1111)]
                next_sck_cycle(Phase.DUMMY, DUMMY_CYCLES - 1, 0, 4)
            with m.Case(Phase.DUMMY):
                next_sck_cycle(Phase.DATA, 0, 0, 0)
                m.d.sync += need_command.eq(0)
            with m.Case(Phase.DATA):
                with m.If(self.sck):
                    # Falling edge: take the nibble the pins held at the rising one (the flash
                    # changes them only after this edge).
                    m.d.sync += [self.sck.eq(0), second_nibble.eq(~second_nibble)]
                    with m.If(~second_nibble):
                        m.d.sync += high_nibble.eq(pins)
                    with m.Elif(~first_valid):
                        m.d.sync += [first.eq(Cat(pins, high_nibble)), first_valid.eq(1)]
                    with m.Else():
                        m.d.sync += [second.eq(Cat(pins, high_nibble)), second_valid.eq(1)]
                with m.Elif(~first_valid | ~second_valid):
                    m.d.sync += self.sck.eq(1)

        with m.If(active & ~is_first & ~is_second):
            m.d.sync += [phase.eq(Phase.CLOSE), self.cs_n.eq(1), self.sck.eq(0),
                         second_nibble.eq(0), base.eq(request), first_valid.eq(0),
                         second_valid.eq(0)]
        return m
