"""The FET overlay: one module of a design drawn transistor by transistor, in step with the trace.

The design's FET netlist (`ttsim fets`, docs/fets-format.md) runs in a `SwitchSim` driven with the
trace's input pins, replayed change by change up to the cursor, so the picture shows each
transistor's state at the cursor; the panel also shows whether the switch-level outputs equal the
trace's there. The netlist is the TT top's when the trace has the TT pins (clk, rst_n, ena, ui_in,
uio_in; outputs uo_out, uio_out, uio_oe), else that of the design's native top (`[fast] top`, the
Atari core, say) when the trace has every one of its ports (as `ttsim switch --trace` and the fast
path's traces of it do).

The picture is laid out like standard-cell rows: the cells of the chosen module (a Yosys gate or
flip-flop with its transistors) ordered by logic depth, then name, and packed into rows between
supply rails, PMOS transistors in the upper half of a cell (near vcc), NMOS in the lower half. A
transistor's symbol shows its gate (a stub in its gate net's level colour; PMOS with a bubble) and
its channel (bright while conducting, dark while off; NMOS green, PMOS violet). A cell's output
net is a pin in its level colour that glows when it toggled within the last few clock cycles and
fades after. Zoom 1 shows the whole module; larger zooms centre on one cell (the focus) and, from
about 24 pixels per transistor on, name each cell's nets.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pygame

from ttsim.errors import TtsimError
from ttsim.switch import SwitchSim
from ttsim.viewer import theme

TT_PORTS = ("clk", "rst_n", "ena", "ui_in", "uio_in", "uo_out", "uio_out", "uio_oe")
HEADER_OUTPUTS = 4  # output ports the header spells out (those that disagree first)
FADE_CYCLES = 3  # clock cycles over which a toggled net's glow fades out
CHECKPOINT_STEPS = 2048  # replay steps between saved engine states (moving the cursor back)
HEADER_HEIGHT = 20
NEVER = -(1 << 60)  # the last-change time of a node that never changed
ROW_UNITS = 2.6  # a row's height in transistor pitches: PMOS half, NMOS half, gap for the rails
LABEL_SCALE = 24  # pixels per transistor pitch from which nets are named

NET_HIGH = (255, 196, 40)
NET_LOW = (60, 110, 220)
NMOS_ON = (70, 235, 110)
NMOS_OFF = (24, 70, 40)
PMOS_ON = (215, 110, 255)
PMOS_OFF = (70, 36, 88)
GLOW = (255, 255, 210)
CELL_FILL = (34, 38, 46)
CELL_EDGE = (70, 76, 88)
RAIL = (58, 62, 72)
CHECK_GOOD = (90, 220, 120)
CHECK_BAD = (255, 80, 70)


def level_colour(level: int) -> tuple[int, int, int]:
    return NET_HIGH if level else NET_LOW


def _blend(colour, other, amount: float):
    return tuple(int(a + (b - a) * amount) for a, b in zip(colour, other))


# --- placement -------------------------------------------------------------------------------

@dataclass
class Cell:
    """A gate or flip-flop of the netlist: its transistors (indices), PMOS and NMOS apart."""

    index: int
    instance: str
    kind: str
    net: str  # the net its output drives
    output: int  # that net's node
    pmos: list[int]
    nmos: list[int]
    depth: int = 0
    module: str = ""

    @property
    def sites(self) -> int:
        return max(len(self.pmos), len(self.nmos), 1)


def _visible_module(net: str) -> str | None:
    """The module path of an RTL net name ('counter.prescale[3]' -> 'counter', 'uo_out[1]' -> ''),
    None for a net Yosys made up."""
    if net.startswith("$") or net.startswith("const "):
        return None
    base = net.split("[")[0]
    return base.rsplit(".", 1)[0] if "." in base else ""


def netlist_cells(netlist: dict) -> list[Cell]:
    """Every cell of a `ttsim fets` netlist with its output node, logic depth (flip-flops 0, a gate
    one more than its deepest driving gate) and module (from the RTL name of the net it drives, else
    the module most of the cells it feeds belong to)."""
    for key in ("cells", "transistor_cells", "flipflops"):
        if key not in netlist:
            raise TtsimError(f"the FET overlay needs a netlist made by `ttsim fets` (no {key!r})")
    transistors = netlist["transistors"]
    members: list[list[int]] = [[] for _ in netlist["cells"]]
    for transistor, cell in enumerate(netlist["transistor_cells"]):
        members[cell].append(transistor)
    flipflop_q = iter(flipflop["q"] for flipflop in netlist["flipflops"])
    supplies = {netlist["vss"], netlist["vcc"]}
    cells = []
    for index, ((instance, kind, net), own) in enumerate(zip(netlist["cells"], members)):
        if kind.startswith("dff"):
            output = next(flipflop_q)
        else:
            ends = {"n": set(), "p": set()}
            for t in own:
                ends[transistors[t][0]].update(transistors[t][2:])
            output = min((ends["n"] & ends["p"]) - supplies)
        cells.append(Cell(index, instance, kind, net, output,
                          [t for t in own if transistors[t][0] == "p"],
                          [t for t in own if transistors[t][0] == "n"]))

    driver = {cell.output: cell for cell in cells}
    inputs = {}
    consumers: dict[int, list[Cell]] = {}
    for cell in cells:
        channel = {end for t in cell.pmos + cell.nmos for end in transistors[t][2:]}
        gates = {transistors[t][1] for t in cell.pmos + cell.nmos} - channel
        inputs[cell.index] = [driver[g] for g in gates if g in driver]
        for source in inputs[cell.index]:
            consumers.setdefault(source.index, []).append(cell)

    # Longest path from a flip-flop or input pin, without recursion (deep cones exist).
    depth: dict[int, int] = {}
    for cell in cells:
        stack = [cell]
        while stack:
            top = stack[-1]
            if top.index in depth:
                stack.pop()
                continue
            if top.kind.startswith("dff"):
                depth[top.index] = 0
                stack.pop()
                continue
            waiting = [c for c in inputs[top.index] if c.index not in depth and
                       not c.kind.startswith("dff")]
            if waiting:
                stack.extend(waiting)
                continue
            depth[top.index] = 1 + max((depth.get(c.index, 0) for c in inputs[top.index]),
                                       default=0)
            stack.pop()
    for cell in cells:
        cell.depth = depth[cell.index]

    module: dict[int, str] = {}
    for cell in cells:
        found = _visible_module(cell.net)
        if found is not None:
            module[cell.index] = found
    changed = True
    while changed:
        changed = False
        for cell in cells:
            if cell.index in module:
                continue
            votes = Counter(module[c.index] for c in consumers.get(cell.index, ())
                            if c.index in module)
            if votes:
                module[cell.index] = votes.most_common(1)[0][0]
                changed = True
    for cell in cells:
        cell.module = module.get(cell.index, "")
    return cells


def in_module(cell: Cell, module: str | None) -> bool:
    return not module or cell.module == module or cell.module.startswith(module + ".")


@dataclass
class Placement:
    """Cells packed into rows: each cell's (x, row) in transistor pitches, and the rows' length."""

    spots: dict[int, tuple[int, int]]
    rows: int
    row_sites: int


def place(cells: list[Cell], aspect: float) -> Placement:
    """Rows of cells ordered by (depth, net name), as many rows as make the block about `aspect`
    (width / height) in shape."""
    order = sorted(cells, key=lambda c: (c.depth, c.net, c.instance))
    total = sum(c.sites + 1 for c in order)  # a spare site after each cell
    rows = max(1, round(math.sqrt(total * ROW_UNITS / max(aspect, 0.05)) / ROW_UNITS))
    target = math.ceil(total / rows)
    while True:  # rows end before a cell that does not fit: widen them until `rows` suffice
        spots, row, x, longest = {}, 0, 0, 1
        for cell in order:
            if x and x + cell.sites > target:
                row, x = row + 1, 0
            spots[cell.index] = (x, row)
            x += cell.sites + 1
            longest = max(longest, x)
        if row < rows:
            return Placement(spots, row + 1, longest)
        target += 1


def _clamp(origin: float, low: int, high: int, extent: float) -> float:
    """An origin that keeps a block `extent` long covering low..high where it can (no empty
    margin beside a zoomed block)."""
    return min(low, max(origin, high - extent))


# --- replaying the trace at switch level -----------------------------------------------------

def _bits(value, width: int) -> list[int]:
    """The bits of a trace value, LSB first; x and z bits count as 0 (an undriven pin)."""
    if isinstance(value, str):
        text = value.rjust(width, "0")[-width:]
        return [1 if ch == "1" else 0 for ch in reversed(text)]
    value = int(value or 0)
    return [(value >> bit) & 1 for bit in range(width)]


@dataclass
class Step:
    """Input pins changing at one trace time: `clock` (a clk level or None) and other pin nodes."""

    time: int
    clock: int | None = None
    pins: dict = field(default_factory=dict)


def input_steps(port_changes: dict, ports: dict) -> list[Step]:
    """Steps from each input port's changes (`{port: [(time, value), ...]}`) and the netlist's port
    nodes."""
    steps: dict[int, Step] = {}
    for port, changes in port_changes.items():
        nodes = ports[port]["nodes"]
        for time, value in changes:
            step = steps.setdefault(int(time), Step(int(time)))
            bits = _bits(value, len(nodes))
            if port == "clk":
                step.clock = bits[0]
            else:
                step.pins.update(zip(nodes, bits))
    return [steps[time] for time in sorted(steps)]


class SwitchReplay:
    """A `SwitchSim` of a netlist driven through a list of input steps; `advance_to(time)` applies
    every step at or before `time` (going back restores the latest saved state before it).

    Within a step the clock moves first: flip-flops take the inputs from before the step, as when
    a testbench changes pins at a clock edge. The first step (power-up) sets the pins first.
    The fast path's models set pins before the edge that samples them, at the same trace time:
    such a change reaches the replay's flip-flops one clock late (an input register shows its
    value a clock late; logic that samples the pin only once it has been stable a clock, as the
    Atari core does `rom_data`, replays exactly).
    """

    def __init__(self, netlist: dict, steps: list[Step]):
        self.netlist = netlist
        self.sim = SwitchSim(netlist, where=netlist.get("source", "netlist"))
        self.clock = netlist["ports"]["clk"]["nodes"][0]
        self.steps = steps
        self.times = np.array([step.time for step in steps], dtype=np.int64)
        self.last_change = np.full(self.sim.nodes, NEVER, dtype=np.int64)
        self.applied = 0
        self.rising_edges = 0
        self._checkpoints = [self._save()]

    def _save(self) -> tuple:
        sim = self.sim
        return (self.applied, self.rising_edges, sim.state.copy(), sim.pull.copy(),
                sim.trans_on.copy(), self.last_change.copy())

    def _restore(self, saved: tuple) -> None:
        self.applied, self.rising_edges, state, pull, trans_on, last_change = saved
        self.sim.state[:], self.sim.pull[:], self.sim.trans_on[:] = state, pull, trans_on
        self.last_change[:] = last_change

    def _apply(self, step: Step) -> None:
        before = self.sim.state.copy()
        clock = {self.clock: step.clock} if step.clock is not None else {}
        if clock and step.clock and not self.sim.get(self.clock):
            self.rising_edges += 1
        for values in ((step.pins, clock) if self.applied == 0 else (clock, step.pins)):
            if values:
                self.sim.set_many(values)
        self.last_change[np.flatnonzero(self.sim.state != before)] = step.time
        self.applied += 1
        if self.applied % CHECKPOINT_STEPS == 0 and self.applied > self._checkpoints[-1][0]:
            self._checkpoints.append(self._save())

    def advance_to(self, time: int) -> None:
        target = int(np.searchsorted(self.times, time, side="right"))
        if target < self.applied:
            saved = max((c for c in self._checkpoints if c[0] <= target), key=lambda c: c[0])
            self._restore(saved)
        while self.applied < target:
            self._apply(self.steps[self.applied])

    def port_value(self, port: str) -> int:
        nodes = self.netlist["ports"][port]["nodes"]
        return sum(int(self.sim.state[node]) << bit for bit, node in enumerate(nodes))


# --- what the panel draws --------------------------------------------------------------------

@dataclass
class FetFrame:
    """The overlay's data at one cursor time."""

    levels: np.ndarray  # per node, 0 or 1
    conducting: np.ndarray  # per transistor
    glow: np.ndarray  # per node, 1 just toggled .. 0 not within FADE_CYCLES
    cycle: int  # rising clock edges so far
    outputs: dict  # port -> (switch-level value, the trace's value or None where unknown)

    @property
    def outputs_match(self) -> bool:
        return all(trace is None or switch == trace for switch, trace in self.outputs.values())


@dataclass
class FetView:
    """What the overlay shows: a module path (None: the whole design), a zoom factor (1: the whole
    module) and the net whose driving cell the zoomed view centres on."""

    module: str | None = None
    zoom: float = 1.0
    focus: str | None = None


class FetPanel:
    """Draws a `FetFrame` of the cells of one module; a wide panel (under the waveforms)."""

    wide = True

    def __init__(self, netlist: dict, cells: list[Cell], view: FetView):
        self.transistors = netlist["transistors"]
        self.node_of = netlist["names"]
        self.names = {node: name for name, node in reversed(list(self.node_of.items()))}
        self.source = netlist.get("source", "")
        self.cells = [cell for cell in cells if in_module(cell, view.module)]
        if not self.cells:
            modules = sorted({cell.module for cell in cells if cell.module})
            raise TtsimError(f"no cells in module {view.module!r} (modules: "
                             f"{', '.join(modules) or 'none'})")
        self.view = view
        self.focus = self._focus_cell(view.focus)
        self.text = theme.TextCache(12)
        self.small = theme.TextCache(10)
        self._placement: tuple[float, Placement] | None = None
        self.area: pygame.Rect | None = None  # where the last frame was drawn

    def _focus_cell(self, net: str | None) -> Cell:
        if net is None:
            return max(self.cells, key=lambda c: (c.kind.startswith("dff"), c.net))
        node = self.node_of.get(net)
        for cell in self.cells:
            if cell.net == net or cell.output == node:
                return cell
        raise TtsimError(f"no cell of the shown module drives a net named {net!r}")

    def zoom_by(self, factor: float) -> None:
        """Zooms the overlay in (factor > 1) or out, never below the whole module (zoom 1)."""
        self.view.zoom = max(1.0, self.view.zoom * factor)

    def focus_on(self, net: str) -> None:
        """Centres zoomed views on the cell that drives `net` (a TtsimError if none here does)."""
        self.focus = self._focus_cell(net)
        self.view.focus = net

    def placement(self, aspect: float) -> Placement:
        if self._placement is None or abs(self._placement[0] - aspect) > 1e-3:
            self._placement = (aspect, place(self.cells, aspect))
        return self._placement[1]

    def geometry(self, area: pygame.Rect) -> tuple[float, float, float, Placement]:
        """(pixels per transistor pitch, x and y of the block's origin) for a drawing area."""
        body = pygame.Rect(area.x, area.y + HEADER_HEIGHT, area.w, area.h - HEADER_HEIGHT)
        placement = self.placement(body.w / max(body.h, 1))
        fit = min(body.w / placement.row_sites, body.h / (placement.rows * ROW_UNITS))
        scale = fit * max(self.view.zoom, 1.0)
        if self.view.zoom <= 1.0:
            return scale, body.x + (body.w - placement.row_sites * scale) / 2, body.y, placement
        x, row = placement.spots[self.focus.index]
        x0 = _clamp(body.centerx - (x + self.focus.sites / 2) * scale, body.left, body.right,
                    placement.row_sites * scale)
        y0 = _clamp(body.centery - (row + 0.5) * ROW_UNITS * scale, body.top, body.bottom,
                    placement.rows * ROW_UNITS * scale)
        return scale, x0, y0, placement

    def transistor_rect(self, area: pygame.Rect, cell: Cell, transistor: int) -> pygame.Rect:
        """Where a transistor's symbol is drawn (for tests and for labels)."""
        scale, x0, y0, placement = self.geometry(area)
        x, row = placement.spots[cell.index]
        pmos = transistor in cell.pmos
        slot = (cell.pmos if pmos else cell.nmos).index(transistor)
        left = x0 + (x + slot + 0.1) * scale
        top = y0 + (row * ROW_UNITS + (0.25 if pmos else 1.35)) * scale
        return pygame.Rect(round(left), round(top), max(1, round(0.8 * scale)),
                           max(1, round(0.8 * scale)))

    def cell_box(self, area: pygame.Rect, cell: Cell) -> pygame.Rect:
        scale, x0, y0, placement = self.geometry(area)
        x, row = placement.spots[cell.index]
        return pygame.Rect(round(x0 + x * scale), round(y0 + (row * ROW_UNITS + 0.15) * scale),
                           max(1, round(cell.sites * scale)), max(2, round(2.3 * scale)))

    def output_pin(self, area: pygame.Rect, cell: Cell) -> pygame.Rect:
        """Where a cell's output pin is drawn: at the right edge of its box."""
        box = self.cell_box(area, cell)
        size = max(2, round(0.35 * self.geometry(area)[0]))
        return pygame.Rect(box.right - size, box.centery - size // 2, size, size)

    def draw(self, surface, area: pygame.Rect, frame: FetFrame) -> None:
        surface.fill(theme.PANEL, area)
        self.area = area
        scale, x0, y0, placement = self.geometry(area)
        clip = surface.get_clip()
        body = pygame.Rect(area.x, area.y + HEADER_HEIGHT, area.w, area.h - HEADER_HEIGHT)
        surface.set_clip(body)
        for row in range(placement.rows):
            for rail in (0.1, 2.45):
                y = round(y0 + (row * ROW_UNITS + rail) * scale)
                if body.top <= y < body.bottom:
                    pygame.draw.line(surface, RAIL, (body.left, y), (body.right, y))
        for cell in self.cells:
            box = self.cell_box(area, cell)
            if box.colliderect(body):
                self._draw_cell(surface, area, cell, box, scale, frame)
        surface.set_clip(clip)
        self._draw_header(surface, area, frame)

    def _draw_cell(self, surface, area, cell: Cell, box, scale: float, frame: FetFrame) -> None:
        glow = float(frame.glow[cell.output])
        surface.fill(_blend(CELL_FILL, GLOW, 0.35 * glow), box)
        if scale >= 3:
            pygame.draw.rect(surface, CELL_EDGE, box, 1)
        for transistor in cell.pmos + cell.nmos:
            self._draw_transistor(surface, self.transistor_rect(area, cell, transistor),
                                  transistor, scale, frame)
        # The output pin, in its net's level colour, with a halo while it glows.
        level = int(frame.levels[cell.output])
        pin = self.output_pin(area, cell)
        if glow > 0 and scale >= 4:
            pygame.draw.circle(surface, _blend(theme.PANEL, GLOW, glow), pin.center,
                               pin.w, max(1, pin.w // 3))
        surface.fill(_blend(level_colour(level), GLOW, 0.6 * glow), pin)
        if scale >= LABEL_SCALE:
            # Named within the shown module, and cut at the next cell so that labels never overlap.
            prefix = f"{self.view.module}." if self.view.module else ""
            net = cell.net[len(prefix):] if cell.net.startswith(prefix) else cell.net
            label = self.small.render(f"{cell.kind} {net}", theme.TEXT)
            room = pygame.Rect(0, 0, round(box.w + 0.9 * scale), label.get_height())
            surface.blit(label, (box.x + 2, box.y - label.get_height() + 1), room)

    def _draw_transistor(self, surface, rect, transistor: int, scale: float,
                         frame: FetFrame) -> None:
        kind, gate, c1, c2 = self.transistors[transistor]
        on = bool(frame.conducting[transistor])
        pmos = kind == "p"
        channel = (PMOS_ON if on else PMOS_OFF) if pmos else (NMOS_ON if on else NMOS_OFF)
        if scale < 5:  # too small for parts: one block in the channel's colour
            surface.fill(channel, rect)
            return
        unit = rect.w
        gate_rect = pygame.Rect(rect.x, rect.y, max(1, unit // 5), rect.h)
        surface.fill(level_colour(int(frame.levels[gate])), gate_rect)
        channel_rect = pygame.Rect(rect.x + unit * 2 // 5, rect.y, max(2, unit * 3 // 5), rect.h)
        surface.fill(channel, channel_rect)
        if pmos:
            radius = max(1, unit // 10)
            pygame.draw.circle(surface, theme.TEXT,
                               (gate_rect.right + radius, rect.centery), radius, 1)
        if scale < 14:
            return
        # The channel's two ends, each in its net's level colour (brightened while it glows).
        end = max(2, unit // 6)
        for node, y in ((c1, rect.y), (c2, rect.bottom - end)):
            colour = _blend(level_colour(int(frame.levels[node])), GLOW, 0.6 * float(frame.glow[node]))
            surface.fill(colour, (channel_rect.x, y, channel_rect.w, end))
        if scale >= LABEL_SCALE * 2:
            label = self.small.render(self._net_name(gate), theme.TEXT_DIM)
            surface.blit(label, (rect.x, rect.bottom + 1))

    def _net_name(self, node: int) -> str:
        name = self.names.get(node, f"#{node}")
        return name if len(name) <= 14 else "…" + name[-13:]

    def _draw_header(self, surface, area, frame: FetFrame) -> None:
        header = pygame.Rect(area.x, area.y, area.w, HEADER_HEIGHT)
        surface.fill(theme.PANEL, header)
        count = sum(len(c.pmos) + len(c.nmos) for c in self.cells)
        module = self.view.module or "whole design"
        text = (f"FETs {self.source} [{module}]: {len(self.cells)} cells, {count} transistors; "
                f"cycle {frame.cycle}; zoom {self.view.zoom:g}")
        surface.blit(self.text.render(text, theme.TEXT), (header.x + 6, header.y + 3))
        parts = []
        disagreeing_first = sorted(frame.outputs.items(),
                                   key=lambda item: item[1][1] is None or item[1][0] == item[1][1])
        for port, (switch, trace) in disagreeing_first[:HEADER_OUTPUTS]:
            shown = "x" if trace is None else f"{trace:02X}"
            parts.append(f"{port} {switch:02X}/{shown}")
        verdict = "switch = trace" if frame.outputs_match else "switch != trace"
        if len(frame.outputs) > HEADER_OUTPUTS:
            verdict += f" ({len(frame.outputs)} outputs)"
        check = self.text.render(f"{'  '.join(parts)}  {verdict}",
                                 CHECK_GOOD if frame.outputs_match else CHECK_BAD)
        surface.blit(check, (header.right - check.get_width() - 6, header.y + 3))


# --- the panel from a trace ------------------------------------------------------------------

def _port_changes(signal) -> list[tuple[int, object]]:
    return [(signal.time(index), signal.value(index)) for index in range(len(signal))]


def _clock_period(clock) -> int:
    rising = [clock.time(i) for i in range(len(clock)) if clock.value(i) == 1]
    return int(np.median(np.diff(rising))) if len(rising) > 1 else 1


def _traced_ports(trace, names) -> dict[str, str] | None:
    """Port name -> the trace's full signal name, if the trace has every one of the ports."""
    found = {}
    for name in names:
        try:
            found[name] = trace.resolve(name)
        except TtsimError:
            return None
    return found


def trace_netlist(trace, design) -> tuple[dict, dict[str, str]]:
    """The FET netlist a trace of the design replays (its TT top's, or its native top's) and the
    trace's signal for each of the netlist's ports."""
    from ttsim.tools import fastpath, fets

    ports = _traced_ports(trace, TT_PORTS)
    if ports is not None:
        return fets.build(design)[1], ports
    native = fastpath.fast_table(design).get("top")
    if native is not None:
        netlist = fets.build(design, top=native)[1]
        ports = _traced_ports(trace, netlist["ports"])
        if ports is not None:
            return netlist, ports
    wanted = "the TT pins" + (f" or every port of the native top {native}" if native else "")
    raise TtsimError(f"the fets panel needs {wanted}; {trace.path.name} lacks them")


def fets_slot(trace, design, view: FetView, netlist: dict | None = None):
    """The overlay's panel slot for a trace of a design's TT top or native top: the FET netlist
    (built or found by `ttsim fets`, see `trace_netlist`) replayed with the trace's input pins.
    `netlist` replaces the design's (its ports must be in the trace)."""
    from ttsim.viewer.app import PanelSlot

    if design is None:
        raise TtsimError("the fets panel needs the design (--design NAME) for its FET netlist")
    if netlist is None:
        netlist, ports = trace_netlist(trace, design)
    else:
        ports = _traced_ports(trace, netlist["ports"])
        if ports is None:
            raise TtsimError(f"{trace.path.name} lacks some of the netlist's ports")
    directions = {port: info["direction"] for port, info in netlist["ports"].items()}
    signals = {port: trace.signal(ports[port], full=True)
               for port, direction in directions.items() if direction == "input"}
    steps = input_steps({port: _port_changes(s) for port, s in signals.items()}, netlist["ports"])
    replay = SwitchReplay(netlist, steps)
    outputs = {port: trace.signal(ports[port])
               for port, direction in directions.items() if direction == "output"}
    fade = FADE_CYCLES * _clock_period(signals["clk"])
    panel = FetPanel(netlist, netlist_cells(netlist), view)

    def frame_at(time: int) -> FetFrame:
        replay.advance_to(time)
        age = (time - replay.last_change).astype(np.float64)
        glow = np.clip(1.0 - age / fade, 0.0, 1.0)
        shown = {}
        for port, signal in outputs.items():
            value = signal.value_at(time)
            shown[port] = (replay.port_value(port), value if isinstance(value, int) else None)
        return FetFrame(replay.sim.state.copy(), replay.sim.trans_on.copy(), glow,
                        replay.rising_edges, shown)

    return PanelSlot(panel, frame_at)
