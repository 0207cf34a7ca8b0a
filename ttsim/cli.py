"""The `ttsim` command line: one subcommand per job, one-line errors, tracebacks behind --debug."""
from __future__ import annotations

import argparse
import sys

from ttsim.errors import TtsimError

EXIT_USAGE = 2


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
    print(f"{design.name} on {args.sim}: {result.tests - result.failed} of {result.tests} tests "
          f"passed: {verdict}")
    return 0 if result.passed else 1


def cmd_new(args) -> int:
    from ttsim.tools import scaffold

    for path in scaffold.new_design(args.name, author=args.author):
        print(f"wrote {path}")
    print(f"next: ttsim test {args.name}")
    return 0


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
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        return args.func(args)
    except TtsimError as error:
        if debug:
            raise
        print(f"ttsim: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ttsim: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug in ttsim itself: still one line unless --debug
        if debug:
            raise
        print(f"ttsim: internal error: {type(error).__name__}: {error} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
