"""The VGA monitor: decodes the TinyVGA PMOD on uo_out into the 640x480 picture the beam has drawn.

TinyVGA pins on uo_out: [0]=R1 [1]=G1 [2]=B1 [3]=VSYNC [4]=R0 [5]=G0 [6]=B0 [7]=HSYNC (syncs active
low, 2 bits per colour). Standard 640x480 at 60 Hz timing: per line 640 visible pixels, 16 front
porch, 96 sync, 48 back porch; per frame 480 visible lines, 10 front porch, 2 sync, 33 back porch.
A frame starts at a VSYNC fall; the hsync falls after it count lines (the first is in sync line 0),
and visible line y begins 96 + 48 pixels after the hsync fall of the line before it.
"""
from __future__ import annotations

import numpy as np
import pygame

from ttsim.viewer import theme
from ttsim.viewer.trace import SignalData

WIDTH, HEIGHT = 640, 480
H_SYNC, H_BACK, H_TOTAL = 96, 48, 800
V_SYNC, V_BACK = 2, 33
LINES_BEFORE_PICTURE = V_SYNC + V_BACK - 1  # hsync falls from the vsync fall to picture line 0's
HSYNC_BIT, VSYNC_BIT = 7, 3
LEVELS = np.array([0, 85, 170, 255], dtype=np.uint8)
KEPT_FRAMES = 4  # decoded frames kept for the next picture


def sync_falls(signal: SignalData, bit: int) -> np.ndarray:
    """Times at which `bit` of the signal goes from 1 to 0."""
    level = (signal.values >> np.uint64(bit)) & np.uint64(1)
    falls = np.flatnonzero((level[:-1] == 1) & (level[1:] == 0)) + 1
    return signal.times[falls]


def colours(values: np.ndarray) -> np.ndarray:
    """RGB (..., 3) uint8 of TinyVGA uo_out values: bits 0/4 are R1/R0, 1/5 G1/G0, 2/6 B1/B0."""
    values = values.astype(np.int64)
    channels = [((values >> high) & 1) * 2 + ((values >> (high + 4)) & 1) for high in (0, 1, 2)]
    return LEVELS[np.stack(channels, axis=-1)]


class VgaDecoder:
    """Decodes frames from a uo_out signal at any time; the sync edges are found once."""

    def __init__(self, uo_out: SignalData, pixel_ticks: float | None = None):
        self.uo_out = uo_out
        self._given_pixel_ticks = pixel_ticks
        self._version = None
        self._frames: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # by start time, oldest first
        self._find_syncs()

    def _find_syncs(self) -> None:
        """(Re)finds the sync edges when the signal has grown (a live simulation)."""
        if self._version == self.uo_out.version:
            return
        self._version = self.uo_out.version
        self.hsync_falls = sync_falls(self.uo_out, HSYNC_BIT)
        self.vsync_falls = sync_falls(self.uo_out, VSYNC_BIT)
        self.pixel_ticks = self._given_pixel_ticks
        if self.pixel_ticks is None and len(self.hsync_falls) > 1:
            self.pixel_ticks = float(np.median(np.diff(self.hsync_falls))) / H_TOTAL

    def picture(self, time: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int] | None]:
        """(HEIGHT, WIDTH, 3) RGB of the frame being drawn at `time` (the previous frame's pixels
        where the beam has not yet been), a (HEIGHT, WIDTH) mask of the pixels drawn this frame,
        and the beam's (x, y) in the picture (None during blanking or before any frame)."""
        self._find_syncs()
        image = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
        fresh = np.zeros((HEIGHT, WIDTH), dtype=bool)
        if self.pixel_ticks is None:
            return image, fresh, None
        frame = int(np.searchsorted(self.vsync_falls, time, side="right")) - 1
        if frame < 0:
            return image, fresh, None
        if frame > 0:
            previous, drawn = self._decoded(int(self.vsync_falls[frame - 1]), time)
            image[drawn] = previous[drawn] // 2
        current, fresh = self._decoded(int(self.vsync_falls[frame]), time)
        image[fresh] = current[fresh]
        return image, fresh, self._beam(fresh)

    def _decoded(self, frame_start: int, time: int) -> tuple[np.ndarray, np.ndarray]:
        """A frame's pixels up to `time` and the mask of those pixels. Decoded pixels are kept,
        so a cursor (or a live simulation) moving on decodes only the pixels it passed."""
        image, known = self._frames.pop(frame_start, None) or \
            (np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8), np.zeros((HEIGHT, WIDTH), dtype=bool))
        times = self._pixel_times(frame_start)
        drawn = times <= time
        due = drawn & ~known
        image[due] = colours(self._values_at(times[due]))
        known |= due
        self._frames[frame_start] = (image, known)
        while len(self._frames) > KEPT_FRAMES:
            self._frames.pop(next(iter(self._frames)))
        return image, drawn

    def _pixel_times(self, frame_start: int) -> np.ndarray:
        """The time of each pixel's centre; +inf for lines whose hsync has not come."""
        first = int(np.searchsorted(self.hsync_falls, frame_start, side="left"))
        first += LINES_BEFORE_PICTURE
        starts = np.full(HEIGHT, np.inf)
        line_falls = self.hsync_falls[first:first + HEIGHT]
        starts[:len(line_falls)] = line_falls
        offsets = (H_SYNC + H_BACK + np.arange(WIDTH) + 0.5) * self.pixel_ticks
        return starts[:, None] + offsets[None, :]

    def _values_at(self, times: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.uo_out.times, times.astype(np.int64), side="right") - 1
        return np.where(index >= 0, self.uo_out.values[np.maximum(index, 0)], 0)

    @staticmethod
    def _beam(fresh: np.ndarray) -> tuple[int, int] | None:
        drawn = np.flatnonzero(fresh.ravel())
        if not len(drawn) or len(drawn) == fresh.size:
            return None
        y, x = divmod(int(drawn[-1]), WIDTH)
        return x, y


class VgaPanel:
    """Draws the decoded picture scaled into the panel, with the beam position."""

    title = "VGA 640x480"

    def __init__(self, uo_out: SignalData, pixel_hz: float | None = None, seconds=None):
        pixel_ticks = 1.0 / pixel_hz / seconds(1) if pixel_hz and seconds else None
        self.decoder = VgaDecoder(uo_out, pixel_ticks)
        self.text = theme.TextCache(13)

    def height(self, width: int) -> int:
        return 28 + (width - 16) * 3 // 4 + 24

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, time: int) -> None:
        surface.fill(theme.PANEL, rect)
        surface.blit(self.text.render(self.title, theme.TEXT_DIM), (rect.x + 8, rect.y + 6))
        image, _, beam = self.decoder.picture(time)
        screen = pygame.Rect(rect.x + 8, rect.y + 28, rect.w - 16, (rect.w - 16) * 3 // 4)
        picture = pygame.surfarray.make_surface(image.transpose(1, 0, 2))
        surface.blit(pygame.transform.smoothscale(picture, screen.size), screen)
        where = "blanking" if beam is None else f"beam at x {beam[0]}, y {beam[1]}"
        surface.blit(self.text.render(where, theme.TEXT_DIM), (rect.x + 8, screen.bottom + 4))
        if beam is not None:
            x = screen.x + beam[0] * screen.w // WIDTH
            y = screen.y + beam[1] * screen.h // HEIGHT
            pygame.draw.circle(surface, theme.CURSOR, (x, y), 3, 1)
