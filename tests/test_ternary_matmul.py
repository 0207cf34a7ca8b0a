"""ternary_matmul's host side: weight packing, the numpy reference, job plans, bench figures, and
small jobs on the real RTL through the Amaranth simulator (the cocotb suites are in tb/)."""
import numpy as np
import pytest

from ttsim.designs.ternary_matmul import bench
from ttsim.designs.ternary_matmul.array import code_bits, group_sizes
from ttsim.designs.ternary_matmul.driver import (Config, StepTransport, TernaryMatmulDriver,
                                                  pack_trits, reference, requantize, simulate,
                                                  unpack_trits)
from ttsim.designs.ternary_matmul.top import OP_LOAD
from ttsim.errors import TtsimError

DRIVER = TernaryMatmulDriver()


def test_packing_round_trips_every_code():
    seen = set()
    for code in range(243):
        trits = unpack_trits(code)
        assert set(trits) <= {-1, 0, 1}
        assert pack_trits(trits) == code
        seen.add(tuple(trits))
    assert len(seen) == 243
    assert pack_trits([1, -1, 0, 0, 0]) == 1 + 2 * 3
    with pytest.raises(TtsimError):
        unpack_trits(243)


def test_rows_go_in_groups_of_five_and_short_groups_store_fewer_bits():
    assert group_sizes(16) == [5, 5, 5, 1] and group_sizes(15) == [5, 5, 5]
    assert group_sizes(3) == [3]
    # A group of n rows stores codes below 3**n: 2 bits for one row, a full byte for five.
    assert [code_bits(n) for n in range(1, 6)] == [2, 4, 5, 7, 8]
    assert pack_trits([-1, 0, 0, 0, 0]) == 2 and pack_trits([1, -1]) == 7


def test_requantize_shifts_down_then_rectifies_then_saturates():
    acc = np.array([-8192, -3, -1, 0, 5, 255, 256, 8192])
    assert requantize(acc, 1, False).tolist() == [-128, -2, -1, 0, 2, 127, 127, 127]
    assert requantize(acc, 1, True).tolist() == [0, 0, 0, 0, 2, 127, 127, 127]
    assert requantize(acc, 6, False).tolist() == [-128, -1, -1, 0, 0, 3, 4, 127]


def test_bad_jobs_are_one_line_errors():
    w, x = np.ones((4, 8), int), np.ones((8, 2), int)
    for bad_w, bad_x, what in ((w, x[:7], "cannot be multiplied"), (w * 2, x, "weights must be"),
                               (w, x * 200, "int8"), (w, x * 0.5, "integers"),
                               (np.ones((4, 65), int), np.ones((65, 1), int), "K = 65")):
        with pytest.raises(TtsimError, match=what):
            DRIVER.plan(bad_w, bad_x, Config(), phase=0)
    with pytest.raises(TtsimError, match="shift"):
        Config(shift=16)


def test_reusing_weights_needs_weights_on_chip():
    w, x = np.ones((4, 8), int), np.ones((8, 2), int)
    with pytest.raises(TtsimError, match="holds 16"):
        DRIVER.plan(np.ones((17, 8), int), x, Config(), phase=0, reuse_weights=True)
    no_weights = StepTransport(lambda ui, uio: 0x00)  # idle, nothing loaded
    with pytest.raises(TtsimError, match="holds no weights"):
        DRIVER.run(no_weights, w, x, reuse_weights=True)


def test_plan_loads_each_row_block_at_a_frame_end():
    w, x = np.ones((40, 64), int), np.ones((64, 3), int)
    for phase in (0, 17, DRIVER.frame - 1):
        plan = DRIVER.plan(w, x, Config(), phase)
        loads = [t for t, ui in enumerate(plan.ui_in) if ui == OP_LOAD | 0 and plan.uio_in[t] == 3]
        assert len(loads) == 3  # ceil(40 / 16) passes
        assert all((phase + t) % DRIVER.frame == DRIVER.frame - 1 for t in loads)
        assert len(plan.reads) == 40 * 3


def test_pin_bound_of_the_benchmark_job():
    # 820 weight bytes, 4096 activation bytes, 4096 (or 8192) result bytes over 3 bytes a clock.
    assert bench.pin_bound_macs_per_cycle(64, 64, 64, False) == pytest.approx(
        64 ** 3 / ((820 + 4096 + 4096) / 3))
    assert bench.pin_bound_macs_per_cycle(64, 64, 64, True) == pytest.approx(
        64 ** 3 / ((820 + 4096 + 8192) / 3))


def test_small_jobs_on_the_rtl_are_exact():
    rng = np.random.default_rng(3)
    jobs = [(rng.integers(-1, 2, (m, k)), rng.integers(-128, 128, (k, n)), config)
            for (m, k, n), config in (((16, 64, 2), Config(shift=5, relu=True)),
                                      ((3, 9, 3), Config(full=True)),
                                      ((15, 64, 1), Config(shift=0)))]
    for (w, x, config), result in zip(jobs, simulate(jobs)):
        assert np.array_equal(result.y, reference(w, x, config)), config
        assert result.macs == w.shape[0] * w.shape[1] * x.shape[1]


@pytest.mark.parametrize("rows, k_max", [(20, 64), (5, 10), (7, 16), (13, 30)])
def test_other_array_shapes_are_exact(rows, k_max):
    """Shapes where full-precision results need a gap frame after each column (2R > K_MAX / 2),
    and last groups of two and three rows (their weight codes are below 9 and 27)."""
    rng = np.random.default_rng(rows)
    driver = TernaryMatmulDriver(rows, k_max)
    assert driver.full_precision_gaps
    jobs = [(rng.integers(-1, 2, (m, k_max)), rng.integers(-128, 128, (k_max, 3)), config)
            for m, config in ((driver.rows + 2, Config(full=True)), (driver.rows, Config(shift=2)))]
    for (w, x, config), result in zip(jobs, simulate(jobs, rows, k_max)):
        assert np.array_equal(result.y, reference(w, x, config)), config


def test_bench_report_from_a_short_run():
    n = 2
    figures = bench.report(simulate(bench.benchmark_jobs(n)), n,
                           synthesis={"cells": 10, "flip_flops": 2, "area_um2": 1.0,
                                      "tiles_needed": "1x1"})
    for mode in ("requantized", "full_precision"):
        assert 0 < figures[mode]["macs_per_cycle"] < figures[mode]["pin_bound_macs_per_cycle"]
        assert figures[mode]["ratio"] == pytest.approx(
            figures[mode]["macs_per_cycle"] / figures[mode]["pin_bound_macs_per_cycle"], abs=1e-3)
    assert figures["macs_per_cycle"] == figures["requantized"]["macs_per_cycle"]
    assert figures["tiles_needed"] == "1x1" and figures["cells"] == 10


def test_jobs_through_the_fast_path():
    from ttsim.designs.ternary_matmul.driver import FastTransport
    from ttsim.fast import Simulation

    rng = np.random.default_rng(5)
    with Simulation("ternary_matmul") as simulation:
        simulation.reset()
        transport = FastTransport(simulation)
        for (m, k, n), config in (((20, 64, 3), Config(shift=4, relu=True)),
                                  ((9, 33, 2), Config(full=True))):
            w, x = rng.integers(-1, 2, (m, k)), rng.integers(-128, 128, (k, n))
            assert np.array_equal(DRIVER.run(transport, w, x, config).y, reference(w, x, config))
        figures = bench.run(transport, n=4, synthesis=False)
    assert figures["requantized"]["cycles"] > 0 and "tiles_needed" not in figures


def test_ttsim_bench_adds_the_accelerator_figures():
    import json
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "ttsim", "bench", "ternary_matmul", "--json",
                          "--cycles", "2000", "--slow-cycles", "200"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report["backends"]) == {"fast", "cocotb_icarus", "cocotb_verilator", "pysim"}
    for mode in ("requantized", "full_precision"):
        figures = report[mode]
        assert 0 < figures["macs_per_cycle"] <= report["array"]["peak_macs_per_cycle"]
        assert figures["macs_per_cycle"] < figures["pin_bound_macs_per_cycle"]
    assert report["macs_per_cycle"] == report["requantized"]["macs_per_cycle"]
    # The default shape (16 rows: four passes of the 64-row job) fits the 3x2 tiles it declares.
    assert report["array"]["rows"] == 16 and report["tiles_needed"] == "3x2"
    assert report["macs_per_cycle"] > 29
    assert report["cells"] > 1000 and report["flip_flops"] > 0
