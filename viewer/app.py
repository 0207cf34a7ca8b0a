"""A viewer session: a trace, a view of it, the design's panels; drawn to a window or to files.

`Session.render` composes one frame (waveform pane on the left, the design panels on the right, a
status line at the bottom). Headless capture (`screenshot`, `record`) uses the same frame on an
off-screen surface, so pictures in tests and docs are exactly what the window shows.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.viewer import theme
from ttsim.viewer.trace import Trace
from ttsim.viewer.view import View

PANEL_WIDTH = 270
STATUS_HEIGHT = 22
DEFAULT_SIZE = (1280, 720)
PANEL_NAMES = ("pins", "vga", "lanes", "fets", "tv")
WAVEFORM_SHARE = 0.4  # of the height, above wide panels (the FET overlay)
LAZY_ABOVE = 50_000  # changes: converting costs ~1 us each, a picture needs far fewer look-ups
DEFAULT_SIGNALS = ("clk", "rst_n", "ui_in", "uo_out", "uio_in", "uio_out", "uio_oe")


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def design_of_trace(trace: Trace) -> registry.Design | None:
    """The registered design whose TT top (a scope tt_um_ttsim_<name>, at the top or under a
    test harness such as the fast path's TOP) the trace holds, if any."""
    for name in trace.names:
        for scope in name.split(".")[:-1]:
            if scope.startswith("tt_um_ttsim_"):
                try:
                    return registry.get(scope.removeprefix("tt_um_ttsim_"))
                except TtsimError:
                    return None
    return None


@dataclass
class PanelSlot:
    """A panel and how it gets its data at a time (the panel itself never sees the trace), and
    where it was last drawn."""

    panel: object
    data_at: Callable[[int], object]
    area: object = None  # pygame.Rect


def _has_vga_pins(design: registry.Design | None) -> bool:
    if design is None:
        return False
    uo = [pin.lower() for pin in design.pins["uo"]]
    return "hsync" in uo[7] and "vsync" in uo[3]


def choose_panels(trace: Trace, design: registry.Design | None, names: list[str] | None = None,
                  fets_view=None) -> list[PanelSlot]:
    """Panels named by `names` (`--panels`), else by the design's `[viewer] panels`, else: the TT
    pins panel when the trace has the TT ports, and the VGA monitor beside it when the design's uo
    pins are TinyVGA's; the array lanes when the design names its lane signals (`[viewer] lanes`)
    and the trace has them; the Atari TV when the trace has the TIA's video signals (hcount,
    colour, vsync) in one scope."""
    from ttsim.viewer.atari_tv import tv_signals
    from ttsim.viewer.pins import PinsPanel, PinValues
    from ttsim.viewer.vga import VgaPanel

    ports = trace.tt_top_ports()
    settings = design.sections.get("viewer", {}) if design else {}
    names = names if names is not None else settings.get("panels")
    if names is None:
        names = (["pins"] + (["vga"] if _has_vga_pins(design) else [])) if "uo_out" in ports \
            else []
        names += ["lanes"] if settings.get("lanes") and _lanes_slot(trace, design) else []
        names += ["tv"] if tv_signals(trace.names) else []
    slots = []
    for name in names:
        if name not in PANEL_NAMES:
            raise TtsimError(f"unknown viewer panel {name!r} (known: {', '.join(PANEL_NAMES)})")
        if name == "fets":
            from ttsim.viewer.fets import FetView, fets_slot

            slots.append(fets_slot(trace, design, fets_view or FetView()))
            continue
        if name == "lanes":
            slot = _lanes_slot(trace, design)
            if slot is None:
                raise TtsimError(f"the lanes panel needs `[viewer] lanes = \"STEM\"` naming "
                                 f"signals STEM0, STEM1, ... that {trace.path.name} has")
            slots.append(slot)
            continue
        if name == "tv":
            slot = _tv_slot(trace)
            if slot is None:
                raise TtsimError(f"the Atari TV needs the TIA's video signals hcount, colour and "
                                 f"vsync in one scope, which {trace.path.name} lacks")
            slots.append(slot)
            continue
        if "uo_out" not in ports:
            raise TtsimError(f"the {name} panel needs uo_out, which {trace.path.name} lacks")
        if name == "pins":
            pins = {port: trace.signal(full) for port, full in ports.items()
                    if port in ("ui_in", "uo_out", "uio_in", "uio_out", "uio_oe")}

            def pins_at(time, pins=pins):
                values = {port: s.value_at(time) for port, s in pins.items()}
                return PinValues(**{port: v if isinstance(v, int) else None
                                    for port, v in values.items()})

            slots.append(PanelSlot(PinsPanel(), pins_at))
        else:
            uo_out = trace.signal(ports["uo_out"], full=True)
            panel = VgaPanel(uo_out, pixel_hz=settings.get("pixel_hz"), seconds=trace.seconds)
            slots.append(PanelSlot(panel, lambda time: time))
    return slots


def _lanes_slot(trace: Trace, design: registry.Design | None) -> PanelSlot | None:
    """The array lanes panel over the design's lane signals, if the trace has them."""
    from ttsim.viewer.lanes import (ACTIVITY_CYCLES, Lane, LanesPanel, lane_signals,
                                    largest_magnitude, signed)

    stem = design.sections.get("viewer", {}).get("lanes") if design else None
    names = lane_signals(trace.names, stem) if isinstance(stem, str) and stem else []
    if not names:
        return None
    lanes = [trace.signal(name, full=True) for name in names]
    scale = max(largest_magnitude(lane.values[~lane.unknown], lane.width) for lane in lanes)
    window = ACTIVITY_CYCLES / design.clock_hz / trace.seconds(1)  # in trace ticks

    def lanes_at(time):
        states = []
        for lane in lanes:
            value = lane.value_at(time)
            last = lane.previous_change(time + 1)
            states.append(Lane(signed(value, lane.width) if isinstance(value, int) else None,
                               last is not None and time - last < window))
        return states

    return PanelSlot(LanesPanel(len(lanes), scale), lanes_at)


def _tv_slot(trace: Trace) -> PanelSlot | None:
    """The Atari TV over the trace's TIA video signals, if it has them."""
    from ttsim.viewer.atari_tv import AtariTvPanel, TvDecoder, tv_signals

    names = tv_signals(trace.names)
    if names is None:
        return None
    decoder = TvDecoder(*(trace.signal(names[signal], full=True)
                          for signal in ("hcount", "colour", "vsync")))
    return PanelSlot(AtariTvPanel(ntsc_palette()), decoder.picture)


def ntsc_palette():
    """The Atari's NTSC palette, (256, 3) RGB by TIA colour value (the fast path's, which is
    checked against ale-py)."""
    import numpy as np

    from ttsim.designs.atari2600.palette import to_rgb

    return to_rgb(np.arange(256))


class Session:
    """A trace, a view and panels; renders frames."""

    def __init__(self, trace: Trace, design: registry.Design | None = None,
                 view: View | None = None, size: tuple[int, int] = DEFAULT_SIZE,
                 panel_names: list[str] | None = None, fets_view=None):
        from ttsim.viewer.waveform import WaveformPane

        self.trace = trace
        self.design = design if design is not None else design_of_trace(trace)
        self.size = size
        if view is None:
            view = View()
            view.fit(trace.end_time)
        self.view = view
        self.pane = WaveformPane()
        self.panel_names, self.fets_view = panel_names, fets_view
        self.choose_panels()
        self.status = theme.TextCache(13)
        self.layout = None

    def choose_panels(self) -> None:
        """(Re)builds the panels for the current trace, as the session was asked for them."""
        self.panels = choose_panels(self.trace, self.design, self.panel_names, self.fets_view)

    def add_default_rows(self) -> None:
        """The TT ports (or, in traces without a TT top, the first signals of the top scope)."""
        ports = self.trace.tt_top_ports()
        names = [ports[p] for p in DEFAULT_SIGNALS if p in ports] if "uo_out" in ports else \
            self.trace.names[:12]
        for name in names:
            self.view.add(self.trace, name)

    def render(self, surface) -> None:
        import pygame

        width, height = surface.get_size()
        surface.fill(theme.BACKGROUND)
        # Wide panels (the FET overlay) go under the waveforms, the others in the right column.
        wide = [slot for slot in self.panels if getattr(slot.panel, "wide", False)]
        column = [slot for slot in self.panels if slot not in wide]
        panel_width = PANEL_WIDTH if column else 0
        body_height = height - STATUS_HEIGHT
        pane_height = int(body_height * WAVEFORM_SHARE) if wide else body_height
        pane = pygame.Rect(0, 0, width - panel_width, pane_height)
        self.layout = self.pane.draw(surface, pane, self.trace, self.view)
        wide_height = (body_height - pane_height) // max(len(wide), 1)
        for number, slot in enumerate(wide):
            area = pygame.Rect(0, pane_height + 2 + number * wide_height, pane.w, wide_height - 2)
            slot.panel.draw(surface, area, slot.data_at(self.view.cursor))
            slot.area = area
        top = 0
        for slot in column:
            area = pygame.Rect(pane.right + 2, top, panel_width - 2, slot.panel.height(panel_width))
            slot.panel.draw(surface, area, slot.data_at(self.view.cursor))
            slot.area = area
            top = area.bottom + 2
        self._draw_status(surface, pygame.Rect(0, height - STATUS_HEIGHT, width, STATUS_HEIGHT))

    def _draw_status(self, surface, rect) -> None:
        surface.fill(theme.PANEL, rect)
        fmt = self.trace.format_time
        parts = [self.trace.path.name, f"cursor {fmt(self.view.cursor)}",
                 f"window {fmt(self.view.start)} .. {fmt(self.view.end)}"]
        markers = sorted(self.view.markers.items())
        parts += [f"M{n} {fmt(t)} (cursor - M{n} = {fmt(self.view.cursor - t)})"
                  for n, t in markers]
        parts += [f"M{b} - M{a} = {fmt(tb - ta)}" for (a, ta), (b, tb) in zip(markers, markers[1:])]
        text = self.status.render("   ".join(parts), theme.TEXT_DIM)
        surface.blit(text, (rect.x + 6, rect.y + (rect.h - text.get_height()) // 2))

    def frame(self):
        """A new off-screen surface holding the current frame."""
        import pygame

        surface = pygame.Surface(self.size)
        self.render(surface)
        return surface

    def screenshot(self, path: str | Path) -> Path:
        import pygame

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.frame(), str(path))
        return path

    def record(self, path: str | Path, frames: int = 40, fps: float = 10.0) -> Path:
        """A GIF of the cursor sweeping the view's window from its start to its end."""
        import pygame

        from ttsim.viewer.gif import GifWriter

        if frames < 2:
            raise TtsimError("a recording needs at least 2 frames")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        start, end = self.view.start, self.view.end
        with GifWriter(path, *self.size, fps=fps) as gif:
            for number in range(frames):
                self.view.cursor = int(start + (end - start) * number / (frames - 1))
                gif.add(pygame.surfarray.array3d(self.frame()).transpose(1, 0, 2))
        return path


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise TtsimError(f"--size wants WIDTHxHEIGHT, not {text!r}") from None
    if not (320 <= width <= 8192 and 200 <= height <= 8192):
        raise TtsimError(f"--size {text}: from 320x200 up to 8192x8192")
    return width, height


def open_session(args, one_shot: bool) -> Session:
    """A session from the `ttsim view` options (see ttsim/cli.py). A `one_shot` session draws a few
    frames of one window (a screenshot, a recording), so big signals stay lazy in pywellen."""
    from ttsim.viewer.view import read_gtkw

    trace = Trace(args.trace, lazy_above=LAZY_ABOVE if one_shot else None)
    design = registry.get(args.design) if args.design else None
    view = View.load(args.view, trace) if args.view else None
    panel_names = [name.strip() for name in args.panels.split(",") if name.strip()] \
        if args.panels else None
    fets_view = None
    if (args.module or args.fets_focus or args.fets_zoom != 1) and \
            "fets" not in (panel_names or []):
        raise TtsimError("--module, --fets-zoom and --fets-focus are for the FET overlay: "
                         "add --panels fets")
    if panel_names and "fets" in panel_names:
        from ttsim.viewer.fets import FetView

        if args.fets_zoom < 1:
            raise TtsimError("--fets-zoom must be at least 1 (1: the whole module)")
        fets_view = FetView(args.module, args.fets_zoom, args.fets_focus)
    session = Session(trace, design, view, _size(args.size), panel_names, fets_view)
    specs = []
    if args.gtkw:
        specs += read_gtkw(args.gtkw, trace)
    if args.signals:
        specs += [spec.strip() for spec in args.signals.split(",") if spec.strip()]
    for spec in specs:
        session.view.add(trace, spec)
    if not session.view.rows:
        # The design's favourite signals, those the trace has (a gate-level or fast-path trace
        # may lack internal ones).
        settings = session.design.sections.get("viewer", {}) if session.design else {}
        for spec in settings.get("signals", []):
            try:
                session.view.add(trace, spec)
            except TtsimError:
                pass
    if not session.view.rows:
        session.add_default_rows()
    start = trace.ticks(args.start) if args.start is not None else None
    end = trace.ticks(args.end) if args.end is not None else None
    if start is not None or end is not None:
        session.view.start = float(start if start is not None else session.view.start)
        session.view.end = float(end if end is not None else session.view.end)
        if session.view.end <= session.view.start:
            raise TtsimError("--to must come after --from")
    if args.at is not None:
        session.view.cursor = trace.ticks(args.at)
    elif view is None:
        session.view.cursor = int((session.view.start + session.view.end) / 2)
    return session


def run_live_design(design: registry.Design, rom: str | None, size: tuple[int, int]) -> None:
    """`--live NAME`: the Atari (a design with a `[fast.atari]` table, for the fast path's atari
    model) plays `rom`; other designs run their TT top."""
    from ttsim.tools import fastpath

    if "atari" in fastpath.fast_table(design):
        from ttsim.viewer.atari_live import run_atari_live

        if rom is None:
            raise TtsimError(f"--live {design.name} plays a cartridge: add --rom FILE")
        run_atari_live(design, rom, size)
        return
    if rom is not None:
        raise TtsimError(f"--rom is for the Atari; {design.name} takes no cartridge")
    from ttsim.viewer.live import run_live

    run_live(design, size)


def run(args) -> int:
    """`ttsim view`: a window, or a screenshot / GIF when asked for one."""
    headless = bool(args.screenshot or args.record)
    if bool(args.trace) == bool(args.live):
        raise TtsimError("give a trace file or --live NAME (one of them)")
    if args.rom and not args.live:
        raise TtsimError("--rom goes with --live (the cartridge a live Atari plays)")
    if args.live and headless:
        raise TtsimError("--live shows a running simulation in a window; --screenshot and "
                         "--record work on trace files (`ttsim run NAME --trace` writes one)")
    if args.record and (args.start is None or args.end is None):
        raise TtsimError("--record needs --from T1 and --to T2 (the cursor sweeps between them)")
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"  # pictures need no display
    elif not has_display():
        raise TtsimError("no display for the viewer window (DISPLAY is not set): use "
                         "--screenshot OUT.png or --record OUT.gif")
    import pygame

    pygame.font.init()
    if args.live:
        run_live_design(registry.get(args.live), args.rom, _size(args.size))
        return 0
    session = open_session(args, one_shot=headless)
    if args.screenshot:
        print(f"wrote {session.screenshot(args.screenshot)}")
    if args.record:
        print(f"wrote {session.record(args.record, frames=args.frames, fps=args.fps)}")
    if not headless:
        from ttsim.viewer.window import run_window

        run_window(session, view_file=args.view)
    return 0
