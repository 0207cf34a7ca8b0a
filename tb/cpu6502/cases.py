"""Per-instruction cases: each sets the registers, places one instruction in a random memory and
compares the CPU's bus cycles, registers and memory with the bus model (`busmodel.step`).

All cases run in one simulation. Between cases the CPU runs a short preamble that loads the
registers. To get there from wherever an instruction left the PC, the memory outside a case is
filled with $4C: any opcode fetch then reads `JMP $4C4C`, where the preamble sits.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property

from . import busmodel
from .busmodel import Registers
from .harness import CpuBench

TRAMPOLINE = 0x4C4C
PREAMBLE_JUMP = TRAMPOLINE + 13     # address of the preamble's final JMP
KEEP_OUT = range(TRAMPOLINE - 8, TRAMPOLINE + 24)


@dataclass
class Case:
    registers: Registers
    memory: bytes

    @property
    def opcode(self) -> int:
        return self.memory[self.registers.pc]

    @cached_property
    def expected(self) -> tuple[list[tuple[int, int, bool]], Registers, bytearray]:
        """The bus model's (cycles, registers after, memory after)."""
        return busmodel.step(self.registers, self.memory)


@dataclass
class Outcome:
    case: Case
    cycles: list[tuple[int, int, bool]]
    registers: Registers
    memory: bytes


def trampoline(registers: Registers) -> bytearray:
    memory = bytearray([0x4C]) * 65536
    r = registers
    preamble = [0xA2, r.s, 0x9A, 0xA2, r.x, 0xA0, r.y, 0xA9, r.p, 0x48, 0xA9, r.a, 0x28,
                0x4C, r.pc & 0xFF, r.pc >> 8]
    memory[TRAMPOLINE:TRAMPOLINE + len(preamble)] = bytes(preamble)
    return memory


async def _run(ctx, bench: CpuBench, cases: list[Case], outcomes: list[Outcome]) -> None:
    for case in cases:
        bench.memory = trampoline(case.registers)
        previous_fetch = None
        for _ in range(200):
            address, _, sync = bench.peek(ctx)
            if sync and address == case.registers.pc and previous_fetch == PREAMBLE_JUMP:
                break
            if sync:
                previous_fetch = address
            await bench.cycle(ctx)
        else:
            raise AssertionError("the preamble did not reach the instruction under test")
        bench.memory = bytearray(case.memory)
        cycles = await bench.until_fetch(ctx, limit=16)
        outcomes.append(Outcome(case, [c.bus for c in cycles], bench.registers(ctx),
                                bytes(bench.memory)))


def run(cases: list[Case]) -> list[Outcome]:
    """Runs every case on the CPU (one simulation) and returns what it did."""
    bench = CpuBench(trampoline(cases[0].registers))
    outcomes: list[Outcome] = []
    bench.run(lambda ctx, b: _run(ctx, b, cases, outcomes))
    return outcomes


def mismatch(outcome: Outcome) -> str | None:
    """None if the CPU did what the bus model says, else a description of the difference."""
    case = outcome.case
    cycles, registers, memory = case.expected
    mnemonic, mode = busmodel.describe(case.opcode)
    name = f"{case.opcode:02X} {mnemonic} {mode} from {case.registers}"
    if outcome.cycles != cycles:
        return (f"{name}: bus cycles differ\n  expected {_format(cycles)}\n"
                f"  got      {_format(outcome.cycles)}")
    if not outcome.registers.same_as(registers):
        return f"{name}: registers {outcome.registers}, expected {registers}"
    if outcome.memory != bytes(memory):
        return f"{name}: memory differs"
    return None


def _format(cycles) -> str:
    return " ".join(f"{a:04X}{'r' if r else 'W'}{d:02X}" for a, d, r in cycles)


def variant(case: Case) -> tuple:
    """Which variant a case exercises: its cycle count (page crossing for reads, branch taken or
    crossing) and, for indexed modes, whether the indexing crossed a page."""
    mode = busmodel.describe(case.opcode)[1]
    crossed = False
    if mode in ("abx", "aby", "iny"):
        _, ea, uncorrected = busmodel.addressing(mode, case.registers, case.memory)
        crossed = ea != uncorrected
    return (len(case.expected[0]), crossed)


def random_case(rng: random.Random, opcode: int, decimal: bool = False) -> Case:
    """A random state and memory with `opcode` at a random PC away from the trampoline."""
    mnemonic, _ = busmodel.describe(opcode)
    memory = bytearray(rng.randbytes(65536))
    while True:
        pc = rng.randrange(0x0200, 0xFFF0)
        if pc not in KEEP_OUT:
            break
    memory[pc] = opcode
    p = rng.randrange(256) | 0x30
    if not decimal:
        p &= ~0x08
    registers = Registers(pc, rng.randrange(256), rng.randrange(256), rng.randrange(256),
                          rng.randrange(256), p)
    return Case(registers, bytes(memory))


def leaves_trampoline_reachable(case: Case) -> bool:
    """The next PC must not land in or just before the preamble."""
    after = case.expected[1]
    return all(a not in KEEP_OUT for a in range(after.pc, after.pc + 3))


def cases_for(rng: random.Random, opcode: int, per_variant: int = 1, tries: int = 40) -> list[Case]:
    """Random cases for one opcode until each of its timing variants has `per_variant` cases."""
    found: dict[tuple, list[Case]] = {}
    for _ in range(tries):
        case = random_case(rng, opcode)
        if not leaves_trampoline_reachable(case):
            continue
        bucket = found.setdefault(variant(case), [])
        if len(bucket) < per_variant:
            bucket.append(case)
    return [case for bucket in found.values() for case in bucket]
