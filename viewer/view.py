"""What the user looks at, apart from the data: the signal rows, the time window, the cursor and
markers. Saved to and restored from a JSON file; a GTKWave `.gtkw` save file gives a signal list."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ttsim.errors import TtsimError
from ttsim.viewer.formats import check_format
from ttsim.viewer.trace import Trace

VIEW_VERSION = 1
MIN_WINDOW_TICKS = 4


@dataclass
class Row:
    """One signal row: the signal's full name, how its value is shown, its group (or "")."""

    name: str
    format: str = "hex"
    group: str = ""


@dataclass
class View:
    """The viewer's state over a trace. Times are trace ticks."""

    rows: list[Row] = field(default_factory=list)
    start: float = 0.0
    end: float = 1.0
    cursor: int = 0
    markers: dict[int, int] = field(default_factory=dict)
    selected: int = 0
    scroll: int = 0

    # --- rows --------------------------------------------------------------------------------
    def add(self, trace: Trace, spec: str) -> Row:
        """Adds a row from `name` or `name:format` (format one of FORMATS; names may hold ':'
        themselves, as Yosys's do)."""
        name, fmt = spec.strip(), ""
        if ":" in name and name not in trace.names:
            name, _, fmt = name.rpartition(":")
            fmt = check_format(fmt.strip())
        full = trace.resolve(name.strip())
        row = Row(full, fmt or ("binary" if trace.width(full) == 1 else "hex"))
        self.rows.append(row)
        return row

    def remove(self, index: int) -> None:
        del self.rows[index]
        self.selected = max(0, min(self.selected, len(self.rows) - 1))

    def move(self, index: int, offset: int) -> int:
        """Moves row `index` up (-1) or down (+1); returns its new index."""
        target = max(0, min(len(self.rows) - 1, index + offset))
        self.rows.insert(target, self.rows.pop(index))
        return target

    # --- time window -------------------------------------------------------------------------
    def fit(self, end_time: int) -> None:
        self.start, self.end = 0.0, float(max(end_time, MIN_WINDOW_TICKS))

    def zoom(self, factor: float, around: float | None = None) -> None:
        """Zooms by `factor` (< 1 zooms in) keeping time `around` (default the cursor) in place."""
        around = self.cursor if around is None else around
        span = max((self.end - self.start) * factor, MIN_WINDOW_TICKS)
        left = (around - self.start) / (self.end - self.start)
        self.start = around - left * span
        self.end = self.start + span

    def pan(self, fraction: float) -> None:
        shift = (self.end - self.start) * fraction
        self.start += shift
        self.end += shift

    def follow(self, end_time: int, span: float) -> None:
        """Shows the `span` ticks up to `end_time` with the cursor there (live modes follow the
        newest cycles so)."""
        self.end = float(end_time)
        self.start = self.end - span
        self.cursor = end_time

    def set_marker(self, number: int, time: int) -> None:
        self.markers[number] = time

    # --- files -------------------------------------------------------------------------------
    def to_json(self) -> dict:
        return {"version": VIEW_VERSION,
                "rows": [{"name": r.name, "format": r.format, "group": r.group} for r in self.rows],
                "window": [self.start, self.end], "cursor": self.cursor,
                "markers": {str(k): v for k, v in sorted(self.markers.items())}}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path, trace: Trace) -> View:
        """Reads a saved view; every signal it names must be in `trace`."""
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            rows = [Row(str(r["name"]), check_format(str(r.get("format", "hex"))),
                        str(r.get("group", ""))) for r in data["rows"]]
            start, end = (float(t) for t in data["window"])
            view = cls(rows=rows, start=start, end=end, cursor=int(data.get("cursor", 0)),
                       markers={int(k): int(v) for k, v in data.get("markers", {}).items()})
        except FileNotFoundError:
            raise TtsimError(f"view file {path} does not exist") from None
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise TtsimError(f"view file {path} is not a ttsim view ({error})") from None
        missing = [row.name for row in rows if row.name not in trace.names]
        if missing:
            raise TtsimError(f"view file {path} names signals that {trace.path.name} lacks: "
                             f"{', '.join(missing)}")
        if not end > start:
            raise TtsimError(f"view file {path}: the window must end after it starts")
        return view


# GTKWave trace flags (the hex number after '@' applies to the names below it).
_GTKW_FORMAT_FLAGS = ((0x8000 | 0x10000, "analog"), (0x800, "ascii"), (0x400, "signed"),
                      (0x8, "binary"), (0x4, "unsigned"), (0x2, "hex"))
_GTKW_RANGE = re.compile(r"\[\d+:\d+\]$|\[\d+\]$")


def read_gtkw(path: str | Path, trace: Trace) -> list[str]:
    """The signals of a GTKWave save file as `name:format` specs, resolved against `trace`."""
    path = Path(path)
    try:
        lines = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        raise TtsimError(f"GTKWave file {path} does not exist") from None
    specs, fmt, missing = [], "hex", []
    for line in (raw.strip() for raw in lines):
        if not line or line[0] in "[*-#":
            continue
        if line[0] == "@":
            flags = int(line[1:], 16) if re.fullmatch(r"@[0-9a-fA-F]+", line) else 0
            fmt = next((name for bit, name in _GTKW_FORMAT_FLAGS if flags & bit), "hex")
            continue
        name = line.split()[0]
        for candidate in (name, _GTKW_RANGE.sub("", name)):
            try:
                full = trace.resolve(candidate)
                break
            except TtsimError:
                full = None
        if full is None:
            missing.append(name)
        else:
            specs.append(f"{full}:{fmt if trace.width(full) > 1 else 'binary'}")
    if missing:
        raise TtsimError(f"GTKWave file {path} names signals that {trace.path.name} lacks: "
                         f"{', '.join(missing)}")
    if not specs:
        raise TtsimError(f"GTKWave file {path} lists no signals")
    return specs

