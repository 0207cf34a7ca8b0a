"""Co-simulation: a design's FET netlist at switch level against its RTL, cycle by cycle.

The reference is the RTL on the Verilator fast path (ttsim.fast). The flip-flops are internal, so
the fast path runs the design inside a probe wrapper: a Verilog top with the design's ports plus
64-bit `switch_probeN` outputs that concatenate, through hierarchical references, every flip-flop
the netlist has (memory words included: `riot.ram[5][3]` reads bit 3 of word 5 of riot's `ram`)
and every output pin; the fast path records them after every rising edge like any port. The
netlist and the wrapped RTL come from the same Verilog file, so a flip-flop's net name is the name
of its register in the RTL. (Amaranth's pysim, the reference before, named registers through the
Verilog backend's private name map and could not read memories; Verilator's public-signal access
would need a name lookup in the C++ harness. The wrapper needs neither: it is plain Verilog.)

Both sides get the same inputs, cycle by cycle, from a stimulus, with every input it does not drive
held at the value its Amaranth port declares (`init`; Verilog drops those, so the harness must drive
them): `RandomInputs` (TT tops: reset held for the first cycles, then random `ui_in`/`uio_in` and
now and then a reset), `Bus6502Memory` (a 64 KB memory on the cpu6502 design's multiplexed bus) or
`CartridgeRom` (an Atari 2600 cartridge image served to the Atari core's `rom_addr`/`rom_data`
port). A stimulus names the ports it `drives`, gives their values for each cycle (`inputs`) and
sees the RTL's outputs after each rising edge (`observe`, to answer in the next cycle). Each cycle
the inputs change while the clock is low, the clock rises, every output pin and every flip-flop is
compared, and the clock falls.
"""
from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ttsim.errors import TtsimError
from ttsim.registry import Design
from ttsim.switch import SwitchSim

RESET_CYCLES = 2
RESET_CHANCE = 1 / 500  # a random reset now and then checks the reset logic after start-up
PROBE_BITS = 64  # bits per probe output of the wrapper (the fast path's widest port)
CORE_INSTANCE = "switch_core"
_BIT_NAME = re.compile(r"^(?P<base>.+?)(\[(?P<bit>\d+)\])?$")
_MEMORY_WORD = re.compile(r"^(?P<memory>.+)\[(?P<word>\d+)\]$")
_IDENTIFIER = r"\\\S+|[A-Za-z_][\w$]*"
_SIMPLE_IDENTIFIER = re.compile(r"^[A-Za-z_][\w$]*$")
_MODULE = re.compile(rf"^module ({_IDENTIFIER})\s*\((.*?)^endmodule", re.MULTILINE | re.DOTALL)
_DECLARATION = re.compile(rf"^\s*(?:reg|wire|input|output|inout)\s+(?:signed\s+)?"
                          rf"(?:\[(\d+):(\d+)\]\s*)?({_IDENTIFIER})\s*(\[\d+:\d+\])?\s*[;=]",
                          re.MULTILINE)
_INSTANCE = re.compile(rf"^\s*({_IDENTIFIER})\s+({_IDENTIFIER})\s*\(\s*$", re.MULTILINE)


class RandomInputs:
    """Random TT inputs from a seeded generator, with a reset now and then."""

    drives = ("ui_in", "uio_in", "ena", "rst_n")

    def __init__(self, seed: int = 1):
        self.random = random.Random(seed)

    def inputs(self, cycle: int) -> dict:
        reset = cycle < RESET_CYCLES or self.random.random() < RESET_CHANCE
        return {"ui_in": self.random.getrandbits(8), "uio_in": self.random.getrandbits(8),
                "ena": 1, "rst_n": 0 if reset else 1}

    def observe(self, outputs: dict) -> None:
        pass


class Bus6502Memory:
    """A 64 KB memory on the cpu6502 design's TT bus (see designs/cpu6502/top.py): the address
    comes out on uio in phases 0 and 1 (uo_out[3], uo_out[4]); in phase 2 (uo_out[5]) a read
    (uo_out[0] high) takes the byte on uio_in at the edge that ends the phase, a write drives it
    on uio_out. `start`, if given, is written into the reset vector."""

    drives = ("ui_in", "uio_in", "ena", "rst_n")

    def __init__(self, image: bytes, start: int | None = None):
        if len(image) != 0x10000:
            raise TtsimError(f"the memory image has {len(image)} bytes, not 65536")
        self.memory = bytearray(image)
        if start is not None:
            self.memory[0xFFFC:0xFFFE] = start.to_bytes(2, "little")
        self.address = 0
        self.data = 0
        self.opcode_fetches = 0

    def inputs(self, cycle: int) -> dict:
        return {"ui_in": 0, "uio_in": self.data, "ena": 1,
                "rst_n": 0 if cycle < RESET_CYCLES else 1}

    def observe(self, outputs: dict) -> None:
        status, bus = outputs["uo_out"], outputs["uio_out"]
        if status & 0b1000:
            self.address = (self.address & 0xFF00) | bus
        elif status & 0b10000:
            self.address = (self.address & 0x00FF) | bus << 8
        elif status & 0b100000:
            if status & 1:
                self.data = self.memory[self.address]
                self.opcode_fetches += (status >> 1) & 1
            else:
                self.memory[self.address] = bus


class CartridgeRom:
    """An Atari 2600 cartridge image on the Atari core's ROM port (designs/atari2600/console.py):
    the core shows the image offset it wants on `rom_addr`, which holds for the two clocks before
    the CPU samples `rom_data` on `cpu_ce`, and the byte there is served from the clock after it
    appears (a native top that registers its inputs still passes it on before `cpu_ce`). `scheme`
    is the bank-switching scheme's index, detected from the image unless named. Controllers and
    switches stay at rest. There is no reset: both sides start from the registers' initial
    values, which are their reset values, so no input that matters changes at a clock edge (and a
    trace of the run replays the same whichever way a viewer orders an input change at an
    edge)."""

    drives = ("rst", "scheme", "rom_data")

    def __init__(self, rom: bytes, scheme: str | None = None):
        from ttsim.designs.atari2600 import cartridge

        self.rom = bytes(rom)
        self.scheme = cartridge.SCHEMES.index(cartridge.check_rom(self.rom, scheme))
        self.data = 0
        self.cpu_cycles = 0

    def inputs(self, cycle: int) -> dict:
        return {"rst": 0, "scheme": self.scheme, "rom_data": self.data}

    def observe(self, outputs: dict) -> None:
        self.data = self.rom[outputs["rom_addr"] % len(self.rom)]
        self.cpu_cycles += outputs["cpu_ce"]


@dataclass
class Mismatch:
    cycle: int
    net: str
    switch: int
    rtl: int

    def __str__(self):
        return (f"cycle {self.cycle}: {self.net} is {self.switch} at switch level, "
                f"{self.rtl} in the RTL")


@dataclass
class CheckResult:
    cycles: int
    transistors: int
    compared_nets: int
    seconds: float
    switch_seconds: float
    group_evaluations: int
    mismatches: list = field(default_factory=list)

    @property
    def half_cycles_per_s(self) -> float:
        return 2 * self.cycles / self.switch_seconds if self.switch_seconds else 0.0

    def as_json(self) -> dict:
        return {
            "cycles": self.cycles,
            "mismatches": len(self.mismatches),
            "first_mismatch": str(self.mismatches[0]) if self.mismatches else None,
            "transistors": self.transistors,
            "compared_nets": self.compared_nets,
            "half_cycles_per_s": round(self.half_cycles_per_s, 1),
            "group_evaluations": self.group_evaluations,
            "seconds": round(self.seconds, 3),
            "switch_seconds": round(self.switch_seconds, 3),
        }


def idle_inputs(design: Design, top: str | None = None) -> dict[str, int]:
    """Every input port of the design's TT top (or of its component `top`, "module:Class"), named
    as in its Verilog, at its `init` value. The component is built only to read its ports: the
    warnings Amaranth gives for it and its parts never being elaborated are dropped."""
    import dataclasses
    import gc
    import warnings

    from amaranth.hdl import UnusedElaboratable
    from amaranth.lib import wiring

    from ttsim.tools import export

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnusedElaboratable)
        component = export.elaborate(dataclasses.replace(design, top=top or design.top))
        idle = {"__".join(map(str, path)): value.init
                for path, member, value in component.signature.flatten(component)
                if member.flow == wiring.In}
        del component
        gc.collect()  # the warnings come when the unused parts are collected
    return idle


def _escaped(name: str) -> str:
    """A Verilog identifier for a name (escaped, with the space that ends it, when needed)."""
    return name if _SIMPLE_IDENTIFIER.match(name) else f"\\{name} "


class VerilogHierarchy:
    """The modules of an Amaranth-generated Verilog file: each one's declarations (name ->
    (lsb, width, is_memory)) and instances (name -> module), enough to turn a flattened netlist
    name such as `tia.audio0$182.poly5[3]` into a hierarchical reference to its RTL bit."""

    def __init__(self, verilog: str):
        self.modules = {}
        for name, body in _MODULE.findall(verilog):
            declarations = {}
            for msb, lsb, signal, unpacked in _DECLARATION.findall(body):
                width = int(msb) - int(lsb) + 1 if msb else 1
                declarations[signal.lstrip("\\")] = (int(lsb or 0), width, bool(unpacked))
            self.modules[name.lstrip("\\")] = (declarations, {})
        for name, body in _MODULE.findall(verilog):
            instances = self.modules[name.lstrip("\\")][1]
            for module, instance in _INSTANCE.findall(body):
                if module.lstrip("\\") in self.modules:
                    instances[instance.lstrip("\\")] = module.lstrip("\\")

    def reference(self, module: str, name: str) -> str | None:
        """A Verilog expression (relative to an instance of `module`) for one netlist bit name,
        or None if the RTL has no such bit."""
        match = _BIT_NAME.match(name)
        base, bit = match["base"], match["bit"]
        path = []
        while True:
            declarations, instances = self.modules[module]
            word = _MEMORY_WORD.match(base)
            if base in declarations and not declarations[base][2]:
                lsb, width, _ = declarations[base]
                path.append(_escaped(base))
                break
            if word and declarations.get(word["memory"], (0, 0, False))[2]:
                lsb, width, _ = declarations[word["memory"]]
                path.append(f"{_escaped(word['memory'])}[{word['word']}]")
                break
            head, dot, rest = base.partition(".")
            if not dot or head not in instances:
                return None
            path.append(_escaped(head))
            module, base = instances[head], rest
        if bit is None:
            return ".".join(path) if width == 1 else None
        if width == 1 or int(bit) >= width:
            return None
        return ".".join(path) + f"[{lsb + int(bit)}]"


def _rename_module(verilog: str, old: str, new: str) -> str:
    """The Verilog with module `old` (and its submodules, `old.sub`) renamed to `new`."""
    return re.sub(rf"(?<![\w$.]){re.escape(old)}(?=[.(\s])", new, verilog)


@dataclass
class ProbeWrapper:
    """The Verilog of a design wrapped for the fast path: the design's module renamed, and a top
    of the same name with its ports plus `switch_probeN` outputs holding the probed bits."""
    verilog: str
    probes: list  # output names, PROBE_BITS bits each, bit i of the list in probe i // 64

    @classmethod
    def build(cls, verilog: str, top_module: str, references: list[str]) -> "ProbeWrapper":
        from ttsim.tools import fastpath

        core = f"{top_module}__switch_core"
        ports = fastpath.top_ports(verilog, top_module)
        count = (len(references) + PROBE_BITS - 1) // PROBE_BITS
        probes = [f"switch_probe{n}" for n in range(count)]
        lines = [f"module {top_module}({', '.join([p.name for p in ports] + probes)});"]
        for port in ports:
            width = f"[{port.width - 1}:0] " if port.width > 1 else ""
            lines += [f"  {'input' if port.is_input else 'output'} {width}{port.name};",
                      f"  wire {width}{port.name};"]
        for probe in probes:
            lines += [f"  output [{PROBE_BITS - 1}:0] {probe};",
                      f"  wire [{PROBE_BITS - 1}:0] {probe};"]
        connections = ", ".join(f".{p.name}({p.name})" for p in ports)
        lines.append(f"  {core} {CORE_INSTANCE} ({connections});")
        for index, probe in enumerate(probes):
            chunk = references[index * PROBE_BITS:(index + 1) * PROBE_BITS]
            chunk += ["1'b0"] * (PROBE_BITS - len(chunk))
            lines.append(f"  assign {probe} = {{{', '.join(reversed(chunk))}}};")
        lines.append("endmodule")
        text = _rename_module(verilog, top_module, core) + "\n" + "\n".join(lines) + "\n"
        return cls(text, probes)


def compared_nets(netlist: dict, hierarchy: VerilogHierarchy, module: str) -> list:
    """(net name, switch node, Verilog reference in the probe wrapper) for every output pin (the
    wrapper's own port) and flip-flop (inside the wrapped design) of the netlist. A flip-flop is
    read through the first of its output net's names that the RTL has."""
    names_of_node: dict = {}
    for name, node in netlist["names"].items():
        names_of_node.setdefault(node, []).append(name)
    nets = []
    for port, info in netlist["ports"].items():
        if info["direction"] == "output":
            for bit, node in enumerate(info["nodes"]):
                name = f"{port}[{bit}]" if len(info["nodes"]) > 1 else port
                nets.append((name, node, name))
    for flipflop in netlist["flipflops"]:
        for name in [flipflop["net"], *names_of_node.get(flipflop["q"], [])]:
            reference = hierarchy.reference(module, name)
            if reference is not None:
                nets.append((name, flipflop["q"], f"{CORE_INSTANCE}.{reference}"))
                break
        else:
            raise TtsimError(f"flip-flop {flipflop['net']}: none of its names is an RTL signal")
    return nets


class _SwitchSide:
    """The netlist at switch level, driven port by port, timed in CPU seconds of this process
    (on a shared machine, others' work does not count against the engine)."""

    def __init__(self, netlist_path, netlist: dict):
        self.sim = SwitchSim.load(netlist_path)
        self.ports = netlist["ports"]
        self.driven: dict = {}
        self.seconds = 0.0

    def drive(self, inputs: dict) -> None:
        """Sets the input ports whose values changed (bit by bit), then settles."""
        bits = {}
        for port, value in inputs.items():
            if self.driven.get(port) != value:
                self.driven[port] = value
                for bit, node in enumerate(self.ports[port]["nodes"]):
                    bits[node] = (value >> bit) & 1
        self._timed(bits)

    def clock(self, level: int) -> None:
        self._timed({self.ports["clk"]["nodes"][0]: level})

    def _timed(self, bits: dict) -> None:
        start = time.process_time()
        self.sim.set_many(bits)
        self.seconds += time.process_time() - start


def check(design: Design, verilog: str, netlist_path, netlist: dict, cycles: int, stimulus,
          idle: dict | None = None, trace=None) -> CheckResult:
    """Runs the RTL of `verilog` (top module `design.top_module`, the Verilog the netlist was made
    from) on the fast path and its FET netlist at switch level for `cycles` clock cycles,
    comparing every output pin and flip-flop after every rising edge. `idle`: input values held
    where the stimulus drives nothing (see `idle_inputs`); trace: a .vcd/.fst file to trace the
    RTL side into (the design's ports and signals, inside the probe wrapper). It stops after the
    first cycle with a mismatch; `mismatches` then lists the nets wrong in that cycle."""
    from ttsim import fast

    ports = netlist["ports"]
    if "clk" not in ports:
        raise TtsimError(f"{netlist_path}: the netlist has no clk port")
    inputs = [name for name, info in ports.items()
              if info["direction"] == "input" and name != "clk"]
    outputs = [name for name, info in ports.items() if info["direction"] == "output"]
    unknown = sorted(set(stimulus.drives) - set(inputs))
    if unknown:
        raise TtsimError(f"the stimulus drives {', '.join(unknown)}, which the netlist has no "
                         "input for")
    held = {name: (idle or {}).get(name, 0) for name in inputs}
    nets = compared_nets(netlist, VerilogHierarchy(verilog), design.top_module)
    wrapper = ProbeWrapper.build(verilog, design.top_module, [ref for _, _, ref in nets])
    switch = _SwitchSide(netlist_path, netlist)
    switch_nodes = np.array([node for _, node, _ in nets], dtype=np.int64)
    result = CheckResult(cycles=cycles, transistors=switch.sim.transistors(),
                         compared_nets=len(nets), seconds=0.0, switch_seconds=0.0,
                         group_evaluations=0)
    with fast.Simulation(design, verilog=wrapper.verilog, trace=trace) as rtl:
        start = time.perf_counter()
        record = outputs + wrapper.probes
        for cycle in range(cycles):
            values = held | stimulus.inputs(cycle)
            for port, value in values.items():
                rtl.set(port, value)
            switch.drive(values)
            recording = rtl.step(1, record=record).recording
            switch.clock(1)
            words = np.array([recording[probe][0] for probe in wrapper.probes], dtype="<u8")
            expected = np.unpackbits(words.view(np.uint8), bitorder="little")[:len(nets)]
            actual = switch.sim.state[switch_nodes]
            for index in np.flatnonzero(actual != expected):
                result.mismatches.append(Mismatch(cycle, nets[index][0], int(actual[index]),
                                                  int(expected[index])))
            if result.mismatches:
                result.cycles = cycle + 1
                break
            stimulus.observe({port: int(recording[port][0]) for port in outputs})
            switch.clock(0)
        result.seconds = time.perf_counter() - start
    result.switch_seconds = switch.seconds
    result.group_evaluations = switch.sim.stats()["group_evaluations"]
    return result


def check_design(design: Design, cycles: int, stimulus, top: str | None = None,
                 trace=None) -> CheckResult:
    """`check` for a registered design's TT top, or for another of its components
    (`top`: "module:Class", constructed without arguments)."""
    from ttsim.tools import export, fets

    path, netlist = fets.build(design, top=top)
    verilog = export.build(design, top=top).verilog.read_text()
    return check(design, verilog, path, netlist, cycles, stimulus, idle=idle_inputs(design, top),
                 trace=trace)


def _stimulus(args):
    """The stimulus `ttsim switch` options ask for."""
    if args.ram and args.rom:
        raise TtsimError("--ram (the cpu6502 bus) and --rom (the Atari core) exclude each other")
    if args.ram:
        return Bus6502Memory(_read(args.ram), start=args.pc)
    if args.rom:
        return CartridgeRom(_read(args.rom))
    return RandomInputs(args.seed)


def _top(design: Design, args) -> str | None:
    """The component `ttsim switch` checks: --top, the native top (--native) or the TT top."""
    from ttsim.tools import fastpath

    if not args.native:
        return args.top
    if args.top:
        raise TtsimError("--top and --native exclude each other")
    native = fastpath.fast_table(design).get("top")
    if native is None:
        raise TtsimError(f"design {design.name!r} has no native top ([fast] top in design.toml)")
    return native


def _read(path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise TtsimError(f"cannot read {path}: {error.strerror}") from None


def main(args) -> int:
    """`ttsim switch NAME --cycles N --check [--json] [--seed S] [--ram IMAGE --pc ADDR]
    [--top MODULE:CLASS | --native] [--rom CARTRIDGE] [--trace FILE]`."""
    from ttsim import registry

    design = registry.get(args.name)
    if not args.check:
        raise TtsimError("`ttsim switch` runs the co-simulation check: add --check")
    if args.cycles < 1:
        raise TtsimError("--cycles must be at least 1")
    stimulus = _stimulus(args)
    result = check_design(design, args.cycles, stimulus, top=_top(design, args), trace=args.trace)
    summary = result.as_json()
    if args.ram:
        summary["opcode_fetches"] = stimulus.opcode_fetches
    if args.rom:
        summary["cpu_cycles"] = stimulus.cpu_cycles
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        if args.ram:
            print(f"the CPU fetched {stimulus.opcode_fetches} opcodes")
        if args.rom:
            print(f"the CPU ran {stimulus.cpu_cycles} cycles of the cartridge")
        verdict = f"first mismatch: {result.mismatches[0]}" if result.mismatches else "0 mismatches"
        print(f"{design.name}: {result.cycles} cycles, {result.compared_nets} nets compared each "
              f"cycle, {result.transistors} transistors, "
              f"{result.half_cycles_per_s:,.0f} half-cycles/s at switch level: {verdict}")
    return 1 if result.mismatches else 0
