"""The whole Atari 2600 for simulation: 6507 CPU, TIA, RIOT and a cartridge's bank switching.

One `sync` clock is one colour clock; the CPU (the project's CPU6502 core with 13 address lines)
makes one bus cycle every third clock, on the TIA's `cpu_ce`. The 6507's address space:

    A12 = 1                 cartridge ($1000-$1FFF)
    A12 = 0, A7 = 0         TIA (writes A5..A0, reads A3..A0)
    A12 = 0, A7 = 1, A9 = 0 RIOT RAM ($80-$FF)
    A12 = 0, A7 = 1, A9 = 1 RIOT ports and timer ($280-$29F)

The TIA drives only data bits 7..6 on a read; bits 5..0 keep the last byte the bus carried.

`Atari2600` holds no ROM: it asks for the byte at `rom_addr` of the cartridge image and reads
`rom_data`, and the bank-switching scheme is an input, so one compiled model runs every cartridge.
`AtariWithRom` adds the image as a memory, for simulations that have no host to serve it;
`NativeAtari2600` is the fast path's variant (inputs behind flip-flops, for Verilator's speed).
"""
from amaranth.hdl import Cat, ClockDomain, EnableInserter, Module, Mux, Signal, unsigned
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from ttsim.designs.cpu6502.cpu import CPU6502

from .cartridge import ROM_ADDRESS_BITS, SCHEME_BITS, SCHEMES, Cartridge, check_rom
from .riot import POWER_ON_TIMERS, RIOT
from .tia import DEFAULT_HEIGHT, DEFAULT_MAX_LINES, DEFAULT_YSTART, PADDLE_NEVER, TIA

ADDRESS_BITS = 13
# SWCHB with nothing pressed: reset and select up, colour, both difficulties B (the unused bits
# 2, 4 and 5 read 1, as in Stella).
SWITCHES_IDLE = 0x3F


class ConsolePorts(wiring.Component):
    """The ports every Atari 2600 model shares (controllers, video, audio, CPU progress).

    joystick_n: SWCHA pins (bits 7..4 player 0 right/left/down/up, 3..0 player 1), 0 = pushed.
    switches_n: SWCHB pins (bit 0 reset, 1 select: 0 = pressed; bit 3 colour; 6, 7 difficulty).
    fire_n: the fire buttons of players 0 and 1 (INPT4, INPT5), 0 = pressed.
    paddle_delay: the four paddles' charge times in CPU cycles (see `TIA`); PADDLE_NEVER = none.
    hmove_blanks: whether HMOVE blanks 8 pixels (see `TIA`).
    frame_ystart, frame_height, frame_max_lines, colour_loss: Stella's per-cartridge display
        settings (see `TIA`): the lines it draws (and so detects collisions on), the line count
        after which any TIA write ends a frame, and PAL colour loss.
    power_on_timer: the RIOT timer's value after reset (see `RIOT`).
    colour, hcount, hsync, hblank, vsync, vblank: the TIA's video for this colour clock
        (see `TIA`); audio0, audio1, audio_tick: its audio.
    pc: the CPU's program counter (for tests and traces); cpu_ce: a CPU cycle ends this clock.
    cpu_addr, cpu_write, cpu_data_out, cpu_sync, cpu_rdy: the CPU's bus in the cycle that
        `cpu_ce` ends (address, 1 = write, the byte written, 1 = opcode fetch, 0 = the TIA holds
        the CPU in this read cycle: WSYNC), for hosts that follow the program (an emulator's
        instruction count) and for traces.
    frame_end: Stella's frame ends on this clock (see `TIA`).
    """

    joystick_n: In(8, init=0xFF)
    switches_n: In(8, init=SWITCHES_IDLE)
    fire_n: In(2, init=0b11)
    paddle_delay: In(unsigned(16), init=PADDLE_NEVER).array(4)
    hmove_blanks: In(1, init=1)
    frame_ystart: In(8, init=DEFAULT_YSTART)
    frame_height: In(9, init=DEFAULT_HEIGHT)
    frame_max_lines: In(9, init=DEFAULT_MAX_LINES)
    colour_loss: In(1)
    power_on_timer: In(8, init=POWER_ON_TIMERS[-1])

    colour: Out(8)
    hcount: Out(8)
    hsync: Out(1)
    hblank: Out(1)
    vsync: Out(1)
    vblank: Out(1)
    audio0: Out(4)
    audio1: Out(4)
    audio_tick: Out(1)
    pc: Out(16)
    cpu_ce: Out(1)
    cpu_addr: Out(ADDRESS_BITS)
    cpu_write: Out(1)
    cpu_data_out: Out(8)
    cpu_sync: Out(1)
    cpu_rdy: Out(1)
    frame_end: Out(1)


class Atari2600(ConsolePorts):
    """An Atari 2600 whose cartridge image is served from outside (see `ConsolePorts` for the rest).

    scheme: the cartridge's bank-switching scheme, an index into `cartridge.SCHEMES`.
    rom_addr: the byte of the cartridge image the CPU reads in this cycle. It settles on the clock
        after `cpu_ce` and holds until the next `cpu_ce`.
    rom_data: the image's byte at `rom_addr`, sampled on `cpu_ce`.
    """

    scheme: In(SCHEME_BITS)
    rom_addr: Out(ROM_ADDRESS_BITS)
    rom_data: In(8)

    def __init__(self, superchip: bool = True, reset_registers: bool = False, dpc: bool = True,
                 dpc_music: bool = True):
        # reset_registers: reset also clears the CPU's A, X, Y, S, P and PC (see CPU6502), so a
        # gate-level simulation starts from known values (the TT top uses it). superchip, dpc
        # and dpc_music: see `Cartridge`.
        self.superchip = superchip
        self.reset_registers = reset_registers
        self.dpc = dpc
        self.dpc_music = dpc_music
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.tia = tia = TIA()
        m.submodules.riot = riot = RIOT()
        m.submodules.cartridge = cartridge = Cartridge(self.superchip, self.dpc, self.dpc_music)
        cpu = CPU6502(address_bits=ADDRESS_BITS, interrupts=False,
                      reset_registers=self.reset_registers)
        m.submodules.cpu = EnableInserter({"sync": tia.cpu_ce})(cpu)

        addr, reading = cpu.addr, cpu.rw
        cartridge_selected = addr[12]
        tia_selected = ~addr[12] & ~addr[7]
        riot_selected = ~addr[12] & addr[7]
        cycle_end = tia.cpu_ce

        last_bus = Signal(8)
        read_data = Signal(8)
        with m.If(cartridge_selected):
            m.d.comb += read_data.eq(cartridge.read_data)
        with m.Elif(tia_selected):
            m.d.comb += read_data.eq(Cat(last_bus[:6], tia.read_data[6:]))
        with m.Else():
            m.d.comb += read_data.eq(riot.read_data)
        bus = Mux(reading, read_data, cpu.data_out)
        with m.If(cycle_end):
            m.d.sync += last_bus.eq(bus)

        m.d.comb += [
            cpu.data_in.eq(read_data),
            cpu.rdy.eq(tia.rdy),

            tia.addr.eq(addr[:6]),
            tia.data_in.eq(cpu.data_out),
            tia.write.eq(cycle_end & tia_selected & ~reading),
            tia.fire0_n.eq(self.fire_n[0]),
            tia.fire1_n.eq(self.fire_n[1]),
            tia.hmove_blanks.eq(self.hmove_blanks),
            tia.frame_ystart.eq(self.frame_ystart),
            tia.frame_height.eq(self.frame_height),
            tia.frame_max_lines.eq(self.frame_max_lines),
            tia.colour_loss.eq(self.colour_loss),
            *(tia_delay.eq(delay) for tia_delay, delay in zip(tia.paddle_delay, self.paddle_delay)),

            riot.ce.eq(cycle_end),
            riot.ram_select.eq(~addr[9]),
            riot.addr.eq(addr[:7]),
            riot.data_in.eq(cpu.data_out),
            riot.write.eq(riot_selected & ~reading),
            riot.read.eq(riot_selected & reading),
            riot.port_a_in.eq(self.joystick_n),
            riot.port_b_in.eq(self.switches_n),
            riot.power_on_timer.eq(self.power_on_timer),

            cartridge.addr.eq(addr),
            cartridge.access.eq(cycle_end),
            cartridge.write.eq(~reading),
            cartridge.data_bus.eq(bus),
            cartridge.sync.eq(cpu.sync),
            cartridge.rdy.eq(tia.rdy),
            cartridge.scheme.eq(self.scheme),
            cartridge.rom_data.eq(self.rom_data),
            self.rom_addr.eq(cartridge.rom_addr),

            self.colour.eq(tia.colour),
            self.hcount.eq(tia.hcount),
            self.hsync.eq(tia.hsync),
            self.hblank.eq(tia.hblank),
            self.vsync.eq(tia.vsync),
            self.vblank.eq(tia.vblank),
            self.audio0.eq(tia.audio0),
            self.audio1.eq(tia.audio1),
            self.audio_tick.eq(tia.audio_tick),
            self.pc.eq(cpu.pc),
            self.cpu_ce.eq(cycle_end),
            self.cpu_addr.eq(addr),
            self.cpu_write.eq(~reading),
            self.cpu_data_out.eq(cpu.data_out),
            self.cpu_sync.eq(cpu.sync),
            self.cpu_rdy.eq(tia.rdy),
            self.frame_end.eq(tia.frame_end),
        ]
        return m


class AtariWithRom(ConsolePorts):
    """An Atari 2600 with its cartridge image built in as a memory and its scheme fixed.

    For Amaranth simulations, traces and the switch level; the ports are `ConsolePorts`.
    `scheme` is detected from the image unless given (a name from `cartridge.SCHEMES`).
    """

    def __init__(self, rom: bytes, scheme: str | None = None):
        self.rom = bytes(rom)
        self.scheme_name = check_rom(self.rom, scheme)
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.core = core = Atari2600()
        m.submodules.rom = rom = memory.Memory(shape=8, depth=len(self.rom), init=self.rom)
        rom_read = rom.read_port(domain="comb")
        m.d.comb += [
            core.scheme.eq(SCHEMES.index(self.scheme_name)),
            rom_read.addr.eq(core.rom_addr),
            core.rom_data.eq(rom_read.data),
        ]
        inner = {path: value for path, _, value in core.signature.flatten(core)}
        for path, member, outer in self.signature.flatten(self):
            if member.flow == wiring.In:
                m.d.comb += inner[path].eq(outer)
            else:
                m.d.comb += outer.eq(inner[path])
        return m


class NativeAtari2600(Atari2600):
    """`Atari2600` for the Verilator fast path: every input, the reset included, passes a
    flip-flop before it reaches the core.

    Verilator recomputes all logic that depends combinationally on a top-level input on every
    evaluation, twice per clock; in Amaranth's Verilog every register's next value depends on the
    reset input, so without these flip-flops that is the whole design, once more than needed.
    With them the model runs about 1.7 times faster. The price: inputs act one clock later, so
    `rom_data` must be presented on the clock before `cpu_ce` (the host serves the byte at
    `rom_addr` on every clock: `rom_addr` holds still for the two clocks before `cpu_ce`), and
    reset is released one clock later.

    Reset also clears the CPU's registers (`reset_registers`), as Stella's system reset does:
    ale-py resets the console after the frames it runs when it loads a ROM, and a game that reads
    a register before setting it (Battle Zone) must find what it found at power-on, not what
    those frames left.
    """

    clk: In(1)
    rst: In(1)

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = domain = ClockDomain()
        m.submodules.core = core = Atari2600(self.superchip, reset_registers=True, dpc=self.dpc)
        reset = Signal(init=1, reset_less=True)
        m.d.sync += reset.eq(self.rst)
        m.d.comb += [domain.clk.eq(self.clk), domain.rst.eq(reset)]
        inner = {path: value for path, _, value in core.signature.flatten(core)}
        for path, member, outer in self.signature.flatten(self):
            if path in (("clk",), ("rst",)):
                continue
            if member.flow == wiring.In:
                held = Signal.like(outer, name=f"{outer.name}_held", reset_less=True)
                m.d.sync += held.eq(outer)
                m.d.comb += inner[path].eq(held)
            else:
                m.d.comb += outer.eq(inner[path])
        return m


class NativeAtari2600WithoutDpc(NativeAtari2600):
    """`NativeAtari2600` without the DPC chip, for every cartridge but Pitfall II's: a real
    console has no DPC either (the chip sits in that one cartridge), and the fast path runs about
    a quarter faster without its logic. `atari_run.native_top` chooses between the two."""

    def __init__(self):
        super().__init__(dpc=False)
