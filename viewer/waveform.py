"""The waveform pane: signal names and values at the cursor, a time ruler, and the waves.

The waves are rasterised into an 8-bit palette image that one blit puts on screen: per row and pixel
column the data layer says which value holds at the column's left edge and how many changes fall
inside it (analog rows also get the column's min/max), that picks one of a few column patterns, and
a table look-up paints them all. A frame costs the same at any zoom whatever the number of changes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame

from ttsim.viewer import theme
from ttsim.viewer.formats import format_value
from ttsim.viewer.trace import Columns, LazySignal, SignalData, Trace
from ttsim.viewer.view import Row, View

ROW_HEIGHT = 22
RULER_HEIGHT = 24
NAME_WIDTH = 170
VALUE_WIDTH = 90
LABEL_MIN_PIXELS = 14
RULER_LABEL_SPACING = 110
PAD = 4

# Palette indices of the wave image.
PALETTE = [theme.ROW_EVEN, theme.ROW_ODD, theme.ROW_SELECTED, theme.GRID, theme.WAVE, theme.BUS,
           theme.ANALOG, theme.UNKNOWN_X, theme.UNKNOWN_Z]
(BG_EVEN, BG_ODD, BG_SELECTED, BG_GRID, INK_WAVE, INK_BUS, INK_ANALOG, INK_X,
 INK_Z) = range(len(PALETTE))


@dataclass
class PaneLayout:
    """Where the parts of the pane are, for drawing and for mouse hit tests."""

    names: pygame.Rect
    ruler: pygame.Rect
    waves: pygame.Rect
    first_row: int
    row_count: int

    def x_of(self, view: View, time: float) -> float:
        return self.waves.x + (time - view.start) / (view.end - view.start) * self.waves.w

    def time_at(self, view: View, x: float) -> float:
        return view.start + (x - self.waves.x) / self.waves.w * (view.end - view.start)

    def row_at(self, y: int) -> int | None:
        """The row index under screen row `y`, or None."""
        if y < self.waves.y:
            return None
        index = self.first_row + (y - self.waves.y) // ROW_HEIGHT
        return index if index < self.first_row + self.row_count else None


class WaveformPane:
    """Draws a `View` of a `Trace` into a rectangle of a surface."""

    def __init__(self):
        self.text = theme.TextCache(13)
        self._summaries: dict[tuple, Columns] = {}

    def _columns(self, signal, view: View, width: int) -> Columns:
        """The signal's column summary, reused while the window stays put (the cursor moving, a
        play at a fixed window, clicks); a live signal that grew is summarised afresh."""
        key = (signal.name, id(signal), len(signal), getattr(signal, "version", 0), view.start,
               view.end, width)
        summary = self._summaries.get(key)
        if summary is None:
            if len(self._summaries) > 4 * len(view.rows) + 16:
                self._summaries.clear()
            summary = self._summaries[key] = signal.columns(view.start, view.end, width)
        return summary

    def layout(self, rect: pygame.Rect, view: View) -> PaneLayout:
        label_width = NAME_WIDTH + VALUE_WIDTH
        waves = pygame.Rect(rect.x + label_width, rect.y + RULER_HEIGHT,
                            max(rect.w - label_width, 8), max(rect.h - RULER_HEIGHT, ROW_HEIGHT))
        fits = waves.h // ROW_HEIGHT
        first = max(0, min(view.scroll, len(view.rows) - fits))
        return PaneLayout(names=pygame.Rect(rect.x, waves.y, label_width, waves.h),
                          ruler=pygame.Rect(waves.x, rect.y, waves.w, RULER_HEIGHT),
                          waves=waves, first_row=first, row_count=min(fits, len(view.rows) - first))

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, trace: Trace,
             view: View) -> PaneLayout:
        layout = self.layout(rect, view)
        surface.fill(theme.PANEL, rect)
        rows = view.rows[layout.first_row:layout.first_row + layout.row_count]
        signals = [trace.signal(row.name, full=row.format == "analog") for row in rows]
        columns = [self._columns(signal, view, layout.waves.w) for signal in signals]
        selected = view.selected - layout.first_row
        grid = self._draw_ruler(surface, layout, trace, view)
        if rows:
            image = rasterise(signals, columns, rows, layout.waves.w, selected, grid)
            self._blit_image(surface, layout.waves.topleft, image)
        for position, (row, signal) in enumerate(zip(rows, signals)):
            top = layout.waves.y + position * ROW_HEIGHT
            self._draw_label(surface, layout, top, row, signal, view, position == selected)
            if not signal.is_bit and row.format != "analog":
                self._draw_bus_values(surface, layout, top, row, signal, columns[position])
        self._draw_cursor_and_markers(surface, layout, trace, view)
        return layout

    @staticmethod
    def _blit_image(surface: pygame.Surface, position, image: np.ndarray) -> None:
        height, width = image.shape
        canvas = pygame.image.frombuffer(image, (width, height), "P")
        canvas.set_palette(PALETTE)
        surface.blit(canvas, position)

    def _draw_label(self, surface, layout: PaneLayout, top: int, row: Row, signal,
                    view: View, selected: bool) -> None:
        band = pygame.Rect(layout.names.x, top, layout.names.w, ROW_HEIGHT)
        shade = (theme.ROW_EVEN, theme.ROW_ODD)[(top - layout.waves.y) // ROW_HEIGHT % 2]
        surface.fill(theme.ROW_SELECTED if selected else shade, band)
        name = row.name.rsplit(".", 1)[-1]
        if row.group:
            name = f"{row.group}/{name}"
        if signal.width > 1:
            name += f"[{signal.width - 1}:0]"
        text = self.text.render(_fit(name, NAME_WIDTH - 2 * PAD, self.text), theme.TEXT)
        surface.blit(text, (band.x + PAD, top + (ROW_HEIGHT - text.get_height()) // 2))
        value = format_value(signal.value_at(view.cursor), signal.width, row.format)
        text = self.text.render(_fit(value, VALUE_WIDTH - 2 * PAD, self.text), theme.BUS)
        surface.blit(text, (band.x + NAME_WIDTH + PAD, top + (ROW_HEIGHT - text.get_height()) // 2))

    def _draw_bus_values(self, surface, layout: PaneLayout, top: int, row: Row, signal,
                         columns: Columns) -> None:
        """Writes each bus value centred in its stretch, where the stretch is wide enough."""
        quiet = np.concatenate(([False], (columns.changes == 0) & (columns.start >= 0), [False]))
        bounds = np.flatnonzero(np.diff(quiet.astype(np.int8)))
        firsts, lasts = bounds[0::2], bounds[1::2]
        wide = lasts - firsts >= LABEL_MIN_PIXELS
        char_width = self.text.width("0")
        for first, last in zip(firsts[wide], lasts[wide]):
            value = format_value(signal.value(int(columns.start[first])), signal.width, row.format)
            text = _fit(value, last - first - 2 * PAD, self.text, char_width)
            if text:
                surface_text = self.text.render(text, theme.TEXT)
                x = layout.waves.x + (first + last - surface_text.get_width()) // 2
                surface.blit(surface_text, (x, top + (ROW_HEIGHT - surface_text.get_height()) // 2))

    def _draw_ruler(self, surface, layout: PaneLayout, trace: Trace, view: View) -> list[int]:
        """Draws the time ruler; returns the x (within the waves) of its grid lines."""
        surface.fill(theme.BACKGROUND, layout.ruler)
        step = nice_step((view.end - view.start) * RULER_LABEL_SPACING / layout.waves.w)
        tick = math.ceil(view.start / step) * step
        grid = []
        while tick <= view.end:
            x = int(layout.x_of(view, tick))
            pygame.draw.line(surface, theme.GRID, (x, layout.ruler.bottom - 6),
                             (x, layout.ruler.bottom))
            label = self.text.render(trace.format_time(tick), theme.TEXT_DIM)
            surface.blit(label, (x + 3, layout.ruler.y + 3))
            grid.append(x - layout.waves.x)
            tick += step
        return [x for x in grid if 0 <= x < layout.waves.w]

    def _draw_cursor_and_markers(self, surface, layout: PaneLayout, trace: Trace,
                                 view: View) -> None:
        clip = surface.get_clip()
        surface.set_clip(layout.ruler.union(layout.waves))
        for number, time in sorted(view.markers.items()):
            x = int(layout.x_of(view, time))
            pygame.draw.line(surface, theme.MARKER, (x, layout.ruler.y), (x, layout.waves.bottom))
            label = self.text.render(str(number), theme.BACKGROUND)
            box = label.get_rect(midtop=(x, layout.ruler.y + 2)).inflate(6, 2)
            pygame.draw.rect(surface, theme.MARKER, box)
            surface.blit(label, label.get_rect(center=box.center))
        x = int(layout.x_of(view, view.cursor))
        if view.cursor == view.end:  # the window's last instant still shows its cursor
            x = layout.waves.right - 1
        pygame.draw.line(surface, theme.CURSOR, (x, layout.ruler.y), (x, layout.waves.bottom))
        label = self.text.render(trace.format_time(view.cursor), theme.BACKGROUND)
        box = label.get_rect(topleft=(x + 2, layout.ruler.y + 2)).inflate(6, 2)
        if box.right > layout.ruler.right:
            box.right = x - 2
        pygame.draw.rect(surface, theme.CURSOR, box)
        surface.blit(label, label.get_rect(center=box.center))
        surface.set_clip(clip)


HIGH_Y, LOW_Y, MIDDLE_Y = PAD, ROW_HEIGHT - PAD - 1, ROW_HEIGHT // 2
# What one pixel column of a row can look like; analog columns are ANALOG + top * ROW_HEIGHT +
# bottom (a span from the largest value's pixel row down to the smallest's).
NOTHING, BIT_HIGH, BIT_LOW, BIT_EDGE, BUS_RAILS, BUS_EDGE, FLOATING, UNKNOWN, ANALOG = range(9)
PATTERNS = ANALOG + ROW_HEIGHT * ROW_HEIGHT
BACKGROUNDS = (BG_EVEN, BG_ODD, BG_SELECTED, BG_GRID)


def _pattern_table() -> np.ndarray:
    """Every column pattern over every background: (len(BACKGROUNDS) * PATTERNS, ROW_HEIGHT)."""
    table = np.empty((len(BACKGROUNDS), PATTERNS, ROW_HEIGHT), dtype=np.uint8)
    for index, background in enumerate(BACKGROUNDS):
        table[index] = background
    span = slice(HIGH_Y, LOW_Y + 1)
    table[:, BIT_HIGH, HIGH_Y] = INK_WAVE
    table[:, BIT_LOW, LOW_Y] = INK_WAVE
    table[:, BIT_EDGE, span] = INK_WAVE
    table[:, BUS_RAILS, [HIGH_Y, LOW_Y]] = INK_BUS
    table[:, BUS_EDGE, span] = INK_BUS
    table[:, FLOATING, MIDDLE_Y] = INK_Z
    table[:, UNKNOWN, span] = INK_X
    for top in range(ROW_HEIGHT):
        for bottom in range(top, ROW_HEIGHT):
            table[:, ANALOG + top * ROW_HEIGHT + bottom, top:bottom + 1] = INK_ANALOG
    return table.reshape(len(BACKGROUNDS) * PATTERNS, ROW_HEIGHT)


COLUMN_PATTERNS = _pattern_table()


def rasterise(signals: list[SignalData | LazySignal], columns: list[Columns], rows: list[Row],
              width: int, selected: int = -1, grid: list[int] = ()) -> np.ndarray:
    """The waves of `rows` as a (rows * ROW_HEIGHT, width) array of PALETTE indices (row-major, as
    an 8-bit surface's pixels are), with the background's grid lines at columns `grid`.

    Each (row, pixel column) gets a pattern number from its Columns summary, all rows at once with
    numpy; one look-up in COLUMN_PATTERNS then turns the numbers into pixels."""
    count = len(rows)
    start = np.stack([c.start for c in columns])
    known, busy = start >= 0, np.stack([c.changes for c in columns]) > 0
    nonzero, unknown, floating = (np.stack([getattr(c, field) for c in columns])
                                  for field in ("nonzero", "unknown", "floating"))
    is_bit = np.array([signal.is_bit for signal in signals])[:, None]
    pattern = np.where(is_bit, np.where(nonzero, BIT_HIGH, BIT_LOW), BUS_RAILS)
    pattern = np.where(busy, np.where(is_bit, BIT_EDGE, BUS_EDGE), pattern)
    pattern = np.where(floating & ~busy, FLOATING, pattern)
    pattern = np.where(unknown & (busy | ~floating), UNKNOWN, pattern)
    for index, (signal, row) in enumerate(zip(signals, rows)):
        if row.format == "analog" and not signal.is_bit:
            high_y, low_y, no_number = _analog_extent(signal, columns[index])
            pattern[index] = np.where(no_number, UNKNOWN, ANALOG + high_y * ROW_HEIGHT + low_y)
    pattern = np.where(known, pattern, NOTHING)
    background = np.where(np.arange(count) % 2 == 0, 0, 1)
    if 0 <= selected < count:
        background[selected] = BACKGROUNDS.index(BG_SELECTED)
    background = np.repeat(background[:, None], width, axis=1)
    background[:, list(grid)] = BACKGROUNDS.index(BG_GRID)
    image = COLUMN_PATTERNS[background * PATTERNS + pattern]  # (rows, width, ROW_HEIGHT)
    return np.ascontiguousarray(image.transpose(0, 2, 1)).reshape(count * ROW_HEIGHT, width)


def _analog_extent(signal: SignalData, columns: Columns):
    """Per column the pixel rows of the largest and smallest value, and whether any is x/z."""
    at = np.maximum(columns.start, 0)
    low, high = signal.span_min_max(at, np.maximum(columns.end, at))
    floor, ceiling = signal.value_range()
    scale = (LOW_Y - HIGH_Y) / (ceiling - floor) if ceiling > floor else 0.0
    with np.errstate(invalid="ignore"):
        high_y = np.nan_to_num(LOW_Y - (high - floor) * scale, nan=HIGH_Y).astype(np.int64)
        low_y = np.nan_to_num(LOW_Y - (low - floor) * scale, nan=LOW_Y).astype(np.int64)
    return high_y, low_y, ~np.isfinite(low) | ~np.isfinite(high)


def nice_step(raw: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least `raw`."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _fit(text: str, pixels: int, cache: theme.TextCache, char_width: int | None = None) -> str:
    """`text` cut (ending in '+') to fit `pixels` of the monospaced font; '' when nothing fits."""
    char_width = char_width or cache.width("0")
    room = int(pixels // char_width)
    if len(text) <= room:
        return text
    return text[:room - 1] + "+" if room >= 2 else ""
