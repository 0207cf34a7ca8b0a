"""Compares every ROM ale-py ships (or the named ones) with `ttsim compare` and prints a table:

    nice -n 10 .venv/bin/python -m ttsim.tools.compare_all --frames 600 [--json] [NAME ...]

One row per ROM as it finishes (scheme, then "exact", the first difference, or why it was not
compared), then the count of frame-exact ROMs. Long: run it alone, under nice.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys

from ttsim.errors import TtsimError, run_program
from ttsim.tools import compare


def ale_roms() -> list[pathlib.Path]:
    import ale_py

    return sorted((pathlib.Path(ale_py.__file__).parent / "roms").glob("*.bin"))


def compare_rom(path: pathlib.Path, frames: int) -> dict:
    """A row of the table: the comparison's report, or the one-line reason there is none."""
    from ttsim.designs.atari2600.cartridge import detect_scheme

    row = {}
    try:
        row["scheme"] = detect_scheme(path.read_bytes())
        row.update(compare.compare(path, frames).report)
    except TtsimError as error:
        row.update(match=False, problem=str(error).replace(f"{path}: ", ""))
    row["rom"] = path.stem
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ttsim.tools.compare_all",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="ROMs to compare (default all)")
    parser.add_argument("--frames", type=int, default=600, help="frames per ROM (default 600)")
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON list")
    args = parser.parse_args(argv)
    roms = ale_roms()
    if args.names:
        known = {rom.stem: rom for rom in roms}
        missing = [name for name in args.names if name not in known]
        if missing:
            print(f"compare_all: error: ale-py ships no ROM named {', '.join(missing)}",
                  file=sys.stderr)
            return 2
        roms = [known[name] for name in args.names]
    rows = []
    for rom in roms:
        row = compare_rom(rom, args.frames)
        rows.append(row)
        if not args.json:
            print(f"{row['rom']:<20} {row.get('scheme', '?'):<5} "
                  f"{'exact' if row['match'] else compare.describe(row)}", flush=True)
    exact = sum(row["match"] for row in rows)
    if args.json:
        print(json.dumps(rows))
    else:
        print(f"{exact}/{len(rows)} ROMs frame-exact over {args.frames} frames")
    return 0


if __name__ == "__main__":
    sys.exit(run_program("compare_all", main))
