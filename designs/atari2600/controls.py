"""The joysticks and console switches on ui_in, laid out as on TT09's Atari 2600.

ui[0..3] up/down/left/right and ui[4] fire set the joystick of the player ui[5] picks (0 = player
0); while ui[6] is high, ui[0..3] set the switches instead: SELECT, player 0 difficulty A, black
and white, player 1 difficulty A. ui[7] is the RESET switch. Everything is active high and held in
registers, so one set of pins serves both joysticks: a joystick keeps its state while the pins
serve the other one, and the switches keep theirs when ui[6] falls.
"""
from amaranth.hdl import Cat, Const, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .console import SWITCHES_IDLE


class Controls(wiring.Component):
    """ui_in: the TT inputs.
    joystick_n, fire_n, switches_n: the console's SWCHA, fire button and SWCHB pins (0 = pressed;
        see `console.ConsolePorts`).
    """

    ui_in: In(8)
    joystick_n: Out(8)
    fire_n: Out(2)
    switches_n: Out(8)

    def elaborate(self, platform):
        m = Module()
        directions = [Signal(4, name=f"player{n}_directions") for n in range(2)]
        fire = Signal(2)
        select, black_and_white, difficulty_a = Signal(), Signal(), Signal(2)
        pins_are_switches, player = self.ui_in[6], self.ui_in[5]
        with m.If(pins_are_switches):
            m.d.sync += [select.eq(self.ui_in[0]), difficulty_a[0].eq(self.ui_in[1]),
                         black_and_white.eq(self.ui_in[2]), difficulty_a[1].eq(self.ui_in[3])]
        with m.Else():
            for n in range(2):
                with m.If(player == n):
                    m.d.sync += [directions[n].eq(self.ui_in[:4]), fire[n].eq(self.ui_in[4])]
        reset = Signal()
        m.d.sync += reset.eq(self.ui_in[7])
        # SWCHA: player 0 in bits 7..4, player 1 in bits 3..0 (up, down, left, right from the
        # low bit). SWCHB: the unused bits 2, 4, 5 read 1.
        idle = Const(SWITCHES_IDLE, 8)
        m.d.comb += [
            self.joystick_n.eq(~Cat(directions[1], directions[0])),
            self.fire_n.eq(~fire),
            self.switches_n.eq(Cat(~reset, ~select, idle[2], ~black_and_white, idle[4:6],
                                   difficulty_a)),
        ]
        return m
