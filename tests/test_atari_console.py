"""The Atari 2600 top (CPU6502 + TIA + RIOT + cartridge) running a tiny hand-assembled ROM in
Amaranth simulation: RAM, the console switches, WSYNC and a player reset at a known CPU cycle."""
from amaranth.sim import Simulator

from ttsim.designs.atari2600 import tia as T
from ttsim.designs.atari2600.cartridge import SCHEMES
from ttsim.designs.atari2600.console import Atari2600, AtariWithRom

LINE = T.LINE_CLOCKS
STA_ZP, LDA_IMM, LDA_ZP, LDA_ABS, NOP, JMP = 0x85, 0xA9, 0xA5, 0xAD, 0xEA, 0x4C
RAM_BYTE, SWCHB = 0x80, 0x0282
BACKGROUND, P0_COLOUR = 0x1E, 0x44

SETUP = bytes([
    0x78, 0xD8,                    # SEI, CLD
    LDA_IMM, BACKGROUND,
    STA_ZP, RAM_BYTE,              # through RIOT RAM...
    LDA_IMM, 0x00,
    LDA_ZP, RAM_BYTE,
    STA_ZP, T.COLUBK,              # ...into the background colour
    LDA_IMM, P0_COLOUR, STA_ZP, T.COLUP0,
    LDA_IMM, 0xC0, STA_ZP, T.GRP0,
    LDA_ABS, SWCHB & 0xFF, SWCHB >> 8,
    STA_ZP, T.COLUPF,              # the console switches as the playfield colour
    LDA_IMM, 0xF0, STA_ZP, T.PF0,
    STA_ZP, T.WSYNC,
    *[NOP] * 10,                   # 20 cycles: the next write is in cycle 22 of the line
    STA_ZP, T.RESP0,
    STA_ZP, T.WSYNC,
])
SPIN = 0xF000 + len(SETUP)
PROGRAM = SETUP + bytes([JMP, SPIN & 0xFF, SPIN >> 8])   # spin here


def rom():
    image = bytearray([NOP] * 4096)
    image[:len(PROGRAM)] = PROGRAM
    image[0xFFC:0xFFE] = bytes([0x00, 0xF0])      # reset vector: $F000
    return bytes(image)


JUNK = 0xA5


def run_console(lines, switches_n=0x3F, serve_rom=False):
    """The colours of the first `lines` whole lines. With `serve_rom` the testbench plays the host
    of a bare `Atari2600`: it answers `rom_addr` only on `cpu_ce` clocks (junk in between) and checks
    that `rom_addr` holds still between CPU cycles."""
    image = rom()
    dut = Atari2600() if serve_rom else AtariWithRom(image)
    frame = []

    async def bench(ctx):
        ctx.set(dut.switches_n, switches_n)
        if serve_rom:
            ctx.set(dut.scheme, SCHEMES.index("4K"))
        row = []
        previous_addr = previous_ce = None
        # Collect whole lines, aligned on the TIA's own line counter.
        while len(frame) < lines:
            if serve_rom:
                rom_addr, cpu_ce = ctx.get(dut.rom_addr), ctx.get(dut.cpu_ce)
                if previous_ce == 0:
                    assert rom_addr == previous_addr
                ctx.set(dut.rom_data, image[rom_addr] if cpu_ce else JUNK)
                previous_addr, previous_ce = rom_addr, cpu_ce
            row.append(ctx.get(dut.colour))
            if ctx.get(dut.hcount) == LINE - 1:
                frame.append(row)
                row = []
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return frame


def test_tiny_rom_draws_background_playfield_and_positioned_player():
    frame = run_console(lines=3)
    last = frame[-1][T.HBLANK_CLOCKS:]
    # RESP0 written in CPU cycle 22 (colour clocks 66..68, taking effect at pixel 1): player at 6.
    assert [x for x, colour in enumerate(last) if colour == P0_COLOUR] == [6, 7]
    # PF0 = $F0 lights pixels 0..15 and 80..95 in the SWCHB colour (0x3F with bit 0 dropped).
    assert last[80:96] == [0x3E] * 16 and last[96] == BACKGROUND
    assert last[100:160] == [BACKGROUND] * 60


def test_rom_served_on_cpu_cycles_draws_the_same():
    assert run_console(lines=3, serve_rom=True) == run_console(lines=3)
