"""NMOS decimal mode: ADC, SBC and ARR with D set, for random operands (valid and invalid BCD),
against the NMOS behaviour as Bruce Clark's "Decimal Mode" tutorial (appendix A) and the
"NMOS 6510 Unintended Opcodes" notes describe it. py65 does not model these flags.
"""
import random
from dataclasses import replace

import pytest

from ttsim.tb.cpu6502 import cases

C, Z, V, N = 0x01, 0x02, 0x40, 0x80


def signed(value: int) -> int:
    return value - 0x100 if value & 0x80 else value


def adc(a: int, b: int, carry: int) -> tuple[int, dict]:
    low = (a & 0x0F) + (b & 0x0F) + carry
    if low >= 0x0A:
        low = ((low + 0x06) & 0x0F) + 0x10
    total = (a & 0xF0) + (b & 0xF0) + low
    signed_total = signed(a & 0xF0) + signed(b & 0xF0) + low
    flags = {N: total & 0x80, V: not -128 <= signed_total <= 127, Z: (a + b + carry) & 0xFF == 0}
    if total >= 0xA0:
        total += 0x60
    flags[C] = total >= 0x100
    return total & 0xFF, flags


def sbc(a: int, b: int, carry: int) -> tuple[int, dict]:
    binary = a - b - (1 - carry)
    low = (a & 0x0F) - (b & 0x0F) - (1 - carry)
    if low < 0:
        low = ((low - 0x06) & 0x0F) - 0x10
    total = (a & 0xF0) - (b & 0xF0) + low
    if total < 0:
        total -= 0x60
    flags = {C: binary >= 0, Z: binary & 0xFF == 0, N: binary & 0x80,
             V: (a ^ b) & (a ^ binary) & 0x80}
    return total & 0xFF, flags


def arr(a: int, b: int, carry: int) -> tuple[int, dict]:
    masked = a & b
    result = (masked >> 1) | (carry << 7)
    flags = {N: carry, Z: result == 0, V: (masked ^ result) & 0x40}
    if (masked & 0x0F) + (masked & 0x01) > 5:
        result = (result & 0xF0) | ((result + 6) & 0x0F)
    flags[C] = (masked & 0xF0) + (masked & 0x10) > 0x50
    if flags[C]:
        result = (result + 0x60) & 0xFF
    return result, flags


@pytest.mark.parametrize("opcode, reference", [(0x69, adc), (0xE9, sbc), (0x6B, arr)])
def test_decimal_arithmetic_matches_the_nmos_part(opcode, reference):
    rng = random.Random(opcode)
    runs = []
    for _ in range(150):
        case = cases.random_case(rng, opcode, decimal=True)
        registers = replace(case.registers, p=case.registers.p | 0x08)
        runs.append(cases.Case(registers, case.memory))
    for outcome in cases.run(runs):
        before = outcome.case.registers
        operand = outcome.case.memory[(before.pc + 1) & 0xFFFF]
        result, flags = reference(before.a, operand, before.p & C)
        got = outcome.registers
        where = f"{opcode:02X} with A={before.a:02X} operand={operand:02X} C={before.p & C}"
        assert got.a == result, f"{where}: A={got.a:02X}, expected {result:02X}"
        for bit, value in flags.items():
            assert bool(got.p & bit) == bool(value), f"{where}: flag {bit:#04x} wrong (P={got.p:02X})"
