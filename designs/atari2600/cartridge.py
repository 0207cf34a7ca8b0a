"""Atari 2600 cartridges: bank switching, and detecting a ROM's bank-switching scheme.

The cartridge sees the CPU's 13 address lines (A12 high selects it) and every bus cycle, because
bank switching happens on accesses to "hotspot" addresses whatever the data, and the FE scheme
watches the stack and the data bus.

Schemes: 2K and 4K (no switching); F8 (8K: $1FF8/$1FF9 select 4K bank 0/1), F6 (16K: $1FF6..$1FF9),
F8SC and F6SC (the same plus 128 bytes of Superchip RAM, written at $1000-$107F and read at
$1080-$10FF), E0 (8K in 1K slices: $1FE0-$1FE7, $1FE8-$1FEF and $1FF0-$1FF7 select the slice shown
at $1000, $1400 and $1800; $1C00 always shows the last slice), FE (8K: after an access to $01FE,
bit 5 of the next byte on the data bus selects the bank, 1 = bank 0), DPC (Pitfall II: 8K of
program switched as F8, and the DPC chip's data fetchers, random numbers and music at $1000-$107F,
reading 2K of display data that follows the program in the image: see `dpc.py`).

The ROM image is not part of the circuit: the cartridge says which byte of the image it wants
(`rom_addr`) and takes that byte back (`rom_data`), so the image can come from a memory, a host
program or a QSPI flash.
"""
from amaranth.hdl import Cat, ClockDomain, DomainRenamer, Module, Mux, Signal
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from ttsim.errors import TtsimError

from .dpc import PROGRAM_BYTES, DataFetchers
from .pacer import ClockGate

SCHEMES = ("2K", "4K", "F8", "F6", "F8SC", "F6SC", "E0", "FE", "DPC")
SCHEME_BITS = 4
ROM_ADDRESS_BITS = 15
BANK_BYTES = 4096
SUPERCHIP_BYTES = 128
# Pitfall II: 8K of program, 2K of display data, and (in most dumps) 255 more bytes that no
# emulator reads (Stella's DPC only keeps them to hand the image back).
DPC_SIZES = (8192 + 2048, 8192 + 2048 + 255)

# Byte sequences (instructions touching the hotspots) that mark E0 and FE programs.
E0_SIGNATURES = (
    b"\x8d\xe0\x1f", b"\x8d\xe0\x5f", b"\x8d\xe9\xff", b"\x0c\xe0\x1f",
    b"\xad\xe0\x1f", b"\xad\xe9\xff", b"\xad\xed\xff", b"\xad\xf3\xbf",
)
FE_SIGNATURES = (
    b"\x20\x00\xd0\xc6\xc5", b"\x20\xc3\xf8\xa5\x82", b"\xd0\xfb\x20\x73\xfe",
    b"\x20\x00\xf0\x84\xd6",
)

# The bank each scheme starts in (as Stella starts them).
START_BANK = {"F8": 1, "F8SC": 1, "DPC": 1, "F6": 0, "F6SC": 0, "FE": 0}
E0_START_SLICES = (4, 5, 6)
FE_HOTSPOT = 0x01FE


def has_superchip(rom: bytes) -> bool:
    """A Superchip ROM leaves the RAM's two 128-byte windows of every 4K bank identical."""
    banks = [rom[start:start + BANK_BYTES] for start in range(0, len(rom), BANK_BYTES)]
    return all(bank[:SUPERCHIP_BYTES] == bank[SUPERCHIP_BYTES:2 * SUPERCHIP_BYTES]
               for bank in banks)


def detect_scheme(rom: bytes) -> str:
    """The bank-switching scheme of a ROM image, decided from its size and contents."""
    size = len(rom)
    if size == 0:
        raise TtsimError("the ROM is empty")
    if size == 2048:
        return "2K"
    if size == 4096:
        return "4K"
    if size == 8192:
        if has_superchip(rom):
            return "F8SC"
        if any(signature in rom for signature in E0_SIGNATURES):
            return "E0"
        if any(signature in rom for signature in FE_SIGNATURES):
            return "FE"
        return "F8"
    if size in DPC_SIZES:
        return "DPC"
    if size == 16384:
        return "F6SC" if has_superchip(rom) else "F6"
    raise TtsimError(f"a ROM of {size} bytes fits no supported cartridge scheme "
                     "(2K, 4K, 8K, 16K, or 10K for DPC)")


def check_rom(rom: bytes, scheme: str | None = None) -> str:
    """The scheme to run `rom` with (detected unless given); TtsimError if it cannot be run."""
    scheme = scheme or detect_scheme(rom)
    if scheme not in SCHEMES:
        raise TtsimError(f"unknown cartridge scheme {scheme!r}; known: " + ", ".join(SCHEMES))
    if scheme == "DPC":
        if len(rom) not in DPC_SIZES:
            raise TtsimError(f"a DPC cartridge needs {DPC_SIZES[0]} or {DPC_SIZES[1]} bytes of "
                             f"ROM, not {len(rom)}")
        return scheme
    expected = {"2K": 2048, "4K": 4096, "F6": 16384, "F6SC": 16384}.get(scheme, 8192)
    if len(rom) != expected:
        raise TtsimError(f"a {scheme} cartridge needs {expected} bytes of ROM, not {len(rom)}")
    return scheme


class Cartridge(wiring.Component):
    """A cartridge's bank switching (and Superchip RAM); the ROM image itself lives outside.

    One circuit serves every scheme: `scheme` (an index into `SCHEMES`, chosen by the host with
    `detect_scheme`) says how to map addresses, so a single compiled model runs any cartridge.

    addr: the CPU address A12..A0.
    access: a CPU bus cycle ends on this clock (hotspots and RAM act only then).
    write: that cycle is a write.
    data_bus: the byte on the data bus in that cycle (written data, or whatever was read).
    sync: that cycle is an opcode fetch (DPC's music oscillator starts with the first one).
    rdy: 0 = the CPU is held in that read cycle (WSYNC) and repeats it (DPC acts only on the last
        repetition, see `dpc.DataFetchers`).
    scheme: the bank-switching scheme, an index into `SCHEMES` (held for the whole run).
    rom_addr: the byte offset into the ROM image that `addr` maps to in the current banks.
    rom_data: the ROM image's byte at `rom_addr` (supplied by whoever holds the image).
    read_data: the cartridge's byte at `addr` (meaningful while A12 is high): `rom_data`, or
        Superchip RAM in its read window, or a DPC register.

    `superchip=False` leaves out the 128 bytes of Superchip RAM (F8SC and F6SC then read as F8/F6);
    `dpc=False` leaves out the DPC chip (a DPC image then runs as F8: wrong, so a host that builds
    this variant must not give it Pitfall II; on a real console the chip is in the cartridge too);
    `dpc_music=False` leaves out DPC's music mode (see `dpc.DataFetchers`), for the TT chip.
    """

    addr: In(13)
    access: In(1)
    write: In(1)
    data_bus: In(8)
    sync: In(1)
    rdy: In(1, init=1)
    scheme: In(SCHEME_BITS)
    rom_addr: Out(ROM_ADDRESS_BITS)
    rom_data: In(8)
    read_data: Out(8)

    def __init__(self, superchip: bool = True, dpc: bool = True, dpc_music: bool = True):
        self.superchip = superchip
        self.dpc = dpc
        self.dpc_music = dpc_music
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        offset = self.addr[:12]
        selected = self.addr[12]
        touched = self.access & selected
        is_scheme = {name: self.scheme == index for index, name in enumerate(SCHEMES)}
        # DPC switches its program banks as F8 does.
        f8_family = is_scheme["F8"] | is_scheme["F8SC"] | is_scheme["DPC"]
        f6_family = is_scheme["F6"] | is_scheme["F6SC"]

        # Bank registers hold the bank XOR the scheme's start bank, so their reset value (zero)
        # is the start bank of whichever scheme the host drives.
        f8_start = Mux(f8_family, START_BANK["F8"], START_BANK["F6"])
        bank_stored = Signal(2)
        bank = bank_stored ^ f8_start
        with m.If(touched & f8_family & (offset >= 0xFF8) & (offset <= 0xFF9)):
            m.d.sync += bank_stored.eq((offset - 0xFF8)[:2] ^ START_BANK["F8"])
        with m.If(touched & f6_family & (offset >= 0xFF6) & (offset <= 0xFF9)):
            m.d.sync += bank_stored.eq((offset - 0xFF6)[:2] ^ START_BANK["F6"])

        slices = []
        for segment, start in enumerate(E0_START_SLICES):
            stored = Signal(3, name=f"e0_slice{segment}_stored")
            slices.append(stored ^ start)
            first = 0xFE0 + 8 * segment
            with m.If(touched & is_scheme["E0"] & (offset >= first) & (offset < first + 8)):
                m.d.sync += stored.eq(offset[:3] ^ start)
        segment = offset[10:12]
        e0_slice = Mux(segment == 3, 7,
                       Mux(segment == 2, slices[2], Mux(segment == 1, slices[1], slices[0])))

        fe_bank_stored = Signal()
        after_fe_hotspot = Signal()
        with m.If(self.access & is_scheme["FE"]):
            m.d.sync += after_fe_hotspot.eq(self.addr == FE_HOTSPOT)
            with m.If(after_fe_hotspot):
                m.d.sync += fe_bank_stored.eq(~self.data_bus[5] ^ START_BANK["FE"])
        fe_bank = fe_bank_stored ^ START_BANK["FE"]

        fetchers = self._dpc(m, offset, selected, is_scheme["DPC"]) if self.dpc else None

        with m.If(is_scheme["2K"]):
            m.d.comb += self.rom_addr.eq(offset[:11])
        if fetchers is not None:
            with m.Elif(fetchers.display):
                m.d.comb += self.rom_addr.eq(PROGRAM_BYTES + fetchers.display_addr)
        with m.Elif(f8_family):
            m.d.comb += self.rom_addr.eq(Cat(offset, bank[0]))
        with m.Elif(f6_family):
            m.d.comb += self.rom_addr.eq(Cat(offset, bank))
        with m.Elif(is_scheme["E0"]):
            m.d.comb += self.rom_addr.eq(Cat(offset[:10], e0_slice))
        with m.Elif(is_scheme["FE"]):
            m.d.comb += self.rom_addr.eq(Cat(offset, fe_bank))
        with m.Else():
            m.d.comb += self.rom_addr.eq(offset)

        if fetchers is None:
            m.d.comb += self.read_data.eq(self.rom_data)
        else:
            m.d.comb += self.read_data.eq(Mux(fetchers.own_read, fetchers.read_data, self.rom_data))
        if self.superchip:
            self._superchip(m, offset, selected, is_scheme["F8SC"] | is_scheme["F6SC"])
        return m

    def _dpc(self, m, offset, selected, enabled):
        """The DPC chip's data fetchers, acting while `enabled` (the scheme is DPC)."""
        dpc = DataFetchers(music=self.dpc_music)
        if self.dpc_music:
            # The DPC's registers change only at the end of a DPC cartridge's bus cycles: on a
            # clock gated to those, Verilator leaves much of their logic alone the rest of the
            # time (the fast path's native top runs about 17% faster). The chip's smaller DPC
            # stays on the core clock: the gate would cost it more area than it has.
            m.domains.dpc = ClockDomain(local=True)
            m.submodules.dpc_clock = dpc_clock = ClockGate("dpc")
            m.d.comb += dpc_clock.enable.eq(self.access & enabled)
            dpc = DomainRenamer("dpc")(dpc)
        m.submodules.dpc = dpc
        m.d.comb += [
            dpc.offset.eq(offset),
            dpc.selected.eq(selected),
            dpc.access.eq(self.access),
            dpc.write.eq(self.write),
            dpc.data_in.eq(self.data_bus),
            dpc.sync.eq(self.sync),
            dpc.rdy.eq(self.rdy),
            dpc.enable.eq(enabled),
            dpc.rom_data.eq(self.rom_data),
        ]
        return dpc

    def _superchip(self, m, offset, selected, enabled):
        """128 bytes of RAM: the write port at offsets 0x000-0x07F, the read port at 0x080-0x0FF."""
        m.submodules.ram = ram = memory.Memory(shape=8, depth=SUPERCHIP_BYTES, init=[])
        ram_read = ram.read_port(domain="comb")
        ram_write = ram.write_port()
        in_write_port = offset < SUPERCHIP_BYTES
        in_read_port = (offset >= SUPERCHIP_BYTES) & (offset < 2 * SUPERCHIP_BYTES)
        m.d.comb += [
            ram_read.addr.eq(offset[:7]),
            ram_write.addr.eq(offset[:7]),
            ram_write.data.eq(self.data_bus),
            ram_write.en.eq(enabled & self.access & self.write & selected & in_write_port),
        ]
        with m.If(enabled & in_read_port):
            m.d.comb += self.read_data.eq(ram_read.data)
