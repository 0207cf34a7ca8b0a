"""Runs the native CPU6502 in Amaranth's simulator against a 64 KB memory held in Python.

Memory answers combinationally: at the start of each cycle the bench reads the CPU's address and
R/W (functions of its registers), serves the byte on a read or stores `data_out` on a write, and
then clocks the CPU. Tests write their stimulus as an async function of (ctx, bench) that calls
`await bench.cycle(ctx)` once per bus cycle.
"""
from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import ClockDomain, Module
from amaranth.sim import Simulator

from ttsim.designs.cpu6502.cpu import CPU6502

from .busmodel import Registers


@dataclass
class Cycle:
    address: int
    data: int
    read: bool
    sync: bool

    @property
    def bus(self) -> tuple[int, int, bool]:
        return (self.address, self.data, self.read)


class CpuBench:
    """A CPU6502 (or the `cpu` given, e.g. a CPU6507) with a 64 KB memory; `trace` lists every
    cycle run."""

    def __init__(self, memory: bytes | None = None, cpu: CPU6502 | None = None):
        self.cpu = cpu if cpu is not None else CPU6502()
        self.memory = bytearray(memory if memory is not None else 65536)
        self.trace: list[Cycle] = []
        self.domain = ClockDomain("sync")

    def registers(self, ctx) -> Registers:
        cpu = self.cpu
        return Registers(*(ctx.get(r) for r in (cpu.pc, cpu.a, cpu.x, cpu.y, cpu.s, cpu.p)))

    def peek(self, ctx) -> tuple[int, bool, bool]:
        """The current cycle's (address, is_read, sync), before the bench serves it."""
        return ctx.get(self.cpu.addr), bool(ctx.get(self.cpu.rw)), bool(ctx.get(self.cpu.sync))

    async def cycle(self, ctx, *, irq: int = 0, nmi: int = 0, rdy: int = 1) -> Cycle:
        """Serves the current bus cycle and clocks the CPU once."""
        cpu = self.cpu
        ctx.set(cpu.irq, irq)
        ctx.set(cpu.nmi, nmi)
        ctx.set(cpu.rdy, rdy)
        address, read, sync = self.peek(ctx)
        if read:
            data = self.memory[address]
            ctx.set(cpu.data_in, data)
        else:   # a write cycle goes on whatever RDY says
            data = ctx.get(cpu.data_out)
            self.memory[address] = data
        cycle = Cycle(address, data, read, sync)
        self.trace.append(cycle)
        await ctx.tick()
        return cycle

    async def until_fetch(self, ctx, limit: int = 64, **lines) -> list[Cycle]:
        """Runs cycles until the next opcode fetch starts; returns them (without that fetch)."""
        cycles = [await self.cycle(ctx, **lines)]
        while not self.peek(ctx)[2]:
            if len(cycles) >= limit:
                raise AssertionError(f"no opcode fetch within {limit} cycles")
            cycles.append(await self.cycle(ctx, **lines))
        return cycles

    async def reset(self, ctx) -> list[Cycle]:
        """Holds reset for one clock, then runs the reset sequence up to the first opcode fetch."""
        ctx.set(self.domain.rst, 1)
        await ctx.tick()
        ctx.set(self.domain.rst, 0)
        return await self.until_fetch(ctx)

    def run(self, testbench) -> None:
        """Simulates `testbench(ctx, bench)`; the CPU starts in its reset sequence."""
        top = Module()
        top.domains.sync = self.domain
        top.submodules.cpu = self.cpu
        sim = Simulator(top)
        sim.add_clock(1e-6)

        async def main(ctx):
            await testbench(ctx, self)

        sim.add_testbench(main)
        sim.run()
