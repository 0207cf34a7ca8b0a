"""Colours and fonts shared by the panels (a dark theme, like most waveform viewers)."""
from __future__ import annotations

import functools

import pygame

BACKGROUND = (18, 20, 24)
PANEL = (28, 31, 37)
ROW_EVEN = (22, 24, 29)
ROW_ODD = (28, 31, 37)
ROW_SELECTED = (44, 52, 70)
GRID = (48, 52, 60)
TEXT = (220, 223, 228)
TEXT_DIM = (140, 146, 156)
WAVE = (80, 220, 120)
BUS = (110, 200, 240)
ANALOG = (240, 190, 80)
UNKNOWN_X = (235, 70, 70)
UNKNOWN_Z = (230, 220, 60)
CURSOR = (250, 250, 250)
MARKER = (250, 140, 40)
LED_ON = (255, 60, 50)
LED_OFF = (70, 30, 30)
LED_INPUT_ON = (80, 220, 120)
LED_INPUT_OFF = (30, 60, 40)
SEGMENT_ON = (255, 40, 30)
SEGMENT_OFF = (55, 22, 20)

_MONO_FONTS = "dejavusansmono,liberationmono,couriernew,monospace"


@functools.cache
def font(size: int = 14, bold: bool = False) -> pygame.font.Font:
    """A monospaced font (pygame's own font when no system one is found)."""
    if not pygame.font.get_init():
        pygame.font.init()
    path = pygame.font.match_font(_MONO_FONTS, bold=bold)
    return pygame.font.Font(path, size)


class TextCache:
    """Rendered text surfaces, reused across frames (rendering text is the slow part of a frame)."""

    LIMIT = 20000

    def __init__(self, size: int = 13):
        self.font = font(size)
        self._cache: dict[tuple, pygame.Surface] = {}

    def render(self, text: str, colour=TEXT) -> pygame.Surface:
        key = (text, colour)
        surface = self._cache.get(key)
        if surface is None:
            if len(self._cache) > self.LIMIT:
                self._cache.clear()
            surface = self._cache[key] = self.font.render(text, True, colour)
        return surface

    def width(self, text: str) -> int:
        return self.render(text).get_width()
