"""The Atari TV: the picture the TIA of the native Atari top has drawn up to the beam.

The decoder reads three of the top's video outputs from a trace (see designs/atari2600/tia.py):
`hcount` (the colour clock in the line, 0..227: one change per colour clock, so its change times
are the clock's ticks), `colour` (the TIA colour value of that clock, 0 while blanked) and `vsync`.
A frame starts at the line in which VSYNC rises (line 0); a line starts where hcount is 0. The TV
shows the 160 visible clocks (hcount 68..227) of lines FIRST_LINE .. FIRST_LINE + ROWS - 1, the
210 lines ale-py and Stella show of an NTSC frame (ale-py's screen row 0 is line 37).

The panel draws a `TvPicture`: from a trace, the frame being drawn at the cursor (the previous
frame, dimmed, where the beam has not been yet); live, a whole frame from the fast path.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

from ttsim.viewer import theme
from ttsim.viewer.trace import SignalData

WIDTH = 160
FIRST_LINE = 37
ROWS = 210
HBLANK_CLOCKS = 68
LINE_CLOCKS = 228
SIGNALS = ("hcount", "colour", "vsync")
NEVER = np.iinfo(np.int64).max  # the time of a pixel the trace never reaches
KEPT_FRAMES = 4
ASPECT = 4 / 3  # the TV's width over its height
DIM = 2  # previous-frame pixels are drawn at 1/DIM brightness


@dataclass
class TvPicture:
    """What the TV shows at one moment.

    colours: (ROWS, WIDTH) uint8 TIA colour values.
    fresh: (ROWS, WIDTH) bool, True for pixels of the current frame (the others are the previous
        frame's, drawn dimmed).
    frame: the frame's number (0 = the trace's first VSYNC), None before any.
    line, hcount: where the beam is in that frame (line counted from the VSYNC line), if known.
    times: (ROWS, WIDTH) int64, when each pixel shown was drawn (NEVER: not in the trace), for
        pictures from a trace.
    """

    colours: np.ndarray
    fresh: np.ndarray
    frame: int | None = None
    line: int | None = None
    hcount: int | None = None
    times: np.ndarray | None = None

    @classmethod
    def blank(cls) -> TvPicture:
        return cls(np.zeros((ROWS, WIDTH), np.uint8), np.zeros((ROWS, WIDTH), bool))

    @property
    def beam(self) -> tuple[int, int] | None:
        """The beam's (x, row) on the TV, None while it is outside the picture."""
        if self.line is None or self.hcount is None:
            return None
        x, row = self.hcount - HBLANK_CLOCKS, self.line - FIRST_LINE
        return (x, row) if 0 <= x < WIDTH and 0 <= row < ROWS else None


def tv_signals(names: list[str]) -> dict[str, str] | None:
    """The full names of SIGNALS in the shallowest scope that has all three, if any."""
    scopes = sorted({name.rsplit(".", 1)[0] for name in names if name.endswith(".hcount")},
                    key=lambda scope: (scope.count("."), scope))
    present = set(names)
    for scope in scopes:
        found = {signal: f"{scope}.{signal}" for signal in SIGNALS}
        if all(full in present for full in found.values()):
            return found
    return None


def rises(signal: SignalData) -> np.ndarray:
    """Times at which bit 0 of the signal goes from 0 to 1 (known values only)."""
    level = (signal.values.astype(np.uint64) & np.uint64(1)).astype(bool) & ~signal.unknown
    return signal.times[np.flatnonzero(~level[:-1] & level[1:]) + 1]


class TvDecoder:
    """Frames decoded from the three video signals of a trace; each frame is decoded once."""

    def __init__(self, hcount: SignalData, colour: SignalData, vsync: SignalData):
        self.hcount, self.colour = hcount, colour
        known_zero = (hcount.values == 0) & ~hcount.unknown
        self.line_starts = np.flatnonzero(known_zero)  # indices of hcount changes (clocks)
        self.line_times = hcount.times[self.line_starts]
        self.frame_starts = rises(vsync)
        self._frames: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # by number, oldest first

    def picture(self, time: int) -> TvPicture:
        frame = int(np.searchsorted(self.frame_starts, time, side="right")) - 1
        if frame < 0:
            return TvPicture.blank()
        times, colours = self._frame(frame)
        fresh = times <= time
        previous_times, previous = self._frame(frame - 1) if frame > 0 else (NEVER, 0)
        colours = np.where(fresh, colours, previous).astype(np.uint8)
        times = np.where(fresh, times, previous_times)
        line, hcount = self._beam(frame, time)
        return TvPicture(colours, fresh, frame, line, hcount, times)

    def _first_line(self, frame: int) -> int:
        """Index (into the line starts) of the line holding the frame's VSYNC rise; -1 when the
        trace starts inside that line."""
        return int(np.searchsorted(self.line_times, self.frame_starts[frame], side="right")) - 1

    def _frame(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """(times, colours): each TV pixel's time (NEVER where the trace does not reach it within
        the frame) and colour value (0 there)."""
        if frame in self._frames:
            return self._frames[frame]
        count = len(self.line_starts)
        times = np.full((ROWS, WIDTH), NEVER, dtype=np.int64)
        lines = self._first_line(frame) + FIRST_LINE + np.arange(ROWS)
        present = (lines >= 0) & (lines < count)
        if present.any():
            starts = self.line_starts[np.clip(lines, 0, count - 1)]
            # A line ends at the next line start (RSYNC can shorten it) or at the trace's end.
            ends = np.where(lines + 1 < count, self.line_starts[np.clip(lines + 1, 0, count - 1)],
                            len(self.hcount.times))
            clocks = starts[:, None] + HBLANK_CLOCKS + np.arange(WIDTH)[None, :]
            valid = present[:, None] & (clocks < ends[:, None])
            times[valid] = self.hcount.times[clocks[valid]]
        if frame + 1 < len(self.frame_starts):
            times[times >= self.frame_starts[frame + 1]] = NEVER
        colours = self._colours_at(times)
        self._frames[frame] = (times, colours)
        while len(self._frames) > KEPT_FRAMES:
            self._frames.pop(next(iter(self._frames)))
        return times, colours

    def _colours_at(self, times: np.ndarray) -> np.ndarray:
        colour = self.colour
        index = np.searchsorted(colour.times, times, side="right") - 1
        at = np.maximum(index, 0)
        known = (index >= 0) & (times != NEVER) & ~colour.unknown[at]
        return np.where(known, colour.values[at], 0).astype(np.uint8)

    def _beam(self, frame: int, time: int) -> tuple[int | None, int | None]:
        clock = self.hcount.count_until(time) - 1
        if clock < 0 or self.hcount.unknown[clock]:
            return None, None
        line = int(np.searchsorted(self.line_starts, clock, side="right")) - 1
        return line - self._first_line(frame), int(self.hcount.values[clock])


def picture_of_frame(colours: np.ndarray, frame: int | None = None) -> TvPicture:
    """A whole frame of colour values (lines from the VSYNC line, 160 columns; as the fast path
    delivers them) as a picture: its TV rows, all fresh."""
    rows = np.zeros((ROWS, WIDTH), np.uint8)
    shown = colours[FIRST_LINE:FIRST_LINE + ROWS, :WIDTH]
    rows[:len(shown), :shown.shape[1]] = shown
    return TvPicture(rows, np.ones((ROWS, WIDTH), bool), frame)


class AtariTvPanel:
    """Draws a `TvPicture` through an NTSC palette, 4:3, with the beam and a caption.

    A wide panel: it takes the area under the waveforms, the TV on the left and the caption
    lines (frame, beam, the inputs in live mode) on its right.
    """

    title = "Atari TV (NTSC)"
    wide = True

    def __init__(self, palette: np.ndarray):
        """palette: (256, 3) uint8 RGB of each TIA colour value."""
        self.palette = np.asarray(palette, dtype=np.uint8)
        self.text = theme.TextCache(13)
        self.notes: list[str] = []  # extra caption lines (the live mode's controls)

    def screen_rect(self, rect: pygame.Rect) -> pygame.Rect:
        """Where the TV picture goes inside the panel's area."""
        height = max(1, min(rect.h - 36, round((rect.w - 16) / ASPECT)))
        return pygame.Rect(rect.x + 8, rect.y + 28, round(height * ASPECT), height)

    def pixel_at(self, rect: pygame.Rect, position: tuple[int, int]) -> tuple[int, int] | None:
        """The TV pixel (x, row) under a point of the panel drawn in `rect`, if any."""
        screen = self.screen_rect(rect)
        if not screen.collidepoint(position):
            return None
        return ((position[0] - screen.x) * WIDTH // screen.w,
                (position[1] - screen.y) * ROWS // screen.h)

    def rgb(self, picture: TvPicture) -> np.ndarray:
        """(ROWS, WIDTH, 3) RGB of the picture, old pixels dimmed."""
        rgb = self.palette[picture.colours]
        stale = ~picture.fresh
        rgb[stale] //= DIM
        return rgb

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, picture: TvPicture) -> None:
        surface.fill(theme.PANEL, rect)
        surface.blit(self.text.render(self.title, theme.TEXT_DIM), (rect.x + 8, rect.y + 6))
        screen = self.screen_rect(rect)
        # Scaled here rather than by pygame, so that `pixel_at` is its exact inverse.
        rows = np.arange(screen.h) * ROWS // screen.h
        columns = np.arange(screen.w) * WIDTH // screen.w
        scaled = self.rgb(picture)[rows][:, columns]
        surface.blit(pygame.surfarray.make_surface(scaled.transpose(1, 0, 2)), screen)
        beam = picture.beam
        if beam is not None:
            x = screen.x + round((beam[0] + 0.5) * screen.w / WIDTH)
            y = screen.y + round((beam[1] + 0.5) * screen.h / ROWS)
            pygame.draw.circle(surface, theme.CURSOR, (x, y), 4, 1)
        lines = [self._where(picture), *self.notes]
        for number, line in enumerate(lines):
            surface.blit(self.text.render(line, theme.TEXT_DIM),
                         (screen.right + 12, screen.y + number * (self.text.font.get_linesize())))

    @staticmethod
    def _where(picture: TvPicture) -> str:
        if picture.frame is None:
            return "no frame yet (waiting for VSYNC)"
        where = f"frame {picture.frame}"
        if picture.line is not None:
            where += f", line {picture.line}, hcount {picture.hcount}"
            beam = picture.beam
            where += f" (x {beam[0]}, row {beam[1]})" if beam else " (blanking)"
        return where
