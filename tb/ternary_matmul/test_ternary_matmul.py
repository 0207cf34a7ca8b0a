"""ternary_matmul: jobs run through the host driver, checked bit for bit against numpy.

Every job goes through `TernaryMatmulDriver` over a `CocotbTransport`, which also checks the
status byte before and after (idle, weights loaded, no error). Tests that break the protocol on
purpose play cycles themselves.
"""
import numpy as np

import cocotb
from cocotb.triggers import FallingEdge

from ttsim.designs.ternary_matmul.driver import (BUSY, ERROR, LOADED, Config, CocotbTransport,
                                                  TernaryMatmulDriver, reference)
from ttsim.designs.ternary_matmul.top import OP_CONFIG, OP_LOAD, OP_NOP, OP_STREAM
from ttsim.tb.tt import start

DRIVER = TernaryMatmulDriver()
K_MAX = DRIVER.k_max


def random_job(rng, m, k, n):
    return rng.integers(-1, 2, (m, k)), rng.integers(-128, 128, (k, n))


async def check_job(dut, w, x, config, **options):
    """Runs W X on the chip and asserts it equals numpy's result exactly."""
    result = await DRIVER.run_async(CocotbTransport(dut), w, x, config, **options)
    expected = reference(w, x, config)
    mismatches = np.argwhere(result.y != expected)
    assert mismatches.size == 0, (
        f"{len(mismatches)} results differ ({config}), first at {tuple(mismatches[0])}: "
        f"chip {result.y[tuple(mismatches[0])]}, numpy {expected[tuple(mismatches[0])]}")
    return result


async def status(dut) -> int:
    return (await CocotbTransport(dut).play([OP_NOP], [0]))[0]


@cocotb.test()
async def random_requantized(dut):
    rng = np.random.default_rng(6)
    await start(dut)
    for shift, relu in ((7, False), (5, True), (0, False), (15, True)):
        await check_job(dut, *random_job(rng, 18, K_MAX, 3), Config(shift=shift, relu=relu))


@cocotb.test()
async def random_full_precision(dut):
    rng = np.random.default_rng(7)
    await start(dut)
    await check_job(dut, *random_job(rng, 23, K_MAX, 4), Config(full=True))


@cocotb.test()
async def extremes_at_the_largest_k(dut):
    """All -1, all +1 and all-zero weights against -128 and 127, in both modes: the sums reach
    +-128 * K_MAX, the accumulators' limits, and saturate the requantized results."""
    await start(dut)
    x = np.array([[-128, 127, -128, 127]] * K_MAX)
    x[::2, 2] = 127  # a column alternating -128, 127
    rows = DRIVER.rows
    w = np.concatenate([-np.ones((rows, K_MAX), int), np.ones((rows, K_MAX), int),
                        np.zeros((2, K_MAX), int)])
    full = await check_job(dut, w, x, Config(full=True))
    assert full.y[0, 0] == 128 * K_MAX and full.y[rows, 0] == -128 * K_MAX
    for config in (Config(shift=0), Config(shift=6, relu=True), Config(shift=15)):
        await check_job(dut, w, x, config)


@cocotb.test()
async def sizes_not_multiples_of_the_array(dut):
    rng = np.random.default_rng(8)
    await start(dut)
    for m, k, n in ((1, 1, 1), (16, 37, 2), (31, 63, 1), (7, 2, 5)):
        for config in (Config(shift=2, relu=True), Config(full=True)):
            await check_job(dut, *random_job(rng, m, k, n), config)


@cocotb.test()
async def back_to_back_jobs(dut):
    """Jobs follow each other with no reset and no idle time beyond the driver's own."""
    rng = np.random.default_rng(9)
    await start(dut)
    configs = (Config(shift=4), Config(full=True), Config(shift=9, relu=True), Config(full=True))
    for number, config in enumerate(configs):
        await check_job(dut, *random_job(rng, 5 + 9 * number, 20 + 11 * number, 1 + number), config)


@cocotb.test()
async def benchmark_shape_job(dut):
    """The benchmark's shape (64 x 64 ternary times 64 x N) with several columns per pass."""
    rng = np.random.default_rng(10)
    await start(dut)
    await check_job(dut, *random_job(rng, 64, 64, 6), Config(shift=6))


@cocotb.test()
async def commands_wait_for_the_frame_and_weights_stay(dut):
    """Commands issued mid-frame wait for the boundary; a STREAM reuses the weights on chip."""
    rng = np.random.default_rng(13)
    await start(dut)
    w, x = random_job(rng, DRIVER.rows, 50, 2)
    loaded = await check_job(dut, w, x, Config(shift=5), eager=True)
    for config in (Config(shift=5), Config(full=True)):
        again = await check_job(dut, w, rng.integers(-128, 128, (50, 3)), config,
                                reuse_weights=True, eager=True)
        # One column more but no load frames (and at most a frame more waiting): fewer cycles.
        assert again.cycles < loaded.cycles, (again.cycles, loaded.cycles)


async def reset(dut, cycles=3):
    """rst_n low for `cycles` cycles, with NOP on the inputs (left as data they would be read
    as a command the moment reset ends)."""
    await FallingEdge(dut.clk)
    dut.rst_n.value = 0
    dut.ui_in.value = OP_NOP
    dut.uio_in.value = 0
    for _ in range(cycles):
        await FallingEdge(dut.clk)
    dut.rst_n.value = 1


@cocotb.test()
async def reset_mid_job(dut):
    """Reset in the middle of loading and of streaming: the chip is idle, has no weights and no
    error, and the next job is exact."""
    rng = np.random.default_rng(11)
    await start(dut)
    transport = CocotbTransport(dut)
    w, x = random_job(rng, 15, K_MAX, 3)
    for cut in (70, 200):  # while loading; while streaming the second column
        plan = DRIVER.plan(w, x, Config(full=True), DRIVER.phase_from_status(await status(dut)))
        await transport.play(plan.ui_in[:cut], plan.uio_in[:cut])
        await reset(dut)
        after = await status(dut)
        assert after & (BUSY | ERROR | LOADED) == 0, f"status after reset {after:#04x}"
        await check_job(dut, *random_job(rng, 9, 30, 2), Config(shift=3))


async def load_with_a_bad_byte(dut, w, x, group, odd, byte):
    """Runs W X (at full precision) with `byte` in place of the weight byte of `group` for k = 1
    (odd) or k = 0; asserts the error flag and that the byte loaded as zero weights."""
    transport = CocotbTransport(dut)
    plan = DRIVER.plan(w, x, Config(full=True), DRIVER.phase_from_status(await status(dut)))
    load_command = plan.ui_in.index(OP_LOAD)  # few columns: the count fits in uio_in
    pins = plan.uio_in if odd else plan.ui_in
    pins[load_command + 1 + group * DRIVER.frame] = byte
    uo_out = await transport.play(plan.ui_in, plan.uio_in)
    flags = await status(dut)
    assert flags & ERROR and flags & LOADED and not flags & BUSY, f"after byte {byte}: {flags:#04x}"
    zeroed = w.copy()
    zeroed[5 * group:5 * group + 5, int(odd)] = 0
    assert np.array_equal(DRIVER.decode(plan, uo_out, Config(full=True)),
                          reference(zeroed, x, Config(full=True)))


@cocotb.test()
async def misuse_sets_the_error_flag(dut):
    """STREAM before any LOAD, STREAM of zero columns, a weight byte over 242, and a byte of the
    short last group that holds digits for rows the chip does not have."""
    rng = np.random.default_rng(12)
    await start(dut)
    transport = CocotbTransport(dut)
    await transport.play([OP_STREAM], [4])
    flags = await status(dut)
    assert flags & ERROR and not flags & (BUSY | LOADED), f"STREAM without weights: {flags:#04x}"
    await transport.play([OP_CONFIG], [0])
    assert not await status(dut) & ERROR, "CONFIG did not clear the error flag"

    w, x = random_job(rng, DRIVER.rows, 10, 2)
    await load_with_a_bad_byte(dut, w, x, group=0, odd=False, byte=0xFF)
    last_group = (DRIVER.rows - 1) // 5
    last_size = DRIVER.rows - 5 * last_group
    await load_with_a_bad_byte(dut, w, x, group=last_group, odd=True, byte=3 ** last_size)

    await transport.play([OP_STREAM], [0])
    assert await status(dut) & ERROR, "STREAM of zero columns was accepted"
    await check_job(dut, w, x, Config(shift=1))  # the driver's CONFIG clears the flag
