"""`ttsim run`: a thin command line over ttsim.fast.run (the Verilator fast path)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ttsim.errors import TtsimError


def number(text: str) -> int:
    """An integer in any Python notation (0x3469, 96_000_000), for argparse."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="design name (see `ttsim list`)")
    parser.add_argument("--cycles", type=number, help="stop after this many cycles")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    top = parser.add_mutually_exclusive_group()
    top.add_argument("--tt", dest="native", action="store_false", default=None,
                     help="simulate the TT top even when the design has a native [fast] top")
    top.add_argument("--native", dest="native", action="store_true",
                     help="simulate the design's native [fast] top")
    stop = parser.add_argument_group("stop conditions (the first reached ends the run)")
    stop.add_argument("--stop-when", metavar="COND",
                      help="stop before the first cycle where COND holds: NAME, !NAME, NAME==V, "
                           "NAME!=V joined by && and || (e.g. 'sync&&addr==0x3469')")
    stop.add_argument("--stop-on-loop", action="store_true",
                      help="bus6502: stop when two successive opcode fetches are at one address")
    stop.add_argument("--max-seconds", type=float, metavar="S", help="wall-clock limit")
    models = parser.add_argument_group("models")
    models.add_argument("--ram", metavar="FILE", help="bus6502: load FILE into memory at 0")
    models.add_argument("--pc", type=number, metavar="ADDR",
                        help="bus6502: reset vector ($FFFC/D) to ADDR")
    models.add_argument("--rom", metavar="FILE",
                        help="qspi_flash: the flash's contents; atari: the cartridge image")
    models.add_argument("--frames", type=number, metavar="N",
                        help="vga: stop after N TinyVGA frames; atari: run N Atari frames")
    models.add_argument("--png-dir", metavar="DIR", help="vga, atari: write each frame as a PNG")
    models.add_argument("--input", metavar="SCRIPT",
                        help="input script: lines `CYCLE NAME=VALUE ...` (e.g. `1000 ui_in=0x05`); "
                             "for a design run by the atari model (atari2600 without --tt) lines "
                             "`FRAME KEY ...` with keys UP DOWN LEFT RIGHT FIRE RESET SELECT, held "
                             "from that frame until the next line (`FRAME` alone releases all)")
    models.add_argument("--frames-out", metavar="F.npy",
                        help="atari: the frames' TIA colour values, uint8 (N, 262, 160)")
    models.add_argument("--audio-out", metavar="F.wav", help="atari: the TIA's audio as a WAV")
    models.add_argument("--record", metavar="FILE.npz",
                        help="record ui_in/uo_out/uio_out/uio_oe (TT top) every cycle into FILE")
    trace = parser.add_argument_group("trace window")
    trace.add_argument("--trace", metavar="FILE", help="write a trace (.fst or .vcd)")
    trace.add_argument("--trace-from", type=number, default=0, metavar="C1",
                       help="first traced cycle (default 0)")
    trace.add_argument("--trace-to", type=number, metavar="C2",
                       help="cycle where the trace ends (default: end of run)")


TT_RECORDED_PINS = ("ui_in", "uo_out", "uio_out", "uio_oe")


def main(args) -> int:
    from ttsim import fast, registry
    from ttsim.tools import atari_run, fastpath

    if args.native is not False and "atari" in fastpath.fast_table(registry.get(args.name)):
        return atari_run.main(args)
    if args.frames_out or args.audio_out:
        raise TtsimError("--frames-out and --audio-out are for designs run by the atari model")

    if (args.trace_from or args.trace_to is not None) and not args.trace:
        raise TtsimError("--trace-from/--trace-to need --trace FILE")
    if args.trace_to is not None and args.trace_from > args.trace_to:
        raise TtsimError(f"--trace-from {args.trace_from} is after --trace-to {args.trace_to}")
    if args.trace and Path(args.trace).suffix not in (".vcd", ".fst"):
        raise TtsimError(f"--trace {args.trace}: the file name must end in .fst or .vcd")
    script = fast.read_script(args.input) if args.input else None
    result = fast.run(
        args.name, cycles=args.cycles, native=args.native, ram=args.ram, pc=args.pc,
        stop_on_loop=args.stop_on_loop, rom=args.rom, frames=args.frames, png_dir=args.png_dir,
        stop_when=args.stop_when, wall_s=args.max_seconds, script=script,
        record=TT_RECORDED_PINS if args.record else (), trace=args.trace,
        trace_from=args.trace_from, trace_to=args.trace_to)
    if args.record:
        import numpy as np

        np.savez_compressed(args.record, **result.recording)
        result.report["record"] = args.record
    report = result.report
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{report['design']} ({report['top']} top): {report['cycles']:,} cycles in "
          f"{report['wall_s']:.3f} s = {report['cycles_per_s'] or 0:,} cycles/s "
          f"(stopped: {report['stop']})")
    if report.get("pc") is not None:
        print(f"pc {report['pc']:#06x} after {report['instructions']:,} instructions")
    for model in ("vga", "qspi_flash"):
        if model in report:
            print(f"{model}: " + ", ".join(f"{k} {v}" for k, v in report[model].items()))
    for key in ("trace", "record"):
        if key in report:
            print(f"{key}: {report[key]}")
    return 0
