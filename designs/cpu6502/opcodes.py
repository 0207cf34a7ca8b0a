"""The 6502 opcode matrix and the decoder that turns an opcode into control fields.

`OPCODES` maps every opcode to (mnemonic, addressing mode). The decoder derives from it
how the sequencer walks the bus (`Mode`, `Access`), which operation the execute unit performs at the
end (`Op`), which register a store writes (`Store`) and, for read-modify-write instructions, the
modify step (`Op` of the shift/increment) that precedes the final operation.
"""
from amaranth.hdl import Module
from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out


class Mode(enum.Enum, shape=5):
    """Bus sequence of an instruction (its addressing mode or control-flow kind)."""
    IMP = 0       # implied / accumulator: one dummy read of PC
    IMM = 1
    ZP = 2
    ZPX = 3
    ZPY = 4
    ABS = 5
    ABSX = 6
    ABSY = 7
    INDX = 8      # (zp,X)
    INDY = 9      # (zp),Y
    REL = 10      # branches
    JMP = 11
    JMPI = 12     # JMP (abs), with the NMOS page-wrap bug
    JSR = 13
    RTS = 14
    RTI = 15
    BRK = 16      # also IRQ, NMI and reset, which enter it with a forced opcode 00
    PUSH = 17     # PHA, PHP
    PULL = 18     # PLA, PLP
    JAM = 19


class Access(enum.Enum, shape=2):
    """What a memory addressing mode does at the effective address."""
    READ = 0
    WRITE = 1
    RMW = 2


class Op(enum.Enum, shape=6):
    """Operation of the execute unit, applied to one operand byte."""
    NOP = 0
    LDA = 1
    LDX = 2
    LDY = 3
    LAX = 4
    ORA = 5
    AND = 6
    EOR = 7
    ADC = 8
    SBC = 9
    CMP = 10
    CPX = 11
    CPY = 12
    BIT = 13
    ANC = 14
    ALR = 15
    ARR = 16
    SBX = 17
    TAX = 18
    TAY = 19
    TXA = 20
    TYA = 21
    TSX = 22
    TXS = 23
    INX = 24
    INY = 25
    DEX = 26
    DEY = 27
    CLC = 28
    SEC = 29
    CLI = 30
    SEI = 31
    CLD = 32
    SED = 33
    CLV = 34
    PLP = 35
    ASL = 36
    LSR = 37
    ROL = 38
    ROR = 39
    INC = 40
    DEC = 41
    LAS = 42
    ANE = 43
    LXA = 44
    TAS = 45


class Store(enum.Enum, shape=3):
    """Byte written by a store or push."""
    A = 0
    X = 1
    Y = 2
    AX = 3        # SAX: A AND X
    P = 4         # PHP: status with B set
    # The unstable stores AND their register with the base address's high byte plus one.
    AXH = 5       # SHA, TAS
    XH = 6        # SHX
    YH = 7        # SHY


def _matrix() -> dict[int, tuple[str, str]]:
    table = {}

    def add(mnemonic, **modes):
        for mode, opcode in modes.items():
            table[opcode] = (mnemonic, mode.upper())

    # Documented opcodes.
    add("ADC", imm=0x69, zp=0x65, zpx=0x75, abs=0x6D, absx=0x7D, absy=0x79, indx=0x61, indy=0x71)
    add("AND", imm=0x29, zp=0x25, zpx=0x35, abs=0x2D, absx=0x3D, absy=0x39, indx=0x21, indy=0x31)
    add("ASL", imp=0x0A, zp=0x06, zpx=0x16, abs=0x0E, absx=0x1E)
    add("BIT", zp=0x24, abs=0x2C)
    for mnemonic, opcode in (("BPL", 0x10), ("BMI", 0x30), ("BVC", 0x50), ("BVS", 0x70),
                             ("BCC", 0x90), ("BCS", 0xB0), ("BNE", 0xD0), ("BEQ", 0xF0)):
        add(mnemonic, rel=opcode)
    add("BRK", brk=0x00)
    for mnemonic, opcode in (("CLC", 0x18), ("SEC", 0x38), ("CLI", 0x58), ("SEI", 0x78),
                             ("CLV", 0xB8), ("CLD", 0xD8), ("SED", 0xF8), ("TAX", 0xAA),
                             ("TXA", 0x8A), ("TAY", 0xA8), ("TYA", 0x98), ("TSX", 0xBA),
                             ("TXS", 0x9A), ("INX", 0xE8), ("INY", 0xC8), ("DEX", 0xCA),
                             ("DEY", 0x88), ("NOP", 0xEA)):
        add(mnemonic, imp=opcode)
    add("CMP", imm=0xC9, zp=0xC5, zpx=0xD5, abs=0xCD, absx=0xDD, absy=0xD9, indx=0xC1, indy=0xD1)
    add("CPX", imm=0xE0, zp=0xE4, abs=0xEC)
    add("CPY", imm=0xC0, zp=0xC4, abs=0xCC)
    add("DEC", zp=0xC6, zpx=0xD6, abs=0xCE, absx=0xDE)
    add("EOR", imm=0x49, zp=0x45, zpx=0x55, abs=0x4D, absx=0x5D, absy=0x59, indx=0x41, indy=0x51)
    add("INC", zp=0xE6, zpx=0xF6, abs=0xEE, absx=0xFE)
    add("JMP", jmp=0x4C, jmpi=0x6C)
    add("JSR", jsr=0x20)
    add("LDA", imm=0xA9, zp=0xA5, zpx=0xB5, abs=0xAD, absx=0xBD, absy=0xB9, indx=0xA1, indy=0xB1)
    add("LDX", imm=0xA2, zp=0xA6, zpy=0xB6, abs=0xAE, absy=0xBE)
    add("LDY", imm=0xA0, zp=0xA4, zpx=0xB4, abs=0xAC, absx=0xBC)
    add("LSR", imp=0x4A, zp=0x46, zpx=0x56, abs=0x4E, absx=0x5E)
    add("ORA", imm=0x09, zp=0x05, zpx=0x15, abs=0x0D, absx=0x1D, absy=0x19, indx=0x01, indy=0x11)
    add("PHA", push=0x48)
    add("PHP", push=0x08)
    add("PLA", pull=0x68)
    add("PLP", pull=0x28)
    add("ROL", imp=0x2A, zp=0x26, zpx=0x36, abs=0x2E, absx=0x3E)
    add("ROR", imp=0x6A, zp=0x66, zpx=0x76, abs=0x6E, absx=0x7E)
    add("RTI", rti=0x40)
    add("RTS", rts=0x60)
    add("SBC", imm=0xE9, zp=0xE5, zpx=0xF5, abs=0xED, absx=0xFD, absy=0xF9, indx=0xE1, indy=0xF1)
    add("STA", zp=0x85, zpx=0x95, abs=0x8D, absx=0x9D, absy=0x99, indx=0x81, indy=0x91)
    add("STX", zp=0x86, zpy=0x96, abs=0x8E)
    add("STY", zp=0x84, zpx=0x94, abs=0x8C)
    documented = len(table)

    # The stable undocumented opcodes.
    add("LAX", zp=0xA7, zpy=0xB7, abs=0xAF, absy=0xBF, indx=0xA3, indy=0xB3)
    add("SAX", zp=0x87, zpy=0x97, abs=0x8F, indx=0x83)
    for mnemonic, base in (("SLO", 0x00), ("RLA", 0x20), ("SRE", 0x40), ("RRA", 0x60),
                           ("DCP", 0xC0), ("ISC", 0xE0)):
        add(mnemonic, indx=base + 0x03, zp=base + 0x07, abs=base + 0x0F, indy=base + 0x13,
            zpx=base + 0x17, absy=base + 0x1B, absx=base + 0x1F)
    add("ANC", imm=0x0B)
    table[0x2B] = ("ANC", "IMM")
    add("ALR", imm=0x4B)
    add("ARR", imm=0x6B)
    add("SBX", imm=0xCB)
    table[0xEB] = ("SBC", "IMM")
    for opcode in (0x1A, 0x3A, 0x5A, 0x7A, 0xDA, 0xFA):
        table[opcode] = ("NOP", "IMP")
    for opcode in (0x80, 0x82, 0x89, 0xC2, 0xE2):
        table[opcode] = ("NOP", "IMM")
    for opcode in (0x04, 0x44, 0x64):
        table[opcode] = ("NOP", "ZP")
    for opcode in (0x14, 0x34, 0x54, 0x74, 0xD4, 0xF4):
        table[opcode] = ("NOP", "ZPX")
    table[0x0C] = ("NOP", "ABS")
    for opcode in (0x1C, 0x3C, 0x5C, 0x7C, 0xDC, 0xFC):
        table[opcode] = ("NOP", "ABSX")
    for opcode in (0x02, 0x12, 0x22, 0x32, 0x42, 0x52, 0x62, 0x72, 0x92, 0xB2, 0xD2, 0xF2):
        table[opcode] = ("JAM", "JAM")

    # The unstable ones, with the behaviour most NMOS parts show (ANE/LXA with magic $EE).
    add("LAS", absy=0xBB)
    add("ANE", imm=0x8B)
    add("LXA", imm=0xAB)
    add("SHA", absy=0x9F, indy=0x93)
    add("SHX", absy=0x9E)
    add("SHY", absx=0x9C)
    add("TAS", absy=0x9B)
    assert documented == 151 and len(table) == 256
    return table


OPCODES = _matrix()
DOCUMENTED_COUNT = 151

# Read-modify-write mnemonics: (modify step, final operation on A).
RMW_STEPS = {
    "ASL": (Op.ASL, Op.NOP), "LSR": (Op.LSR, Op.NOP), "ROL": (Op.ROL, Op.NOP),
    "ROR": (Op.ROR, Op.NOP), "INC": (Op.INC, Op.NOP), "DEC": (Op.DEC, Op.NOP),
    "SLO": (Op.ASL, Op.ORA), "RLA": (Op.ROL, Op.AND), "SRE": (Op.LSR, Op.EOR),
    "RRA": (Op.ROR, Op.ADC), "DCP": (Op.DEC, Op.CMP), "ISC": (Op.INC, Op.SBC),
}
STORES = {"STA": Store.A, "STX": Store.X, "STY": Store.Y, "SAX": Store.AX,
          "PHA": Store.A, "PHP": Store.P,
          "SHA": Store.AXH, "TAS": Store.AXH, "SHX": Store.XH, "SHY": Store.YH}
# Mnemonics whose operation has another name in `Op`.
OP_ALIASES = {"PLA": Op.LDA}
# Modes that address memory, and so have an Access kind.
MEMORY_MODES = {"ZP", "ZPX", "ZPY", "ABS", "ABSX", "ABSY", "INDX", "INDY"}


def fields(opcode: int) -> dict:
    """The decoder's fields for one opcode, as Python values."""
    mnemonic, mode = OPCODES[opcode]
    access = Access.READ
    op, modify = Op.NOP, Op.NOP
    if mnemonic in RMW_STEPS and mode != "IMP":
        access = Access.RMW
        modify, op = RMW_STEPS[mnemonic]
    else:
        if mnemonic in STORES and mode in MEMORY_MODES:
            access = Access.WRITE
        op = OP_ALIASES.get(mnemonic) or Op.__members__.get(mnemonic, Op.NOP)
    return {
        "mode": Mode[mode],
        "access": access,
        "op": op,
        "modify": modify,
        "store": STORES.get(mnemonic, Store.A),
    }


class Decoder(wiring.Component):
    """Combinational opcode decoder.

    `opcode` in; out: `mode` (bus sequence), `access` (read, write or read-modify-write at the
    effective address), `op` (final operation of the execute unit), `modify` (the shift or
    increment of a read-modify-write, done before `op`) and `store` (the byte a store writes).
    """

    opcode: In(8)
    mode: Out(Mode)
    access: Out(Access)
    op: Out(Op)
    modify: Out(Op)
    store: Out(Store)

    def elaborate(self, platform):
        m = Module()
        with m.Switch(self.opcode):
            for opcode in range(256):
                with m.Case(opcode):
                    for name, value in fields(opcode).items():
                        m.d.comb += getattr(self, name).eq(value)
        return m
