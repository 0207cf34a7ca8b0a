"""The execute unit: one operation on an operand byte and the registers, as the NMOS 6502 does it.

Decimal mode follows the NMOS part, including its flags: for ADC, Z comes from the binary sum while
N and V come from the sum after the low-nibble adjustment; for SBC every flag comes from the binary
difference. ARR has its own decimal fix-up.
"""
from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .opcodes import Op

# Bit positions in P.
C, Z, I, D, B, U, V, N = range(8)


class ExecuteUnit(wiring.Component):
    """Combinational: the registers after `op` is applied to `operand`.

    In: `op`, `operand` (the byte read, or the modified byte of a read-modify-write),
    `accumulator` (shift ops take A and write A, as in `ASL A`), and the registers `a`, `x`, `y`,
    `s`, `p`. Out: the registers after the operation (`*_next`) and `result`, the byte a
    read-modify-write step writes back.
    """

    op: In(Op)
    operand: In(8)
    accumulator: In(1)
    a: In(8)
    x: In(8)
    y: In(8)
    s: In(8)
    p: In(8)
    a_next: Out(8)
    x_next: Out(8)
    y_next: Out(8)
    s_next: Out(8)
    p_next: Out(8)
    result: Out(8)

    def elaborate(self, platform):
        m = Module()
        a, x, y, p, operand = self.a, self.x, self.y, self.p, self.operand
        carry = p[C]
        decimal = p[D]

        m.d.comb += [self.a_next.eq(a), self.x_next.eq(x), self.y_next.eq(y),
                     self.s_next.eq(self.s), self.p_next.eq(p), self.result.eq(operand)]

        def set_nz(value):
            m.d.comb += [self.p_next[N].eq(value[7]), self.p_next[Z].eq(value == 0)]

        def load(*targets, value=operand):
            m.d.comb += [t.eq(value) for t in targets]
            set_nz(value)

        def compare(register, value=operand):
            difference = Signal(9)
            m.d.comb += difference.eq(register - value)
            set_nz(difference[:8])
            m.d.comb += self.p_next[C].eq(~difference[8])

        add_result, add_flags = self._adder(m, a, operand, carry, decimal)
        sub_result, sub_flags = self._subtractor(m, a, operand, carry, decimal)
        # Shift/increment source: A for `ASL A` and friends, else the byte read.
        shift_in = Mux(self.accumulator, a, operand)

        with m.Switch(self.op):
            with m.Case(Op.LDA):
                load(self.a_next)
            with m.Case(Op.LDX):
                load(self.x_next)
            with m.Case(Op.LDY):
                load(self.y_next)
            with m.Case(Op.LAX):
                load(self.a_next, self.x_next)
            with m.Case(Op.ORA):
                load(self.a_next, value=a | operand)
            with m.Case(Op.AND):
                load(self.a_next, value=a & operand)
            with m.Case(Op.EOR):
                load(self.a_next, value=a ^ operand)
            with m.Case(Op.ADC):
                m.d.comb += [self.a_next.eq(add_result), self.p_next.eq(add_flags)]
            with m.Case(Op.SBC):
                m.d.comb += [self.a_next.eq(sub_result), self.p_next.eq(sub_flags)]
            with m.Case(Op.CMP):
                compare(a)
            with m.Case(Op.CPX):
                compare(x)
            with m.Case(Op.CPY):
                compare(y)
            with m.Case(Op.BIT):
                m.d.comb += [self.p_next[Z].eq((a & operand) == 0),
                             self.p_next[N].eq(operand[7]), self.p_next[V].eq(operand[6])]
            with m.Case(Op.ANC):
                load(self.a_next, value=a & operand)
                m.d.comb += self.p_next[C].eq((a & operand)[7])
            with m.Case(Op.ALR):
                masked = a & operand
                load(self.a_next, value=masked >> 1)
                m.d.comb += self.p_next[C].eq(masked[0])
            with m.Case(Op.ARR):
                self._arr(m, a & operand, carry, decimal)
            with m.Case(Op.SBX):
                compare(a & x)
                m.d.comb += self.x_next.eq((a & x) - operand)
            with m.Case(Op.TAX):
                load(self.x_next, value=a)
            with m.Case(Op.TAY):
                load(self.y_next, value=a)
            with m.Case(Op.TXA):
                load(self.a_next, value=x)
            with m.Case(Op.TYA):
                load(self.a_next, value=y)
            with m.Case(Op.TSX):
                load(self.x_next, value=self.s)
            with m.Case(Op.TXS):
                m.d.comb += self.s_next.eq(x)
            with m.Case(Op.INX):
                load(self.x_next, value=(x + 1)[:8])
            with m.Case(Op.INY):
                load(self.y_next, value=(y + 1)[:8])
            with m.Case(Op.DEX):
                load(self.x_next, value=(x - 1)[:8])
            with m.Case(Op.DEY):
                load(self.y_next, value=(y - 1)[:8])
            for op, bit, value in ((Op.CLC, C, 0), (Op.SEC, C, 1), (Op.CLI, I, 0), (Op.SEI, I, 1),
                                   (Op.CLD, D, 0), (Op.SED, D, 1), (Op.CLV, V, 0)):
                with m.Case(op):
                    m.d.comb += self.p_next[bit].eq(value)
            with m.Case(Op.PLP):
                m.d.comb += self.p_next.eq(operand | 0x30)
            for op, shifted, carry_out in (
                    (Op.ASL, Cat(Const(0, 1), shift_in[:7]), shift_in[7]),
                    (Op.LSR, Cat(shift_in[1:], Const(0, 1)), shift_in[0]),
                    (Op.ROL, Cat(carry, shift_in[:7]), shift_in[7]),
                    (Op.ROR, Cat(shift_in[1:], carry), shift_in[0])):
                with m.Case(op):
                    self._modify(m, shifted, set_nz)
                    m.d.comb += self.p_next[C].eq(carry_out)
            with m.Case(Op.LAS):
                load(self.a_next, self.x_next, self.s_next, value=operand & self.s)
            with m.Case(Op.ANE):
                load(self.a_next, value=(a | 0xEE) & x & operand)
            with m.Case(Op.LXA):
                load(self.a_next, self.x_next, value=(a | 0xEE) & operand)
            with m.Case(Op.TAS):
                m.d.comb += self.s_next.eq(a & x)
            with m.Case(Op.INC):
                self._modify(m, (shift_in + 1)[:8], set_nz)
            with m.Case(Op.DEC):
                self._modify(m, (shift_in - 1)[:8], set_nz)
        return m

    def _modify(self, m, value, set_nz):
        """A shift or increment: the result goes to `result`, and to A in accumulator mode."""
        m.d.comb += self.result.eq(value)
        with m.If(self.accumulator):
            m.d.comb += self.a_next.eq(value)
        set_nz(value)

    def _adder(self, m, a, b, carry, decimal):
        """ADC: (result, flags) with the NMOS decimal behaviour."""
        binary = Signal(9)
        m.d.comb += binary.eq(a + b + carry)
        low = Signal(6)
        m.d.comb += low.eq(a[:4] + b[:4] + carry)
        low_adjusted = Signal(6)
        m.d.comb += low_adjusted.eq(Mux(low > 9, low + 6, low))
        # Sum of the high nibbles plus the adjusted low digit and its carry: N and V of the NMOS
        # decimal ADC come from here, before the high digit is adjusted.
        partial = Signal(10)
        m.d.comb += partial.eq(Cat(low_adjusted[:4], a[4:]) + Cat(Const(0, 4), b[4:])
                               + Cat(Const(0, 4), low_adjusted > 0xF))
        high_adjusted = Signal(10)
        m.d.comb += high_adjusted.eq(Mux(partial[4:] > 9, partial + 0x60, partial))

        result, flags = Signal(8), Signal(8)
        m.d.comb += flags.eq(self.p)
        m.d.comb += flags[Z].eq(binary[:8] == 0)
        with m.If(decimal):
            m.d.comb += [result.eq(high_adjusted[:8]), flags[C].eq(high_adjusted[8:] != 0),
                         flags[N].eq(partial[7]),
                         flags[V].eq((a[7] ^ partial[7]) & ~(a[7] ^ b[7]))]
        with m.Else():
            m.d.comb += [result.eq(binary[:8]), flags[C].eq(binary[8]), flags[N].eq(binary[7]),
                         flags[V].eq((a[7] ^ binary[7]) & ~(a[7] ^ b[7]))]
        return result, flags

    def _subtractor(self, m, a, b, carry, decimal):
        """SBC: (result, flags); flags always from the binary difference, as on the NMOS part."""
        binary = Signal(9)
        m.d.comb += binary.eq(a + (~b)[:8] + carry)
        borrow = ~carry
        low = Signal(10)   # two's complement, 10 bits wide
        m.d.comb += low.eq(a[:4] - b[:4] - borrow)
        high = Signal(10)
        m.d.comb += high.eq(Cat(Const(0, 4), a[4:]) - Cat(Const(0, 4), b[4:]))
        combined = Signal(10)
        with m.If(low[4]):
            m.d.comb += combined.eq(Cat((low - 6)[:4], (high - 0x10)[4:]))
        with m.Else():
            m.d.comb += combined.eq(Cat(low[:4], high[4:]))
        decimal_result = Mux(combined[8], combined - 0x60, combined)[:8]

        result, flags = Signal(8), Signal(8)
        m.d.comb += [
            result.eq(Mux(decimal, decimal_result, binary[:8])),
            flags.eq(self.p),
            flags[C].eq(binary[8]),
            flags[Z].eq(binary[:8] == 0),
            flags[N].eq(binary[7]),
            flags[V].eq((a[7] ^ b[7]) & (a[7] ^ binary[7])),
        ]
        return result, flags

    def _arr(self, m, masked, carry, decimal):
        """ARR: AND then ROR through carry, with its peculiar C and V (and decimal fix-up)."""
        rotated = Cat(masked[1:], carry)
        m.d.comb += [self.p_next[Z].eq(rotated == 0), self.p_next[N].eq(carry)]
        with m.If(decimal):
            low_fixed = Mux(masked[:4] + masked[0] > 5,
                            Cat((rotated[:4] + 6)[:4], rotated[4:]), rotated)
            high_carry = (masked[4:] + masked[4]) > 5
            m.d.comb += [
                self.a_next.eq(Mux(high_carry, (low_fixed + 0x60)[:8], low_fixed)),
                self.p_next[C].eq(high_carry),
                self.p_next[V].eq(masked[6] ^ rotated[6]),
            ]
        with m.Else():
            m.d.comb += [
                self.a_next.eq(rotated),
                self.p_next[C].eq(rotated[6]),
                self.p_next[V].eq(rotated[6] ^ rotated[5]),
            ]
