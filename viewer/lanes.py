"""The accelerator array panel: one cell per lane with its accumulator (a signed bar and its value)
and whether the lane is active (its accumulator changed within the last few clock cycles).

A design names its per-lane signals in design.toml, `[viewer] lanes = "acc"`: the trace's signals
acc0, acc1, ... (in any scope) are the lanes, in number order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pygame

from ttsim.viewer import theme

COLUMNS = 4
CELL_HEIGHT = 40
ACTIVITY_CYCLES = 8
POSITIVE = (90, 200, 120)
NEGATIVE = (230, 100, 90)
ACTIVE = (255, 210, 80)


@dataclass
class Lane:
    """One lane at one moment: its accumulator (None: unknown) and whether it is active."""

    value: int | None
    active: bool


def lane_signals(names: list[str], stem: str) -> list[str]:
    """The full names of `stem`0, `stem`1, ... among `names`, ordered by lane number."""
    pattern = re.compile(rf"(?:^|\.){re.escape(stem)}(\d+)$")
    found = {int(match[1]): name for name in names if (match := pattern.search(name))}
    return [found[number] for number in sorted(found)]


def signed(value: int, width: int) -> int:
    return value - (1 << width) if value >> (width - 1) & 1 else value


def largest_magnitude(values: np.ndarray, width: int) -> int:
    """The largest |value| among two's complement `values` of `width` bits (at least 1)."""
    if not len(values):
        return 1
    numbers = values.astype(np.int64) if width < 64 else values.view(np.int64)
    if width < 64:
        numbers = np.where(numbers >> (width - 1) & 1, numbers - (1 << width), numbers)
    return max(1, int(np.abs(numbers).max()))


class LanesPanel:
    """Draws a list of `Lane`s as a grid of cells; bars are scaled to `scale` (the largest |value|
    in the trace, so pictures at different times compare)."""

    title = "array lanes"

    def __init__(self, count: int, scale: int):
        self.count = count
        self.scale = max(1, scale)
        self.text = theme.TextCache(12)

    def height(self, width: int) -> int:
        return 28 + (self.count + COLUMNS - 1) // COLUMNS * (CELL_HEIGHT + 4)

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, lanes: list[Lane]) -> None:
        surface.fill(theme.PANEL, rect)
        surface.blit(self.text.render(f"{self.title} ({len(lanes)})", theme.TEXT_DIM),
                     (rect.x + 8, rect.y + 6))
        cell_width = (rect.w - 8) // COLUMNS
        for number, lane in enumerate(lanes):
            row, column = divmod(number, COLUMNS)
            top = rect.y + 28 + row * (CELL_HEIGHT + 4)
            cell = pygame.Rect(rect.x + 4 + column * cell_width, top, cell_width - 4, CELL_HEIGHT)
            self._draw_cell(surface, cell, number, lane)

    def _draw_cell(self, surface, cell: pygame.Rect, number: int, lane: Lane) -> None:
        pygame.draw.rect(surface, theme.ROW_ODD, cell)
        if lane.active:
            pygame.draw.rect(surface, ACTIVE, cell, 2)
        middle = cell.centerx
        if lane.value:
            length = min(cell.w // 2 - 4, round(abs(lane.value) / self.scale * (cell.w // 2 - 4)))
            bar = pygame.Rect(middle, cell.bottom - 12, length, 8) if lane.value > 0 else \
                pygame.Rect(middle - length, cell.bottom - 12, length, 8)
            pygame.draw.rect(surface, POSITIVE if lane.value > 0 else NEGATIVE, bar)
        pygame.draw.line(surface, theme.GRID, (middle, cell.bottom - 14), (middle, cell.bottom - 3))
        label = f"{number}: {'?' if lane.value is None else lane.value}"
        surface.blit(self.text.render(label, theme.TEXT), (cell.x + 4, cell.y + 3))
