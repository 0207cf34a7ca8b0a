"""Amaranth -> Verilog: writes a design's TT top into build/<name>/<top>.v.

The output is deterministic (no source paths in it) and starts with `default_nettype none`, as TT
asks. The work is skipped when nothing it depends on changed: the stamp beside the Verilog is a hash
of the design's Python sources (with the designs and ttsim modules they import), its metadata and
the Amaranth version.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from amaranth.hdl import UnusedElaboratable

from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR, PACKAGE_DIR
from ttsim.registry import METADATA_FILE, Design

HEADER = "`default_nettype none\n"

# Yosys makes every `always @*` block read a register initialised to 0, so that simulators run the
# block once at time 0. Icarus applies that initial value without an event, so a block whose real
# inputs never change (say a decoder fed by a register that stays 0) keeps X forever. Under Icarus
# only, the register is given its value by an `initial #0`, which every waiting block sees.
_TIME_ZERO_TRIGGER = re.compile(r"^(\s*)reg (\\\$auto\$verilog_backend\S*) += 0;$", re.MULTILINE)
_ICARUS_TIME_ZERO = (r"`ifdef __ICARUS__\n\1reg \2 ;\n\1initial #0 \2 = 1'h0;\n"
                     r"`else\n\1reg \2 = 0;\n`endif")


@dataclass
class Export:
    verilog: Path
    rebuilt: bool


# Imports that reach another design's folder or a ttsim core module.
_DESIGN_IMPORT = re.compile(r"(?:ttsim\.designs\.|from \.\.)(\w+)")
_CORE_IMPORT = re.compile(r"from ttsim import ([\w, ]+)|(?:from|import) ttsim\.(\w+)")


def design_sources(folder: Path) -> list[Path]:
    """The Python files a design folder's code depends on: its own, those of the designs it
    imports (followed transitively) and the ttsim core modules they import. Deterministic,
    unlike the set of modules a process happens to have loaded."""
    folders, files, pending = set(), set(), [folder]
    while pending:
        current = pending.pop()
        if current in folders or not current.is_dir():
            continue
        folders.add(current)
        for path in sorted(current.glob("*.py")):
            files.add(path)
            text = path.read_text()
            pending += [current.parent / name for name in _DESIGN_IMPORT.findall(text)]
            for names, module in _CORE_IMPORT.findall(text):
                for name in [module] if module else names.split(","):
                    candidate = PACKAGE_DIR / f"{name.strip()}.py"
                    if candidate.is_file():
                        files.add(candidate)
    return sorted(files)


def _fingerprint(design: Design, top: str) -> str:
    import amaranth

    digest = hashlib.sha256(f"{top}\namaranth {amaranth.__version__}\n".encode())
    for path in [design.folder / METADATA_FILE, *design_sources(design.folder)]:
        digest.update(f"{path.parent.name}/{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _elaboration_error(design: Design, error: Exception) -> TtsimError:
    # The half-built modules left behind would each warn that they were never used: noise here.
    warnings.simplefilter("ignore", UnusedElaboratable)
    first_line = next(iter(str(error).splitlines()), "")
    return TtsimError(f"design {design.name!r} failed to elaborate: "
                      f"{type(error).__name__}: {first_line}")


def elaborate(design: Design):
    """The design's TT top, constructed; construction errors become one-line errors."""
    top_class = design.top_class()
    try:
        return top_class()
    except TtsimError:
        raise
    except Exception as error:
        raise _elaboration_error(design, error) from error


def to_verilog(design: Design, top) -> str:
    """Verilog of any elaboratable `top` of the design, named as the design's TT top."""
    from amaranth.back import verilog

    try:
        text = verilog.convert(top, name=design.top_module, emit_src=False)
    except Exception as error:
        raise _elaboration_error(design, error) from error
    return HEADER + _TIME_ZERO_TRIGGER.sub(_ICARUS_TIME_ZERO, text)


def build(design: Design, force: bool = False, top: str | None = None) -> Export:
    """Writes build/<name>/<top module>.v unless it is up to date.

    top: another "module:Class" of the design to convert instead of its TT top (a native top
    for the fast path); it is written to build/<name>/native-<Class>.v, under the same module name.
    """
    if top is not None:
        design = dataclasses.replace(design, top=top)
    out_dir = BUILD_DIR / design.name
    stem = design.top_module if top is None else f"native-{top.partition(':')[2]}"
    verilog_path = out_dir / f"{stem}.v"
    stamp = out_dir / f".{stem}.stamp"
    fingerprint = _fingerprint(design, design.top)
    if not force and verilog_path.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return Export(verilog_path, rebuilt=False)
    text = to_verilog(design, elaborate(design))
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = verilog_path.with_suffix(".v.tmp")
    tmp.write_text(text)
    tmp.replace(verilog_path)
    stamp.write_text(fingerprint)
    return Export(verilog_path, rebuilt=True)
