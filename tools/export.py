"""Amaranth -> Verilog: writes a design's TT top into build/<name>/<top>.v.

The output is deterministic (no source paths in it) and starts with `default_nettype none`, as TT
asks. The work is skipped when nothing it depends on changed: the stamp beside the Verilog is a hash
of every Python source the elaboration imported from the project, the metadata and the Amaranth
version.
"""
from __future__ import annotations

import hashlib
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from amaranth.hdl import UnusedElaboratable

from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR, DESIGNS_DIR, PACKAGE_DIR
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


def _project_sources() -> list[Path]:
    """Files of the project's own modules loaded so far (designs and the ttsim core)."""
    roots = (DESIGNS_DIR, PACKAGE_DIR)
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and any(Path(path).resolve().is_relative_to(r) for r in roots):
            files.add(Path(path).resolve())
    return sorted(files)


def _fingerprint(design: Design) -> str:
    import amaranth

    digest = hashlib.sha256(f"amaranth {amaranth.__version__}\n".encode())
    for path in [design.folder / METADATA_FILE, *_project_sources()]:
        digest.update(str(path.relative_to(path.parent.parent)).encode())
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


def build(design: Design, force: bool = False) -> Export:
    """Writes build/<name>/<top>.v unless it is up to date."""
    out_dir = BUILD_DIR / design.name
    verilog_path = out_dir / f"{design.top_module}.v"
    stamp = out_dir / ".export-stamp"
    design.top_class()  # imports the design's modules, which the fingerprint covers
    fingerprint = _fingerprint(design)
    if not force and verilog_path.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return Export(verilog_path, rebuilt=False)
    text = to_verilog(design, elaborate(design))
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = verilog_path.with_suffix(".v.tmp")
    tmp.write_text(text)
    tmp.replace(verilog_path)
    stamp.write_text(fingerprint)
    return Export(verilog_path, rebuilt=True)
