"""Live Atari: `ttsim view --live atari2600 --rom FILE` plays a cartridge on the fast path.

The native console runs on the fast path with its `atari` model (tools/fastpath/atari.h), which
serves the ROM and captures whole frames of TIA colour values. A thread runs the emulated frames
real time asks for (59.92 a second, frames of 262 lines; at most MAX_CATCH_UP at once, so a machine
too slow for real time slows the game down rather than skipping); the window, at up to 60 frames a
second, shows the newest frame in the Atari TV panel and the controllers' ports, one value per
frame, in the waveform pane.

Keys: the arrows are player 0's joystick, space (or ctrl) its fire button; F1 is the console's
RESET and F2 its SELECT switch (held while the key is down); F3 flips colour / black and white, F4
and F5 the difficulty switches of players 0 and 1. P pauses; Q or escape quits; the waveform
pane's other keys work as in the trace viewer (H lists them).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pygame

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.viewer.app import PanelSlot, Session, ntsc_palette
from ttsim.viewer.atari_tv import AtariTvPanel, TvPicture, picture_of_frame
from ttsim.viewer.live import LiveTrace
from ttsim.viewer.window import Window

COLOUR_CLOCK_HZ = 3_579_545
LINE_CLOCKS = 228
FRAME_HZ = COLOUR_CLOCK_HZ / (LINE_CLOCKS * 262)  # 59.92 frames a second
MAX_CATCH_UP = 4  # frames run at once at most: further behind, the game slows down
SHOWN_SECONDS = 4.0  # of emulated time in the waveform pane at first
RATE_WINDOW = 60  # display frames the shown rates are averaged over
BOOT_TRIES = 20  # calls for the first frame (each runs up to 1200 lines: a long setup is fine)

# Keys held for the console's inputs, by their names in `ttsim run`'s input scripts.
HELD_KEYS = {pygame.K_UP: "UP", pygame.K_DOWN: "DOWN", pygame.K_LEFT: "LEFT",
             pygame.K_RIGHT: "RIGHT", pygame.K_SPACE: "FIRE", pygame.K_LCTRL: "FIRE",
             pygame.K_RCTRL: "FIRE", pygame.K_F1: "RESET", pygame.K_F2: "SELECT"}
# Keys flipping a switch of SWCHB: colour / black and white, the players' difficulties.
TOGGLED_SWITCH_BITS = {pygame.K_F3: 3, pygame.K_F4: 6, pygame.K_F5: 7}
CONTROL_PORTS = {"joystick_n": 8, "fire_n": 2, "switches_n": 8}


class Controls:
    """Player 0's joystick and fire button and the console switches, as the native top's ports
    take them (active low; see designs/atari2600/console.py), starting with nothing pressed."""

    def __init__(self):
        from ttsim.tools.atari_run import IDLE, KEYS

        self.keys = KEYS  # key name -> (port, bit)
        self.values = dict(IDLE)

    def press(self, key: int, down: bool) -> bool:
        """Applies a key going down or up; False when the key is not one of the console's."""
        if key in HELD_KEYS:
            port, bit = self.keys[HELD_KEYS[key]]
            self.values[port] = self.values[port] & ~(1 << bit) if down else \
                self.values[port] | (1 << bit)
        elif key in TOGGLED_SWITCH_BITS:
            if down:
                self.values["switches_n"] ^= 1 << TOGGLED_SWITCH_BITS[key]
        else:
            return False
        return True

    def ports(self) -> dict[str, int]:
        return dict(self.values)

    def describe(self) -> list[str]:
        """Caption lines: what is held and how the switches stand."""
        held = [name for name, (port, bit) in self.keys.items()
                if not self.values[port] >> bit & 1]
        switches = self.values["switches_n"]
        return [f"held: {' '.join(held) or '-'}",
                f"{'colour' if switches >> 3 & 1 else 'b/w'}, difficulty "
                f"P0 {'A' if switches >> 6 & 1 else 'B'} P1 {'A' if switches >> 7 & 1 else 'B'}"]


def read_rom(path: str | Path) -> tuple[bytes, int]:
    """A cartridge image and its scheme's number (one-line errors for a bad file)."""
    from ttsim.designs.atari2600.cartridge import SCHEMES
    from ttsim.tools import atari_run

    rom, scheme = atari_run.read_rom(path)
    return rom, SCHEMES.index(scheme)


@dataclass
class Rates:
    """Display frames per second over the last RATE_WINDOW of them, emulated frames per second
    over the same time; in all, display frames and the time spent emulating (the window counts
    its time drawing, `Window.drawing_s`)."""

    shown: deque = field(default_factory=lambda: deque(maxlen=RATE_WINDOW))  # (time, emulated)
    emulating_s: float = 0.0
    emulating_cpu_s: float = 0.0  # the emulating thread's processor time (the wall time less
                                  # the waits for a core on a busy machine)
    displayed: int = 0

    def add(self, now: float, emulated: int) -> None:
        self.shown.append((now, emulated))
        self.displayed += 1

    def per_second(self) -> tuple[float, float]:
        """(display frames, emulated frames) per second."""
        if len(self.shown) < 2:
            return 0.0, 0.0
        (first, emulated_then), (last, emulated_now) = self.shown[0], self.shown[-1]
        seconds = max(last - first, 1e-9)
        return (len(self.shown) - 1) / seconds, (emulated_now - emulated_then) / seconds


@dataclass
class Batch:
    """Frames run in one call: the last one's colour values, each one's line count, the controls
    they ran with."""

    last: np.ndarray
    lines: np.ndarray
    controls: dict[str, int]


class AtariLive:
    """The console on the fast path and a Session showing it.

    `run_frames` runs frames (the emulation thread started by `start` calls it as real time asks;
    tests call it directly); `collect` brings what ran into the trace and the picture, in the
    thread that draws. The simulation spends its time in C with Python's lock released, so the
    emulation and the drawing share the machine's cores.
    """

    def __init__(self, design: registry.Design, rom: bytes, scheme: int,
                 size: tuple[int, int]):
        from ttsim import fast
        from ttsim.designs.atari2600.cartridge import SCHEMES
        from ttsim.tools import atari_run

        self.simulation = fast.Simulation(design, native=True,
                                          top=atari_run.native_top(SCHEMES[scheme]))
        self.simulation.attach_atari(rom, scheme)
        self.simulation.reset()
        self.controls = Controls()
        self.trace = LiveTrace(design, CONTROL_PORTS, clock_hz=COLOUR_CLOCK_HZ)
        self.session = Session(self.trace, design, size=size, panel_names=[])
        self.panel = AtariTvPanel(ntsc_palette())
        self.picture: TvPicture = TvPicture.blank()
        self.session.panels.append(PanelSlot(self.panel, lambda time: self.picture))
        for port in CONTROL_PORTS:
            self.session.view.add(self.trace, f"{port}:binary")
        self.frames = 0  # emulated frames run so far
        self.shown = 0  # ... and collected
        self.paused = False
        self.rates = Rates()
        self.error: BaseException | None = None  # what stopped the emulation thread
        self._pending: list[Batch] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            self._boot()
        except BaseException:
            self.close()
            raise

    def _boot(self) -> None:
        """Runs up to the end of the first frame (the first VSYNC may take a while)."""
        for _ in range(BOOT_TRIES):
            frames, lines, _ = self.simulation.atari_frames(1)
            if len(frames):
                self._ran(frames, lines, self.controls.ports())
                return
        raise TtsimError(f"the console made no frame (no VSYNC) in its first "
                         f"{self.simulation.cycles:,} colour clocks: is the ROM an Atari 2600 "
                         f"cartridge?")

    def close(self) -> None:
        self.stop()
        self.simulation.close()

    def run_frames(self, count: int) -> None:
        """Runs `count` emulated frames with the current controls."""
        from ttsim import fast

        controls = self.controls.ports()
        for port, value in controls.items():
            self.simulation.set(port, value)
        began, began_cpu = time.perf_counter(), time.thread_time()
        frames, lines, reason = self.simulation.atari_frames(count, skip=self.frames)
        self.rates.emulating_s += time.perf_counter() - began
        self.rates.emulating_cpu_s += time.thread_time() - began_cpu
        if reason != "frames":
            raise TtsimError(f"the console stopped making frames after frame {self.frames} "
                             f"(no VSYNC for {fast.ATARI_MAX_FRAME_LINES} lines)")
        self._ran(frames, lines, controls)

    def _ran(self, frames: np.ndarray, lines: np.ndarray, controls: dict[str, int]) -> None:
        with self._lock:
            self._pending.append(Batch(frames[-1].copy(), lines.copy(), controls))
            self.frames += len(frames)

    def collect(self) -> None:
        """Shows the newest frame run; the controls of each frame go to the waveform pane."""
        if self.error is not None:
            raise self.error
        with self._lock:
            batches, self._pending = self._pending, []
            frames = self.frames
        if not batches:
            return
        for batch in batches:
            for line_count in batch.lines:
                self.trace.append({port: np.array([value], dtype=np.uint64)
                                   for port, value in batch.controls.items()},
                                  int(line_count) * LINE_CLOCKS)
        # The waveform window follows the newest frame, keeping its span once there is one
        # (zooming with + and - still works).
        view = self.session.view
        view.follow(self.trace.end_time, view.end - view.start if self.shown else
                    SHOWN_SECONDS / self.trace.seconds(1))
        self.shown = frames
        self.picture = picture_of_frame(batches[-1].last, frames - 1)

    def start(self) -> None:
        """Starts the emulation thread: frames as real time asks for them."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._emulate, name="atari", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def _emulate(self) -> None:
        owed, last = 0.0, time.perf_counter()
        try:
            while not self._stop.is_set():
                now = time.perf_counter()
                elapsed, last = now - last, now
                owed = 0.0 if self.paused else min(owed + elapsed * FRAME_HZ, MAX_CATCH_UP)
                due = int(owed)
                if not due:
                    self._stop.wait((1 - owed) / FRAME_HZ)
                    continue
                self.run_frames(due)
                owed -= due
        except BaseException as error:  # noqa: BLE001 - handed to the drawing thread
            self.error = error

    def caption(self, now: float) -> None:
        """Counts a display frame at `now` and puts the rates and controls beside the TV."""
        self.rates.add(now, self.shown)
        display, emulated = self.rates.per_second()
        state = "paused (P)" if self.paused else \
            f"{emulated:.1f} emulated fps, {display:.1f} display fps"
        self.panel.notes = ["", state, *self.controls.describe(), "",
                            "arrows: joystick, space: fire", "F1 RESET, F2 SELECT",
                            "F3 colour, F4/F5 difficulty", "P pause, Q quit"]


class AtariLiveWindow(Window):
    """The window's keys, with the console's keys (arrows, space, F1..F5, P) taken first; each
    frame shows what the emulation thread ran meanwhile."""

    def __init__(self, live: AtariLive):
        super().__init__(live.session)
        self.live = live
        self.message = "live Atari: arrows, space, F1 RESET, F2 SELECT, P pause, H: keys"

    def mode_key(self, event: pygame.event.Event) -> bool:
        if self.live.controls.press(event.key, event.type == pygame.KEYDOWN):
            return True
        if event.key == pygame.K_p:
            if event.type == pygame.KEYDOWN:
                self.live.paused = not self.live.paused
            return True
        return False

    def each_frame(self, seconds: float) -> None:
        self.live.collect()
        self.live.caption(time.perf_counter())

    def run(self, caption: str, seconds: float | None = None, script=()) -> None:
        """The window's loop beside the emulation thread (see `Window.run`)."""
        self.live.start()
        try:
            super().run(caption, seconds, script)
        finally:
            self.live.stop()


def run_atari_live(design: registry.Design, rom_path: str, size: tuple[int, int]) -> None:
    """Opens the window and plays until it is closed."""
    rom, scheme = read_rom(rom_path)
    live = AtariLive(design, rom, scheme, size)
    try:
        AtariLiveWindow(live).run(f"ttsim view --live {design.name} --rom {Path(rom_path).name}")
    finally:
        live.close()
