"""TT top of atari2600: the Atari 2600 core on VGA, with its cartridge in QSPI flash.

Pins (as TT09's Atari 2600): ui_in the joysticks and switches (`controls.py`); uo_out the TinyVGA
PMOD; uio[0..5] the QSPI PMOD's flash (`qspi.py`), uio[6] held high (the PMOD's RAM A deselected),
uio[7] audio PWM (`audio.py`).

The core runs on a gated clock that ticks on 228 of every 1600 clocks (`pacer.py`): one NTSC line
per two VGA lines, so each line is shown twice (`vga.py`). It waits whenever the CPU reads a
cartridge byte the flash has not delivered yet, and catches up afterwards.
"""
from amaranth.hdl import Array, Cat, ClockDomain, Const, DomainRenamer, Module, Mux, Signal

from ttsim.tt import TinyTapeoutTop

from . import palette
from .audio import AudioPwm
from .console import Atari2600
from .controls import Controls
from .pacer import ClockGate, ColourClockPacer
from .qspi import QspiRom
from .tia import HBLANK_CLOCKS, LINE_CLOCKS, PADDLE_NEVER
from .vga import CODE_BITS, PIXEL_WIDTH, LineBuffer, VgaBeam

UIO_OUTPUTS = 0b1100_1001  # CS, SCK, RAM A's CS and audio; the data pins follow the flash reader


class Atari2600Top(TinyTapeoutTop):
    """tt_um_ttsim_atari2600 (see the module docstring and design.toml for the pins).

    rst_n resets the design one clock late, through a flip-flop, and the flash pins go straight
    into flip-flops: a Verilated model re-evaluates all the logic an input feeds on every
    evaluation, and the synchronous reset feeds every register, so this keeps the fast path quick
    (only the controls' few registers see ui_in directly).
    """

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = sync = ClockDomain(local=True)
        # In reset from power-up until the first clock edge samples rst_n.
        reset = Signal(init=1, reset_less=True)
        m.d.sync += reset.eq(~self.rst_n)
        m.d.comb += [sync.clk.eq(self.clk), sync.rst.eq(reset)]
        self.elaborate_design(m)
        return m

    def elaborate_design(self, m: Module) -> None:
        m.submodules.controls = controls = Controls()
        m.submodules.pacer = pacer = ColourClockPacer()
        # No Superchip RAM and no DPC music: they would not fit the 8x2 tiles beside the line
        # buffer.
        core = Atari2600(superchip=False, reset_registers=True, dpc_music=False)
        m.domains.core = ClockDomain()
        m.submodules.core = DomainRenamer("core")(core)
        m.submodules.core_clock = core_clock = ClockGate("core", registered_reset=True)
        m.submodules.flash = flash = QspiRom()
        m.submodules.beam = beam = VgaBeam()
        m.submodules.line_buffer = line_buffer = LineBuffer()
        m.submodules.audio = audio = AudioPwm()

        # Only cycles that read the cartridge (A12 high) need a byte from the flash.
        cartridge_read = core.cpu_addr[12] & ~core.cpu_write
        m.d.comb += [
            core_clock.enable.eq(pacer.enable),
            core_clock.reset_next.eq(~self.rst_n),
            controls.ui_in.eq(self.ui_in),
            core.joystick_n.eq(controls.joystick_n),
            core.switches_n.eq(controls.switches_n),
            core.fire_n.eq(controls.fire_n),
            core.hmove_blanks.eq(1),
            *(delay.eq(PADDLE_NEVER) for delay in core.paddle_delay),

            core.scheme.eq(flash.scheme),
            core.rom_data.eq(flash.data),
            flash.addr.eq(core.rom_addr),
            flash.want.eq(cartridge_read),
            flash.sd_in.eq(Cat(self.uio_in[1], self.uio_in[2], self.uio_in[4], self.uio_in[5])),
            pacer.hold.eq(~flash.configured | (core.cpu_ce & cartridge_read & ~flash.ready)),

            audio.audio0.eq(core.audio0),
            audio.audio1.eq(core.audio1),
        ]

        # Drawing: each colour clock the core takes, its visible pixel goes into the line buffer
        # half of the current NTSC line, as the code of its TinyVGA colour.
        # `drawn` marks the halves a whole line has been drawn into: until then a half holds
        # whatever the memory powered up with, which is shown as black.
        tia_line_odd, vsync_before, drawn = Signal(), Signal(), Signal(2)
        with m.If(pacer.enable):
            m.d.sync += vsync_before.eq(core.vsync)
            with m.If(core.hcount == LINE_CLOCKS - 1):
                m.d.sync += [tia_line_odd.eq(~tia_line_odd),
                             drawn.bit_select(tia_line_odd, 1).eq(1)]
        codes = Array(Const(palette.index(value << 1), CODE_BITS) for value in range(128))
        m.d.comb += [
            line_buffer.write.eq(pacer.enable & (core.hcount >= HBLANK_CLOCKS)),
            line_buffer.write_half.eq(tia_line_odd),
            line_buffer.write_x.eq(core.hcount - HBLANK_CLOCKS),
            line_buffer.write_code.eq(codes[core.colour[1:]]),
            beam.resync.eq(pacer.enable & core.vsync & ~vsync_before),
        ]

        # Showing: the beam shows the line drawn during the previous line pair. The buffer's read
        # takes a clock, so the syncs are delayed by one to match.
        m.d.comb += [
            line_buffer.read_half.eq(~beam.pair_odd),
            line_buffer.read_x.eq(beam.x // PIXEL_WIDTH),
        ]
        active, hsync_n, vsync_n = Signal(), Signal(init=1), Signal(init=1)
        m.d.sync += [active.eq(beam.active & drawn.bit_select(~beam.pair_odd, 1)),
                     hsync_n.eq(beam.hsync_n), vsync_n.eq(beam.vsync_n)]
        shown = Array(Const(palette.tinyvga_bits(colour), 6) for colour in palette.SHOWN_COLOURS)
        rgb = Mux(active, shown[line_buffer.read_code], 0)
        m.d.comb += [
            self.uo_out.eq(Cat(rgb[:3], vsync_n, rgb[3:], hsync_n)),
            self.uio_out.eq(Cat(flash.cs_n, flash.sd_out[0], flash.sd_out[1], flash.sck,
                                flash.sd_out[2], flash.sd_out[3], Const(1, 1), audio.pwm)),
            self.uio_oe.eq(UIO_OUTPUTS | Cat(Const(0, 1), flash.sd_oe[:2], Const(0, 1),
                                             flash.sd_oe[2:])),
        ]
