"""Times Klaus Dormann's 6502 functional test on the fast path (Verilator, cycle-exact CPU6502) and
on py65 (instruction-level, pure Python), in one run:

    .venv/bin/python -m ttsim.tb.cpu6502.bench_functional [--py65-instructions N]

Both start at $0400 and stop at the first `jmp *` (or branch to itself). With
--py65-instructions, py65 stops after N instructions and its time for the whole test is projected
from that rate (said so in the output). Prints one JSON object with wall-clock and CPU seconds of
each (the verilated model runs in this process, so CPU time compares fairly on a busy machine).
"""
import argparse
import json
import time

from py65.devices.mpu6502 import MPU

from ttsim import fast
from ttsim.paths import ROOT

FUNCTIONAL_TEST = ROOT.parent / "shared" / "refs" / "6502" / "6502_functional_test.bin"
START = 0x0400


def run_py65(image: bytes, limit: int | None) -> dict:
    mpu = MPU(memory=list(image), pc=START)
    instructions = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while limit is None or instructions < limit:
        pc = mpu.pc
        mpu.step()
        instructions += 1
        if mpu.pc == pc:
            break
    return {"pc": mpu.pc, "instructions": instructions, "cycles": mpu.processorCycles,
            "wall_s": round(time.perf_counter() - started, 3),
            "cpu_s": round(time.process_time() - cpu_started, 3),
            "complete": limit is None or instructions < limit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--py65-instructions", type=int, metavar="N",
                        help="stop py65 after N instructions and project its full time")
    args = parser.parse_args()
    fast.run("cpu6502", cycles=1)     # builds the fast path (once per change) outside the timing
    cpu_started = time.process_time()
    report = fast.run("cpu6502", ram=FUNCTIONAL_TEST, pc=START, stop_on_loop=True).report
    fast_path = {key: report[key] for key in ("pc", "instructions", "cycles", "wall_s")}
    fast_path["cpu_s"] = round(time.process_time() - cpu_started, 3)
    py65 = run_py65(FUNCTIONAL_TEST.read_bytes(), args.py65_instructions)
    if not py65["complete"]:
        scale = fast_path["instructions"] / py65["instructions"]
        for key in ("wall_s", "cpu_s"):
            py65[f"projected_{key}"] = round(py65[key] * scale, 1)
    speedup = {key: round(py65.get(f"projected_{key}", py65[key]) / fast_path[key], 2)
               for key in ("wall_s", "cpu_s")}
    print(json.dumps({"fast_path": fast_path, "py65": py65, "fast_path_speedup": speedup},
                     indent=2))


if __name__ == "__main__":
    main()
