"""The `ttsim` command line: one subcommand per job, one-line errors, tracebacks behind --debug."""
from __future__ import annotations

import argparse
import sys

from ttsim.errors import EXIT_USAGE, TtsimError, run_program


class _Parser(argparse.ArgumentParser):
    """argparse with ttsim's error convention: one line, exit 2."""

    def error(self, message):
        raise TtsimError(f"{message} (see `{self.prog} --help`)")


def cmd_list(args) -> int:
    from ttsim import registry

    for design in registry.all_designs():
        print(f"{design.name:16} {design.tiles:4} {design.clock_hz / 1e6:8.3f} MHz  {design.title}")
    return 0


def cmd_build(args) -> int:
    from ttsim import registry
    from ttsim.tools import export

    result = export.build(registry.get(args.name), force=args.force)
    print(f"{'wrote' if result.rebuilt else 'up to date:'} {result.verilog}")
    return 0


def cmd_test(args) -> int:
    from ttsim import registry
    from ttsim.tools import simulate

    design = registry.get(args.name)
    result = simulate.run_suite(design, sim=args.sim, waves=args.waves, test_filter=args.k)
    print(f"results: {result.results_xml}")
    if result.waves:
        print(f"waves:   {result.waves}")
    verdict = "passed" if result.passed else "FAILED"
    print(f"{design.name} on {args.sim}: {result.summary}: {verdict}")
    return 0 if result.passed else 1


def cmd_new(args) -> int:
    from ttsim.tools import scaffold

    for path in scaffold.new_design(args.name, author=args.author):
        print(f"wrote {path}")
    print(f"next: ttsim test {args.name}")
    return 0


def cmd_synth(args) -> int:
    import json

    from ttsim import registry
    from ttsim.tools import synth

    result = synth.estimate(registry.get(args.name))
    print(json.dumps(result, indent=2) if args.json else "\n".join(synth.describe(result)))
    return 0


def cmd_tapeout(args) -> int:
    from ttsim import registry
    from ttsim.tools import tapeout

    return tapeout.main(registry.get(args.name), args.out, force=args.force,
                        run_check=not args.no_check)


def cmd_check(args) -> int:
    from ttsim.tools import check

    return check.main(args.dir, as_json=args.json, simulate=not args.no_sim)


def cmd_fets(args) -> int:
    from ttsim.tools import fets

    return fets.main(args)


def cmd_switch(args) -> int:
    from ttsim.tools import switch_check

    return switch_check.main(args)


def cmd_run(args) -> int:
    from ttsim.tools import run

    return run.main(args)


def cmd_compare(args) -> int:
    from ttsim.tools import compare

    return compare.main(args)


def cmd_bench(args) -> int:
    from ttsim.tools import bench

    return bench.main(args)


def cmd_view(args) -> int:
    from ttsim.viewer import app

    return app.run(args)


def _with_parents(add_parser, common):
    def add(name, **kwargs):
        return add_parser(name, parents=[common], **kwargs)
    return add


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ttsim", description="Tiny-Tapeout-style RTL co-simulation and "
                     "visualization: build, test, run and view TT designs written in Amaranth.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser = _with_parents(sub.add_parser, common)

    p = sub.add_parser("list", help="list the registered designs")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("build", help="write a design's TT top as Verilog into build/NAME/")
    p.add_argument("name", help="design name (see `ttsim list`)")
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("test", help="run a design's cocotb tests")
    p.add_argument("name", help="design name (see `ttsim list`)")
    p.add_argument("--sim", choices=["icarus", "verilator"], default="icarus",
                   help="simulator (default: icarus)")
    p.add_argument("--waves", nargs="?", const="vcd", choices=["vcd", "fst"],
                   help="dump waves (VCD unless 'fst' is given)")
    p.add_argument("-k", metavar="FILTER", help="run only tests whose name matches this regex")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("new", help="scaffold a new design that passes `ttsim test` at once")
    p.add_argument("name", help="design name: lower case letters, digits and '_'")
    p.add_argument("--author", default="", help="author for the metadata (default: git's user.name)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("synth", help="Yosys synthesis estimate: cells, flip-flops, sky130 area, tiles")
    p.add_argument("name", help="design name (see `ttsim list`)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("tapeout", help="write a Tiny Tapeout project repository for a design")
    p.add_argument("name", help="design name (see `ttsim list`)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder of the TT project")
    p.add_argument("--force", action="store_true",
                   help="overwrite generated files even where they were edited since")
    p.add_argument("--no-check", action="store_true", help="skip `ttsim check` at the end")
    p.set_defaults(func=cmd_tapeout)

    p = sub.add_parser("check", help="check a TT project folder the way Tiny Tapeout's tools do")
    p.add_argument("dir", help="folder of the TT project (with info.yaml)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--no-sim", action="store_true",
                   help="skip the RTL and gate-level simulations (the slow checks)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("fets", help="expand a design into CMOS transistors (ttsim-fets-1 JSON)")
    p.add_argument("name", help="design name (see `ttsim list`)")
    p.add_argument("--module", metavar="PATH", help="only this submodule, e.g. 'counter'")
    p.add_argument("--top", metavar="MODULE:CLASS", help="expand this component of the design "
                   "instead of its TT top, e.g. console:Atari2600")
    p.add_argument("--cells", choices=["cmos2", "cmos3"], default="cmos2",
                   help="gates Yosys maps to: NAND/NOR/NOT (cmos2), plus AOI3/OAI3 (cmos3)")
    p.add_argument("--out", metavar="FILE.json", help="also copy the netlist here")
    p.set_defaults(func=cmd_fets)

    p = sub.add_parser("switch", help="run a design at switch level against its RTL")
    p.add_argument("name", help="design name (see `ttsim list`)")
    p.add_argument("--cycles", type=int, default=10_000, help="clock cycles (default: 10000)")
    p.add_argument("--check", action="store_true",
                   help="compare outputs and flip-flops with the RTL")
    p.add_argument("--seed", type=int, default=1, help="seed of the random inputs (default: 1)")
    p.add_argument("--ram", metavar="FILE.bin",
                   help="instead of random inputs, serve the cpu6502 bus from this 64 KB image")
    p.add_argument("--pc", type=lambda text: int(text, 0), metavar="ADDR",
                   help="with --ram: start address, written into the reset vector (e.g. 0x0400)")
    p.add_argument("--top", metavar="MODULE:CLASS", help="check this component of the design "
                   "instead of its TT top, e.g. console:Atari2600")
    p.add_argument("--native", action="store_true", help="check the design's native top "
                   "([fast] top in design.toml) instead of its TT top")
    p.add_argument("--rom", metavar="CARTRIDGE.bin", help="with the Atari core (--native): serve "
                   "its ROM port from this cartridge image")
    p.add_argument("--trace", metavar="FILE.vcd", help="trace the RTL side into this .vcd or .fst "
                   "file (for `ttsim view --panels fets`)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_switch)

    from ttsim.tools import bench, run

    p = sub.add_parser("run", help="run a design at full speed through the Verilator fast path")
    run.add_arguments(p)
    p.set_defaults(func=cmd_run)

    from ttsim.tools import compare

    p = sub.add_parser("compare", help="run an Atari 2600 cartridge in the fast path and in "
                       "ale-py (Stella) and report the first differing pixel (exit 1 if any)")
    compare.add_arguments(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("bench", help="cycles per second of pysim, cocotb (Icarus, Verilator) "
                       "and the fast path on the same stimulus")
    bench.add_arguments(p)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("view", help="view a VCD/FST trace with the design's panels, or capture it "
                       "headless (--screenshot, --record)")
    p.add_argument("trace", nargs="?", help="VCD or FST file")
    p.add_argument("--live", metavar="NAME", help="instead of a trace, run design NAME on the fast "
                   "path and watch it live")
    p.add_argument("--rom", metavar="FILE", help="with --live atari2600: the cartridge image to "
                   "play (arrows: joystick, space: fire, F1: RESET, F2: SELECT)")
    p.add_argument("--design", metavar="NAME", help="design whose panels to show (default: the "
                   "one whose TT top is in the trace)")
    p.add_argument("--signals", metavar="A,B,...", help="signals to show, full names or unique "
                   "tails, each optionally NAME:FORMAT (hex, unsigned, signed, binary, ascii, "
                   "analog)")
    p.add_argument("--gtkw", metavar="FILE", help="take the signal list from a GTKWave save file")
    p.add_argument("--view", metavar="FILE", help="restore a view saved from the window (S key)")
    p.add_argument("--at", metavar="TIME", help="cursor time, e.g. 120us or 5000 (trace ticks)")
    p.add_argument("--from", dest="start", metavar="T1", help="start of the time window")
    p.add_argument("--to", dest="end", metavar="T2", help="end of the time window")
    p.add_argument("--size", default="1280x720", metavar="WxH", help="picture/window size")
    p.add_argument("--screenshot", metavar="OUT.png", help="write one frame and exit (no display "
                   "needed)")
    p.add_argument("--record", metavar="OUT.gif", help="write a GIF of the cursor sweeping "
                   "--from T1 --to T2 and exit")
    p.add_argument("--panels", metavar="A,B,...", help="panels to show instead of the design's: "
                   "pins, vga, lanes, fets (the FET overlay), tv (the Atari TV)")
    p.add_argument("--module", metavar="PATH", help="fets: the module to draw (default: all)")
    p.add_argument("--fets-zoom", type=float, default=1.0, metavar="Z", help="fets: zoom, 1 "
                   "shows the whole module, larger centres on --fets-focus (default: 1)")
    p.add_argument("--fets-focus", metavar="NET", help="fets: the net whose driving cell the "
                   "zoomed view centres on (default: a flip-flop)")
    p.add_argument("--frames", type=int, default=40, help="GIF frames (default: 40)")
    p.add_argument("--fps", type=float, default=10.0, help="GIF frames per second (default: 10)")
    p.set_defaults(func=cmd_view)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return run_program("ttsim", lambda: _dispatch(argv), debug="--debug" in argv)


def _dispatch(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return EXIT_USAGE
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
