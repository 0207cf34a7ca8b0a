"""For the atari2600 TT top's tests: a test cartridge, its picture as the native core makes it, and
the VGA output decoded."""
from amaranth.sim import Simulator

from ttsim.designs.atari2600 import palette, vga
from ttsim.designs.atari2600.console import AtariWithRom


def stripes_rom() -> bytes:
    """A 4K cartridge drawing 262-line frames: VSYNC for 3 lines, then 256 lines whose background
    colour counts down from 0 (255, 254, ...), then 3 more lines. Its branch back at each line end
    and the jump at each frame end make the flash reader restart."""
    program = bytes([
        0x78, 0xD8,              # SEI, CLD
        0xA9, 0x02, 0x85, 0x00,  # frame: LDA #2, STA VSYNC
        0x85, 0x02, 0x85, 0x02, 0x85, 0x02,  # STA WSYNC x3
        0xA9, 0x00, 0x85, 0x00,  # LDA #0, STA VSYNC
        0xA0, 0x00,              # LDY #0
        0x85, 0x02, 0x84, 0x09,  # line: STA WSYNC, STY COLUBK
        0x88, 0xD0, 0xF9,        # DEY, BNE line
        0x85, 0x02, 0x85, 0x02, 0x85, 0x02,  # STA WSYNC x3
        0x4C, 0x02, 0xF0,        # JMP frame
    ])
    rom = bytearray(program.ljust(4096, b"\xEA"))
    rom[0xFFC:0x1000] = bytes([0x00, 0xF0, 0x00, 0xF0])  # reset and IRQ vectors: $F000
    return bytes(rom)


def native_lines(rom: bytes, first: int, count: int) -> list[list[int]]:
    """The TIA colour values of lines first..first+count-1 of the native core's first frame (a frame
    starts on the line where VSYNC switches on), run in Amaranth's simulator."""
    core = AtariWithRom(rom)
    lines: list[list[int]] = []

    async def watch(ctx):
        line, vsync_before, current = None, 0, [0] * vga.TIA_PIXELS
        while len(lines) < count:
            await ctx.tick()
            hcount, colour, vsync = ctx.get(core.hcount), ctx.get(core.colour), ctx.get(core.vsync)
            if hcount >= 68:
                current[hcount - 68] = colour
            if hcount == 227:
                if line is not None:
                    if line >= first:
                        lines.append(list(current))
                    line += 1
            if vsync and not vsync_before and line is None:
                line = 0
            vsync_before = vsync

    simulator = Simulator(core)
    simulator.add_clock(1e-6)
    simulator.add_testbench(watch)
    simulator.run()
    return lines


def expected_row(colours: list[int]) -> list[tuple[int, int, int]]:
    """The 640 TinyVGA pixels (red, green, blue levels) of an NTSC line of TIA colour values."""
    return [palette.SHOWN[colour] for colour in colours for _ in range(vga.PIXEL_WIDTH)]


class VgaCapture:
    """uo_out sampled once per clock, with the syncs and the rows found in it."""

    def __init__(self, samples: list[int]):
        self.samples = samples
        levels = [vga.tinyvga_levels(value) for value in samples]
        self.rgb = [level[:3] for level in levels]
        self.hsync_n = [level[3] for level in levels]
        self.vsync_n = [level[4] for level in levels]

    @staticmethod
    def _falls(levels):
        return [i for i in range(1, len(levels)) if levels[i - 1] and not levels[i]]

    @staticmethod
    def _low_runs(levels, falls):
        runs = []
        for start in falls:
            end = start
            while end < len(levels) and not levels[end]:
                end += 1
            if end < len(levels):
                runs.append(end - start)
        return runs

    def hsync_falls(self):
        return self._falls(self.hsync_n)

    def vsync_falls(self):
        return self._falls(self.vsync_n)

    def hsync_widths(self):
        return self._low_runs(self.hsync_n, self.hsync_falls())

    def vsync_widths(self):
        return self._low_runs(self.vsync_n, self.vsync_falls())

    def row(self, vsync_fall: int, y: int) -> list[tuple[int, int, int]]:
        """Visible row y of the frame whose vertical sync pulse starts at sample `vsync_fall` (the
        pulse starts at line 490, x = 0; row 0 comes 35 lines later)."""
        start = vsync_fall + (vga.V_TOTAL - vga.V_VISIBLE - vga.V_FRONT + y) * vga.H_TOTAL
        return self.rgb[start:start + vga.H_VISIBLE]
