"""The design registry: every folder `designs/<name>/` with a `design.toml` is a design.

`design.toml` is a design's metadata in one place, read by every flow (build, test, the fast path,
the viewer, tapeout):

    [design]
    title = "..."              # one line
    description = "..."        # a sentence or two
    author = "..."
    clock_hz = 10_000_000      # the clock the design is meant for
    tiles = "1x1"              # TT tile count the design declares
    top = "top:HelloTop"       # module (in the design folder) and class of the TT top
    tests = ["test_hello"]     # cocotb test modules in tb/<name>/

    [pins]                     # what each of the 24 TT pins does, 8 strings each
    ui = [...]
    uo = [...]
    uio = [...]

Other tables (for example `[fast]` or `[viewer]`) belong to the flows that read them and are kept
as they are in `Design.sections`.
"""
from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ttsim.errors import TtsimError
from ttsim.paths import DESIGNS_DIR

TILE_SIZES = ("1x1", "1x2", "2x2", "3x2", "4x2", "6x2", "8x2", "3x4", "4x4", "6x4", "8x4")
PIN_GROUPS = ("ui", "uo", "uio")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
METADATA_FILE = "design.toml"


@dataclass(frozen=True)
class Design:
    name: str
    folder: Path
    title: str
    description: str
    author: str
    clock_hz: int
    tiles: str
    top: str
    tests: tuple[str, ...]
    pins: dict[str, tuple[str, ...]]
    sections: dict = field(default_factory=dict)

    @property
    def top_module(self) -> str:
        """Name of the TT top module in the generated Verilog."""
        return f"tt_um_ttsim_{self.name}"

    @property
    def package(self) -> str:
        return f"ttsim.designs.{self.name}"

    @property
    def test_modules(self) -> list[str]:
        return [f"ttsim.tb.{self.name}.{module}" for module in self.tests]

    def top_class(self) -> type:
        module_name, _, class_name = self.top.partition(":")
        try:
            module = importlib.import_module(f"{self.package}.{module_name}")
        except ImportError as error:
            raise TtsimError(f"design {self.name!r}: cannot import its top module "
                             f"{module_name!r}: {error}") from error
        try:
            return getattr(module, class_name)
        except AttributeError:
            raise TtsimError(f"design {self.name!r}: {module_name}.py has no class "
                             f"{class_name!r} (named by 'top' in {METADATA_FILE})") from None


def _require(table: dict, key: str, kind: type, where: str):
    if key not in table:
        raise TtsimError(f"{where}: missing '{key}'")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TtsimError(f"{where}: '{key}' must be a {kind.__name__}, not {value!r}")
    return value


def load(folder: Path) -> Design:
    """Reads and checks one design folder's metadata."""
    name = folder.name
    where = f"designs/{name}/{METADATA_FILE}"
    try:
        data = tomllib.loads((folder / METADATA_FILE).read_text())
    except FileNotFoundError:
        raise TtsimError(f"{where} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise TtsimError(f"{where}: not valid TOML: {error}") from None
    if not NAME_PATTERN.match(name):
        raise TtsimError(f"designs/{name}: a design name is lower case letters, digits and '_'")
    info = data.get("design")
    if not isinstance(info, dict):
        raise TtsimError(f"{where}: missing the [design] table")
    tiles = _require(info, "tiles", str, where)
    if tiles not in TILE_SIZES:
        raise TtsimError(f"{where}: tiles {tiles!r} is not a TT size ({', '.join(TILE_SIZES)})")
    clock_hz = _require(info, "clock_hz", int, where)
    if clock_hz <= 0:
        raise TtsimError(f"{where}: clock_hz must be positive")
    top = _require(info, "top", str, where)
    if ":" not in top:
        raise TtsimError(f"{where}: 'top' is 'module:Class', not {top!r}")
    tests = _require(info, "tests", list, where)
    pins_table = data.get("pins")
    if not isinstance(pins_table, dict):
        raise TtsimError(f"{where}: missing the [pins] table")
    pins = {}
    for group in PIN_GROUPS:
        descriptions = _require(pins_table, group, list, f"{where} [pins]")
        if len(descriptions) != 8 or not all(isinstance(d, str) and d for d in descriptions):
            raise TtsimError(f"{where}: pins.{group} must list 8 non-empty descriptions")
        pins[group] = tuple(descriptions)
    return Design(
        name=name,
        folder=folder,
        title=_require(info, "title", str, where),
        description=_require(info, "description", str, where),
        author=_require(info, "author", str, where),
        clock_hz=clock_hz,
        tiles=tiles,
        top=top,
        tests=tuple(str(t) for t in tests),
        pins=pins,
        sections={k: v for k, v in data.items() if k not in ("design", "pins")},
    )


def names() -> list[str]:
    return sorted(p.parent.name for p in DESIGNS_DIR.glob(f"*/{METADATA_FILE}"))


def get(name: str) -> Design:
    folder = DESIGNS_DIR / name
    if not (folder / METADATA_FILE).is_file():
        known = ", ".join(names()) or "none"
        raise TtsimError(f"unknown design {name!r} (known: {known}; `ttsim new {name}` makes one)")
    return load(folder)


def all_designs() -> list[Design]:
    return [get(name) for name in names()]
