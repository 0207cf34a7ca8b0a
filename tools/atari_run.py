"""Running an Atari 2600 cartridge on the fast path: `ttsim run atari2600 --rom FILE --frames N`.

The native top (designs/atari2600/console.py: `NativeAtari2600WithoutDpc`, or `NativeAtari2600`
for Pitfall II's DPC cartridge, see `native_top`) is verilated once for every cartridge; the fast
path's atari model (tools/fastpath/atari.h) serves the ROM image, drives the
scheme that `cartridge.check_rom` detects, sets the controllers frame by frame and captures frames
and audio.

Frames: a frame starts on the line where VSYNC switches on; each is 262 lines of the 160 visible
pixels' TIA colour values (lines past 262 dropped, missing lines 0).

Input scripts: lines `<frame> <key> <key> ...` with keys UP DOWN LEFT RIGHT FIRE (player 0's
joystick) RESET SELECT (console switches), held from that frame until the next line; a line with
only a frame number releases everything. '#' starts a comment.
"""
from __future__ import annotations

import contextlib
import json
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ttsim.errors import TtsimError

DESIGN = "atari2600"
FRAME_LINES = 262
# Where each key is in the console's inputs: (port, bit); the ports are active low.
KEYS = {
    "UP": ("joystick_n", 4), "DOWN": ("joystick_n", 5), "LEFT": ("joystick_n", 6),
    "RIGHT": ("joystick_n", 7), "FIRE": ("fire_n", 0),
    "RESET": ("switches_n", 0), "SELECT": ("switches_n", 1),
}
# Nothing pressed: SWCHB reads colour, both difficulties B (as ale-py leaves them).
IDLE = {"joystick_n": 0xFF, "switches_n": 0x3F, "fire_n": 0x3}
# Two TIA audio ticks per line of 228 colour clocks at 3.579545 MHz.
AUDIO_RATE = round(3_579_545 / 114)
AUDIO_SCALE = 8  # channel sum 0..30 -> 8-bit unsigned WAV 0..240


def read_rom(path) -> tuple[bytes, str]:
    """A cartridge image and its scheme; one-line errors for a missing file, an empty one, or a
    size or scheme the core cannot run."""
    from ttsim.designs.atari2600.cartridge import check_rom

    try:
        rom = Path(path).read_bytes()
    except FileNotFoundError:
        raise TtsimError(f"ROM file {path} does not exist") from None
    except OSError as error:
        raise TtsimError(f"cannot read the ROM file {path}: {error.strerror}") from None
    if not rom:
        raise TtsimError(f"the ROM file {path} is empty")
    try:
        return rom, check_rom(rom)
    except TtsimError as error:
        raise TtsimError(f"{path}: {error}") from None


def parse_script(text: str, source: str = "the input script") -> list[tuple[int, tuple[str, ...]]]:
    """(frame, keys held from that frame on) per line, in order."""
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{source}:{number}"
        try:
            frame = int(words[0], 10)
        except ValueError:
            raise TtsimError(f"{where}: {words[0]!r} is not a frame number "
                             "(lines are `<frame> <key> ...`)") from None
        if frame < 0:
            raise TtsimError(f"{where}: frame {frame} is negative")
        if events and frame < events[-1][0]:
            raise TtsimError(f"{where}: frame {frame} comes after frame {events[-1][0]}; "
                             "lines must be in frame order")
        keys = tuple(word.upper() for word in words[1:])
        unknown = [key for key in keys if key not in KEYS]
        if unknown:
            raise TtsimError(f"{where}: unknown key {unknown[0]!r} (keys: {' '.join(KEYS)})")
        events.append((frame, keys))
    return events


def read_script(path) -> list[tuple[int, tuple[str, ...]]]:
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise TtsimError(f"input script {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TtsimError(f"cannot read the input script {path}: {error}") from None
    return parse_script(text, str(path))


def input_rows(events, keys: dict = KEYS) -> list[tuple[int, int, int, int]]:
    """The atari model's input list: (frame, joystick_n, switches_n, fire_n) per event; `keys`
    says where each key is (port, bit)."""
    rows = []
    for frame, held in events:
        values = dict(IDLE)
        for key in held:
            port, bit = keys[key]
            values[port] &= ~(1 << bit)
        rows.append((frame, values["joystick_n"], values["switches_n"], values["fire_n"]))
    return rows


@dataclass
class AtariRun:
    frames: np.ndarray        # (N, lines, 160) uint8 TIA colour values
    line_counts: np.ndarray   # (N,) lines each frame had
    audio: np.ndarray | None  # uint8 channel sums per audio tick, when asked for
    report: dict


def native_top(scheme: str) -> str:
    """The native top ("module:Class") for a cartridge of `scheme`: the DPC chip's logic costs
    the fast path about a quarter of its speed, so only a DPC cartridge gets a console with it."""
    return "console:NativeAtari2600" if scheme == "DPC" else "console:NativeAtari2600WithoutDpc"


@contextlib.contextmanager
def console(rom: bytes, scheme: str, *, events=(), keys: dict = KEYS,
            settings: dict | None = None, **model):
    """The native top on the fast path with the atari model attached and reset, closed on exit.
    `events`: (input step, keys) pairs, `keys` where each key is (see `input_rows`); `settings`:
    constant inputs of the native top to set (e.g. hmove_blanks); `model`: the options of
    `fast.Simulation.attach_atari`."""
    from ttsim import fast
    from ttsim.designs.atari2600.cartridge import SCHEMES

    sim = fast.Simulation(DESIGN, native=True, top=native_top(scheme))
    try:
        sim.attach_atari(rom, SCHEMES.index(scheme), inputs=input_rows(events, keys), **model)
        for name, value in (settings or {}).items():
            sim.set(name, value)
        sim.reset()
        yield sim
    finally:
        sim.close()


def run(rom: bytes, scheme: str, frames: int, *, events=(), audio: bool = False,
        wall_s: float | None = None) -> AtariRun:
    """Resets the console with `rom` and captures `frames` frames, each starting on the line
    where VSYNC switches on; `events` are (frame, keys) pairs."""
    if frames <= 0:
        raise TtsimError("the frame count must be positive")
    started = time.monotonic()
    with console(rom, scheme, events=events, audio=audio) as sim:
        build_s = time.monotonic() - started
        started, cpu_started, first_cycle = time.monotonic(), time.process_time(), sim.cycles
        captured, line_counts, stop = sim.atari_frames(frames, wall_s=wall_s)
        elapsed, cpu_s = time.monotonic() - started, time.process_time() - cpu_started
        cycles = sim.cycles - first_cycle
        report = {"design": DESIGN, "scheme": scheme, "frames": len(captured),
                  "cycles": cycles, "wall_s": round(elapsed, 6),
                  "frames_per_s": round(len(captured) / elapsed, 2) if elapsed > 0 else None,
                  "cycles_per_s": round(cycles / elapsed) if elapsed > 0 else None,
                  # CPU time of this process: the speed on one core whatever else runs
                  "cpu_s": round(cpu_s, 6),
                  "frames_per_cpu_s": round(len(captured) / cpu_s, 2) if cpu_s > 0 else None,
                  "stop": stop, "build_s": round(build_s, 3)}
        samples = sim.atari_audio() if audio else None
        return AtariRun(captured, line_counts, samples, report)


def write_wav(path, samples: np.ndarray) -> None:
    """8-bit mono WAV at the TIA's audio rate."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(AUDIO_RATE)
        out.writeframes((samples.astype(np.uint16) * AUDIO_SCALE).astype(np.uint8).tobytes())


def write_pngs(folder, frames: np.ndarray) -> None:
    """frame_NNNN.png per frame, one PNG pixel per TIA pixel, in the NTSC palette."""
    from ttsim.fast import write_png
    from ttsim.designs.atari2600.palette import to_rgb

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for number, frame in enumerate(frames):
        write_png(folder / f"frame_{number:04d}.png", to_rgb(frame))


def main(args) -> int:
    """`ttsim run atari2600 --rom FILE --frames N ...` (the arguments of tools/run.py)."""
    if args.rom is None:
        raise TtsimError("give the cartridge with --rom FILE")
    for option in ("cycles", "ram", "pc", "stop_when", "trace", "record"):
        if getattr(args, option, None) not in (None, False):
            raise TtsimError(f"--{option.replace('_', '-')} is not available for the Atari "
                             "run (use --tt to run the TT top)")
    rom, scheme = read_rom(args.rom)
    events = read_script(args.input) if args.input else ()
    frames = 1 if args.frames is None else args.frames
    result = run(rom, scheme, frames, events=events, audio=args.audio_out is not None,
                 wall_s=args.max_seconds)
    report = result.report
    report["rom"] = str(args.rom)
    if args.frames_out:
        np.save(args.frames_out, result.frames)
        report["frames_out"] = str(args.frames_out)
    if args.png_dir:
        write_pngs(args.png_dir, result.frames)
        report["png_dir"] = str(args.png_dir)
    if args.audio_out:
        write_wav(args.audio_out, result.audio)
        report["audio_out"] = str(args.audio_out)
        report["audio_samples"] = len(result.audio)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{DESIGN} ({scheme}): {report['frames']} frames, {report['cycles']:,} colour clocks in "
          f"{report['wall_s']:.3f} s = {report['frames_per_s'] or 0} frames/s "
          f"(stopped: {report['stop']})")
    for key in ("frames_out", "png_dir", "audio_out"):
        if key in report:
            print(f"{key}: {report[key]}")
    return 0
