"""The interactive window: mouse and keys drive a Session's view; panels follow the cursor.

Keys (also shown by H):
  wheel / + -      zoom at the mouse / at the cursor      shift+wheel, left right   pan
  F                fit the whole trace                    click                    cursor (snaps to
  drag (right)     pan                                                              a row's edges)
  up down          select a row                           alt+up alt+down          move the row
  delete           remove the row                         T                        format (hex, ...)
  N / P            next / previous edge of the row        /                        find a value
  M                drop the next numbered marker          1..9                     go to marker N
  C                clear the markers                      space                    play / pause
  [ ]              slower / faster                        A                        add signals
  G                group the row (type a name)            S                        save the view
  Z / X            FET overlay: zoom in / out             O                        FET overlay: focus
                                                                                    the row's net
  click the Atari TV: the cursor goes to when the beam drew that pixel
  Q, escape        quit
The trace file is watched: when it changes it is reloaded, keeping the rows it still has.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pygame

from ttsim.errors import TtsimError
from ttsim.viewer import theme
from ttsim.viewer.app import Session
from ttsim.viewer.formats import FORMATS
from ttsim.viewer.trace import Scope, Trace

def overlay_net(row_name: str) -> str:
    """The netlist's name for a trace signal: its path below the TT top's scope."""
    parts = row_name.split(".")
    tops = [i for i, part in enumerate(parts) if part.startswith("tt_um_")]
    return ".".join(parts[tops[-1] + 1:] if tops else parts[1:])


SNAP_PIXELS = 8
ZOOM_STEP = 0.8
PAN_STEP = 0.1
PLAY_SECONDS_PER_WINDOW = 8.0
RELOAD_CHECK_SECONDS = 1.0
TREE_WIDTH = 360
FRAME_RATE = 60


@dataclass
class Prompt:
    """A one-line text entry (find a value, name a group, filter the tree)."""

    label: str
    action: str
    text: str = ""


@dataclass
class Tree:
    """The hierarchy as a flat, filtered list of scopes and signals."""

    filter: str = ""
    selected: int = 0
    entries: list[tuple[int, str, str]] = field(default_factory=list)  # depth, label, full name

    def rebuild(self, scopes: list[Scope]) -> None:
        self.entries = []
        needle = self.filter.lower()

        def walk(scope: Scope, depth: int) -> None:
            names = [n for n in scope.variables if needle in n.lower()]
            start = len(self.entries)
            self.entries += [(depth + 1, n.rsplit(".", 1)[-1], n) for n in names]
            for child in scope.children:
                walk(child, depth + 1)
            if len(self.entries) > start:
                self.entries.insert(start, (depth, scope.name + "/", ""))

        for scope in scopes:
            walk(scope, 0)
        signals = [index for index, (_, _, name) in enumerate(self.entries) if name]
        if self.selected not in signals:
            self.selected = signals[0] if signals else 0


class Window:
    """Event handling, drawing and the window's loop (`run`) around a Session. Modes change it
    through two hooks, `mode_key` and `each_frame`; tests feed events to `handle` and draw onto a
    Surface without a display."""

    def __init__(self, session: Session, view_file: str | Path | None = None):
        self.session = session
        self.view_file = Path(view_file) if view_file else \
            session.trace.path.with_suffix(session.trace.path.suffix + ".view.json")
        self.playing = False
        self.speed = 1.0
        self.prompt: Prompt | None = None
        self.tree: Tree | None = None
        self.message = "H: keys"
        self.show_help = False
        self.running = True
        self.drawing_s = 0.0  # wall time in `run`'s frames (events, frame work, redraw, flip)
        self._drag_from: tuple[int, float, float] | None = None
        self._mtime = self._trace_mtime()
        self._checked = time.monotonic()
        self.text = theme.TextCache(13)

    # --- helpers -----------------------------------------------------------------------------
    @property
    def view(self):
        return self.session.view

    @property
    def trace(self) -> Trace:
        return self.session.trace

    def _selected_signal(self):
        if not self.view.rows:
            return None
        return self.trace.signal(self.view.rows[self.view.selected].name)

    def _time_at(self, x: int) -> float:
        return self.session.layout.time_at(self.view, x)

    def _in_waves(self, pos) -> bool:
        return self.session.layout is not None and self.session.layout.waves.collidepoint(pos)

    # --- events ------------------------------------------------------------------------------
    def handle(self, event: pygame.event.Event) -> None:
        typing = self.prompt is not None or self.tree is not None
        if event.type in (pygame.KEYDOWN, pygame.KEYUP) and not typing and self.mode_key(event):
            return
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.KEYDOWN:
            if self.prompt is not None:
                self._prompt_key(event)
            elif self.tree is not None:
                self._tree_key(event)
            else:
                self._key(event)
        elif event.type == pygame.MOUSEWHEEL:
            self._wheel(event)
        elif event.type == pygame.MOUSEBUTTONDOWN:
            self._press(event)
        elif event.type == pygame.MOUSEMOTION and self._drag_from is not None:
            x0, start, end = self._drag_from
            shift = (event.pos[0] - x0) / self.session.layout.waves.w * (end - start)
            self.view.start, self.view.end = start - shift, end - shift
        elif event.type == pygame.MOUSEBUTTONUP:
            self._drag_from = None
        elif event.type == pygame.VIDEORESIZE:
            self.session.size = event.size

    def mode_key(self, event: pygame.event.Event) -> bool:
        """The key hook: a mode (live, live Atari) takes its own keys here, down and up, before
        the viewer's; never while a prompt or the signal tree takes the typing. True when taken."""
        return False

    def _key(self, event) -> None:
        key, mods = event.key, event.mod
        view = self.view
        if key in (pygame.K_q, pygame.K_ESCAPE):
            self.running = False
        elif key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            view.zoom(ZOOM_STEP)
        elif key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            view.zoom(1 / ZOOM_STEP)
        elif key == pygame.K_LEFT:
            view.pan(-PAN_STEP)
        elif key == pygame.K_RIGHT:
            view.pan(PAN_STEP)
        elif key == pygame.K_f:
            view.fit(self.trace.end_time)
        elif key in (pygame.K_UP, pygame.K_DOWN) and view.rows:
            step = -1 if key == pygame.K_UP else 1
            if mods & pygame.KMOD_ALT:
                view.selected = view.move(view.selected, step)
            else:
                view.selected = max(0, min(len(view.rows) - 1, view.selected + step))
            self._keep_selected_visible()
        elif key in (pygame.K_DELETE, pygame.K_BACKSPACE) and view.rows:
            view.remove(view.selected)
        elif key == pygame.K_t and view.rows:
            row = view.rows[view.selected]
            row.format = FORMATS[(FORMATS.index(row.format) + 1) % len(FORMATS)]
            self.message = f"{row.name}: {row.format}"
        elif key in (pygame.K_n, pygame.K_p):
            self._jump_edge(forward=key == pygame.K_n)
        elif key == pygame.K_SLASH and view.rows:
            self.prompt = Prompt("find value (hex, or 0d123 / 0b101)", "find")
        elif key == pygame.K_g and view.rows:
            self.prompt = Prompt("group name (empty: none)", "group")
        elif key == pygame.K_m:
            number = max(view.markers, default=0) + 1
            view.set_marker(number, view.cursor)
            self.message = f"marker {number} at {self.trace.format_time(view.cursor)}"
        elif pygame.K_1 <= key <= pygame.K_9:
            number = key - pygame.K_0
            if number in view.markers:
                view.cursor = view.markers[number]
                self._keep_cursor_visible()
        elif key == pygame.K_c:
            view.markers.clear()
        elif key == pygame.K_SPACE:
            self.playing = not self.playing
        elif key == pygame.K_LEFTBRACKET:
            self.speed /= 2
            self.message = f"speed x{self.speed:g}"
        elif key == pygame.K_RIGHTBRACKET:
            self.speed *= 2
            self.message = f"speed x{self.speed:g}"
        elif key == pygame.K_a:
            self.tree = Tree()
            self.tree.rebuild(self.trace.scopes())
        elif key == pygame.K_s:
            view.save(self.view_file)
            self.message = f"saved the view to {self.view_file}"
        elif key == pygame.K_h:
            self.show_help = not self.show_help
        elif key in (pygame.K_z, pygame.K_x, pygame.K_o):
            self._fet_key(key)

    def _fet_key(self, key) -> None:
        from ttsim.viewer.fets import FetPanel

        panel = next((slot.panel for slot in self.session.panels
                      if isinstance(slot.panel, FetPanel)), None)
        if panel is None:
            self.message = "no FET overlay (open the trace with --panels ...,fets)"
        elif key == pygame.K_o:
            if not self.view.rows:
                return
            net = overlay_net(self.view.rows[self.view.selected].name)
            try:
                panel.focus_on(net)
            except TtsimError:
                try:
                    panel.focus_on(f"{net}[0]")
                except TtsimError as error:
                    self.message = str(error)
                    return
            self.message = f"FET overlay focused on {panel.view.focus}"
        else:
            panel.zoom_by(2.0 if key == pygame.K_z else 0.5)
            self.message = f"FET overlay zoom {panel.view.zoom:g}"

    def _prompt_key(self, event) -> None:
        prompt = self.prompt
        if event.key == pygame.K_ESCAPE:
            self.prompt = None
        elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.prompt = None
            if prompt.action == "find":
                self._find(prompt.text)
            else:
                self.view.rows[self.view.selected].group = prompt.text.strip()
        else:
            prompt.text = _typed(prompt.text, event)

    def _tree_key(self, event) -> None:
        tree = self.tree
        if event.key == pygame.K_ESCAPE:
            self.tree = None
        elif event.key in (pygame.K_UP, pygame.K_DOWN):
            step = -1 if event.key == pygame.K_UP else 1
            tree.selected = max(0, min(len(tree.entries) - 1, tree.selected + step))
        elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            for _, _, name in ([tree.entries[tree.selected]] if tree.entries else []):
                if name:
                    self.view.add(self.trace, name)
                    self.message = f"added {name}"
        elif (typed := _typed(tree.filter, event)) != tree.filter:
            tree.filter = typed
            tree.rebuild(self.trace.scopes())

    def _wheel(self, event) -> None:
        mouse = pygame.mouse.get_pos()
        layout = self.session.layout
        if layout is None:
            return
        if layout.names.collidepoint(mouse):
            self.view.scroll = max(0, self.view.scroll - event.y)
        elif pygame.key.get_mods() & pygame.KMOD_SHIFT:
            self.view.pan(-event.y * PAN_STEP)
        else:
            self.view.zoom(ZOOM_STEP ** event.y, around=self._time_at(mouse[0]))

    def _press(self, event) -> None:
        layout = self.session.layout
        if layout is None or event.button not in (1, 2, 3):
            return
        if event.button in (2, 3) and self._in_waves(event.pos):
            self._drag_from = (event.pos[0], self.view.start, self.view.end)
            return
        if event.button == 1 and self._tv_click(event.pos):
            return
        row = layout.row_at(event.pos[1])
        if row is not None:
            self.view.selected = row
        if self._in_waves(event.pos) or layout.ruler.collidepoint(event.pos):
            self.view.cursor = self.snap(event.pos[0], row)

    def _tv_click(self, position) -> bool:
        """A click on the Atari TV moves the cursor to when the beam drew that pixel."""
        from ttsim.viewer.atari_tv import NEVER, AtariTvPanel

        for slot in self.session.panels:
            if not isinstance(slot.panel, AtariTvPanel) or slot.area is None:
                continue
            pixel = slot.panel.pixel_at(slot.area, position)
            if pixel is None:
                continue
            times = slot.data_at(self.view.cursor).times
            drawn = None if times is None else int(times[pixel[1], pixel[0]])
            if drawn is None or drawn == NEVER:
                self.message = f"TV pixel x {pixel[0]}, row {pixel[1]}: no time in the trace"
            else:
                self.view.cursor = drawn
                self._keep_cursor_visible()
                self.message = f"TV pixel x {pixel[0]}, row {pixel[1]}: drawn at " \
                    f"{self.trace.format_time(drawn)}"
            return True
        return False

    # --- actions -----------------------------------------------------------------------------
    def snap(self, x: int, row: int | None) -> int:
        """The time under x, moved to the nearest change of `row` within SNAP_PIXELS."""
        time_here = self._time_at(x)
        if row is None:
            return int(time_here)
        signal = self.trace.signal(self.view.rows[row].name)
        candidates = [t for t in (signal.previous_change(int(time_here) + 1),
                                  signal.next_change(int(time_here))) if t is not None]
        layout = self.session.layout
        near = [t for t in candidates if abs(layout.x_of(self.view, t) - x) <= SNAP_PIXELS]
        return min(near, key=lambda t: abs(t - time_here)) if near else int(time_here)

    def _jump_edge(self, forward: bool) -> None:
        signal = self._selected_signal()
        if signal is None:
            return
        found = signal.next_change(self.view.cursor) if forward else \
            signal.previous_change(self.view.cursor)
        if found is None:
            self.message = "no more edges"
            return
        self.view.cursor = found
        self._keep_cursor_visible()

    def _find(self, text: str) -> None:
        signal = self._selected_signal()
        try:
            wanted = _parse_value(text)
        except ValueError:
            self.message = f"{text!r} is not a value"
            return
        found = signal.find_value(wanted, self.view.cursor)
        if found is None:
            self.message = f"{signal.name} is never {text} after the cursor"
            return
        self.view.cursor = found
        self._keep_cursor_visible()

    def _keep_cursor_visible(self) -> None:
        view = self.view
        if not view.start <= view.cursor <= view.end:
            span = view.end - view.start
            view.start = view.cursor - span / 2
            view.end = view.start + span

    def _keep_selected_visible(self) -> None:
        layout = self.session.layout
        if layout is None:
            return
        view = self.view
        if view.selected < layout.first_row:
            view.scroll = view.selected
        elif view.selected >= layout.first_row + layout.row_count:
            view.scroll = view.selected - layout.row_count + 1

    def advance(self, seconds: float) -> None:
        """Plays: moves the cursor on by `seconds` of wall time, the window following it."""
        view = self.view
        step = (view.end - view.start) / PLAY_SECONDS_PER_WINDOW * self.speed * seconds
        view.cursor = int(min(view.cursor + max(step, 1), self.trace.end_time))
        if view.cursor > view.end:
            view.pan((view.cursor - view.end) / (view.end - view.start) + 0.5)
        if view.cursor >= self.trace.end_time:
            self.playing = False

    def poll_reload(self) -> None:
        """Reloads the trace when its file changed (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked >= RELOAD_CHECK_SECONDS:
            self._checked = now
            self.reload_if_changed()

    def reload_if_changed(self) -> None:
        mtime = self._trace_mtime()
        if mtime == self._mtime:
            return
        self._mtime = mtime
        try:
            trace = Trace(self.trace.path, lazy_above=self.trace.lazy_above)
        except TtsimError as error:
            self.message = f"reload failed: {error}"
            return
        kept = [row for row in self.view.rows if row.name in trace.names]
        dropped = len(self.view.rows) - len(kept)
        self.view.rows[:] = kept
        self.view.selected = min(self.view.selected, max(0, len(kept) - 1))
        self.session.trace = trace
        self.session.choose_panels()
        gone = f" ({dropped} rows gone)" if dropped else ""
        self.message = f"reloaded {trace.path.name}{gone}"

    def _trace_mtime(self) -> float | None:
        try:
            return self.session.trace.path.stat().st_mtime
        except OSError:
            return None

    # --- drawing -----------------------------------------------------------------------------
    def draw(self, screen: pygame.Surface) -> None:
        self.session.render(screen)
        if self.tree is not None:
            self._draw_tree(screen)
        if self.show_help:
            self._draw_help(screen)
        line = self.message
        if self.prompt is not None:
            line = f"{self.prompt.label}: {self.prompt.text}_"
        elif self.playing:
            line = f"playing x{self.speed:g}  (space: pause)"
        text = self.text.render(line[:200], theme.TEXT)
        width, height = screen.get_size()
        box = pygame.Rect(0, height - 2 * text.get_height() - 6, width, text.get_height() + 4)
        screen.fill(theme.BACKGROUND, box)
        screen.blit(text, (6, box.y + 2))

    def _draw_tree(self, screen: pygame.Surface) -> None:
        tree = self.tree
        height = screen.get_height() - 60
        area = pygame.Rect(20, 20, TREE_WIDTH, height)
        screen.fill(theme.PANEL, area)
        pygame.draw.rect(screen, theme.GRID, area, 1)
        header = self.text.render(f"add signals, filter: {tree.filter}_  (enter adds, esc closes)",
                                  theme.TEXT)
        screen.blit(header, (area.x + 6, area.y + 4))
        line_height = header.get_height() + 2
        visible = (area.h - 30) // line_height
        first = max(0, tree.selected - visible // 2)
        for position, (depth, label, name) in enumerate(tree.entries[first:first + visible]):
            index = first + position
            y = area.y + 26 + position * line_height
            if index == tree.selected:
                screen.fill(theme.ROW_SELECTED, (area.x + 2, y, area.w - 4, line_height))
            colour = theme.TEXT if name else theme.TEXT_DIM
            screen.blit(self.text.render(label, colour), (area.x + 8 + 14 * depth, y))

    def _draw_help(self, screen: pygame.Surface) -> None:
        lines = HELP.splitlines()
        line_height = self.text.font.get_linesize()
        area = pygame.Rect(40, 40, screen.get_width() - 80, line_height * len(lines) + 16)
        screen.fill(theme.PANEL, area)
        pygame.draw.rect(screen, theme.GRID, area, 1)
        for number, line in enumerate(lines):
            position = (area.x + 8, area.y + 8 + number * line_height)
            screen.blit(self.text.render(line, theme.TEXT), position)

    # --- the loop ------------------------------------------------------------------------------
    def each_frame(self, seconds: float) -> None:
        """The per-frame hook, called by `run` after the frame's events and before the redraw;
        `seconds` of wall time passed since the frame before. A trace plays on and is reloaded
        when its file changed; live modes bring in what their simulation ran."""
        if self.playing:
            self.advance(seconds)
        self.poll_reload()

    def run(self, caption: str, seconds: float | None = None, script=()) -> None:
        """The loop of every viewer window (trace, live, live Atari): opens the display and, at
        most FRAME_RATE times a second, handles the events, does the frame's work (`each_frame`),
        follows a resize and redraws; until the window closes or `seconds` pass. `script`:
        (seconds, event) pairs posted when their time comes (a benchmark's key presses)."""
        pygame.display.init()
        try:
            screen = pygame.display.set_mode(self.session.size, pygame.RESIZABLE)
            pygame.display.set_caption(caption)
            clock = pygame.time.Clock()
            start = time.perf_counter()
            pending = sorted(script, key=lambda item: item[0])
            while self.running:
                passed = clock.tick(FRAME_RATE) / 1000
                began = time.perf_counter()
                if seconds is not None and began - start >= seconds:
                    break
                while pending and pending[0][0] <= began - start:
                    pygame.event.post(pending.pop(0)[1])
                for event in pygame.event.get():
                    self.handle(event)
                self.each_frame(passed)
                if screen.get_size() != tuple(self.session.size):
                    screen = pygame.display.set_mode(self.session.size, pygame.RESIZABLE)
                self.draw(screen)
                pygame.display.flip()
                self.drawing_s += time.perf_counter() - began
        finally:
            pygame.display.quit()


HELP = __doc__.split("\n", 2)[2].rsplit("The trace file", 1)[0].rstrip()


def _typed(text: str, event: pygame.event.Event) -> str:
    """A one-line entry's text after a key: backspace takes the last character off, a printable
    character is added, other keys leave it."""
    if event.key == pygame.K_BACKSPACE:
        return text[:-1]
    if event.unicode and event.unicode.isprintable():
        return text + event.unicode
    return text


def _parse_value(text: str) -> int:
    """A value typed by the user: hex by default, 0d/0b/0o/0x prefixes for other bases."""
    text = text.strip().lower().replace("_", "")
    bases = {"0d": 10, "0b": 2, "0o": 8, "0x": 16}
    return int(text[2:], bases[text[:2]]) if text[:2] in bases else int(text, 16)


def run_window(session: Session, view_file: str | Path | None = None) -> None:
    """Opens the window and runs until it is closed."""
    Window(session, view_file).run(f"ttsim view: {session.trace.path.name}")
