"""The viewer's one data layer: a VCD or FST trace opened through pywellen.

Panels never see files: they ask a `Trace` for signals by name. Only the signals asked for are
loaded. A signal comes as `SignalData` (numpy arrays of change times and values, for views redrawn
many times) or, for one-shot pictures of huge traces, as a `LazySignal` that reads pywellen on
demand (converting costs about a microsecond per change; a picture needs only a few look-ups per
pixel column). For drawing at any zoom a panel asks `columns(t0, t1, width)`: per pixel column the
value at the column's start and how many changes fall inside it. Two summaries, built once per
signal, keep a frame from ever touching every change: zoomed in, a binary search in the sorted
change times per column edge; zoomed out, a time grid of change counts (65536 cells) read directly.
Analog rows also need the smallest and largest value inside each column: a min/max pyramid (blocks
of 2, 4, 8, ... changes) answers that with O(log changes) block look-ups per column.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ttsim.errors import TtsimError

TIME_UNITS = {"fs": -15, "ps": -12, "ns": -9, "us": -6, "ms": -3, "s": 0}
_UNITS_LARGEST_FIRST = sorted(TIME_UNITS.items(), key=lambda item: -item[1])
TT_PORTS = ("clk", "rst_n", "ena", "ui_in", "uo_out", "uio_in", "uio_out", "uio_oe")
_TIME_PATTERN = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_VCD_TAIL_BYTES = 1 << 16
GRID_CELLS = 1 << 16  # the time grid of a signal with at least this many changes
GRID_SNAP = 8  # grid cells a pixel column must span before its edges snap to the grid


def _pywellen_failure(path: Path, error: BaseException) -> TtsimError:
    lines = str(error).strip().splitlines()
    reason = "".join(c if c.isprintable() else "?" for c in lines[0])[:200] if lines \
        else type(error).__name__
    return TtsimError(f"cannot read trace {path}: {reason}")


@contextlib.contextmanager
def _captured_output():
    """Collects what Rust prints on file descriptors 1 and 2 meanwhile (a panic's report, wellen's
    warnings) into the list it yields, instead of letting it reach the user raw."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    captured: list[str] = []
    with tempfile.TemporaryFile() as sink:
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield captured
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for descriptor in saved:
                os.close(descriptor)
            sink.seek(0)
            captured += sink.read().decode("utf-8", "replace").splitlines()


# An FST file opens with its header block: type 0, then the block's length, which is always 329.
# pywellen 0.25 loops forever on an FST whose header length is damaged, so it is checked first.
FST_HEADER_BLOCK = 0
FST_HEADER_LENGTH = 329


def _check_fst_header(path: Path) -> None:
    with open(path, "rb") as file:
        start = file.read(9)
    if start[:1] == bytes([FST_HEADER_BLOCK]) and (
            len(start) < 9 or int.from_bytes(start[1:9], "big") != FST_HEADER_LENGTH):
        raise TtsimError(f"cannot read trace {path}: its FST header block is damaged")


def _guarded(path: Path, action, quiet: bool = True):
    """Runs a pywellen call; its Rust panics arrive as BaseException, so those are caught too.
    `quiet` captures what Rust prints meanwhile (costly for tiny calls, which print nothing): a
    failure's report is dropped for the one-line error; warnings become one-line ttsim warnings."""
    try:
        if not quiet:
            return action()
        with _captured_output() as printed:
            result = action()
        warnings = list(dict.fromkeys(line.removeprefix("WARN:").strip() for line in printed
                                      if line.startswith("WARN:")))
        for warning in warnings[:3]:
            print(f"ttsim: warning: {path.name}: {warning}", file=sys.stderr)
        if len(warnings) > 3:
            print(f"ttsim: warning: {path.name}: {len(warnings) - 3} more warnings",
                  file=sys.stderr)
        return result
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as error:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        raise _pywellen_failure(path, error) from None


@dataclass
class Columns:
    """What one signal does in each pixel column of a time window.

    start: index (into the signal's changes) of the value holding at each column's left edge, -1
        where the signal has no value yet.
    changes: how many changes fall inside each column (after its left edge, up to its right edge).
    nonzero, unknown, floating: of the value at each column's left edge (see SignalData).
    """

    start: np.ndarray
    changes: np.ndarray
    nonzero: np.ndarray
    unknown: np.ndarray
    floating: np.ndarray

    @property
    def end(self) -> np.ndarray:
        """Index of the value holding at each column's right edge."""
        return self.start + self.changes


@functools.lru_cache(maxsize=8)
def _edges(t0: float, t1: float, width: int) -> np.ndarray:
    """The times of the `width + 1` pixel column edges of a window (shared by a frame's rows)."""
    edges = np.floor(t0 + (t1 - t0) * np.arange(width + 1, dtype=np.float64) / width)
    edges = edges.astype(np.int64)
    edges.flags.writeable = False
    return edges


def _is_bit_string(value: str) -> bool:
    """A four-state bit string (with x/z) rather than the text of a string signal."""
    return bool(value) and set(value.lower()) <= set("01xzuwlh-")


def _is_floating(value) -> bool:
    return isinstance(value, str) and set(value.lower()) == {"z"}


class _Signal:
    """What both kinds of signal share; subclasses give count_until, time, value and columns."""

    name: str
    width: int
    is_real: bool

    @property
    def is_bit(self) -> bool:
        return self.width == 1 and not self.is_real

    def index_at(self, time: int) -> int:
        """Index of the change holding at `time`, -1 before the first change."""
        return self.count_until(time) - 1

    def value_at(self, time: int):
        """The value at `time`: an int (or float), the x/z bit string, or None before any change."""
        index = self.index_at(time)
        return None if index < 0 else self.value(index)

    def next_change(self, time: int) -> int | None:
        index = self.count_until(time)
        return self.time(index) if index < len(self) else None

    def previous_change(self, time: int) -> int | None:
        index = self.count_until(time - 1) - 1
        return self.time(index) if index >= 0 else None

    @property
    def last_time(self) -> int:
        return self.time(len(self) - 1) if len(self) else 0


class SignalData(_Signal):
    """One signal's changes as numpy arrays: every query is a numpy binary search.

    times: int64 change times in trace ticks, ascending.
    values: uint64 for vectors up to 64 bits, float64 for reals, Python ints (object) when wider.
    unknown: True where the value holds an x or z bit; `text[i]` then has the raw bit string.
    floating: True where every bit is z (a released bus rather than an unknown value).
    """

    CHUNK = 1 << 18  # changes converted at a time, so a huge signal never sits in Python tuples

    def __init__(self, name: str, width: int, is_real: bool, changes):
        self.name = name
        self.width = width
        self.is_real = is_real
        self.text: dict[int, str] = {}
        self._pyramid: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._grid: tuple[int, tuple[float, np.ndarray]] | None = None
        dtype = np.float64 if is_real else (np.uint64 if width <= 64 else object)
        time_parts, value_parts = [], []
        iterator = iter(changes)
        while chunk := list(itertools.islice(iterator, self.CHUNK)):
            times, values = zip(*chunk)
            time_parts.append(np.array(times, dtype=np.int64))
            value_parts.append(self._numbers(values, dtype, offset=sum(map(len, time_parts[:-1]))))
        self.times = np.concatenate(time_parts) if time_parts else np.zeros(0, dtype=np.int64)
        self.values = np.concatenate(value_parts) if value_parts else np.zeros(0, dtype=dtype)
        self.unknown = np.zeros(len(self.times), dtype=bool)
        self.floating = np.zeros(len(self.times), dtype=bool)
        for index, text in self.text.items():  # x/z bits; other text (string signals) is known
            self.unknown[index] = _is_bit_string(text)
            self.floating[index] = _is_floating(text)
        self.version = 0  # counts `extend` calls, so caches built from the data can tell

    def extend(self, times: np.ndarray, values: np.ndarray, keep: int) -> None:
        """Appends known (2-state) changes, as a live simulation makes them, then drops all but
        the last `keep` changes."""
        drop = max(0, len(self.times) + len(times) - keep)
        self.times = np.concatenate([self.times, times.astype(np.int64)])[drop:]
        self.values = np.concatenate([self.values, values.astype(self.values.dtype)])[drop:]
        self.unknown = np.concatenate([self.unknown, np.zeros(len(times), dtype=bool)])[drop:]
        self.floating = np.concatenate([self.floating, np.zeros(len(times), dtype=bool)])[drop:]
        self.text = {index - drop: text for index, text in self.text.items() if index >= drop}
        self._pyramid = None
        self.version += 1

    def _numbers(self, values: tuple, dtype, offset: int) -> np.ndarray:
        try:
            return np.array(values, dtype=dtype)
        except (TypeError, ValueError):
            # Some values are x/z bit strings: keep them as text, 0 as their number.
            numbers = []
            for index, value in enumerate(values):
                if isinstance(value, str):
                    self.text[offset + index] = value
                    value = 0
                numbers.append(value)
            return np.array(numbers, dtype=dtype)

    def __len__(self) -> int:
        return len(self.times)

    def count_until(self, time: int) -> int:
        """How many changes happen at or before `time`."""
        return int(np.searchsorted(self.times, time, side="right"))

    def time(self, index: int) -> int:
        return int(self.times[index])

    def value(self, index: int):
        text = self.text.get(index)
        if text is not None:
            return text
        value = self.values[index]
        return float(value) if self.is_real else int(value)

    def find_value(self, value: int, after: int) -> int | None:
        """The time of the first change after time `after` to `value` (None if it never comes)."""
        first = self.count_until(after)
        known = ~self.unknown[first:]
        if self.values.dtype == object:
            hits = np.flatnonzero(known & (self.values[first:] == value))
        elif self.is_real or not 0 <= value < 1 << min(self.width, 64):
            return None
        else:
            hits = np.flatnonzero(known & (self.values[first:] == np.uint64(value)))
        return int(self.times[first + hits[0]]) if len(hits) else None

    def columns(self, t0: float, t1: float, width: int) -> Columns:
        """Per pixel column of the window [t0, t1) split into `width` columns: see `Columns`.

        Zoomed in, the column edges are searched for exactly. Zoomed out (a column spanning at
        least GRID_SNAP cells of the signal's time grid) they snap to the nearest grid line, at
        most 1/(2 * GRID_SNAP) of a column away, and the change counts are read from the grid:
        a binary search per edge in millions of changes misses the caches at every step.
        """
        grid = self._time_grid()
        if grid is not None and (t1 - t0) / width >= GRID_SNAP * grid[0]:
            cell, counts = grid
            cells = np.rint(np.linspace(t0, t1, width + 1) / cell).astype(np.int64)
            after = np.where(cells < 0, 0, counts[np.clip(cells, 0, len(counts) - 1)])
        else:
            after = np.searchsorted(self.times, _edges(t0, t1, width), side="right")
        start = after[:-1] - 1
        nothing = np.zeros(width, dtype=bool)
        if not len(self):
            return Columns(start, np.diff(after), nothing, nothing, nothing)
        at = np.maximum(start, 0)
        known = start >= 0
        nonzero = known & (self.values[at] != 0)
        if not self.text:  # no x/z anywhere: skip two look-ups per column
            return Columns(start, np.diff(after), nonzero, nothing, nothing)
        return Columns(start, np.diff(after), nonzero, known & self.unknown[at],
                       known & self.floating[at])

    def _time_grid(self) -> tuple[float, np.ndarray] | None:
        """(cell, counts): counts[k] changes happen at or before time floor(k * cell), for
        GRID_CELLS cells from time 0 to the last change (built once; None for small signals)."""
        if len(self) < GRID_CELLS or self.last_time <= 0:
            return None
        if self._grid is None or self._grid[0] != self.version:
            cell = self.last_time / GRID_CELLS
            lines = np.floor(np.arange(GRID_CELLS + 1) * cell).astype(np.int64)
            self._grid = (self.version, (cell, np.searchsorted(self.times, lines, side="right")))
        return self._grid[1]

    def numeric(self) -> np.ndarray:
        """Values as float64 (x/z as NaN), for analog drawing."""
        numbers = self.values.astype(np.float64)
        numbers[self.unknown] = np.nan
        return numbers

    def value_range(self) -> tuple[float, float]:
        """Smallest and largest known value (for scaling an analog row)."""
        if self._pyramid is None:
            self._pyramid = self._build_pyramid()
        top_low, top_high = self._pyramid[-1]
        return (float(top_low[0]), float(top_high[0])) if len(top_low) else (0.0, 0.0)

    def span_min_max(self, first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest value among changes first[i]..last[i] (inclusive), per i.

        Walks the min/max pyramid bottom-up like a segment tree query: at each level the ends of
        the index range that are not aligned to the next level's blocks are folded in, so each
        range costs one step per level however many changes it spans.
        """
        if self._pyramid is None:
            self._pyramid = self._build_pyramid()
        lows = np.full(len(first), np.inf)
        highs = np.full(len(first), -np.inf)
        lo = np.asarray(first, dtype=np.int64).copy()
        hi = np.asarray(last, dtype=np.int64) + 1  # exclusive
        for level_min, level_max in self._pyramid:
            active = lo < hi
            if not active.any():
                break
            take = active & (lo % 2 == 1)
            lows[take] = np.fmin(lows[take], level_min[lo[take]])
            highs[take] = np.fmax(highs[take], level_max[lo[take]])
            lo[take] += 1
            take = (lo < hi) & (hi % 2 == 1)
            hi[take] -= 1
            lows[take] = np.fmin(lows[take], level_min[hi[take]])
            highs[take] = np.fmax(highs[take], level_max[hi[take]])
            lo //= 2
            hi //= 2
        return lows, highs

    def _build_pyramid(self) -> list[tuple[np.ndarray, np.ndarray]]:
        level = self.numeric()
        levels = [(level, level)]
        low, high = level, level
        while len(low) > 1:
            even = len(low) // 2 * 2
            next_low = np.fmin(low[0:even:2], low[1:even:2])
            next_high = np.fmax(high[0:even:2], high[1:even:2])
            if len(low) % 2:  # the odd last block is never read whole at the next level
                next_low = np.append(next_low, low[-1])
                next_high = np.append(next_high, high[-1])
            low, high = next_low, next_high
            levels.append((low, high))
        return levels


class LazySignal(_Signal):
    """A signal read from pywellen on demand, for one-shot pictures of huge traces.

    pywellen hands out one (time, value) pair per call (about a microsecond each), so converting
    millions of changes costs more than loading them. A frame needs only a few lookups per pixel
    column: each is a search over the change indices that alternates interpolation steps (exact in
    a couple of probes for clocks and other regular signals) with bisection steps (so never more
    than about 2 log2(changes) probes). Probed changes are cached for the next frame.
    """

    CACHE_LIMIT = 1 << 20

    def __init__(self, name: str, width: int, is_real: bool, source, path: Path):
        self.name = name
        self.width = width
        self.is_real = is_real
        self._source = source
        self._path = path
        self._count = _guarded(path, lambda: len(source))
        self._cache: dict[int, tuple] = {}

    def __len__(self) -> int:
        return self._count

    def _change(self, index: int) -> tuple:
        change = self._cache.get(index)
        if change is None:
            if len(self._cache) > self.CACHE_LIMIT:
                self._cache.clear()
            change = self._cache[index] = _guarded(self._path, lambda: self._source[index],
                                                   quiet=False)
        return change

    def time(self, index: int) -> int:
        return int(self._change(index)[0])

    def value(self, index: int):
        return self._change(index)[1]

    def count_until(self, time: int, lo: int = 0, hi: int | None = None) -> int:
        """How many changes happen at or before `time`, knowing the answer is in [lo, hi]."""
        hi = self._count if hi is None else hi
        interpolate = True
        while lo < hi:
            if interpolate:
                # Times just outside the range bracket `time`: the changes at lo - 1 and hi, or
                # one tick beyond the first and last change.
                left = self.time(lo - 1) if lo > 0 else self.time(0) - 1
                right = self.time(hi) if hi < self._count else self.last_time + 1
                fraction = (time - left) / (right - left) if right > left else 0.5
                middle = min(hi - 1, max(lo, lo + int(fraction * (hi - lo))))
            else:
                middle = (lo + hi) // 2
            interpolate = not interpolate
            if self.time(middle) <= time:
                lo = middle + 1
            else:
                hi = middle
        return lo

    def columns(self, t0: float, t1: float, width: int) -> Columns:
        counts = np.empty(width + 1, dtype=np.int64)
        lower = 0
        for column, edge in enumerate(_edges(t0, t1, width).tolist()):
            lower = counts[column] = self.count_until(edge, lower)
        start = counts[:-1] - 1
        values = {index: self.value(index) for index in set(start.tolist()) if index >= 0}
        known = start >= 0
        pick = [values.get(index, 0) for index in start.tolist()]
        return Columns(start, np.diff(counts),
                       known & np.array([not isinstance(v, str) and v != 0 for v in pick]),
                       known & np.array([isinstance(v, str) for v in pick]),
                       known & np.array([_is_floating(v) for v in pick]))


class Trace:
    """A VCD or FST file; loads signals on demand and caches them.

    Signals with more than `lazy_above` changes stay in pywellen as `LazySignal`s unless asked for
    in full (None: always convert to numpy, best for a window redrawn many times).
    """

    def __init__(self, path: str | Path, lazy_above: int | None = None):
        import pywellen

        self.path = Path(path)
        if not self.path.is_file():
            raise TtsimError(f"trace {self.path} does not exist")
        if self.path.stat().st_size == 0:
            raise TtsimError(f"trace {self.path} is empty")
        _check_fst_header(self.path)
        self._wave = _guarded(self.path, lambda: pywellen.Waveform(str(self.path)))
        self._vars = _guarded(self.path, lambda: {v.full_name: v for v in self._wave.all_vars()})
        if not self._vars:
            raise TtsimError(f"trace {self.path} declares no signals")
        self.format = str(self._wave.file_format)
        timescale = self._wave.timescale
        self.tick_exponent = timescale.unit.to_exponent() if timescale else -12
        self.tick_factor = timescale.factor if timescale else 1
        self.lazy_above = lazy_above
        self._loaded: dict[str, SignalData | LazySignal] = {}
        self._end_time: int | None = None

    # --- names -------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Every signal's full hierarchical name, in the file's order."""
        return list(self._vars)

    def width(self, name: str) -> int:
        var = self._vars[name]
        # Strings have no width: shown as buses (their text as the value).
        return 64 if var.is_real or var.is_string else int(var.bitwidth or 1)

    def scopes(self) -> list[Scope]:
        """The scope hierarchy (for the tree with a filter)."""
        return [Scope.of(scope) for scope in _guarded(self.path, self._wave.scopes)]

    def resolve(self, name: str) -> str:
        """A signal's full name from a full name or a unique-enough tail such as `uo_out` or
        `counter.digit`. Among equal tails the one in the TT top (tt_um_*) wins, then the
        shallowest (Verilator repeats the ports under $rootio)."""
        if name in self._vars:
            return name
        matches = [full for full in self._vars if full.endswith("." + name)]
        if not matches:
            raise TtsimError(f"trace {self.path.name} has no signal {name!r}")
        matches.sort(key=lambda full: (not full.startswith("tt_um_"), full.count("."), full))
        return matches[0]

    def tt_top_ports(self) -> dict[str, str]:
        """TT port name -> full signal name, for the ports the trace has."""
        found = {}
        for port in TT_PORTS:
            try:
                found[port] = self.resolve(port)
            except TtsimError:
                pass
        return found

    # --- data --------------------------------------------------------------------------------
    def signal(self, name: str, full: bool = False) -> SignalData | LazySignal:
        """A signal by (resolvable) name; `full` insists on numpy arrays (SignalData)."""
        name = self.resolve(name)
        loaded = self._loaded.get(name)
        if loaded is None or (full and isinstance(loaded, LazySignal)):
            var = self._vars[name]
            source = _guarded(self.path, lambda: var.signal)
            width, is_real = self.width(name), bool(var.is_real)
            if not full and self.lazy_above is not None and \
                    _guarded(self.path, lambda: len(source)) > self.lazy_above:
                loaded = LazySignal(name, width, is_real, source, self.path)
            else:
                loaded = _guarded(self.path, lambda: SignalData(name, width, is_real, source))
            self._loaded[name] = loaded
        return loaded

    @property
    def end_time(self) -> int:
        """The last time stamp of the trace (from the file's tail or header), else the last change
        of the signals loaded so far."""
        if self._end_time is None:
            self._end_time = _file_end_time(self.path, self.format)
        loaded = max((s.last_time for s in self._loaded.values()), default=0)
        return max(self._end_time or 0, loaded)

    # --- time units --------------------------------------------------------------------------
    def seconds(self, ticks: float) -> float:
        return ticks * self.tick_factor * 10.0 ** self.tick_exponent

    def ticks(self, text: str) -> int:
        """Parses a time such as `1500`, `2.5us` or `40 ns` into trace ticks (bare numbers are
        ticks)."""
        match = _TIME_PATTERN.match(str(text))
        if not match:
            raise TtsimError(f"{text!r} is not a time (examples: 1200, 3.5us, 40ns)")
        number, unit = float(match[1]), match[2].lower()
        if not unit:
            return int(number)
        if unit not in TIME_UNITS:
            raise TtsimError(f"unknown time unit {unit!r} in {text!r} "
                             f"(use {', '.join(TIME_UNITS)})")
        ticks = number * 10.0 ** (TIME_UNITS[unit] - self.tick_exponent) / self.tick_factor
        return int(round(ticks))

    def format_time(self, ticks: float) -> str:
        return format_seconds(self.seconds(ticks))


def format_seconds(seconds: float) -> str:
    """A short human time: 0, 12.5 ns, 3.2 ms."""
    if seconds == 0:
        return "0"
    for unit, exponent in _UNITS_LARGEST_FIRST:
        scaled = seconds / 10.0 ** exponent
        if abs(scaled) >= 1 or unit == "fs":
            return f"{scaled:.4g} {unit}"
    raise AssertionError("unreachable")


@dataclass
class Scope:
    """One scope of the hierarchy: its name, full name, variables' full names and children."""

    name: str
    full_name: str
    variables: list[str]
    children: list[Scope]

    @classmethod
    def of(cls, scope) -> Scope:
        return cls(scope.name, scope.full_name, [v.full_name for v in scope.vars()],
                   [cls.of(child) for child in scope.scopes()])


def _file_end_time(path: Path, file_format: str) -> int | None:
    """The trace's last time stamp without parsing its body: the last `#time` of a VCD, or the end
    time in an FST header block."""
    with path.open("rb") as file:
        if file_format.upper() == "FST":
            header = file.read(25)
            if len(header) == 25 and header[0] == 0:  # block type 0 = header
                return struct.unpack(">Q", header[17:25])[0]
            return None
        file.seek(max(0, path.stat().st_size - _VCD_TAIL_BYTES))
        tail = file.read().decode("ascii", "replace")
    stamps = re.findall(r"(?m)^#(\d+)\s*$", tail)
    return int(stamps[-1]) if stamps else None
