"""How fast the TT top runs on the fast path (`ttsim run atari2600 --tt`): TinyVGA frames per
second of wall-clock time and of CPU time, with the cartridge in the flash model. `ttsim bench
atari2600` adds these figures (see bench.py); the TT top's target is 13 VGA frames per second.
"""
from __future__ import annotations

import pathlib
import time

TT_BENCH_FRAMES = 120
TARGET_VGA_FPS = 13


def tt_speed(rom_path: pathlib.Path, frames: int = TT_BENCH_FRAMES) -> dict:
    """Runs the TT top on a cartridge until `frames` VGA frames are out."""
    from ttsim import fast
    from ttsim.tools import atari_run

    rom, _ = atari_run.read_rom(rom_path)
    sim = fast.Simulation("atari2600", native=False)
    try:
        sim.attach_qspi_flash(rom)
        sim.attach_vga()
        sim.reset()
        wall, cpu, first_cycle = time.perf_counter(), time.process_time(), sim.cycles
        shown = sum(1 for _ in sim.vga_frames(frames))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        cycles = sim.cycles - first_cycle
    finally:
        sim.close()
    return {"rom": pathlib.Path(rom_path).name, "vga_frames": shown, "clocks": cycles,
            "wall_s": round(wall, 3), "vga_frames_per_s": round(shown / wall, 2),
            "cpu_s": round(cpu, 3), "vga_frames_per_cpu_s": round(shown / cpu, 2),
            "clocks_per_cpu_s": round(cycles / cpu),
            "meets_target_on_one_core": shown / cpu >= TARGET_VGA_FPS}
