"""Co-simulation: a design's FET netlist at switch level against its RTL, cycle by cycle.

The reference is Amaranth's pysim running the design's TT top. Both get the same inputs from a
stimulus: `RandomInputs` (reset held for the first cycles, then random `ui_in`/`uio_in` and now
and then a reset, from a seeded generator) or `Bus6502Memory` (a 64 KB memory answering the
cpu6502 design's multiplexed bus on uio). Each cycle the inputs change while the clock is low, the
clock rises, and then every output pin and every flip-flop of the netlist is compared; the clock
falls. A flip-flop is compared through the RTL signal its output net is named after (the first of
its names the RTL has, with the numbering the Verilog backend gives anonymous signals).
"""
from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ttsim.errors import TtsimError
from ttsim.registry import Design
from ttsim.switch import SwitchSim

OUTPUT_PORTS = ("uo_out", "uio_out", "uio_oe")
RESET_CYCLES = 2
RESET_CHANCE = 1 / 500  # a random reset now and then checks the reset logic after start-up
_BIT_NAME = re.compile(r"^(?P<base>.+?)(\[(?P<bit>\d+)\])?$")


class RandomInputs:
    """Random inputs from a seeded generator, with a reset now and then."""

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
        }


def _rtl_fragment(top, top_name: str):
    """The top's fragment (for pysim) and its signals by the names the Verilog backend gives them
    ('counter.prescale'; anonymous ones are numbered as in the Verilog: '$signal$29')."""
    from amaranth.back import rtlil
    from amaranth.hdl import Fragment
    from amaranth.hdl._ir import PortDirection
    from amaranth.lib import wiring

    ports = {"__".join(map(str, path)):
             (value, PortDirection.Input if member.flow == wiring.In else PortDirection.Output)
             for path, member, value in top.signature.flatten(top)}
    fragment = Fragment.get(top, None)
    _, name_map = rtlil.convert_fragment(fragment, ports, top_name, emit_src=False)
    return fragment, {".".join(name[1:]): signal for signal, name in name_map.items()}


def _flipflop_probes(netlist: dict, signals: dict) -> list:
    """(net name, switch node, RTL signal, bit) for every flip-flop of the netlist."""
    names_of_node: dict = {}
    for name, node in netlist["names"].items():
        names_of_node.setdefault(node, []).append(name)
    probes = []
    for flipflop in netlist["flipflops"]:
        for name in [flipflop["net"], *names_of_node.get(flipflop["q"], [])]:
            match = _BIT_NAME.match(name)
            if match and match["base"] in signals:
                probes.append((name, flipflop["q"], signals[match["base"]], int(match["bit"] or 0)))
                break
        else:
            raise TtsimError(f"flip-flop {flipflop['net']}: none of its names is an RTL signal")
    return probes


def check_design(design: Design, netlist_path, netlist: dict, cycles: int,
                 stimulus=None) -> CheckResult:
    """`check` for a registered design's TT top."""
    from ttsim.tools import export

    return check(export.elaborate(design), design.top_module, netlist_path, netlist, cycles,
                 stimulus)


def check(top, top_name: str, netlist_path, netlist: dict, cycles: int,
          stimulus=None) -> CheckResult:
    """Runs a TT top (a `TinyTapeoutTop`, fresh from its constructor, converted to Verilog as module
    `top_name` for the netlist) in pysim and its FET netlist at switch level for `cycles` clock cycles, comparing them after every rising edge. It stops
    after the first cycle with a mismatch; `mismatches` then lists the nets wrong in that cycle."""
    from amaranth.sim import Simulator

    switch = SwitchSim.load(netlist_path)
    ports = netlist["ports"]
    for port in ("clk", "rst_n", "ena", "ui_in", "uio_in", *OUTPUT_PORTS):
        if port not in ports:
            raise TtsimError(f"{netlist_path}: no port {port!r}: the check needs a whole TT top")
    fragment, signals = _rtl_fragment(top, top_name)
    simulator = Simulator(fragment)
    probes = _flipflop_probes(netlist, signals)
    outputs = [(f"{port}[{bit}]", node, getattr(top, port), bit)
               for port in OUTPUT_PORTS for bit, node in enumerate(ports[port]["nodes"])]
    # Each RTL signal is read once a cycle, however many of its bits are compared.
    index_of = {}
    rtl_signals = []
    compared = []
    for net, node, signal, bit in outputs + probes:
        if id(signal) not in index_of:
            index_of[id(signal)] = len(rtl_signals)
            rtl_signals.append(signal)
        compared.append((net, node, index_of[id(signal)], bit))
    result = CheckResult(cycles=cycles, transistors=switch.transistors(),
                         compared_nets=len(compared), seconds=0.0, switch_seconds=0.0,
                         group_evaluations=0)
    stimulus = stimulus or RandomInputs()
    switch_time = 0.0

    def drive_switch(values: dict) -> None:
        nonlocal switch_time
        start = time.perf_counter()
        switch.set_many(values)
        switch_time += time.perf_counter() - start

    async def bench(ctx):
        await ctx.delay(1e-9)  # let the simulator settle its initial state first
        for cycle in range(cycles):
            switch_inputs = {}
            for port, value in stimulus.inputs(cycle).items():
                ctx.set(getattr(top, port), value)
                for bit, node in enumerate(ports[port]["nodes"]):
                    switch_inputs[node] = (value >> bit) & 1
            drive_switch(switch_inputs)
            ctx.set(top.clk, 1)
            drive_switch({ports["clk"]["nodes"][0]: 1})
            rtl_values = [ctx.get(signal) for signal in rtl_signals]
            for net, node, signal_index, bit in compared:
                expected = (rtl_values[signal_index] >> bit) & 1
                actual = switch.get(node)
                if actual != expected:
                    result.mismatches.append(Mismatch(cycle, net, actual, expected))
            if result.mismatches:
                result.cycles = cycle + 1
                return
            stimulus.observe({port: ctx.get(getattr(top, port)) for port in OUTPUT_PORTS})
            ctx.set(top.clk, 0)
            drive_switch({ports["clk"]["nodes"][0]: 0})

    simulator.add_testbench(bench)
    start = time.perf_counter()
    simulator.run()
    result.seconds = time.perf_counter() - start
    result.switch_seconds = switch_time
    result.group_evaluations = switch.stats()["group_evaluations"]
    return result


def main(args) -> int:
    """`ttsim switch NAME --cycles N --check [--json] [--seed S] [--ram IMAGE --pc ADDR]`."""
    from ttsim import registry
    from ttsim.tools import fets

    design = registry.get(args.name)
    if not args.check:
        raise TtsimError("`ttsim switch` runs the co-simulation check: add --check")
    if args.cycles < 1:
        raise TtsimError("--cycles must be at least 1")
    stimulus = RandomInputs(args.seed)
    if args.ram:
        try:
            image = Path(args.ram).read_bytes()
        except OSError as error:
            raise TtsimError(f"cannot read {args.ram}: {error.strerror}") from None
        stimulus = Bus6502Memory(image, start=args.pc)
    path, netlist = fets.build(design)
    result = check_design(design, path, netlist, cycles=args.cycles, stimulus=stimulus)
    summary = result.as_json()
    if args.ram:
        summary["opcode_fetches"] = stimulus.opcode_fetches
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        if args.ram:
            print(f"the CPU fetched {stimulus.opcode_fetches} opcodes")
        verdict = f"first mismatch: {result.mismatches[0]}" if result.mismatches else "0 mismatches"
        print(f"{design.name}: {result.cycles} cycles, {result.compared_nets} nets compared each "
              f"cycle, {result.transistors} transistors, "
              f"{result.half_cycles_per_s:,.0f} half-cycles/s at switch level: {verdict}")
    return 1 if result.mismatches else 0
