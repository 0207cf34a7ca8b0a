"""`ttsim bench`: cycles per second of every simulation backend on the same stimulus.

The stimulus (`stimulus()`) is one value per cycle of ui_in, uio_in and rst_n: reset, then inputs
changing at random moments, and a reset half way. It goes through the fast path, cocotb with
Icarus and with Verilator (both replaying it with tb/replay.py) and Amaranth's pysim. Each backend
times only its cycle loop (no build, no start-up) and reports its own cycle count: the slow
backends run a prefix of the stimulus (`--slow-cycles`). Outputs (uo_out, uio_out, uio_oe after
every rising edge) are compared with the fast path's on the common cycles, so the bench also
says whether the backends agree. The replay helpers here serve the equivalence test too.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR
from ttsim.registry import Design

if TYPE_CHECKING:  # numpy is imported where used: `ttsim --help` builds this module's parser
    import numpy as np

INPUTS = ("ui_in", "uio_in", "rst_n")
OUTPUTS = ("uo_out", "uio_out", "uio_oe")
BACKENDS = ("fast", "cocotb_verilator", "cocotb_icarus", "pysim")
RESET_CYCLES = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ttsim.tools.run import number

    parser.add_argument("name", help="design name (see `ttsim list`)")
    parser.add_argument("--cycles", type=number, default=10_000_000,
                        help="cycles for the fast path (default 10,000,000)")
    parser.add_argument("--slow-cycles", type=number, default=20_000,
                        help="cycles for pysim and the cocotb backends (default 20,000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def stimulus(cycles: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Per-cycle inputs: reset, random ui_in/uio_in held for 1 to 300 cycles, a reset half way."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lengths = np.zeros(0, dtype=np.int64)
    while lengths.sum() < cycles:
        lengths = np.concatenate([lengths, rng.integers(1, 300, size=cycles // 150 + 1)])
    segment = np.repeat(np.arange(len(lengths)), lengths)[:cycles]
    columns = {name: rng.integers(0, 256, size=len(lengths), dtype=np.uint8)[segment]
               for name in ("ui_in", "uio_in")}
    rst_n = np.ones(cycles, dtype=np.uint8)
    rst_n[:RESET_CYCLES] = 0
    rst_n[cycles // 2:cycles // 2 + RESET_CYCLES] = 0
    columns["rst_n"] = rst_n
    return columns


def _prefix(columns: dict[str, np.ndarray], cycles: int) -> dict[str, np.ndarray]:
    return {name: values[:cycles] for name, values in columns.items()}


def _script(columns: dict[str, np.ndarray]) -> list[tuple[int, str, int]]:
    """The stimulus as fast-path input events: the first value and every change."""
    import numpy as np

    events = []
    for name in INPUTS:
        values = columns[name]
        changes = np.flatnonzero(np.diff(values, prepend=~values[:1]))
        events += [(int(c), name, int(values[c])) for c in changes]
    return events


def fast_replay(design: Design, columns: dict[str, np.ndarray]) -> tuple[dict, float]:
    """The TT top through the fast path: outputs per cycle and the stepping time."""
    from ttsim import fast

    with fast.Simulation(design, native=False) as sim:
        sim.set_script(_script(columns))
        started = time.perf_counter()
        result = sim.step(len(columns["ui_in"]), record=OUTPUTS)
        wall_s = time.perf_counter() - started
    return result.recording, wall_s


def cocotb_replay(design: Design, sim: str, columns: dict[str, np.ndarray]) -> tuple[dict, float]:
    """The TT top under cocotb (tb/replay.py) on `sim`: outputs per cycle and the loop's time."""
    import numpy as np

    from ttsim.tools import simulate

    log_dir = BUILD_DIR / design.name / f"replay_{sim}"
    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=log_dir) as scratch:
        stimulus_file, out_file = Path(scratch) / "stimulus.npz", Path(scratch) / "outputs.npz"
        np.savez(stimulus_file, **columns)
        result = simulate.run_suite(design, sim, test_modules=["ttsim.tb.replay"], log_dir=log_dir,
                                    extra_env={"TTSIM_REPLAY_STIMULUS": str(stimulus_file),
                                               "TTSIM_REPLAY_OUT": str(out_file)})
        if result.tests != 1 or result.failed or not out_file.is_file():
            raise TtsimError(f"the cocotb replay of {design.name!r} on {sim} failed; see "
                             f"{log_dir / 'test.log'}")
        with np.load(out_file) as outputs:
            return {name: outputs[name] for name in OUTPUTS}, float(outputs["wall_s"])


def pysim_replay(design: Design, columns: dict[str, np.ndarray]) -> tuple[dict, float]:
    """The TT top in Amaranth's pysim, clocked by hand from a testbench."""
    import numpy as np

    from amaranth.sim import Simulator

    from ttsim.tools import export

    top = export.elaborate(design)
    cycles = len(columns["ui_in"])
    recorded = {name: np.zeros(cycles, dtype=np.int16) for name in OUTPUTS}
    half_period = 0.5 / design.clock_hz
    timing = {}

    async def bench(ctx):
        inputs = {name: getattr(top, name) for name in INPUTS}
        outputs = {name: getattr(top, name) for name in OUTPUTS}
        ctx.set(top.ena, 1)
        ctx.set(top.rst_n, 1)
        values = {name: columns[name].tolist() for name in INPUTS}
        started = time.perf_counter()
        for cycle in range(cycles):
            for name, signal in inputs.items():
                ctx.set(signal, values[name][cycle])
            ctx.set(top.clk, 1)
            await ctx.delay(half_period)
            for name, signal in outputs.items():
                recorded[name][cycle] = ctx.get(signal)
            ctx.set(top.clk, 0)
            await ctx.delay(half_period)
        timing["wall_s"] = time.perf_counter() - started

    simulator = Simulator(top)
    simulator.add_testbench(bench)
    simulator.run()
    return recorded, timing["wall_s"]


def first_mismatch(reference: dict, other: dict) -> str | None:
    """Where two recordings of OUTPUTS first differ (on their common cycles), or None."""
    cycles = min(len(reference[OUTPUTS[0]]), len(other[OUTPUTS[0]]))
    for cycle in range(cycles):
        for name in OUTPUTS:
            if int(reference[name][cycle]) != int(other[name][cycle]):
                return (f"cycle {cycle}: {name} {int(reference[name][cycle]):#04x} vs "
                        f"{int(other[name][cycle]):#04x}")
    return None


def bench(design: Design, cycles: int, slow_cycles: int, progress=None) -> dict:
    """Runs every backend; the JSON object `ttsim bench --json` prints."""
    if cycles <= 0 or slow_cycles <= 0:
        raise TtsimError("cycle counts must be positive")
    slow_cycles = min(slow_cycles, cycles)
    columns = stimulus(cycles)
    slow = _prefix(columns, slow_cycles)
    runs = {"fast": lambda: fast_replay(design, columns),
            "cocotb_verilator": lambda: cocotb_replay(design, "verilator", slow),
            "cocotb_icarus": lambda: cocotb_replay(design, "icarus", slow),
            "pysim": lambda: pysim_replay(design, slow)}
    recordings, backends = {}, {}
    for name in BACKENDS:
        if progress:
            progress(f"{name}...")
        recordings[name], wall_s = runs[name]()
        ran = len(recordings[name][OUTPUTS[0]])
        backends[name] = {"cycles": ran, "wall_s": round(wall_s, 6),
                          "cycles_per_s": round(ran / wall_s) if wall_s > 0 else None}
        if name != "fast":
            mismatch = first_mismatch(recordings["fast"], recordings[name])
            backends[name]["matches_fast"] = mismatch is None
            if mismatch:
                backends[name]["first_mismatch"] = mismatch
    fast_speed = backends["fast"]["cycles_per_s"]
    for name in BACKENDS[1:]:
        speed = backends[name]["cycles_per_s"]
        backends[name]["fast_speedup"] = round(fast_speed / speed, 1) if speed else None
    return {"design": design.name, "cycles": cycles, "backends": backends,
            "timed": "the cycle loop of each backend (build and start-up excluded)",
            **design_figures(design)}


def design_figures(design: Design) -> dict:
    """What the design's own benchmark adds: design.toml's `[bench] extension = "module:function"`
    names a function of the design folder that takes the design and returns a JSON object."""
    import importlib

    extension = design.sections.get("bench", {}).get("extension")
    if extension is None:
        return {}
    module_name, _, function_name = extension.partition(":")
    try:
        function = getattr(importlib.import_module(f"{design.package}.{module_name}"),
                           function_name)
    except (ImportError, AttributeError) as error:
        raise TtsimError(f"designs/{design.name}/design.toml: bench extension {extension!r} "
                         f"cannot be loaded: {error}") from error
    return function(design)


def table(result: dict) -> list[str]:
    lines = [f"{result['design']}: cycles per second, same stimulus (build and start-up excluded)",
             f"{'backend':18} {'cycles':>11} {'cycles/s':>13} {'fast is':>10}  outputs"]
    for name, figures in result["backends"].items():
        speedup = figures.get("fast_speedup")
        agree = ("reference" if name == "fast" else
                 "match" if figures["matches_fast"] else f"DIFFER ({figures['first_mismatch']})")
        lines.append(f"{name:18} {figures['cycles']:>11,} {figures['cycles_per_s']:>13,} "
                     f"{(f'{speedup:,.1f}x' if speedup else ''):>10}  {agree}")
    extra = {key: value for key, value in result.items()
             if key not in ("design", "cycles", "backends", "timed")}
    if extra:
        lines.append(f"{result['design']}'s own figures:")
        lines += [f"  {key}: {json.dumps(value)}" for key, value in extra.items()]
    return lines


def main(args) -> int:
    import sys

    design = registry.get(args.name)
    progress = None if args.json else (lambda text: print(text, file=sys.stderr, flush=True))
    result = bench(design, args.cycles, args.slow_cycles, progress)
    print(json.dumps(result) if args.json else "\n".join(table(result)))
    agree = all(f.get("matches_fast", True) for f in result["backends"].values())
    return 0 if agree else 1
