"""Live mode: the viewer over a fast-path (Verilator) simulation as it runs.

Each frame the simulation runs a slice of cycles in C++ (`ttsim.fast.Simulation.step`, recording
the design's ports every cycle); the changes go into a `LiveTrace`, which the waveform pane and the
panels read like any trace. The slice adapts so a frame's simulation takes about SLICE_SECONDS,
keeping the display near 30 frames per second. F1..F8 toggle ui_in bits 0..7 (the DIP switches),
space pauses the simulation; the other keys are the window's (H lists them).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pygame

from ttsim import registry
from ttsim.viewer.app import Session
from ttsim.viewer.trace import Scope, SignalData, Trace
from ttsim.viewer.window import Window

SLICE_SECONDS = 0.015
HISTORY_CHANGES = 1 << 20  # per signal; older changes are dropped
FIRST_SLICE = 10_000
SHOWN_SLICES = 8  # the waveform window spans this many slices back from now
SWITCH_KEYS = [pygame.K_F1 + bit for bit in range(8)]


class LiveTrace(Trace):
    """The ports of a running simulation as a trace (1 tick = 1 ps, one change per cycle at most).

    Only the parts of `Trace` the viewer reads are provided: names, widths, signals, time units.
    """

    def __init__(self, design: registry.Design, widths: dict[str, int],
                 clock_hz: float | None = None):
        """clock_hz: the rate of the cycles appended (default: the design's clock)."""
        self.path = Path(f"live:{design.name}")
        self.format = "live"
        self.tick_exponent, self.tick_factor = -12, 1
        self.lazy_above = None
        self.cycle_ticks = max(1, round(1e12 / (clock_hz or design.clock_hz)))
        self.top = design.top_module
        self._vars = {f"{self.top}.{port}": width for port, width in widths.items()}
        self._loaded = {name: SignalData(name, width, False, [])
                        for name, width in self._vars.items()}
        self._last = {name: None for name in self._vars}
        self.cycles = 0

    def width(self, name: str) -> int:
        return self._vars[name]

    def signal(self, name: str, full: bool = False) -> SignalData:
        return self._loaded[self.resolve(name)]

    def scopes(self) -> list[Scope]:
        return [Scope(self.top, self.top, list(self._vars), [])]

    @property
    def end_time(self) -> int:
        return self.cycles * self.cycle_ticks

    def append(self, recording: dict[str, np.ndarray], cycles: int) -> None:
        """Adds `cycles` simulated cycles whose port values (one per cycle) are in `recording`."""
        for port, values in recording.items():
            name = f"{self.top}.{port}"
            values = values.astype(np.uint64)
            if not len(values):
                continue
            before = self._last[name]
            # The first cycle ever is a change; after that, cycles whose value differs from the
            # cycle before (the previous slice's last value for the first one).
            differs = values != np.concatenate(([values[0] if before is None else before],
                                                values[:-1]))
            differs[0] |= before is None
            changed = np.flatnonzero(differs)
            self._last[name] = int(values[-1])
            self._loaded[name].extend((self.cycles + changed) * self.cycle_ticks, values[changed],
                                      keep=HISTORY_CHANGES)
        self.cycles += cycles


class LiveWindow(Window):
    """The window, plus the simulation: each frame runs a slice of it; F1..F8 flip the DIP
    switches, space pauses."""

    def __init__(self, session: Session, simulation):
        super().__init__(session)
        self.simulation = simulation
        self.slice = FIRST_SLICE
        self.paused = False
        self.message = "live: F1..F8 toggle ui_in bits, space pauses, H: keys"

    def mode_key(self, event: pygame.event.Event) -> bool:
        if event.type != pygame.KEYDOWN:
            return False
        if event.key in SWITCH_KEYS and "ui_in" in self.simulation.ports:
            bit = SWITCH_KEYS.index(event.key)
            value = self.simulation.get("ui_in") ^ (1 << bit)
            self.simulation.set("ui_in", value)
            self.message = f"ui_in = {value:08b}"
        elif event.key == pygame.K_SPACE:
            self.paused = not self.paused
        else:
            return False
        return True

    def each_frame(self, seconds: float) -> None:
        self.run_slice()

    def run_slice(self) -> None:
        """Simulates one slice, records it, and moves the view to the newest cycles."""
        if self.paused:
            return
        trace: LiveTrace = self.session.trace
        ports = [name.rsplit(".", 1)[-1] for name in trace.names]
        began = time.perf_counter()
        result = self.simulation.step(self.slice, record=ports)
        elapsed = time.perf_counter() - began
        trace.append(result.recording, result.cycles)
        # Aim the next slice at SLICE_SECONDS, changing it at most twofold per frame.
        scale = min(max(SLICE_SECONDS / max(elapsed, 1e-6), 0.5), 2.0)
        self.slice = max(1000, int(self.slice * scale))
        view = self.view
        view.follow(trace.end_time, max(view.end - view.start,
                                        SHOWN_SLICES * result.cycles * trace.cycle_ticks))
        if result.reason != "cycles":
            self.paused = True
            self.message = f"the simulation stopped: {result.reason}"


def live_session(design: registry.Design, size: tuple[int, int]):
    """A Session over a new fast-path simulation of `design` (built first if needed)."""
    from ttsim import fast

    simulation = fast.Simulation(design)
    recordable = {name: port.width for name, port in simulation.ports.items()
                  if name != "clk" and port.width <= 64}
    trace = LiveTrace(design, recordable)
    simulation.reset()
    session = Session(trace, design, size=size)
    ports = trace.tt_top_ports()
    for name in [ports[p] for p in ("rst_n", "ui_in", "uo_out", "uio_in", "uio_out", "uio_oe")
                 if p in ports] or trace.names[:16]:
        session.view.add(trace, name)
    return session, simulation


def run_live(design: registry.Design, size: tuple[int, int]) -> None:
    """Opens the live window and runs until it is closed."""
    session, simulation = live_session(design, size)
    with simulation:
        LiveWindow(session, simulation).run(f"ttsim view --live {design.name}")
