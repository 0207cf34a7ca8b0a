"""`make roms`: assembles ttsim's own Atari 2600 ROMs with dasm.

Every `*.asm` in designs/atari2600/roms/ is a 4K ROM; its binary is committed beside it as `*.bin`.
`python -m ttsim.tools.roms` rebuilds the binaries; `--check` only compares them with a fresh
assembly and exits 1 when one differs (the test suite does the same).

`frame_layout(image)` runs a ROM on py65 with just enough of the console's timing (`TimingModel`:
WSYNC, the RIOT timer) to measure its frames: VSYNC, VBLANK, picture and overscan lines of each.

`compare_with_ale(rom, frames)` checks a ROM against Stella: ale-py loads only the games it
knows, by MD5 or else by file name, so the ROM runs under the name of a game whose ale-py
settings leave it alone (`ALE_NAME`: no mode selection, no starting actions, the default display;
its end-of-game test needs RAM $9F = 0, $A2 = 3 and $80 = $80 together, which our ROMs never
make). `--compare N` prints the result for every ROM.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from py65.devices.mpu6502 import MPU
from py65.memory import ObservableMemory

from ttsim.errors import TtsimError, run_program
from ttsim.paths import ROOT
from ttsim.tools import compare

ROM_DIR = ROOT / "designs" / "atari2600" / "roms"
DEMO_ROM = ROM_DIR / "demo.bin"
ALE_NAME = "krull"
# The key script each ROM is compared with (frame 0 = the first frame after ale-py's reset).
INPUT_SCRIPTS = {
    "inputs": [(0, ()), (2, ("UP",)), (4, ("DOWN", "LEFT")), (6, ("FIRE",)),
               (8, ("RIGHT", "UP", "FIRE")), (10, ())],
}


def sources() -> list[Path]:
    """The ROM sources, in name order (included files end in .inc and are not ROMs)."""
    return sorted(ROM_DIR.glob("*.asm"))


def assemble(source: Path) -> bytes:
    """The ROM image dasm makes of `source` (include files are looked up beside it)."""
    if shutil.which("dasm") is None:
        raise TtsimError("dasm is not installed (Debian: apt-get install dasm)")
    with tempfile.TemporaryDirectory(prefix="ttsim-rom-") as scratch:
        image = Path(scratch) / "rom.bin"
        listing = Path(scratch) / "rom.lst"
        result = subprocess.run(
            ["dasm", source.name, "-f3", f"-o{image}", f"-l{listing}", "-E2"],
            cwd=source.parent, capture_output=True, text=True)
        if result.returncode or not image.exists():
            errors = [line for line in (result.stdout + result.stderr).splitlines()
                      if "error" in line.lower()]
            first = errors[0] if errors else "no output"
            raise TtsimError(f"dasm failed on {source.name}: {first}")
        return image.read_bytes()


CYCLES_PER_LINE = 76
PICTURE_CYCLE = 22          # the first CPU cycle of a line whose colour clocks are drawn
WSYNC, VSYNC, VBLANK = 0x02, 0x00, 0x01
INTIM, TIMINT = 0x284, 0x285
TIMER_SHIFTS = {0x294: 0, 0x295: 3, 0x296: 6, 0x297: 10}     # TIM1T TIM8T TIM64T T1024T
# Our ROMs reach the timer with absolute addressing: the bus cycle is the instruction's fourth.
TIMER_ACCESS_CYCLE = 3


class TimingModel:
    """A 6507 on py65 with a 4K ROM, RIOT RAM and timer, and WSYNC; TIA writes are only logged.

    `writes` holds (cycle, register, value) for every TIA write, the cycle being the one the
    writing instruction started on, counted from power-on."""

    def __init__(self, image: bytes):
        self.memory = ObservableMemory()
        for start in (0x1000, 0xF000):      # the 6507 sees 13 address lines
            self.memory[start:start + len(image)] = list(image)
        self.cpu = MPU(memory=self.memory)
        self.timer_start, self.timer_value, self.timer_shift = 0, 0, 10
        self.wsync = False
        self.writes: list[tuple[int, int, int]] = []        # (cycle, register, value)
        self.memory.subscribe_to_write(range(0x00, 0x40), self._tia_write)
        self.memory.subscribe_to_write(range(0x180, 0x200), self._stack_write)
        self.memory.subscribe_to_read(range(0x180, 0x200), self._stack_read)
        self.memory.subscribe_to_write(list(TIMER_SHIFTS), self._timer_write)
        self.memory.subscribe_to_read([INTIM, TIMINT], self._timer_read)
        self.cpu.reset()
        self.cpu.pc = image[-4] | image[-3] << 8

    def _tia_write(self, address, value):
        if address == WSYNC:
            self.wsync = True
        self.writes.append((self.cpu.processorCycles, address, value))

    # The RIOT RAM ($80-$FF) also answers at $180-$1FF, where the stack lives.
    def _stack_write(self, address, value):
        self.memory[address - 0x100] = value

    def _stack_read(self, address):
        return self.memory[address - 0x100]

    def _timer_write(self, address, value):
        self.timer_start = self.cpu.processorCycles + TIMER_ACCESS_CYCLE
        self.timer_value, self.timer_shift = value, TIMER_SHIFTS[address]

    # As Stella counts: N - 1 right after N is written, then one less per interval; past zero, one
    # less per cycle.
    def _timer_read(self, address):
        elapsed = self.cpu.processorCycles + TIMER_ACCESS_CYCLE - self.timer_start
        left = (self.timer_value << self.timer_shift) - 1 - elapsed
        if address == TIMINT:
            return 0x80 if left < 0 else 0
        return (left >> self.timer_shift) if left >= 0 else left & 0xFF

    def run(self, cycles: int) -> None:
        while self.cpu.processorCycles < cycles:
            self.cpu.step()
            if self.wsync:      # the CPU waits for the end of the line
                self.wsync = False
                line = (self.cpu.processorCycles - 1) // CYCLES_PER_LINE
                self.cpu.processorCycles = (line + 1) * CYCLES_PER_LINE


def _line_of(cycle: int) -> int:
    """The line a register write takes effect for: its own, or the next when the picture of its
    own has started."""
    line, position = divmod(cycle, CYCLES_PER_LINE)
    return line + (position >= PICTURE_CYCLE)


def frame_layout(image: bytes, frames: int = 4) -> list[tuple[int, int, int, int]]:
    """Per frame after the first (which the power-on code starts anywhere in a line): lines of
    VSYNC, then of VBLANK, of picture (VBLANK off) and of overscan."""
    model = TimingModel(image)
    model.run((frames + 3) * 262 * CYCLES_PER_LINE)
    events = [(_line_of(cycle), register, value & 2) for cycle, register, value in model.writes
              if register in (VSYNC, VBLANK)]
    starts = [line for line, register, on in events if register == VSYNC and on]
    starts = [line for index, line in enumerate(starts) if index == 0 or line != starts[index - 1]]
    layout = []
    for start, end in zip(starts, starts[1:]):
        inside = [(line, register, on) for line, register, on in events if start <= line < end]
        vsync_off = next(line for line, register, on in inside if register == VSYNC and not on)
        picture = next(line for line, register, on in inside if register == VBLANK and not on)
        overscan = next(line for line, register, on in inside
                        if register == VBLANK and on and line > picture)
        layout.append((vsync_off - start, picture - vsync_off, overscan - picture, end - overscan))
    return layout[1:frames + 1]


def run_ale(rom: Path, actions: list[str]) -> compare.AleRun:
    """ale-py's screens of `rom`, run under the name `ALE_NAME`, one per action."""
    return compare.run_ale(rom, actions, alias=ALE_NAME)


def compare_with_ale(rom: Path, frames: int) -> dict:
    """The fast path against ale-py on one of our ROMs, with its key script: compare's report."""
    events = INPUT_SCRIPTS.get(rom.stem, [])
    actions = [compare.ale_action_name(keys) for keys in compare.keys_per_frame(events, frames)]
    ale = run_ale(rom, actions)
    return compare.compare(rom, frames, events, ale=ale).report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ttsim.tools.roms",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare the committed binaries with a fresh assembly")
    parser.add_argument("--compare", type=int, metavar="FRAMES",
                        help="run each committed ROM through the fast path and ale-py and "
                             "print the first difference")
    args = parser.parse_args(argv)
    if args.compare is not None:
        matches = []
        for source in sources():
            report = compare_with_ale(source.with_suffix(".bin"), args.compare)
            print(f"{source.stem:12s} {compare.describe(report)}", flush=True)
            matches.append(report.get("match", False))
        return 0 if all(matches) else 1
    stale = []
    for source in sources():
        image = assemble(source)
        binary = source.with_suffix(".bin")
        if args.check:
            if not binary.exists() or binary.read_bytes() != image:
                stale.append(binary.name)
            continue
        if not binary.exists() or binary.read_bytes() != image:
            binary.write_bytes(image)
            print(f"roms: wrote {binary.relative_to(ROOT)} ({len(image)} bytes)")
    if stale:
        print(f"roms: out of date: {', '.join(stale)} (run make roms)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_program("roms", main))
