"""Host-side driver for `ternary_matmul`: numpy matrices in, numpy matrices out, any transport.

The protocol (top.py's docstring) is open loop once the host knows the chip's frame phase, so a job
is planned as a whole: `plan()` turns W, X and a `Config` into the per-cycle inputs (ui_in, uio_in)
and notes which cycles carry which result bytes; a transport plays the inputs and returns uo_out of
every cycle; `decode()` assembles Y. A transport is any object with

    play(ui_in: list[int], uio_in: list[int]) -> list[int]   # uo_out during each of those cycles

(`async def play` for cocotb: use `run_async`). The value returned for a cycle is uo_out between
that cycle's rising edge and the next one, the inputs given for it are sampled at the next rising
edge. `CocotbTransport` plays through a cocotb `dut`, `FastTransport` through the Verilator fast
path (`ttsim.fast.Simulation`), and `StepTransport` wraps any function that steps one cycle;
`simulate()` runs jobs on Amaranth's own simulator, with no toolchain at all.

    driver = TernaryMatmulDriver()                  # matches the default TT top (16 rows, K <= 64)
    result = driver.run(transport, w, x, Config(shift=4, relu=True))
    result.y, result.cycles, result.macs_per_cycle
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ttsim.errors import TtsimError

from .array import CODES, TRITS_PER_BYTE, accumulator_bits
from .top import COUNT_BITS, DEFAULT_K_MAX, DEFAULT_ROWS, OP_CONFIG, OP_LOAD, OP_NOP, OP_STREAM

BUSY, ERROR, LOADED = 0x80, 0x40, 0x20
PHASE_MASK = 0x1F
MAX_COUNT = (1 << COUNT_BITS) - 1
FIRST_RESULT_PHASE = 2  # results of a column start in phase 2 of the frame after it


@dataclass(frozen=True)
class Config:
    """Result mode: full precision (int16 results) or requantized to int8 (shift, then ReLU)."""
    shift: int = 0
    relu: bool = False
    full: bool = False

    def __post_init__(self):
        if not 0 <= self.shift <= 15:
            raise TtsimError(f"shift must be 0..15, not {self.shift}")

    @property
    def argument(self) -> int:
        return self.shift | (int(self.relu) << 4) | (int(self.full) << 5)


def requantize(acc: np.ndarray, shift: int, relu: bool) -> np.ndarray:
    """The chip's requantization: arithmetic shift right, optional ReLU, saturation to int8."""
    value = np.asarray(acc, dtype=np.int64) >> shift
    if relu:
        value = np.maximum(value, 0)
    return np.clip(value, -128, 127).astype(np.int8)


def reference(w: np.ndarray, x: np.ndarray, config: Config) -> np.ndarray:
    """What the chip must return, computed with numpy."""
    y = np.asarray(w, dtype=np.int64) @ np.asarray(x, dtype=np.int64)
    return y.astype(np.int16) if config.full else requantize(y, config.shift, config.relu)


def pack_trits(trits) -> int:
    """One weight byte: five weights (-1, 0, +1), the first in the lowest base-3 digit."""
    return sum((int(t) % 3) * 3 ** i for i, t in enumerate(trits))


def unpack_trits(code: int) -> list[int]:
    """The five weights of a packed byte (the inverse of pack_trits)."""
    if not 0 <= code < CODES:
        raise TtsimError(f"{code} is not a packed weight byte (0..{CODES - 1})")
    digits = [(code // 3 ** i) % 3 for i in range(TRITS_PER_BYTE)]
    return [-1 if d == 2 else d for d in digits]


@dataclass
class Plan:
    """A job as cycles: inputs to play and where each result byte comes out."""
    ui_in: list[int] = field(default_factory=list)
    uio_in: list[int] = field(default_factory=list)
    # (cycle, row, column, high byte?) for every result byte the job reads
    reads: list[tuple[int, int, int, bool]] = field(default_factory=list)
    shape: tuple[int, int] = (0, 0)
    macs: int = 0  # useful multiply-accumulates: M * K * N

    @property
    def cycles(self) -> int:
        return len(self.ui_in)


@dataclass
class JobResult:
    y: np.ndarray
    cycles: int  # clock cycles from the job's first command to its last result byte
    macs: int    # useful multiply-accumulates: M * K * N

    @property
    def macs_per_cycle(self) -> float:
        return self.macs / self.cycles


class TernaryMatmulDriver:
    """Packs, plans, runs and decodes jobs for a chip built with the given array shape."""

    def __init__(self, rows: int = DEFAULT_ROWS, k_max: int = DEFAULT_K_MAX):
        if k_max > 64:
            # The status byte shows the frame phase modulo 32; longer frames need a cycle count.
            raise TtsimError("the driver supports k_max <= 64 (frames of up to 32 cycles)")
        self.rows, self.k_max = rows, k_max
        self.frame = k_max // 2
        self.acc_bits = accumulator_bits(k_max)
        self.full_precision_gaps = 2 * self.rows > self.frame  # see top.py: "Stream"

    # -- checking and packing ---------------------------------------------------------------

    def check(self, w, x) -> tuple[np.ndarray, np.ndarray]:
        w, x = np.asarray(w), np.asarray(x)
        if w.ndim != 2 or x.ndim != 2 or w.shape[1] != x.shape[0]:
            raise TtsimError(f"W {w.shape} and X {x.shape} cannot be multiplied")
        if not 1 <= w.shape[1] <= self.k_max:
            raise TtsimError(f"K = {w.shape[1]}: this chip supports 1 <= K <= {self.k_max}")
        if w.shape[0] < 1 or x.shape[1] < 1:
            raise TtsimError("W and X need at least one row and one column")
        if not (np.issubdtype(w.dtype, np.integer) and np.issubdtype(x.dtype, np.integer)):
            raise TtsimError(f"W and X must hold integers, not {w.dtype} and {x.dtype}")
        if not np.isin(w, (-1, 0, 1)).all():
            raise TtsimError("weights must be -1, 0 or +1")
        if x.min() < -128 or x.max() > 127:
            raise TtsimError("activations must be int8 (-128..127)")
        return w.astype(np.int64), x.astype(np.int64)

    def pack_block(self, block: np.ndarray) -> list[tuple[int, int]]:
        """The load frames' byte pairs for one pass: `block` is rows x k_max weights. A frame per
        group of five rows; a last group of fewer rows packs only those (its bytes are smaller)."""
        pairs = []
        for first_row in range(0, self.rows, TRITS_PER_BYTE):
            rows = block[first_row:first_row + TRITS_PER_BYTE]
            for p in range(self.frame):
                pairs.append((pack_trits(rows[:, 2 * p]), pack_trits(rows[:, 2 * p + 1])))
        return pairs

    # -- planning -----------------------------------------------------------------------------

    def plan(self, w, x, config: Config, phase: int, *, reuse_weights: bool = False,
             eager: bool = False) -> Plan:
        """All cycles of a job starting when the chip is idle at frame phase `phase`.

        reuse_weights: W (at most `rows` rows) is what the chip holds already: stream only.
        eager: issue each command at once and let the chip wait for the frame boundary, as a host
            that does not track the phase would (the default issues it in the frame's last cycle).
        """
        w, x = self.check(w, x)
        (m, k), n = w.shape, x.shape[1]
        if reuse_weights and m > self.rows:
            raise TtsimError(f"W has {m} rows; the chip holds {self.rows}: it cannot be reused")
        frame, rows = self.frame, self.rows
        plan = Plan(shape=(m, n), macs=m * k * n)

        def now() -> int:
            return (phase + plan.cycles) % frame

        def cycle(ui: int, uio: int) -> None:
            plan.ui_in.append(ui)
            plan.uio_in.append(uio)

        def start(opcode: int, count: int) -> None:
            # LOAD and STREAM start at a frame boundary: issued in a frame's last cycle, they waste
            # no cycle; issued earlier, the chip waits (and ignores the inputs) until then.
            while not eager and now() != frame - 1:
                cycle(OP_NOP, 0)
            cycle(opcode | (count >> 8) << 2, count & 0xFF)
            while now() != 0:
                cycle(OP_NOP, 0)

        cycle(OP_CONFIG, config.argument)  # also clears a stale error flag
        padded_x = np.zeros((self.k_max, n), dtype=np.int64)
        padded_x[:k] = x
        for row0 in range(0, m, rows):
            block = np.zeros((rows, self.k_max), dtype=np.int64)
            block[:min(rows, m - row0), :k] = w[row0:row0 + rows]
            chunks = [range(c, min(c + MAX_COUNT, n)) for c in range(0, n, MAX_COUNT)]
            for number, columns in enumerate(chunks):
                if number == 0 and not reuse_weights:
                    start(OP_LOAD, len(columns))
                    for pair in self.pack_block(block):
                        cycle(*pair)
                else:
                    start(OP_STREAM, len(columns))
                for column in columns:
                    for p in range(frame):
                        cycle(int(padded_x[2 * p, column]) & 0xFF,
                              int(padded_x[2 * p + 1, column]) & 0xFF)
                    first_read = plan.cycles + FIRST_RESULT_PHASE
                    emitted_until = first_read + rows * (2 if config.full else 1)
                    for row in range(min(rows, m - row0)):
                        plan.reads.append((first_read + row, row0 + row, column, False))
                        if config.full:
                            plan.reads.append((first_read + rows + row, row0 + row, column, True))
                    if config.full and self.full_precision_gaps and column != columns[-1]:
                        for _ in range(frame):  # the gap frame: inputs ignored
                            cycle(OP_NOP, 0)
        # The chip sends all its rows, wanted or not; the job ends when its last byte is out.
        while plan.cycles < emitted_until:
            cycle(OP_NOP, 0)
        return plan

    def decode(self, plan: Plan, uo_out: list[int], config: Config) -> np.ndarray:
        """Y from the uo_out bytes the transport saw while playing `plan`."""
        if len(uo_out) != plan.cycles:
            raise TtsimError(f"the transport returned {len(uo_out)} cycles for a plan of "
                             f"{plan.cycles}")
        raw = np.zeros(plan.shape, dtype=np.int64)
        for cycle_index, row, column, high in plan.reads:
            raw[row, column] |= int(uo_out[cycle_index]) << (8 if high else 0)
        if config.full:
            return raw.astype(np.uint16).view(np.int16)
        return raw.astype(np.uint8).view(np.int8)

    # -- running ----------------------------------------------------------------------------

    def phase_from_status(self, status: int) -> int:
        """The frame phase of the cycle after the one whose uo_out was `status` (chip idle)."""
        if status & BUSY or status & PHASE_MASK >= self.frame:  # CONFIG clears an error
            raise TtsimError(f"the chip is not idle (status {status:#04x})")
        return ((status & PHASE_MASK) + 1) % self.frame

    def _plan_from(self, status: int, w, x, config: Config, options: dict) -> Plan:
        if options.get("reuse_weights") and not status & LOADED:
            # Its activations would reach an idle chip and be read as commands.
            raise TtsimError(f"reuse_weights: the chip holds no weights (status {status:#04x})")
        return self.plan(w, x, config, self.phase_from_status(status), **options)

    def _finish(self, plan: Plan, uo_out: list[int], config: Config, status: int) -> JobResult:
        if status & (BUSY | ERROR) != 0 or not status & LOADED:
            raise TtsimError(f"the chip reported a problem after the job (status {status:#04x})")
        # Counted: the CONFIG cycle through the last result byte the chip sends.
        return JobResult(y=self.decode(plan, uo_out, config), cycles=plan.cycles, macs=plan.macs)

    def run(self, transport, w, x, config: Config = Config(), **options) -> JobResult:
        """Runs one job through a transport with a plain `play` (options: see `plan`)."""
        plan = self._plan_from(transport.play([OP_NOP], [0])[0], w, x, config, options)
        uo_out = transport.play(plan.ui_in, plan.uio_in)
        status = transport.play([OP_NOP], [0])[0]
        return self._finish(plan, uo_out, config, status)

    async def run_async(self, transport, w, x, config: Config = Config(), **options) -> JobResult:
        """Runs one job through a transport whose `play` is a coroutine (cocotb)."""
        plan = self._plan_from((await transport.play([OP_NOP], [0]))[0], w, x, config, options)
        uo_out = await transport.play(plan.ui_in, plan.uio_in)
        status = (await transport.play([OP_NOP], [0]))[0]
        return self._finish(plan, uo_out, config, status)


class CocotbTransport:
    """Plays cycles into a cocotb `dut` (a running clock, out of reset) from a falling edge."""

    def __init__(self, dut):
        self.dut = dut

    async def play(self, ui_in, uio_in) -> list[int]:
        from cocotb.triggers import FallingEdge

        seen = []
        for ui, uio in zip(ui_in, uio_in):
            await FallingEdge(self.dut.clk)
            seen.append(int(self.dut.uo_out.value))
            self.dut.ui_in.value = ui
            self.dut.uio_in.value = uio
        return seen


class StepTransport:
    """A plain transport from one function: step(ui_in, uio_in) -> uo_out of that cycle."""

    def __init__(self, step):
        self.step = step

    def play(self, ui_in, uio_in) -> list[int]:
        return [self.step(ui, uio) for ui, uio in zip(ui_in, uio_in)]


class FastTransport:
    """Plays cycles through the Verilator fast path (`ttsim.fast.Simulation`, reset done): the
    whole sequence in one C++ step, uo_out recorded on the way."""

    def __init__(self, simulation):
        self.simulation = simulation

    def play(self, ui_in, uio_in) -> list[int]:
        sim = self.simulation
        start = sim.cycles
        sim.set_script([(start + i, "ui_in", v) for i, v in enumerate(ui_in)]
                       + [(start + i, "uio_in", v) for i, v in enumerate(uio_in)])
        during = sim.get("uo_out")  # this cycle's output: the state since the last rising edge
        recorded = sim.step(len(ui_in), record=["uo_out"]).recording["uo_out"]
        # The recorder samples after each rising edge: the output of the cycle after.
        return [during, *(int(v) for v in recorded[:-1])]


def simulate(jobs, rows: int = DEFAULT_ROWS, k_max: int = DEFAULT_K_MAX) -> list[JobResult]:
    """Runs (w, x, config) jobs back to back on the Amaranth simulator (slow, no toolchain)."""
    from amaranth.sim import Simulator

    from .top import TernaryMatmulTop

    top = TernaryMatmulTop(rows, k_max)
    driver = TernaryMatmulDriver(rows, k_max)
    results = []

    async def testbench(ctx):
        async def clock():
            ctx.set(top.clk, 1)
            await ctx.delay(1e-8)
            ctx.set(top.clk, 0)
            await ctx.delay(1e-8)

        class Transport:
            async def play(self, ui_in, uio_in):
                seen = []
                for ui, uio in zip(ui_in, uio_in):
                    seen.append(ctx.get(top.uo_out))
                    ctx.set(top.ui_in, ui)
                    ctx.set(top.uio_in, uio)
                    await clock()
                return seen

        ctx.set(top.ena, 1)
        ctx.set(top.rst_n, 0)
        await clock()
        ctx.set(top.rst_n, 1)
        for w, x, config in jobs:
            results.append(await driver.run_async(Transport(), w, x, config))

    simulator = Simulator(top)
    simulator.add_testbench(testbench)
    simulator.run()
    return results
