"""The figures `ttsim bench atari2600` adds ([bench] in design.toml): how fast the native top
(`console:NativeAtari2600WithoutDpc` for this cartridge, on the Verilator fast path, the way
`ttsim run atari2600` runs it)
plays a real cartridge, in Atari frames per second of wall-clock time and of CPU time (one core;
the CPU figure holds whatever else shares the machine). Real time is 60 frames per second.
"""
from __future__ import annotations

import pathlib

from ttsim.errors import TtsimError

BENCH_FRAMES = 600
BENCH_ROM = "space_invaders.bin"  # read from ale-py's ROM folder at run time
REAL_TIME_FPS = 60


def bench_rom_path() -> pathlib.Path:
    """The cartridge both benches play: ale-py's Space Invaders."""
    try:
        import ale_py
    except ImportError:
        raise TtsimError("the atari2600 bench plays a ROM that ale-py ships: install "
                         "ale-py") from None
    return pathlib.Path(ale_py.__file__).parent / "roms" / BENCH_ROM


def native_speed(rom_path=None, frames: int = BENCH_FRAMES) -> dict:
    """Runs `frames` frames of a cartridge (default: ale-py's Space Invaders) on the native top."""
    from ttsim.tools import atari_run

    rom_path = rom_path or bench_rom_path()
    rom, scheme = atari_run.read_rom(rom_path)
    report = atari_run.run(rom, scheme, frames).report
    return {"rom": pathlib.Path(rom_path).name, "frames": report["frames"],
            "wall_s": report["wall_s"], "frames_per_s": report["frames_per_s"],
            "cpu_s": report["cpu_s"], "frames_per_cpu_s": report["frames_per_cpu_s"],
            "colour_clocks_per_cpu_s": round(report["cycles"] / report["cpu_s"]),
            "real_time_on_one_core": report["frames_per_cpu_s"] >= REAL_TIME_FPS}


def extend(design) -> dict:
    from .tt_bench import tt_speed

    return {"native_top": native_speed(), "tt_top": tt_speed(bench_rom_path())}
