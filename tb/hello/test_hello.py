"""hello: the digit, the segments and the decimal point, checked on every clock cycle.

A Python model of the counter runs beside the design; after each rising edge the design's outputs
must equal the model's. The segment patterns are spelled out here independently of the design.
"""
import random

import cocotb
from cocotb.triggers import FallingEdge, RisingEdge

from ttsim.tb.tt import start

# Which segments each hex digit lights, as printed on a seven-segment display.
DIGIT_SEGMENTS = ["abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc",
                  "abcdefg", "abcdfg", "abcefg", "cdefg", "adef", "bcdeg", "adefg", "aefg"]
SEGMENT_BITS = [sum(1 << "abcdefg".index(s) for s in lit) for lit in DIGIT_SEGMENTS]

DOWN, HOLD = 0x01, 0x10


def speed(s: int) -> int:
    return s << 1


class CounterModel:
    """What the design should show: a prescaler and a digit, stepped on each rising edge."""

    def __init__(self):
        self.prescale = 0
        self.digit = 0

    def clock(self, ui_in: int, rst_n: int) -> None:
        if not rst_n:
            self.prescale = self.digit = 0
            return
        if ui_in & HOLD:
            return
        mask = (1 << (8 + 2 * ((ui_in >> 1) & 7))) - 1
        if self.prescale & mask == mask:
            self.digit = (self.digit + (-1 if ui_in & DOWN else 1)) % 16
        self.prescale = (self.prescale + 1) % (1 << 22)

    def uo_out(self, ui_in: int) -> int:
        return SEGMENT_BITS[self.digit] | (0x80 if ui_in & DOWN else 0)


async def check_cycles(dut, model: CounterModel, cycles: int, ui_in: int, rst_n: int = 1) -> None:
    """Drives ui_in and rst_n for `cycles` clocks and compares the outputs after every edge."""
    dut.ui_in.value = ui_in
    dut.rst_n.value = rst_n
    for _ in range(cycles):
        await RisingEdge(dut.clk)
        model.clock(ui_in, rst_n)
        await FallingEdge(dut.clk)
        assert int(dut.uo_out.value) == model.uo_out(ui_in), (
            f"uo_out {int(dut.uo_out.value):#04x}, expected {model.uo_out(ui_in):#04x} "
            f"(digit {model.digit}, prescaler {model.prescale})")
        assert int(dut.uio_out.value) & 0x0F == model.digit
        assert int(dut.uio_oe.value) == 0x0F


@cocotb.test()
async def counts_up_through_all_digits(dut):
    await start(dut)
    model = CounterModel()
    await check_cycles(dut, model, 17 * 256 + 5, ui_in=speed(0))
    assert model.digit == 1  # wrapped past F once


@cocotb.test()
async def counts_down_at_speed_1(dut):
    await start(dut, ui_in=DOWN | speed(1))
    model = CounterModel()
    await check_cycles(dut, model, 3 * 1024 + 7, ui_in=DOWN | speed(1))
    assert model.digit == 13


@cocotb.test()
async def hold_freezes_the_count(dut):
    await start(dut)
    model = CounterModel()
    await check_cycles(dut, model, 600, ui_in=speed(0))
    frozen = model.digit
    await check_cycles(dut, model, 1000, ui_in=speed(0) | HOLD)
    assert model.digit == frozen != 0


@cocotb.test()
async def reset_mid_run_restarts_from_zero(dut):
    await start(dut)
    model = CounterModel()
    await check_cycles(dut, model, 5 * 256 + 100, ui_in=speed(0))
    assert model.digit == 5
    await check_cycles(dut, model, 3, ui_in=speed(0), rst_n=0)
    await check_cycles(dut, model, 2 * 256 + 3, ui_in=speed(0))
    assert model.digit == 2


@cocotb.test()
async def random_switch_changes(dut):
    """Speed, direction and hold change at random moments, reset now and then."""
    rng = random.Random(2600)
    await start(dut)
    model = CounterModel()
    for _ in range(40):
        ui_in = rng.choice([0, DOWN]) | speed(rng.choice([0, 0, 1, 2])) | rng.choice([0, 0, 0, HOLD])
        await check_cycles(dut, model, rng.randrange(1, 400), ui_in=ui_in,
                           rst_n=int(rng.random() > 0.05))
