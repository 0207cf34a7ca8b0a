"""`ttsim new NAME`: a new design that passes `ttsim test NAME` at once.

The scaffold is a small real design, not a placeholder: an 8-bit accumulator that adds ui_in every
clock and shows the sum on uo_out, with a cocotb test that checks it cycle by cycle and across a
reset. It is meant to be edited into the user's own tapeout.
"""
from __future__ import annotations

import json
import keyword
import subprocess
from pathlib import Path

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.paths import DESIGNS_DIR, TB_DIR

TOP_PY = '''\
"""TT top of `{name}`: an 8-bit accumulator (edit this into your own design)."""
from amaranth.hdl import Module, Signal

from ttsim.tt import TinyTapeoutTop


class {cls}(TinyTapeoutTop):
    """Adds ui_in to an 8-bit sum on every clock; the sum is on uo_out.

    ui_in: the number added each clock.
    uo_out: the running sum (modulo 256), 0 after reset.
    uio: unused, left as inputs.
    """

    def elaborate_design(self, m: Module) -> None:
        total = Signal(8)
        m.d.sync += total.eq(total + self.ui_in)
        m.d.comb += self.uo_out.eq(total)
'''

DESIGN_TOML = '''\
[design]
title = "{name}"
description = "An 8-bit accumulator: adds ui_in every clock and shows the sum on uo_out."
author = {author}
clock_hz = 10_000_000
tiles = "1x1"
top = "top:{cls}"
tests = ["test_{name}"]

[pins]
ui = ["addend bit 0", "addend bit 1", "addend bit 2", "addend bit 3", "addend bit 4", "addend bit 5", "addend bit 6", "addend bit 7"]
uo = ["sum bit 0", "sum bit 1", "sum bit 2", "sum bit 3", "sum bit 4", "sum bit 5", "sum bit 6", "sum bit 7"]
uio = ["unused", "unused", "unused", "unused", "unused", "unused", "unused", "unused"]
'''

TEST_PY = '''\
"""{name}: the running sum on uo_out, checked after every clock."""
import random

import cocotb
from cocotb.triggers import FallingEdge, RisingEdge

from ttsim.tb.tt import reset, start


async def add_and_check(dut, addends, expected_sum):
    """Feeds one addend per clock; returns the sum the design should show afterwards."""
    for addend in addends:
        dut.ui_in.value = addend
        await RisingEdge(dut.clk)
        expected_sum = (expected_sum + addend) % 256
        await FallingEdge(dut.clk)
        assert int(dut.uo_out.value) == expected_sum
    return expected_sum


@cocotb.test()
async def sum_starts_at_zero_after_reset(dut):
    await start(dut)
    assert int(dut.uo_out.value) == 0
    assert int(dut.uio_oe.value) == 0


@cocotb.test()
async def accumulates_random_numbers(dut):
    await start(dut)
    rng = random.Random(1)
    await add_and_check(dut, [rng.randrange(256) for _ in range(500)], 0)


@cocotb.test()
async def reset_clears_the_sum(dut):
    await start(dut)
    assert await add_and_check(dut, [7] * 10, 0) == 70
    await reset(dut)
    assert int(dut.uo_out.value) == 0
    await add_and_check(dut, [5] * 3, 0)
'''


def _default_author() -> str:
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                              timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or "ttsim user"


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Top"


def new_design(name: str, author: str = "") -> list[Path]:
    """Writes designs/<name>/ and tb/<name>/; refuses to touch anything that exists."""
    if not registry.NAME_PATTERN.match(name):
        raise TtsimError(f"{name!r} is not a design name: use lower case letters, digits and '_', "
                         "starting with a letter")
    if keyword.iskeyword(name):
        raise TtsimError(f"{name!r} is a Python keyword; choose another design name")
    design_dir, tb_dir = DESIGNS_DIR / name, TB_DIR / name
    for folder in (design_dir, tb_dir, design_dir.with_suffix(".py"), tb_dir.with_suffix(".py")):
        if folder.exists():
            raise TtsimError(f"{folder} already exists; choose another name (nothing was written)")
    fields = {"name": name, "cls": _class_name(name),
              "author": json.dumps(author or _default_author())}
    files = {
        design_dir / "__init__.py": "",
        design_dir / "top.py": TOP_PY.format(**fields),
        design_dir / registry.METADATA_FILE: DESIGN_TOML.format(**fields),
        tb_dir / "__init__.py": "",
        tb_dir / f"test_{name}.py": TEST_PY.format(**fields),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(files)
