"""The TT pins panel: ui_in, uo_out and the bidirectional uio pins as LEDs, and the TT demo board's
seven-segment display as decoded from uo_out (segments a..g on bits 0..6, the decimal point on
bit 7)."""
from __future__ import annotations

from dataclasses import dataclass

import pygame

from ttsim.viewer import theme

SEGMENTS = "abcdefg"
LED_RADIUS = 9
LED_PITCH = 30


@dataclass
class PinValues:
    """The TT pins at one moment; None where the trace has no value (or x/z)."""

    ui_in: int | None = None
    uo_out: int | None = None
    uio_in: int | None = None
    uio_out: int | None = None
    uio_oe: int | None = None


def lit_segments(uo_out: int | None) -> set[str]:
    """Which of a..g and dp the demo board lights for this uo_out."""
    if uo_out is None:
        return set()
    lit = {segment for bit, segment in enumerate(SEGMENTS) if uo_out >> bit & 1}
    return lit | ({"dp"} if uo_out >> 7 & 1 else set())


def segment_polygons(x: int, y: int, height: int) -> dict[str, list[tuple[float, float]]]:
    """Hexagonal segment outlines of a digit `height` pixels tall with its top left at (x, y),
    plus the decimal point as a small square."""
    width = height * 0.55
    thick = height * 0.11
    half = thick / 2
    gap = thick * 0.15

    def horizontal(cy):
        left, right = x + gap + half, x + width - gap - half
        return [(left, cy), (left + half, cy - half), (right - half, cy - half), (right, cy),
                (right - half, cy + half), (left + half, cy + half)]

    def vertical(cx, top, bottom):
        top, bottom = top + gap + half, bottom - gap - half
        return [(cx, top), (cx + half, top + half), (cx + half, bottom - half), (cx, bottom),
                (cx - half, bottom - half), (cx - half, top + half)]

    y_top, y_mid, y_bottom = y + half, y + height / 2, y + height - half
    x_left, x_right = x + half, x + width - half
    dp = x + width + thick * 0.8
    return {
        "a": horizontal(y_top), "g": horizontal(y_mid), "d": horizontal(y_bottom),
        "f": vertical(x_left, y_top, y_mid), "b": vertical(x_right, y_top, y_mid),
        "e": vertical(x_left, y_mid, y_bottom), "c": vertical(x_right, y_mid, y_bottom),
        "dp": [(dp - half, y_bottom - half), (dp + half, y_bottom - half),
               (dp + half, y_bottom + half), (dp - half, y_bottom + half)],
    }


class PinsPanel:
    """Draws `PinValues`: a seven-segment digit, then one row of 8 LEDs per pin group (bit 7 on the
    left, as the numbers are written). uio pins show the output when uio_oe enables it (red), else
    the input (green)."""

    title = "TT pins"

    def __init__(self):
        self.text = theme.TextCache(13)
        self.small = theme.TextCache(10)

    def height(self, width: int) -> int:
        return 330

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, pins: PinValues) -> None:
        surface.fill(theme.PANEL, rect)
        surface.blit(self.text.render(self.title, theme.TEXT_DIM), (rect.x + 8, rect.y + 6))
        self._draw_digit(surface, pygame.Rect(rect.x, rect.y + 28, rect.w, 160), pins.uo_out)
        top = rect.y + 200
        outputs = (pins.uio_oe or 0)
        uio = None if pins.uio_in is None and pins.uio_out is None else \
            ((pins.uio_out or 0) & outputs) | ((pins.uio_in or 0) & ~outputs & 0xFF)
        for label, value, out_mask in (("ui_in", pins.ui_in, 0x00), ("uo_out", pins.uo_out, 0xFF),
                                       ("uio", uio, outputs)):
            self._draw_led_row(surface, rect, top, label, value, out_mask)
            top += 42

    def _draw_digit(self, surface, area: pygame.Rect, uo_out: int | None) -> None:
        height = area.h - 20
        width = height * 0.55
        x = area.centerx - width / 2 - height * 0.05
        plate = pygame.Rect(0, 0, width + height * 0.45, area.h)
        plate.center = (area.centerx, area.centery)
        pygame.draw.rect(surface, (12, 12, 12), plate, border_radius=6)
        lit = lit_segments(uo_out)
        for name, points in segment_polygons(int(x), area.y + 10, height).items():
            pygame.draw.polygon(surface, theme.SEGMENT_ON if name in lit else theme.SEGMENT_OFF,
                                points)

    def _draw_led_row(self, surface, rect: pygame.Rect, top: int, label: str, value: int | None,
                      out_mask: int) -> None:
        shown = "--" if value is None else f"{value:02x}"
        surface.blit(self.text.render(f"{label:6} {shown}", theme.TEXT), (rect.x + 8, top + 2))
        left = rect.x + 8 + LED_RADIUS
        for position in range(8):
            bit = 7 - position
            centre = (left + position * LED_PITCH, top + 30)
            on = value is not None and value >> bit & 1
            output = out_mask >> bit & 1
            colour = (theme.LED_ON if on else theme.LED_OFF) if output else \
                (theme.LED_INPUT_ON if on else theme.LED_INPUT_OFF)
            pygame.draw.circle(surface, colour, centre, LED_RADIUS)
            number = self.small.render(str(bit), theme.BACKGROUND if on else theme.TEXT_DIM)
            surface.blit(number, number.get_rect(center=centre))
