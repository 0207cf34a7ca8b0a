"""A reference for the 6502's bus, written from the published per-cycle timing tables.

`step(state, memory)` executes one instruction and returns the bus cycles an NMOS 6502 performs for
it, as (address, data, is_read), plus the registers and memory afterwards. It is independent of the
HDL: the addressing sequences are spelled out here from the cycle tables (dummy reads, the
read-modify-write double write, page-crossing and branch cycles, the stack and vector cycles), the
values come from py65 for documented opcodes and from py65's operations combined for the
undocumented ones.
"""
from __future__ import annotations

from dataclasses import dataclass

from py65.devices.mpu6502 import MPU

# Undocumented opcodes covered, with py65's addressing-mode names.
UNDOCUMENTED: dict[int, tuple[str, str]] = {}


def _undocumented():
    modes = {0x03: "inx", 0x07: "zpg", 0x0F: "abs", 0x13: "iny", 0x17: "zpx", 0x1B: "aby",
             0x1F: "abx"}
    for mnemonic, base in (("SLO", 0x00), ("RLA", 0x20), ("SRE", 0x40), ("RRA", 0x60),
                           ("DCP", 0xC0), ("ISC", 0xE0)):
        for offset, mode in modes.items():
            UNDOCUMENTED[base + offset] = (mnemonic, mode)
    for opcode, mode in ((0xA7, "zpg"), (0xB7, "zpy"), (0xAF, "abs"), (0xBF, "aby"),
                         (0xA3, "inx"), (0xB3, "iny")):
        UNDOCUMENTED[opcode] = ("LAX", mode)
    for opcode, mode in ((0x87, "zpg"), (0x97, "zpy"), (0x8F, "abs"), (0x83, "inx")):
        UNDOCUMENTED[opcode] = ("SAX", mode)
    for opcode, mnemonic in ((0x0B, "ANC"), (0x2B, "ANC"), (0x4B, "ALR"), (0x6B, "ARR"),
                             (0xCB, "SBX"), (0xEB, "SBC")):
        UNDOCUMENTED[opcode] = (mnemonic, "imm")
    nops = {"imp": (0x1A, 0x3A, 0x5A, 0x7A, 0xDA, 0xFA), "imm": (0x80, 0x82, 0x89, 0xC2, 0xE2),
            "zpg": (0x04, 0x44, 0x64), "zpx": (0x14, 0x34, 0x54, 0x74, 0xD4, 0xF4),
            "abs": (0x0C,), "abx": (0x1C, 0x3C, 0x5C, 0x7C, 0xDC, 0xFC)}
    for mode, opcodes in nops.items():
        for opcode in opcodes:
            UNDOCUMENTED[opcode] = ("NOP", mode)
    for opcode in (0x02, 0x12, 0x22, 0x32, 0x42, 0x52, 0x62, 0x72, 0x92, 0xB2, 0xD2, 0xF2):
        UNDOCUMENTED[opcode] = ("JAM", "imp")
    # Unstable on real parts; modelled as most NMOS chips behave (ANE/LXA with magic $EE).
    for opcode, mnemonic, mode in ((0xBB, "LAS", "aby"), (0x8B, "ANE", "imm"),
                                   (0xAB, "LXA", "imm"), (0x9F, "SHA", "aby"),
                                   (0x93, "SHA", "iny"), (0x9E, "SHX", "aby"),
                                   (0x9C, "SHY", "abx"), (0x9B, "TAS", "aby")):
        UNDOCUMENTED[opcode] = (mnemonic, mode)


_undocumented()
DOCUMENTED: dict[int, tuple[str, str]] = {
    opcode: entry for opcode, entry in enumerate(MPU().disassemble) if entry[0] != "???"}

RMW = {"ASL", "LSR", "ROL", "ROR", "INC", "DEC", "SLO", "RLA", "SRE", "RRA", "DCP", "ISC"}
WRITES = {"STA", "STX", "STY", "SAX", "SHA", "SHX", "SHY", "TAS"}
# Stores of a register AND (base address high byte + 1).
HIGH_BYTE_STORES = {"SHA": "ax", "SHX": "x", "SHY": "y", "TAS": "ax"}
LENGTH = {"imp": 1, "acc": 1, "imm": 2, "zpg": 2, "zpx": 2, "zpy": 2, "rel": 2, "inx": 2,
          "iny": 2, "abs": 3, "abx": 3, "aby": 3, "ind": 3}
# Flags compared between models: B and bit 5 do not exist in the register.
FLAG_MASK = 0xCF
# Branch opcode -> (P bit tested, value that takes the branch).
BRANCHES = {0x10: (7, 0), 0x30: (7, 1), 0x50: (6, 0), 0x70: (6, 1),
            0x90: (0, 0), 0xB0: (0, 1), 0xD0: (1, 0), 0xF0: (1, 1)}


@dataclass(frozen=True)
class Registers:
    pc: int
    a: int = 0
    x: int = 0
    y: int = 0
    s: int = 0xFD
    p: int = 0x34

    def same_as(self, other: Registers) -> bool:
        return (self.pc, self.a, self.x, self.y, self.s, self.p & FLAG_MASK) == (
            other.pc, other.a, other.x, other.y, other.s, other.p & FLAG_MASK)


def describe(opcode: int) -> tuple[str, str]:
    return DOCUMENTED.get(opcode) or UNDOCUMENTED[opcode]


def py65_mpu(state: Registers, memory) -> MPU:
    mpu = MPU(memory=list(memory))
    mpu.pc, mpu.a, mpu.x, mpu.y, mpu.sp, mpu.p = (state.pc, state.a, state.x, state.y, state.s,
                                                  state.p | 0x30)
    return mpu


def registers_of(mpu: MPU) -> Registers:
    return Registers(mpu.pc, mpu.a, mpu.x, mpu.y, mpu.sp, mpu.p | 0x30)


def _word(memory, address: int) -> int:
    return memory[address & 0xFFFF] | memory[(address + 1) & 0xFFFF] << 8


def _zero_page_word(memory, pointer: int) -> int:
    return memory[pointer & 0xFF] | memory[(pointer + 1) & 0xFF] << 8


def addressing(mode: str, state: Registers, memory) -> tuple[list[int], int, int]:
    """Reads before the access, the effective address, and the address read before the high
    byte is corrected (equal to the effective address unless indexing crossed a page)."""
    pc, op1 = state.pc, memory[(state.pc + 1) & 0xFFFF]
    operand_reads = [pc + 1]
    if mode == "zpg":
        return operand_reads, op1, op1
    if mode in ("zpx", "zpy"):
        ea = (op1 + (state.x if mode == "zpx" else state.y)) & 0xFF
        return operand_reads + [op1], ea, ea
    if mode == "abs":
        ea = _word(memory, pc + 1)
        return operand_reads + [pc + 2], ea, ea
    if mode in ("abx", "aby"):
        base = _word(memory, pc + 1)
        ea = (base + (state.x if mode == "abx" else state.y)) & 0xFFFF
        return operand_reads + [pc + 2], ea, (base & 0xFF00) | (ea & 0xFF)
    if mode == "inx":
        pointer = (op1 + state.x) & 0xFF
        ea = _zero_page_word(memory, pointer)
        return operand_reads + [op1, pointer, (pointer + 1) & 0xFF], ea, ea
    if mode == "iny":
        base = _zero_page_word(memory, op1)
        ea = (base + state.y) & 0xFFFF
        return operand_reads + [op1, (op1 + 1) & 0xFF], ea, (base & 0xFF00) | (ea & 0xFF)
    raise ValueError(mode)


def _execute_undocumented(mpu: MPU, mnemonic: str, mode: str, ea: int) -> int:
    """The undocumented operations, as combinations of py65's documented ones; returns the
    address a store writes (SHA/SHX/SHY/TAS change it when indexing crosses a page)."""
    address = (lambda: ea)
    memory = mpu.memory
    combined = {"SLO": ("opASL", "opORA"), "RLA": ("opROL", "opAND"), "SRE": ("opLSR", "opEOR"),
                "RRA": ("opROR", "opADC"), "ISC": ("opINCR", "opSBC"), "LAX": ("opLDA", "opLDX"),
                "SBC": ("opSBC",)}
    if mnemonic in combined:
        for name in combined[mnemonic]:
            getattr(mpu, name)(address)
    elif mnemonic == "DCP":
        mpu.opDECR(address)
        mpu.opCMPR(address, mpu.a)
    elif mnemonic == "SAX":
        memory[ea] = mpu.a & mpu.x
    elif mnemonic in HIGH_BYTE_STORES:
        _, _, uncorrected = addressing(mode, registers_of(mpu), memory)
        if mnemonic == "TAS":
            mpu.sp = mpu.a & mpu.x
        register = {"ax": mpu.a & mpu.x, "x": mpu.x, "y": mpu.y}[HIGH_BYTE_STORES[mnemonic]]
        value = register & ((uncorrected >> 8) + 1) & 0xFF
        if uncorrected != ea:
            ea = value << 8 | (ea & 0xFF)
        memory[ea] = value
    elif mnemonic in ("LAS", "ANE", "LXA"):
        operand = memory[ea]
        if mnemonic == "LAS":
            mpu.a = mpu.x = mpu.sp = operand & mpu.sp
        elif mnemonic == "ANE":
            mpu.a = (mpu.a | 0xEE) & mpu.x & operand
        else:
            mpu.a = mpu.x = (mpu.a | 0xEE) & operand
        mpu.FlagsNZ(mpu.a)
    elif mnemonic in ("ANC", "ALR", "ARR", "SBX"):
        value = mpu.memory[ea]
        carry = mpu.p & 1
        masked = mpu.a & value
        if mnemonic == "ANC":
            mpu.a, carry = masked, masked >> 7
        elif mnemonic == "ALR":
            mpu.a, carry = masked >> 1, masked & 1
        elif mnemonic == "ARR":   # binary mode only here
            mpu.a = (masked >> 1) | (carry << 7)
            carry = (mpu.a >> 6) & 1
            overflow = ((mpu.a >> 6) ^ (mpu.a >> 5)) & 1
            mpu.p = (mpu.p & ~0x40) | (overflow << 6)
        else:
            difference = (mpu.a & mpu.x) - value
            mpu.x, carry = difference & 0xFF, int(difference >= 0)
        result = mpu.x if mnemonic == "SBX" else mpu.a
        mpu.p = (mpu.p & ~0x83) | (result & 0x80) | (2 if result == 0 else 0) | carry
    if mnemonic != "JAM":
        mpu.pc = (mpu.pc + LENGTH[mode]) & 0xFFFF
    return ea


def step(state: Registers, memory: bytes) -> tuple[list[tuple[int, int, bool]], Registers, bytearray]:
    """One instruction at state.pc: (bus cycles, registers after, memory after)."""
    opcode = memory[state.pc]
    mnemonic, mode = describe(opcode)
    mpu = py65_mpu(state, memory)
    ea = None
    if mode not in ("imp", "acc", "rel", "ind") and mnemonic not in ("JMP", "JSR"):
        ea = (state.pc + 1) & 0xFFFF if mode == "imm" else addressing(mode, state, memory)[1]
    if opcode in DOCUMENTED:
        mpu.step()
    else:
        ea = _execute_undocumented(mpu, mnemonic, mode, ea)
    after = bytearray(mpu.memory)
    return _cycles(mnemonic, mode, opcode, state, memory, after, ea), registers_of(mpu), after


def _cycles(mnemonic, mode, opcode, state, before, after, store_address):
    pc, s = state.pc, state.s

    def read(address):
        return (address & 0xFFFF, before[address & 0xFFFF], True)

    def write(address, data=None):
        address &= 0xFFFF
        return (address, after[address] if data is None else data, False)

    def stack(offset):
        return 0x100 | ((s + offset) & 0xFF)

    cycles = [read(pc), read(pc + 1)]
    if mnemonic == "BRK":
        return cycles + [write(stack(0)), write(stack(-1)), write(stack(-2)),
                         read(0xFFFE), read(0xFFFF)]
    if mnemonic == "JSR":
        return cycles + [read(stack(0)), write(stack(0)), write(stack(-1)), read(pc + 2)]
    if mnemonic == "RTS":
        return cycles + [read(stack(0)), read(stack(1)), read(stack(2)),
                         read(before[stack(1)] | before[stack(2)] << 8)]
    if mnemonic == "RTI":
        return cycles + [read(stack(0)), read(stack(1)), read(stack(2)), read(stack(3))]
    if mnemonic in ("PHA", "PHP"):
        return cycles + [write(stack(0))]
    if mnemonic in ("PLA", "PLP"):
        return cycles + [read(stack(0)), read(stack(1))]
    if mnemonic == "JMP":
        cycles.append(read(pc + 2))
        if mode == "ind":
            pointer = _word(before, pc + 1)
            cycles += [read(pointer), read((pointer & 0xFF00) | ((pointer + 1) & 0xFF))]
        return cycles
    if mode == "rel":
        bit, wanted = BRANCHES[opcode]
        if (state.p >> bit) & 1 == wanted:
            next_pc = (pc + 2) & 0xFFFF
            target = (next_pc + ((before[(pc + 1) & 0xFFFF] ^ 0x80) - 0x80)) & 0xFFFF
            cycles.append(read(next_pc))
            if target >> 8 != next_pc >> 8:
                cycles.append(read((next_pc & 0xFF00) | (target & 0xFF)))
        return cycles
    if mode in ("imp", "acc", "imm"):
        return cycles
    operand_reads, ea, uncorrected = addressing(mode, state, before)
    cycles = [read(pc)] + [read(a) for a in operand_reads]
    kind = "rmw" if mnemonic in RMW else "write" if mnemonic in WRITES else "read"
    if mode in ("abx", "aby", "iny") and (kind != "read" or uncorrected != ea):
        cycles.append(read(uncorrected))
    if kind == "read":
        return cycles + [read(ea)]
    if kind == "write":
        return cycles + [write(store_address)]
    return cycles + [read(ea), write(ea, before[ea]), write(ea)]
