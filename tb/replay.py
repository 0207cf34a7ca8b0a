"""A generic cocotb test replaying recorded inputs into any TT top and recording its outputs.

The stimulus file (env TTSIM_REPLAY_STIMULUS, .npz) holds one value per cycle for `ui_in`,
`uio_in` and `rst_n`. Each cycle the inputs are set (on the falling edge), the rising edge
passes and the outputs are read on the next falling edge, exactly as the fast path records them.
The outputs `uo_out`, `uio_out`, `uio_oe` (int16, -1 where a bit is X or Z) and the loop's
wall-clock time `wall_s` go to the .npz named by TTSIM_REPLAY_OUT. Used by the fast path's
equivalence test and by `ttsim bench`.
"""
import os
import time

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, Timer

from ttsim.tb.tt import clock_period_ps

INPUTS = ("ui_in", "uio_in", "rst_n")
OUTPUTS = ("uo_out", "uio_out", "uio_oe")


def read(signal) -> int:
    value = signal.value
    return value.to_unsigned() if value.is_resolvable else -1


@cocotb.test()
async def replay(dut):
    stimulus = np.load(os.environ["TTSIM_REPLAY_STIMULUS"])
    columns = {name: stimulus[name].tolist() for name in INPUTS}
    cycles = len(columns["ui_in"])
    signals = {name: getattr(dut, name) for name in INPUTS}
    outputs = {name: getattr(dut, name) for name in OUTPUTS}
    recorded = {name: np.zeros(cycles, dtype=np.int16) for name in OUTPUTS}
    # The clock starts low: its first rising edge is the first replayed cycle's, as in the fast
    # path (a design whose reset goes through a flip-flop would see an extra edge otherwise).
    cocotb.start_soon(Clock(dut.clk, clock_period_ps(dut), unit="ps").start(start_high=False))
    dut.ena.value = 1
    dut.ui_in.value = dut.uio_in.value = 0
    # rst_n high at time 0 and driven by the stimulus later: Icarus keeps Amaranth's registers X
    # when reset is held from time 0.
    dut.rst_n.value = 1
    # Wait a moment, not for a falling edge: Icarus starts the clock from X, and X to 0 is a
    # falling edge at time 0, but Verilator's clock is 0 already and would wait a whole period,
    # letting one rising edge pass before the first replayed cycle.
    await Timer(1, unit="ps")
    previous = {name: None for name in INPUTS}
    rising, falling = RisingEdge(dut.clk), FallingEdge(dut.clk)
    started = time.perf_counter()
    for cycle in range(cycles):
        for name in INPUTS:
            value = columns[name][cycle]
            if value != previous[name]:  # writing only changes keeps the loop fast
                signals[name].value = value
                previous[name] = value
        await rising
        await falling
        for name in OUTPUTS:
            recorded[name][cycle] = read(outputs[name])
    wall_s = time.perf_counter() - started
    np.savez(os.environ["TTSIM_REPLAY_OUT"], wall_s=wall_s, **recorded)
