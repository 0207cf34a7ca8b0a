"""Helpers shared by the cocotb testbenches of TT designs (plain async functions)."""
import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge

from ttsim import registry


def design_of(dut) -> registry.Design:
    """The registered design whose TT top `dut` is (from its module name tt_um_ttsim_<name>)."""
    return registry.get(dut._name.removeprefix("tt_um_ttsim_"))


def clock_period_ps(dut) -> int:
    """The design's clock period in whole picoseconds, even so that it splits into two halves."""
    return 2 * round(1e12 / design_of(dut).clock_hz / 2)


async def start(dut, ui_in: int = 0, uio_in: int = 0, reset_cycles: int = 2) -> None:
    """Starts the clock at the design's clock_hz, sets the inputs and resets the design.

    Reset is released on a falling edge, so the first rising edge after `start` returns is the
    design's first clock out of reset. rst_n starts high and then goes low: Amaranth's Verilog only
    leaves X behind under Icarus when reset is held from time 0.
    """
    cocotb.start_soon(Clock(dut.clk, clock_period_ps(dut), unit="ps").start())
    dut.ena.value = 1
    dut.ui_in.value = ui_in
    dut.uio_in.value = uio_in
    dut.rst_n.value = 1
    await reset(dut, reset_cycles)


async def reset(dut, cycles: int = 2) -> None:
    """Holds rst_n low for `cycles` rising edges, from one falling edge to another."""
    await FallingEdge(dut.clk)
    dut.rst_n.value = 0
    await ClockCycles(dut.clk, cycles)
    await FallingEdge(dut.clk)
    dut.rst_n.value = 1
