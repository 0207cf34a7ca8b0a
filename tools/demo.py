"""`make demo`: the main job on the embedded default design.

For now: build `hello`, run its cocotb suite on Icarus with waves, and write what would be shown
into out/demo/ (a summary of the trace: the digits the display showed and when).
"""
from __future__ import annotations

import sys

import pywellen

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.paths import OUT_DIR
from ttsim.tools import export, simulate

DESIGN = "hello"


def digit_timeline(trace_path, top: str) -> list[tuple[int, int]]:
    """(time in ps, digit) each time the digit on uio_out[3:0] changes."""
    trace = pywellen.Waveform(str(trace_path))
    var = next((v for v in trace.all_vars() if v.full_name == f"{top}.uio_out"), None)
    if var is None:
        raise TtsimError(f"{trace_path}: no {top}.uio_out in the trace")
    changes = var.signal
    timeline = []
    for index in range(len(changes)):
        time, value = changes[index]
        if isinstance(value, int) and (not timeline or timeline[-1][1] != value & 0xF):
            timeline.append((time, value & 0xF))
    return timeline


def main() -> int:
    design = registry.get(DESIGN)
    print(f"demo: building {design.name} ({design.title})")
    print(f"demo: wrote {export.build(design).verilog}")
    result = simulate.run_suite(design, sim="icarus", waves="vcd")
    if not result.passed:
        print(f"demo: {result.failed} of {result.tests} tests failed; see {result.results_xml}")
        return 1
    out = OUT_DIR / "demo"
    out.mkdir(parents=True, exist_ok=True)
    summary = out / f"{design.name}-trace.txt"
    timeline = digit_timeline(result.waves, design.top_module)
    lines = [f"{design.title}", f"trace: {result.waves}",
             f"{result.tests} cocotb tests passed on Icarus", "",
             "time (ns)   digit on the display"]
    lines += [f"{time / 1000:>10.0f}   {digit:X}" for time, digit in timeline]
    summary.write_text("\n".join(lines) + "\n")
    print(f"demo: {result.tests} tests passed; waves: {result.waves}")
    print(f"demo: wrote {summary}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except TtsimError as error:
        print(f"demo: error: {error}", file=sys.stderr)
        sys.exit(2)
