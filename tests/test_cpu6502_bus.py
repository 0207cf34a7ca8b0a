"""Bus-cycle tests of the 6502: every documented opcode and the listed undocumented ones, each in
all its timing variants (page crossed or not, branch not taken / taken / taken across a page),
compared cycle by cycle with the bus model written from the timing tables (tb/cpu6502/busmodel.py).
"""
import random
from dataclasses import replace

import pytest

from ttsim.tb.cpu6502 import busmodel, cases

JAMS = {op for op, (mnemonic, _) in busmodel.UNDOCUMENTED.items() if mnemonic == "JAM"}
OPCODES = sorted(set(busmodel.DOCUMENTED) | set(busmodel.UNDOCUMENTED) - JAMS)


def test_the_opcode_tables_cover_what_the_issue_lists():
    assert len(busmodel.DOCUMENTED) == 151
    listed = {"LAX", "SAX", "DCP", "ISC", "SLO", "RLA", "SRE", "RRA", "ANC", "ALR", "ARR", "SBX",
              "NOP", "JAM"}
    assert listed <= {m for m, _ in busmodel.UNDOCUMENTED.values()}
    assert len(JAMS) == 12
    assert len(busmodel.DOCUMENTED) + len(busmodel.UNDOCUMENTED) == 256


def wrap_cases(rng: random.Random) -> list[cases.Case]:
    """The NMOS wrap-arounds random operands rarely hit: JMP ($xxFF) takes its high byte from
    $xx00; zero-page indexing and zero-page pointers at $FF wrap within page zero; a branch
    backwards across a page."""
    def case(opcode, operand, **registers):
        base = cases.random_case(rng, opcode)
        state = replace(base.registers, **registers)
        memory = bytearray(base.memory)
        memory[state.pc:state.pc + 1 + len(operand)] = bytes([opcode]) + operand
        return cases.Case(state, bytes(memory))

    built = [case(0x6C, bytes([0xFF, 0x12])),            # JMP ($12FF)
             case(0xB5, bytes([0xF0]), x=0x20),           # LDA $F0,X
             case(0xB6, bytes([0xF0]), y=0x20),           # LDX $F0,Y
             case(0xA1, bytes([0xF0]), x=0x0F),           # LDA ($F0,X): pointer at $FF/$00
             case(0xB1, bytes([0xFF]), y=0x10),           # LDA ($FF),Y
             case(0xD0, bytes([0x80]), pc=0x3005, p=0x30)]  # BNE -128 into the page below
    return [c for c in built if cases.leaves_trampoline_reachable(c)]


@pytest.fixture(scope="module")
def outcomes():
    rng = random.Random(6502)
    all_cases = wrap_cases(rng)
    for opcode in OPCODES:
        tries = 40 if busmodel.describe(opcode)[1] in ("rel", "abx", "aby", "iny") else 3
        all_cases += cases.cases_for(rng, opcode, tries=tries)
    return cases.run(all_cases)


def test_every_opcode_matches_the_bus_model(outcomes):
    failures = [text for text in map(cases.mismatch, outcomes) if text]
    assert not failures, f"{len(failures)} cases differ:\n" + "\n".join(failures[:20])


def test_all_timing_variants_were_exercised(outcomes):
    variants = {}
    for outcome in outcomes:
        variants.setdefault(outcome.case.opcode, set()).add(cases.variant(outcome.case))
    assert set(variants) == set(OPCODES)
    for opcode in OPCODES:
        mnemonic, mode = busmodel.describe(opcode)
        if mode == "rel":
            assert {cycles for cycles, _ in variants[opcode]} == {2, 3, 4}, mnemonic
        elif mode in ("abx", "aby", "iny"):
            assert {crossed for _, crossed in variants[opcode]} == {False, True}, (
                f"{mnemonic} {mode}: {variants[opcode]}")


def test_the_wrap_around_cases_ran(outcomes):
    jmp = next(o for o in outcomes if o.case.opcode == 0x6C
               and o.case.memory[o.case.registers.pc + 1] == 0xFF)
    assert jmp.cycles[-1][0] == 0x1200     # the pointer's high byte came from $1200, not $1300
    branch = next(o for o in outcomes if o.case.registers.pc == 0x3005)
    assert branch.registers.pc == 0x2F87 and len(branch.cycles) == 4
