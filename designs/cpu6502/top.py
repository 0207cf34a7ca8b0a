"""TT top of `cpu6502`: the 6502 alone, talking to an external memory over the uio pins.

Each CPU bus cycle takes three TT clocks (phases), shown on uo_out[5:3]:

    phase 0 (uo_out[3] high): uio_out = address bits 7..0   (uio driven)
    phase 1 (uo_out[4] high): uio_out = address bits 15..8  (uio driven)
    phase 2 (uo_out[5] high): a write (uo_out[0] low) drives data on uio_out; a read releases uio
                              and takes the byte on uio_in at the clock edge that ends the phase

uo_out[0] is R/W (1 = read), uo_out[1] SYNC (opcode fetch), uo_out[2] high once a JAM opcode has
halted the CPU; all three hold for the whole bus cycle. Inputs, active high: ui_in[0] HALT (stalls
the CPU on read cycles: RDY low), ui_in[1] IRQ (level), ui_in[2] NMI (rising edge). rst_n is the
reset pin: after it the CPU runs the reset sequence and starts at the address read from $FFFC.
Unlike the NMOS part, reset also clears A, X, Y, S, P and PC, so that a gate-level simulation of
the chip (TT's `GATES=yes`) starts from known values.
"""
from amaranth.hdl import EnableInserter, Module, Signal

from ttsim.tt import TinyTapeoutTop

from .cpu import CPU6502

PHASES = 3


class CPU6502Top(TinyTapeoutTop):
    """The CPU6502 core behind a three-phase multiplexed memory bus on uio (see the module doc)."""

    def elaborate_design(self, m: Module) -> None:
        phase = Signal(range(PHASES))
        m.d.sync += phase.eq(phase + 1)
        with m.If(phase == PHASES - 1):
            m.d.sync += phase.eq(0)
        data_phase = phase == PHASES - 1

        cpu = CPU6502(reset_registers=True)
        m.submodules.cpu = EnableInserter({"sync": data_phase})(cpu)
        m.d.comb += [
            cpu.data_in.eq(self.uio_in),
            cpu.rdy.eq(~self.ui_in[0]),
            cpu.irq.eq(self.ui_in[1]),
            cpu.nmi.eq(self.ui_in[2]),
            self.uo_out.eq(cpu.rw | cpu.sync << 1 | cpu.jammed << 2
                           | (phase == 0) << 3 | (phase == 1) << 4 | data_phase << 5),
        ]
        with m.Switch(phase):
            with m.Case(0):
                m.d.comb += [self.uio_out.eq(cpu.addr[:8]), self.uio_oe.eq(0xFF)]
            with m.Case(1):
                m.d.comb += [self.uio_out.eq(cpu.addr[8:]), self.uio_oe.eq(0xFF)]
            with m.Default():
                m.d.comb += [self.uio_out.eq(cpu.data_out), self.uio_oe.eq(~cpu.rw.replicate(8))]
