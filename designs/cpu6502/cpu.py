"""A cycle-exact NMOS 6502 (and the 6507 of the Atari 2600), one clock per bus cycle.

Each state of the sequencer is one bus cycle. The address, R/W and write data of a cycle are a
function of registers only (nothing combinational from `data_in`), and the byte read is taken at
the rising edge that ends the cycle, where the sequencer also picks the next cycle. As on the real
part, an operation on the last byte an instruction reads (LDA, ADC, CMP, PLA...) completes during
the next opcode fetch; the register outputs show its result already, so at the start of every
opcode fetch (`sync` high) they hold the state after the previous instruction.

Interrupts follow the NMOS timing: the interrupt lines are sampled at the end of each cycle, and the
sample taken at the end of an instruction's next-to-last cycle decides whether an interrupt sequence
replaces the next instruction (so CLI/SEI/PLP act one instruction late, RTI at once, and a taken
branch that stays in its page delays an interrupt by one instruction). The interrupt sequence is
BRK's with the opcode forced to 00; an NMI seen by the end of its fourth cycle (the PCL push) takes
over the vector (an NMI hijacking BRK or IRQ). Reset runs the same sequence with reads instead of
writes. A JAM opcode halts the CPU with the bus pattern of the NMOS part.
"""
from amaranth.hdl import Cat, Const, EnableInserter, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .alu import I, ExecuteUnit
from .opcodes import Access, Decoder, Mode, Store

VECTOR_NMI, VECTOR_RESET, VECTOR_IRQ = 0xFFFA, 0xFFFC, 0xFFFE
JAM_SEQUENCE = (("JAM_1", 0xFFFF, "JAM_2"), ("JAM_2", 0xFFFE, "JAM_3"),
                ("JAM_3", 0xFFFE, "JAMMED"), ("JAMMED", 0xFFFF, "JAMMED"))


class CPU6502(wiring.Component):
    """NMOS 6502 core.

    Bus (one clock per bus cycle): `addr` address, `rw` 1 = read / 0 = write, `data_out` byte
    written, `data_in` byte read (memory answers combinationally; sampled at the clock edge that ends
    the cycle), `sync` high during opcode fetch cycles. `rdy` 1 = run; 0 stalls the CPU on its read
    cycles (write cycles go on, as on the NMOS part). `irq` (level) and `nmi` (rising edge) are
    active high. The `sync` domain's reset is the reset pin: after it the CPU runs the 7-cycle reset
    sequence and fetches its first opcode from the address at $FFFC.

    Visible state: `pc`, `a`, `x`, `y`, `s`, `p` (N V 1 B D I Z C, B reads 1) and `jammed`, high once
    a JAM opcode has halted the CPU (only reset leaves that).

    `address_bits` below 16 drops the upper address lines; `interrupts=False` ignores `irq`/`nmi`
    (the 6507 has neither pin). Reset keeps A, X, Y, S, P and PC as the NMOS part does;
    `reset_registers=True` clears them too (to 0, P to $34), for chips whose gate-level simulation
    must not start from unknown values.
    """

    def __init__(self, address_bits: int = 16, interrupts: bool = True,
                 reset_registers: bool = False):
        self.address_bits = address_bits
        self.interrupts = interrupts
        self.reset_registers = reset_registers
        super().__init__({
            "addr": Out(address_bits),
            "data_out": Out(8),
            "data_in": In(8),
            "rw": Out(1, init=1),
            "sync": Out(1),
            "rdy": In(1, init=1),
            "irq": In(1),
            "nmi": In(1),
            "pc": Out(16),
            "a": Out(8),
            "x": Out(8),
            "y": Out(8),
            "s": Out(8),
            "p": Out(8),
            "jammed": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        core = Module()
        address = Signal(16)
        m.d.comb += self.addr.eq(address[:self.address_bits])
        # RDY stops the CPU only on read cycles: everything clocked waits while it is low.
        m.submodules.core = EnableInserter({"sync": self.rdy | ~self.rw})(core)
        self._sequencer(core, address)
        return m

    def _sequencer(self, m, address):
        # Reset leaves the programmer's registers alone (its sequence only moves S and sets I).
        kept = not self.reset_registers
        pc = Signal(16, reset_less=kept)
        a, x, y, s = (Signal(8, reset_less=kept, name=name) for name in ("a", "x", "y", "s"))
        p = Signal(8, init=0x34, reset_less=kept)
        ir = Signal(8)
        ad = Signal(16)          # effective address being built
        ptr = Signal(8)          # zero-page pointer of (zp,X) and (zp),Y
        latch = Signal(8)        # byte held between cycles (operand, branch offset, vector low)
        fix = Signal(1)          # indexing carried into the high address byte
        hardware = Signal(1, init=1)    # the BRK sequence is an interrupt or reset, not BRK
        resetting = Signal(1, init=1)
        nmi_prev = Signal(1)
        nmi_pending = Signal(1)
        sample = Signal(1)       # interrupt wanted, as sampled at the end of the previous cycle
        take = Signal(1, init=1)  # the next opcode fetch becomes an interrupt sequence
        pending = Signal(1)      # an operation on the byte in `latch` finishes during this fetch

        m.submodules.decoder = decoder = Decoder()
        m.submodules.execute = execute = ExecuteUnit()
        m.d.comb += decoder.opcode.eq(ir)
        mode, access = decoder.mode, decoder.access
        data = self.data_in

        # The execute unit works on the byte in `latch`, never straight on `data_in`: like the real
        # part, an instruction's last read is latched and its result written during the next
        # opcode fetch. (This also keeps the ALU off the input path, which halves the work of a
        # Verilator model per cycle.)
        m.d.comb += [execute.op.eq(decoder.op), execute.operand.eq(latch),
                     execute.accumulator.eq(mode == Mode.IMP),
                     execute.a.eq(a), execute.x.eq(x), execute.y.eq(y), execute.s.eq(s),
                     execute.p.eq(p)]

        def commit():
            m.d.sync += [a.eq(execute.a_next), x.eq(execute.x_next), y.eq(execute.y_next),
                         s.eq(execute.s_next), p.eq(execute.p_next)]

        def finish_with_operand():
            """Last cycle of an instruction whose operation takes the byte read now."""
            m.d.sync += [latch.eq(data), pending.eq(1)]
            finish()

        # The registers as they stand after the instruction, also while its result is pending.
        status = Signal(8)
        m.d.comb += status.eq(Mux(pending, execute.p_next, p))
        for port, register, result in ((self.a, a, execute.a_next), (self.x, x, execute.x_next),
                                       (self.y, y, execute.y_next), (self.s, s, execute.s_next)):
            m.d.comb += port.eq(Mux(pending, result, register))
        m.d.comb += [self.pc.eq(pc), self.p.eq(status | 0x30)]

        stack = Cat(s, Const(1, 8))
        index = Mux((mode == Mode.ZPY) | (mode == Mode.ABSY) | (mode == Mode.INDY), y, x)
        indexed_low = Signal(9)
        m.d.comb += indexed_low.eq(ad[:8] + index)

        store_byte = Signal(8)
        # SHA/SHX/SHY/TAS store their register AND (the base address's high byte + 1); by the
        # write cycle `ad` has had the page-crossing carry added.
        high_plus_one = (ad[8:] - fix + 1)[:8]
        with m.Switch(decoder.store):
            with m.Case(Store.A):
                m.d.comb += store_byte.eq(a)
            with m.Case(Store.X):
                m.d.comb += store_byte.eq(x)
            with m.Case(Store.Y):
                m.d.comb += store_byte.eq(y)
            with m.Case(Store.AX):
                m.d.comb += store_byte.eq(a & x)
            with m.Case(Store.P):
                m.d.comb += store_byte.eq(p | 0x30)
            with m.Case(Store.AXH):
                m.d.comb += store_byte.eq(a & x & high_plus_one)
            with m.Case(Store.XH):
                m.d.comb += store_byte.eq(x & high_plus_one)
            with m.Case(Store.YH):
                m.d.comb += store_byte.eq(y & high_plus_one)
        # When their indexing crosses a page, the byte stored also replaces the address high byte.
        unstable_store = ((decoder.store == Store.AXH) | (decoder.store == Store.XH)
                          | (decoder.store == Store.YH))

        # Branch condition: opcode bits 7-6 pick N, V, C or Z; bit 5 is the value wanted.
        flag = Signal(1)
        with m.Switch(ir[6:8]):
            for selector, bit in enumerate((7, 6, 0, 1)):
                with m.Case(selector):
                    m.d.comb += flag.eq(p[bit])
        taken = flag == ir[5]
        branch_target = Signal(16)
        m.d.comb += branch_target.eq(pc + Cat(latch, latch[7].replicate(8)))

        # Interrupt lines, sampled at the end of every cycle.
        nmi_seen = Signal(1)
        if self.interrupts:
            m.d.comb += nmi_seen.eq(nmi_pending | (self.nmi & ~nmi_prev))
            m.d.sync += [nmi_prev.eq(self.nmi), nmi_pending.eq(nmi_seen),
                         sample.eq(nmi_seen | (self.irq & ~status[I]))]

        def read(addr):
            m.d.comb += [address.eq(addr), self.rw.eq(1)]

        def write(addr, byte):
            m.d.comb += [address.eq(addr), self.rw.eq(0), self.data_out.eq(byte)]

        def push(byte):
            # The reset sequence walks the stack like an interrupt but never writes.
            m.d.comb += [address.eq(stack), self.rw.eq(resetting), self.data_out.eq(byte)]
            m.d.sync += s.eq(s - 1)

        def finish():
            """Last cycle of an instruction: the next cycle fetches an opcode."""
            m.d.sync += take.eq(sample)
            m.next = "FETCH"

        def to_access():
            with m.Switch(access):
                with m.Case(Access.READ):
                    m.next = "READ_EA"
                with m.Case(Access.WRITE):
                    m.next = "WRITE_EA"
                with m.Case(Access.RMW):
                    m.next = "RMW_READ"

        with m.FSM(init="FETCH"):
            with m.State("FETCH"):
                read(pc)
                m.d.comb += self.sync.eq(1)
                with m.If(pending):
                    commit()
                    m.d.sync += pending.eq(0)
                with m.If(take):
                    m.d.sync += [ir.eq(0x00), hardware.eq(1)]
                with m.Else():
                    m.d.sync += [ir.eq(data), pc.eq(pc + 1), hardware.eq(0)]
                m.next = "T1"

            with m.State("T1"):
                read(pc)
                advance = pc.eq(pc + 1)
                with m.Switch(mode):
                    with m.Case(Mode.IMP):
                        commit()
                        finish()
                    with m.Case(Mode.IMM):
                        m.d.sync += advance
                        finish_with_operand()
                    with m.Case(Mode.ZP):
                        m.d.sync += [advance, ad.eq(data)]
                        to_access()
                    with m.Case(Mode.ZPX, Mode.ZPY):
                        m.d.sync += [advance, ad.eq(data)]
                        m.next = "ZP_INDEX"
                    with m.Case(Mode.ABS, Mode.ABSX, Mode.ABSY, Mode.JMP, Mode.JMPI):
                        m.d.sync += [advance, ad[:8].eq(data)]
                        m.next = "ABS_HIGH"
                    with m.Case(Mode.JSR):
                        m.d.sync += [advance, ad[:8].eq(data)]
                        m.next = "STACK_DUMMY"
                    with m.Case(Mode.INDX):
                        m.d.sync += [advance, ptr.eq(data)]
                        m.next = "INDX_DUMMY"
                    with m.Case(Mode.INDY):
                        m.d.sync += [advance, ptr.eq(data)]
                        m.next = "POINTER_LOW"
                    with m.Case(Mode.REL):
                        m.d.sync += [advance, latch.eq(data)]
                        with m.If(taken):
                            # A taken branch ignores the interrupt lines in its last cycle:
                            # keep the sample of the opcode fetch.
                            m.d.sync += sample.eq(sample)
                            m.next = "BRANCH"
                        with m.Else():
                            finish()
                    with m.Case(Mode.RTS, Mode.RTI, Mode.PULL):
                        m.next = "STACK_DUMMY"
                    with m.Case(Mode.PUSH):
                        m.next = "PUSH_REGISTER"
                    with m.Case(Mode.BRK):
                        with m.If(~hardware):
                            m.d.sync += advance
                        m.next = "PUSH_PCH"
                    with m.Case(Mode.JAM):
                        m.next = JAM_SEQUENCE[0][0]

            with m.State("ZP_INDEX"):
                read(ad[:8])
                m.d.sync += ad.eq(indexed_low[:8])
                to_access()

            with m.State("ABS_HIGH"):
                read(pc)
                with m.Switch(mode):
                    with m.Case(Mode.JMP):
                        m.d.sync += pc.eq(Cat(ad[:8], data))
                        finish()
                    with m.Case(Mode.JMPI):
                        m.d.sync += ad[8:].eq(data)
                        m.next = "JMPI_LOW"
                    with m.Case(Mode.ABS):
                        m.d.sync += [pc.eq(pc + 1), ad[8:].eq(data)]
                        to_access()
                    with m.Default():   # ABSX, ABSY
                        m.d.sync += [pc.eq(pc + 1), ad.eq(Cat(indexed_low[:8], data)),
                                     fix.eq(indexed_low[8])]
                        m.next = "INDEXED_READ"

            with m.State("INDX_DUMMY"):
                read(ptr)
                m.d.sync += ptr.eq(ptr + x)
                m.next = "POINTER_LOW"

            with m.State("POINTER_LOW"):
                read(ptr)
                m.d.sync += [ad[:8].eq(data), ptr.eq(ptr + 1)]
                m.next = "POINTER_HIGH"

            with m.State("POINTER_HIGH"):
                read(ptr)
                with m.If(mode == Mode.INDY):
                    m.d.sync += [ad.eq(Cat(indexed_low[:8], data)), fix.eq(indexed_low[8])]
                    m.next = "INDEXED_READ"
                with m.Else():
                    m.d.sync += ad[8:].eq(data)
                    to_access()

            # Indexed modes first read with the high byte not yet carried into: for a plain read
            # that did not cross a page this is the operand; otherwise a dummy read.
            with m.State("INDEXED_READ"):
                read(ad)
                with m.If((access == Access.READ) & ~fix):
                    finish_with_operand()
                with m.Else():
                    m.d.sync += ad[8:].eq(ad[8:] + fix)
                    to_access()

            with m.State("READ_EA"):
                read(ad)
                finish_with_operand()

            with m.State("WRITE_EA"):
                write(Mux(unstable_store & fix, Cat(ad[:8], store_byte), ad), store_byte)
                commit()    # TAS also sets S
                finish()

            with m.State("RMW_READ"):
                read(ad)
                m.d.sync += latch.eq(data)
                m.next = "RMW_MODIFY"

            with m.State("RMW_MODIFY"):
                # NMOS read-modify-write: the unmodified byte is written back while modifying.
                write(ad, latch)
                m.d.comb += execute.op.eq(decoder.modify)
                commit()
                m.d.sync += latch.eq(execute.result)
                m.next = "RMW_WRITE"

            with m.State("RMW_WRITE"):
                write(ad, latch)
                commit()
                finish()

            with m.State("BRANCH"):
                read(pc)
                with m.If(branch_target[8:] == pc[8:]):
                    m.d.sync += pc.eq(branch_target)
                    finish()
                with m.Else():
                    m.d.sync += [pc[:8].eq(branch_target[:8]), ad[8:].eq(branch_target[8:])]
                    m.next = "BRANCH_FIX"

            with m.State("BRANCH_FIX"):
                read(pc)
                m.d.sync += pc[8:].eq(ad[8:])
                finish()

            with m.State("JMPI_LOW"):
                read(ad)
                # NMOS bug: the pointer's low byte wraps without carrying into its high byte.
                m.d.sync += [latch.eq(data), ad[:8].eq(ad[:8] + 1)]
                m.next = "JMPI_HIGH"

            with m.State("JMPI_HIGH"):
                read(ad)
                m.d.sync += pc.eq(Cat(latch, data))
                finish()

            with m.State("STACK_DUMMY"):
                read(stack)
                with m.Switch(mode):
                    with m.Case(Mode.JSR):
                        m.next = "PUSH_PCH"
                    with m.Case(Mode.RTS):
                        m.d.sync += s.eq(s + 1)
                        m.next = "PULL_PCL"
                    with m.Case(Mode.RTI):
                        m.d.sync += s.eq(s + 1)
                        m.next = "PULL_P"
                    with m.Default():   # PULL
                        m.d.sync += s.eq(s + 1)
                        m.next = "PULL_REGISTER"

            with m.State("PUSH_PCH"):
                push(pc[8:])
                m.next = "PUSH_PCL"

            with m.State("PUSH_PCL"):
                push(pc[:8])
                with m.If(mode == Mode.JSR):
                    m.next = "JSR_HIGH"
                with m.Else():
                    m.next = "PUSH_P"

            with m.State("PUSH_P"):
                push(Cat(p[:4], ~hardware, Const(1, 1), p[6:]))
                with m.If(resetting):
                    m.d.sync += ad.eq(VECTOR_RESET)
                with m.Elif(nmi_pending):
                    # An NMI edge seen by the end of the previous cycle takes the vector over; one
                    # seen only now stays pending.
                    m.d.sync += [ad.eq(VECTOR_NMI), nmi_pending.eq(self.nmi & ~nmi_prev)]
                with m.Else():
                    m.d.sync += ad.eq(VECTOR_IRQ)
                m.next = "VECTOR_LOW"

            with m.State("VECTOR_LOW"):
                read(ad)
                m.d.sync += [latch.eq(data), p[I].eq(1)]
                m.next = "VECTOR_HIGH"

            with m.State("VECTOR_HIGH"):
                read(ad | 1)
                # No interrupt is polled here: the handler's first instruction always runs.
                m.d.sync += [pc.eq(Cat(latch, data)), resetting.eq(0), take.eq(0)]
                m.next = "FETCH"

            with m.State("JSR_HIGH"):
                read(pc)
                m.d.sync += pc.eq(Cat(ad[:8], data))
                finish()

            with m.State("PULL_P"):
                read(stack)
                # RTI's status counts at once (an IRQ it enables is taken before the next
                # instruction), so it is loaded here rather than through the execute unit.
                m.d.sync += [p.eq(data | 0x30), s.eq(s + 1)]
                m.next = "PULL_PCL"

            with m.State("PULL_PCL"):
                read(stack)
                m.d.sync += [pc[:8].eq(data), s.eq(s + 1)]
                m.next = "PULL_PCH"

            with m.State("PULL_PCH"):
                read(stack)
                m.d.sync += pc[8:].eq(data)
                with m.If(mode == Mode.RTS):
                    m.next = "RTS_INCREMENT"
                with m.Else():
                    finish()

            with m.State("RTS_INCREMENT"):
                read(pc)
                m.d.sync += pc.eq(pc + 1)
                finish()

            with m.State("PULL_REGISTER"):
                read(stack)
                finish_with_operand()

            with m.State("PUSH_REGISTER"):
                push(store_byte)
                finish()

            # A JAM opcode's halt, as the transistor-level NMOS part shows it: reads of $FFFF,
            # $FFFE, $FFFE, then $FFFF for ever.
            for name, halted_address, following in JAM_SEQUENCE:
                with m.State(name):
                    read(halted_address)
                    m.d.comb += self.jammed.eq(1)
                    m.next = following


class CPU6507(CPU6502):
    """The 6507 of the Atari 2600: the 6502 core with 13 address lines and no IRQ/NMI pins."""

    def __init__(self):
        super().__init__(address_bits=13, interrupts=False)
