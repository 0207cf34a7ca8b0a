"""`make demo`: the main job on the embedded default designs.

`hello` is built and its cocotb suite run on Icarus with waves, and the viewer draws the trace;
`markov_art` runs on the Verilator fast path and its first VGA frames are captured; then the
Atari 2600 plays ttsim's demo ROM (designs/atari2600/roms/demo.bin) on the fast path: its frames
as PNGs in out/demo/atari/ and its tune as out/demo/atari.wav. Without a display, that is all and
the paths are printed; with one, the viewer then opens live on the Atari playing the demo ROM.
"""
from __future__ import annotations

import os
import sys

from ttsim import cli, fast, registry
from ttsim.errors import run_program
from ttsim.paths import OUT_DIR
from ttsim.tools import atari_run, roms, simulate
from ttsim.viewer.app import has_display

OUT = OUT_DIR / "demo"
# One pass of the demo ROM's tune: 32 steps of 8 frames.
ATARI_FRAMES = 256


def hello_waves() -> int:
    design = registry.get("hello")
    print(f"demo: {design.title}: cocotb suite on Icarus, with waves")
    result = simulate.run_suite(design, sim="icarus", waves="vcd")
    if not result.passed:
        print(f"demo: {result.failed} of {result.tests} tests failed; see {result.results_xml}")
        return 1
    print(f"demo: {result.tests} tests passed; waves in {result.waves}")
    return cli.main(["view", str(result.waves), "--screenshot", str(OUT / "hello_view.png"),
                     "--from", "0", "--to", "440us", "--at", "300us", "--size", "1100x360"])


def markov_frames() -> None:
    design = registry.get("markov_art")
    print(f"demo: {design.title}: 3 VGA frames through the fast path")
    frames = OUT / "markov_art"
    result = fast.run(design, frames=3, png_dir=frames)
    print(f"demo: {result.report['cycles']:,} cycles at {result.report['cycles_per_s']:,.0f} cycles/s; "
          f"wrote {frames}/*.png")


def atari_demo() -> None:
    print(f"demo: atari2600 plays {roms.DEMO_ROM.name}: {ATARI_FRAMES} frames, fast path")
    rom, scheme = atari_run.read_rom(roms.DEMO_ROM)
    result = atari_run.run(rom, scheme, ATARI_FRAMES, audio=True)
    frames, sound = OUT / "atari", OUT / "atari.wav"
    atari_run.write_pngs(frames, result.frames)
    atari_run.write_wav(sound, result.audio)
    print(f"demo: {result.report['frames_per_s']:,.0f} frames/s; wrote {frames}/*.png and {sound}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    status = hello_waves()
    if status:
        return status
    markov_frames()
    atari_demo()
    if has_display() and not os.environ.get("CI"):
        return cli.main(["view", "--live", "atari2600", "--rom", str(roms.DEMO_ROM)])
    print(f"demo: no display here: the pictures are in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(run_program("demo", main))
