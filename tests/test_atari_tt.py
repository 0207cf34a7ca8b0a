"""The atari2600 TT top's parts outside its cocotb suite: the flash image, the palette, the
controls on ui_in, and the TT top on the fast path against the native top, frame for frame."""
from pathlib import Path

import numpy as np
import pytest
from amaranth.sim import Simulator

from ttsim.designs.atari2600 import palette, qspi, vga
from ttsim.designs.atari2600.cartridge import SCHEMES
from ttsim.designs.atari2600.controls import Controls
from ttsim.errors import TtsimError
from ttsim.designs.atari2600.palette import NTSC_RGB

ROMS = Path(__import__("ale_py").__file__).parent / "roms"
FREEWAY, PITFALL2 = ROMS / "freeway.bin", ROMS / "pitfall2.bin"


def test_flash_image_puts_the_scheme_first_and_the_cartridge_at_rom_base():
    rom = bytes(range(256)) * 32  # 8K without Superchip or E0/FE signatures: F8
    image = qspi.flash_image(rom)
    assert image[qspi.HEADER_ADDRESS] == SCHEMES.index("F8")
    assert image[qspi.ROM_BASE:] == rom
    assert set(image[1:qspi.ROM_BASE]) == {qspi.ERASED}
    assert qspi.flash_image(bytes(2048))[0] == SCHEMES.index("2K")


def test_flash_image_carries_a_dpc_cartridge_whole():
    rom = PITFALL2.read_bytes()
    image = qspi.flash_image(rom)
    assert image[qspi.HEADER_ADDRESS] == SCHEMES.index("DPC")
    assert image[qspi.ROM_BASE:] == rom and len(rom) == 10495


@pytest.mark.parametrize("rom, message", [(b"", "empty"), (bytes(3000), "fits no supported")])
def test_flash_image_refuses_what_the_core_cannot_run(rom, message):
    with pytest.raises(TtsimError, match=message):
        qspi.flash_image(rom)


def test_palette_is_the_shared_ntsc_table_rounded_to_two_bits():
    assert len(palette.SHOWN_COLOURS) == palette.LINE_BUFFER_COLOURS
    for value in range(0, 256, 2):
        rgb = NTSC_RGB[value >> 1]
        assert palette.TINYVGA[value] == tuple(round(int(level) / 85) for level in rgb)
        assert palette.SHOWN_COLOURS[palette.index(value)] == palette.SHOWN[value]
    # Only the two colours merged away are shown differently from their rounding.
    changed = {palette.TINYVGA[v] for v in range(256) if palette.SHOWN[v] != palette.TINYVGA[v]}
    assert len(changed) == len(set(palette.TINYVGA)) - palette.LINE_BUFFER_COLOURS
    assert palette.tinyvga_bits((3, 0, 1)) == 0b101_001  # R0 B0 | B1 G1 R1


def _controls_after(steps):
    """Runs Controls with each ui_in in `steps` for one clock; returns the ports after each."""
    controls = Controls()
    seen = []

    async def bench(ctx):
        for ui_in in steps:
            ctx.set(controls.ui_in, ui_in)
            await ctx.tick()
            seen.append((ctx.get(controls.joystick_n), ctx.get(controls.fire_n),
                         ctx.get(controls.switches_n)))

    simulator = Simulator(controls)
    simulator.add_clock(1e-6)
    simulator.add_testbench(bench)
    simulator.run()
    return seen


def test_controls_map_ui_in_as_tt09_does():
    seen = _controls_after([
        0b0000_0000,  # nothing pressed
        0b0001_1001,  # player 0: up, right, fire
        0b0010_0110,  # player 1: down, left (player 0 keeps its state)
        0b0100_0111,  # switches: select, player 0 difficulty A, black and white
        0b1000_0000,  # RESET; the switches keep their state
    ])
    assert seen[0] == (0xFF, 0b11, 0x3F)
    assert seen[1] == (0b0110_1111, 0b10, 0x3F)
    assert seen[2] == (0b0110_1001, 0b10, 0x3F)
    assert seen[3][:2] == seen[2][:2]
    assert seen[3][2] == 0x3F & ~0b10 & ~0b1000 | 0x40
    assert seen[4][2] == seen[3][2] & ~1


@pytest.mark.parametrize("game", [FREEWAY, PITFALL2], ids=lambda path: path.stem)
def test_tt_top_on_the_fast_path_shows_the_native_frames(game):
    """ttsim run atari2600 --tt: the QSPI flash, the colour-clock pacing and the line doubling
    together show exactly the native core's frames (VGA frame k+1 is game frame k, lines 22..261,
    each line twice and each pixel four times). Pitfall II's kernel reads DPC display data between
    program bytes, so its flash reads jump back and forth."""
    from ttsim import fast
    from ttsim.tools import atari_run

    rom, scheme = atari_run.read_rom(game)
    native = atari_run.run(rom, scheme, 6).frames[:2]
    assert len(native) == 2
    sim = fast.Simulation("atari2600", native=False)
    try:
        sim.attach_qspi_flash(rom)
        sim.attach_vga()
        sim.reset()
        shown = [np.array(frame, copy=True) for frame in sim.vga_frames(3)]
    finally:
        sim.close()
    levels = np.array([0, 85, 170, 255], dtype=np.uint8)[np.array(palette.SHOWN, np.uint8)]
    assert not shown[0].any()  # before the game's first VSYNC
    for game_frame, vga_frame in zip(native, shown[1:]):
        first = vga.FIRST_SHOWN_LINE
        expected = levels[game_frame[first:first + vga.V_VISIBLE // 2]]
        expected = expected.repeat(2, axis=0).repeat(vga.PIXEL_WIDTH, axis=1)
        assert np.array_equal(vga_frame, expected)
