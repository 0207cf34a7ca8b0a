"""cocotb tests of tt_um_ttsim_atari2600: a cartridge in a QSPI flash model, the VGA timing, and
the picture on the VGA pins compared with the native core's for the same cartridge."""
import os

import cocotb
from cocotb.triggers import FallingEdge

from ttsim.designs.atari2600 import qspi, vga
from ttsim.tb.tt import reset, start

from .flash import QspiFlash
from .picture import VgaCapture, expected_row, native_lines, stripes_rom

# Gate-level simulation (the TT flow's `make GATES=yes`) runs about 100 times slower: only the
# short test runs there.
GATE_LEVEL = os.environ.get("GATES") == "yes"
BOOT_CLOCKS = 4 * vga.H_TOTAL
# Up to the first ROWS rows of the first frame: the game's VSYNC at reset, the VGA beam's jump to
# line 481 at the next line pair, its vertical sync at line 490, then 35 lines to row 0.
ROWS = 8
CLOCKS_TO_ROWS = (2 * 2 + 9 + 35 + ROWS + 1) * vga.H_TOTAL
# Through the first frame's rows to the second frame's vertical sync pulse (Verilator only).
GAME_LINES = 262
CLOCKS_TO_SECOND_VSYNC = (2 * 2 + 9 + 2 * GAME_LINES + vga.V_SYNC + 1) * vga.H_TOTAL

async def run_cartridge(dut, rom: bytes, clocks: int) -> tuple[VgaCapture, QspiFlash]:
    """Resets the design with `rom` in the flash and samples uo_out for `clocks` clocks."""
    flash = QspiFlash(dut, qspi.flash_image(rom))
    await start(dut)
    # After reset: a gate-level netlist's pins are unknown until then.
    flash.start()
    samples = []
    for _ in range(clocks):
        await FallingEdge(dut.clk)
        samples.append(int(dut.uo_out.value))
    return VgaCapture(samples), flash


@cocotb.test()
async def test_boots_from_flash(dut):
    """The first lines: the flash sees one EBh command and then continuous-mode transactions (the
    header, the reset vector, the program), and hsync keeps VGA line timing from the start. A
    second reset, with the flash still in continuous mode, boots the same way."""
    capture, flash = await run_cartridge(dut, stripes_rom(), BOOT_CLOCKS)
    assert not flash.errors, flash.errors
    assert flash.continuous
    # The header, the reset vector at $FFFC (ROM offset $FFC), then the program from $F000.
    rom_base = qspi.ROM_BASE
    assert flash.read_addresses[:3] == [qspi.HEADER_ADDRESS, rom_base + 0xFFC, rom_base]
    assert flash.bytes_read >= 8
    falls = capture.hsync_falls()
    # rst_n goes through a flip-flop: the beam leaves x = 0 one clock after reset is released.
    assert falls[0] == vga.H_VISIBLE + vga.H_FRONT + 1
    assert {b - a for a, b in zip(falls, falls[1:])} == {vga.H_TOTAL}
    assert set(capture.hsync_widths()) == {vga.H_SYNC}
    # uio: CS, SCK, RAM A's CS and audio are outputs; the data pins are inputs while idle.
    assert int(dut.uio_oe.value) & 0b1100_1001 == 0b1100_1001

    first_boot = len(flash.read_addresses)
    await reset(dut)
    for _ in range(BOOT_CLOCKS // 2):
        await FallingEdge(dut.clk)
    assert not flash.errors, flash.errors
    # The flash, still in continuous mode, takes the mode reset for an address (all ones).
    assert flash.read_addresses[first_boot:first_boot + 4] == \
        [0xFFFFFF, qspi.HEADER_ADDRESS, rom_base + 0xFFC, rom_base]


@cocotb.test(skip=GATE_LEVEL)
async def test_vga_timing_and_first_rows(dut):
    """Line timing, the vertical sync pulse, and the first rows of the first frame against the
    native core's lines 22..: each NTSC line on two VGA lines, each pixel four wide."""
    rom = stripes_rom()
    capture, flash = await run_cartridge(dut, rom, CLOCKS_TO_ROWS)
    assert not flash.errors, flash.errors
    falls = capture.hsync_falls()
    assert len(falls) > 40
    assert {b - a for a, b in zip(falls, falls[1:])} == {vga.H_TOTAL}
    assert set(capture.hsync_widths()) == {vga.H_SYNC}
    vsync_falls = capture.vsync_falls()
    assert len(vsync_falls) == 1, vsync_falls
    assert capture.vsync_widths() == [vga.V_SYNC * vga.H_TOTAL]
    # The pulse starts where a line does (hsync falls H_VISIBLE + H_FRONT clocks into a line).
    assert (falls[0] - vsync_falls[0]) % vga.H_TOTAL == vga.H_VISIBLE + vga.H_FRONT

    expected = native_lines(rom, vga.FIRST_SHOWN_LINE, ROWS // 2)
    for y in range(ROWS):
        assert capture.row(vsync_falls[0], y) == expected_row(expected[y // 2]), f"row {y}"
    # The stripes differ from line to line, so a row shown from the wrong line would fail.
    assert expected[0] != expected[1]


@cocotb.test(skip=GATE_LEVEL or cocotb.SIM_NAME.lower().startswith("icarus"))
async def test_whole_frame(dut):
    """Verilator: a whole frame (480 rows) against the native core's lines 22..261, and the
    frame period: 2 VGA lines per line of the game's 262-line frames."""
    rom = stripes_rom()
    capture, flash = await run_cartridge(dut, rom, CLOCKS_TO_SECOND_VSYNC)
    assert not flash.errors, flash.errors
    vsync_falls = capture.vsync_falls()
    assert len(vsync_falls) == 2, vsync_falls
    assert vsync_falls[1] - vsync_falls[0] == 2 * GAME_LINES * vga.H_TOTAL
    assert capture.vsync_widths() == [vga.V_SYNC * vga.H_TOTAL] * 2
    expected = native_lines(rom, vga.FIRST_SHOWN_LINE, vga.V_VISIBLE // 2)
    for y in range(vga.V_VISIBLE):
        assert capture.row(vsync_falls[0], y) == expected_row(expected[y // 2]), f"row {y}"
