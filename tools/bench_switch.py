"""Speed of the switch-level engine: half-cycles and group evaluations per second, on one core.

A half-cycle is one `SwitchSim.set(clock, level)`: the clock node changes and the whole network
settles, as one step of perfect6502. Two netlists are measured:

- `datapath`: a synthetic design the size of the NMOS 6502 (about 3,500 transistors), built here
  in Amaranth and expanded by the same FET flow: a 16-bit LFSR and a 16-bit program counter
  feeding a registered operand, and an accumulator and index register updated each cycle by an
  LFSR-chosen ALU operation (add with carry, and/or, xor, rotate);
- `hello`, the registered design, out of reset and counting.

The datapath's netlist is first checked against its RTL (the fast path) like `ttsim switch --check`.
`--netlist FILE --clock NODE` times any other ttsim-fets-1 netlist (an NMOS 6502 converted from
visual6502 data, say) with its inputs left as they are.

    python -m ttsim.tools.bench_switch [--seconds S] [--json] [--netlist FILE --clock NODE]

The acceptance point of issue 8 is >= 20,000 half-cycles/s on the 3,500-transistor netlist.
"""
import argparse
import json
import sys
import time
from pathlib import Path

from amaranth.hdl import Cat, Module, Mux, Signal

from ttsim.errors import TtsimError, run_program
from ttsim.paths import BUILD_DIR
from ttsim.registry import Design
from ttsim.switch import SwitchSim
from ttsim.tt import TinyTapeoutTop

TARGET_HALF_CYCLES_PER_S = 20_000
LFSR_TAPS = 0xB400  # x^16 + x^14 + x^13 + x^11 + 1, maximal length
# Not a registered design: it only names the datapath's build folder and its Verilog top module.
DATAPATH_DESIGN = Design(name="bench_switch", folder=BUILD_DIR / "bench_switch",
                         title="the switch-level benchmark's datapath", description="",
                         author="ttsim", clock_hz=10_000_000, tiles="1x1", top="", tests=(),
                         pins={})


class Datapath(TinyTapeoutTop):
    """A busy little datapath, sized like the NMOS 6502 once expanded into transistors.

    ui_in is xored into the operand; uo_out shows accumulator xor index register and uio_out the
    program counter's low byte (all driven), so that all of the logic is observable.
    """

    def elaborate_design(self, m: Module) -> None:
        lfsr = Signal(16, init=1)
        pc = Signal(16)
        acc = Signal(8)
        index = Signal(8)
        carry = Signal()
        operand = Signal(8)  # the "data bus": registered, as a CPU's data input latch is
        m.d.sync += [
            lfsr.eq(Mux(lfsr[0], (lfsr >> 1) ^ LFSR_TAPS, lfsr >> 1)),
            pc.eq(pc + 1 + lfsr[3]),
            operand.eq(lfsr[8:16] ^ pc[8:16] ^ self.ui_in),
            index.eq(Mux(lfsr[2], index + 1, acc ^ pc[:8])),
        ]
        total = Signal(9)
        m.d.comb += total.eq(acc + operand + carry)
        with m.Switch(lfsr[:2]):
            with m.Case(0):
                m.d.sync += Cat(acc, carry).eq(total)
            with m.Case(1):
                m.d.sync += acc.eq((acc & operand) | index)
            with m.Case(2):
                m.d.sync += acc.eq(acc ^ index ^ pc[4:12])
            with m.Case(3):
                m.d.sync += Cat(carry, acc).eq(Cat(carry, acc).rotate_left(1))
        m.d.comb += [self.uo_out.eq(acc ^ index), self.uio_out.eq(pc[:8]), self.uio_oe.eq(0xFF)]


def check_datapath(cycles: int, seed: int = 1):
    """The datapath's FET netlist, written to build/bench_switch/, and its check against its RTL
    over `cycles` cycles of random inputs: (netlist path, netlist, `CheckResult`)."""
    from ttsim.tools import export, fets, switch_check

    folder = DATAPATH_DESIGN.folder
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "datapath.v"
    verilog = export.to_verilog(DATAPATH_DESIGN, Datapath())
    source.write_text(verilog)
    path = folder / "datapath.fets.json"
    netlist = fets.from_verilog(source, DATAPATH_DESIGN.top_module, folder / "datapath")
    path.write_text(json.dumps(netlist))
    result = switch_check.check(DATAPATH_DESIGN, verilog, path, netlist, cycles,
                                switch_check.RandomInputs(seed))
    return path, netlist, result


def datapath_netlist(check_cycles: int) -> tuple[Path, dict]:
    """The datapath's FET netlist in build/bench_switch/, checked against its RTL first."""
    path, netlist, result = check_datapath(check_cycles)
    if result.mismatches:
        raise TtsimError(f"the datapath's netlist disagrees with its RTL: {result.mismatches[0]}")
    print(f"datapath: {netlist['nodes']} nodes, {len(netlist['transistors'])} transistors, "
          f"{result.compared_nets} nets agree with the RTL over {result.cycles} cycles")
    return path, netlist


def hello_netlist() -> Path:
    from ttsim import registry
    from ttsim.tools import fets

    return fets.build(registry.get("hello"))[0]


def out_of_reset(path: Path, clock: str) -> SwitchSim:
    """The netlist loaded, its TT reset (if it has one) applied for a cycle and released."""
    sim = SwitchSim.load(path)
    if "rst_n" in sim.names:
        sim.set_many({"ena": 1, "rst_n": 0})
        sim.set(clock, 1)
        sim.set(clock, 0)
        sim.set("rst_n", 1)
    return sim


def measure(sim: SwitchSim, clock_name: str, seconds: float) -> dict:
    """Toggles the clock for about `seconds` of this process's CPU time and reports the rates.

    CPU time, not wall time, so that other processes sharing the core do not count against the
    engine; the wall-clock rate is reported beside it."""
    clock = sim.node(clock_name)
    before = sim.stats()["group_evaluations"]
    half_cycles = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    cpu = 0.0
    while cpu < seconds:
        for _ in range(1000):
            sim.set(clock, 1)
            sim.set(clock, 0)
        half_cycles += 2000
        cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    evaluations = sim.stats()["group_evaluations"] - before
    return {
        "transistors": sim.transistors(),
        "nodes": sim.nodes,
        "half_cycles": half_cycles,
        "cpu_seconds": round(cpu, 3),
        "half_cycles_per_s": round(half_cycles / cpu),
        "wall_half_cycles_per_s": round(half_cycles / wall),
        "group_evaluations_per_half_cycle": round(evaluations / half_cycles, 1),
        "group_evaluations_per_s": round(evaluations / cpu),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ttsim.tools.bench_switch",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per netlist (default 3)")
    parser.add_argument("--check-cycles", type=int, default=2000,
                        help="cycles the datapath is checked against its RTL first (default 2000)")
    parser.add_argument("--netlist", type=Path, metavar="FILE.json",
                        help="time this ttsim-fets-1 netlist instead (inputs stay as they are)")
    parser.add_argument("--clock", default="clk", help="its clock node's name (default: clk)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.netlist:
        paths = {args.netlist.stem: args.netlist}
    else:
        paths = {"datapath": datapath_netlist(args.check_cycles)[0], "hello": hello_netlist()}
    results = {name: measure(out_of_reset(path, args.clock), args.clock, args.seconds)
               for name, path in paths.items()}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, r in results.items():
            print(f"{name:9} {r['transistors']:6} transistors  {r['half_cycles_per_s']:8,} "
                  f"half-cycles/s ({r['wall_half_cycles_per_s']:,} by the wall clock)  "
                  f"{r['group_evaluations_per_half_cycle']:7} group evaluations per half-cycle  "
                  f"{r['group_evaluations_per_s'] / 1e6:5.1f}M group evaluations/s")
    if "datapath" not in results:
        return 0
    speed = results["datapath"]["half_cycles_per_s"]
    verdict = "meets" if speed >= TARGET_HALF_CYCLES_PER_S else "MISSES"
    print(f"datapath: {speed:,} half-cycles/s {verdict} the target of "
          f"{TARGET_HALF_CYCLES_PER_S:,}", file=sys.stderr if args.json else sys.stdout)
    return 0 if speed >= TARGET_HALF_CYCLES_PER_S else 1


if __name__ == "__main__":
    sys.exit(run_program("bench_switch", main))
