"""TT top of `ternary_matmul`: Y = W X for ternary W (-1, 0, +1) and int8 X, bit-exact.

The pin protocol
================

Shape. The chip holds R rows of W (default 16) and up to K_MAX columns (default 64), in
G = ceil(R / 5) groups of five rows (the last group has R - 5(G-1) rows: one by default). A job of
any M x K times K x N (K <= K_MAX) runs in ceil(M / R) passes; each pass loads R rows of W and
streams all N activation columns through them. Rows past M and columns past K are zero.

Clocking. There is no handshake: the host owns the clock (as on TT, where it can also stop it) and
drives the inputs every cycle; the chip samples them on the rising edge. Everything happens in
frames of F = K_MAX / 2 cycles (32 by default): the weight store is a ring that turns one slot per
clock, so loads and columns start on frame boundaries. The frame phase p (0..F-1) counts from the
release of reset and is shown on uo_out[4:0] whenever no result is going out.

Commands (idle). Each cycle the chip reads a command: ui_in[1:0] is the opcode and
count = ui_in[7:2] * 256 + uio_in (0..16383) its argument.
- 0 NOP: nothing (ui_in = 0 is a safe idle input).
- 1 CONFIG: uio_in[3:0] = shift, uio_in[4] = relu, uio_in[5] = full precision; clears the error
  flag. Reset value: requantized, shift 0, no ReLU. Change it only while idle and no result is
  going out.
- 2 LOAD: load R rows of W, then stream `count` columns at once (0: just load).
- 3 STREAM: stream `count` columns (at least 1) through the weights loaded.
LOAD and STREAM start at the next frame boundary: issued at p = F-1 they start the very next cycle,
otherwise the chip waits (inputs ignored). uo_out[7] (busy) is high from the command to the end.

Load (G frames). In cycle p of load frame g, ui_in and uio_in carry the packed weights of rows
5g..5g+4 at k = 2p (ui_in) and k = 2p+1 (uio_in): byte = sum over i of d_i * 3**i, where d_i is
the weight of row 5g+i modulo 3 (0 -> 0, +1 -> 1, -1 -> 2). Rows the chip does not have count as
zero weights, so the last group's bytes (n < 5 rows) are below 3**n: 0, 1 or 2 for the default's
single row. Bytes 243..255 (3**n and up in a last group of n rows) are not weights: they load as
zero weights and set the error flag.

Stream. Each column takes one frame: in cycle p, ui_in = x[2p] and uio_in = x[2p+1] (two's
complement). The column's R results go out on uo_out one per cycle, starting in cycle p = 2 of
the frame after its data frame, so they overlap the next column: requantized, one int8 per row
(rows 0..R-1); full precision, the low bytes of rows 0..R-1, then their high bytes (16-bit two's
complement, sign-extended). Full precision needs 2R output cycles: when 2R > F (more than 16 rows
at K_MAX = 64, so not in the default shape, whose 32 output cycles fill the frame exactly) every
column but the last is followed by a gap frame whose inputs are ignored. The last column's results
go out after the stream ends, while the chip is idle or loading again.

Throughput. A pass of n columns takes at most 1 + (G + n) frames (the 1: waiting for the frame
boundary, none when the command comes in a frame's last cycle) and does 2R multiply-accumulates
per cycle of its n column frames; the pins carry 2 bytes in and up to 1 byte out every cycle.

Results. Each result is y = sum_k W[r, k] * x[k], exact (the accumulators hold any sum of K_MAX
products). Requantized: clamp(relu(y >> shift), -128, 127), where >> is an arithmetic shift
(rounds towards minus infinity) and relu(v) = max(v, 0) when the relu bit is set.

Status. When no result is going out, uo_out = busy (bit 7), error (bit 6), weights loaded (bit 5),
frame phase p mod 32 (bits 4:0). uio is always an input (uio_oe = 0, uio_out = 0).

Misuse. STREAM with no weights loaded, STREAM of 0 columns, and bytes that are not weights (see
Load) set the error flag (sticky until CONFIG or reset); a STREAM that finds no weights is ignored.
A command while busy is just data: the host cannot interrupt a load or a stream except by reset.

Reset (rst_n low, at any time, also mid-job): back to idle with the default configuration, no
error, and no weights (the ring keeps turning through reset, so its contents are lost: load
again). The host must present NOP (ui_in = 0) when it releases reset. A result that was going out
is cut short; accumulators need no reset, as every column starts from zero.
"""
from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed

from ttsim.tt import TinyTapeoutTop

from .array import TernaryArray

OP_NOP, OP_CONFIG, OP_LOAD, OP_STREAM = range(4)
COUNT_BITS = 14
DEFAULT_ROWS = 16
DEFAULT_K_MAX = 64


class TernaryMatmulTop(TinyTapeoutTop):
    """The accelerator on TT pins (see the module docstring for the protocol).

    rows: weight rows on chip (the array shape): 2 x rows multiply-accumulates per clock.
    k_max: the largest K, even, at most 128; also the frame length (k_max / 2 cycles) and the
        accumulator width.
    """

    def __init__(self, rows: int = DEFAULT_ROWS, k_max: int = DEFAULT_K_MAX):
        self.array = TernaryArray(rows, k_max)
        if self.array.acc_bits > 16:
            raise ValueError(f"full-precision results go out as 16 bits: k_max must be at most "
                             f"128, not {k_max}")
        super().__init__()

    def elaborate_design(self, m: Module) -> None:
        m.submodules.array = array = self.array
        frame, rows = array.frame, array.rows

        phase = Signal(range(frame))
        frame_end = phase == frame - 1
        m.d.sync += phase.eq(Mux(frame_end, 0, phase + 1))

        shift, relu, full = Signal(4), Signal(), Signal()
        error, loaded = Signal(), Signal()
        load_group = Signal(range(array.groups))  # the group loading in this load frame
        opcode, count = self.ui_in[:2], Cat(self.uio_in, self.ui_in[2:])
        columns = Signal(COUNT_BITS)          # columns left in the current or next stream
        gap_frame = Signal()                  # this frame carries no column (see gaps); 0 idle
        # Full-precision results take 2 * rows output cycles: more than a frame needs gap frames.
        gaps = full if 2 * rows > frame else Const(0)
        capture_pending = Signal()            # a column ended: its sums are ready at phase 1
        start_stream = Signal()               # the pending operation after a wait is a stream

        x_even = Signal(signed(8), reset_less=True)
        x_odd = Signal(signed(8), reset_less=True)
        m.d.sync += [x_even.eq(self.ui_in), x_odd.eq(self.uio_in)]

        def begin_load():
            return [load_group.eq(0), loaded.eq(0)]

        with m.FSM() as control:
            with m.State("IDLE"):
                with m.Switch(opcode):
                    with m.Case(OP_CONFIG):
                        m.d.sync += [shift.eq(self.uio_in[:4]), relu.eq(self.uio_in[4]),
                                     full.eq(self.uio_in[5]), error.eq(0)]
                    with m.Case(OP_LOAD):
                        m.d.sync += [columns.eq(count), start_stream.eq(0)]
                        with m.If(frame_end):
                            m.d.sync += begin_load()
                            m.next = "LOAD"
                        with m.Else():
                            m.next = "WAIT"
                    with m.Case(OP_STREAM):
                        with m.If(~loaded | (count == 0)):
                            m.d.sync += error.eq(1)
                        with m.Else():
                            m.d.sync += [columns.eq(count), start_stream.eq(1)]
                            with m.If(frame_end):
                                m.next = "STREAM"
                            with m.Else():
                                m.next = "WAIT"
            with m.State("WAIT"):
                with m.If(frame_end):
                    with m.If(start_stream):
                        m.next = "STREAM"
                    with m.Else():
                        m.d.sync += begin_load()
                        m.next = "LOAD"
            with m.State("LOAD"):
                m.d.comb += array.load.eq(1)
                with m.If(array.load_error):
                    m.d.sync += error.eq(1)
                with m.If(frame_end):
                    m.d.sync += load_group.eq(load_group + 1)
                    with m.If(load_group == array.groups - 1):
                        m.d.sync += loaded.eq(1)
                        with m.If(columns != 0):
                            m.next = "STREAM"
                        with m.Else():
                            m.next = "IDLE"
            with m.State("STREAM"):
                # A frame per column, and a gap frame after each column but the last when needed.
                with m.If(frame_end):
                    with m.If(gap_frame):
                        m.d.sync += gap_frame.eq(0)
                    with m.Else():
                        m.d.sync += [capture_pending.eq(1), columns.eq(columns - 1),
                                     gap_frame.eq(gaps & (columns != 1))]
                        with m.If(columns == 1):
                            m.next = "IDLE"

        capture = capture_pending & (phase == 1)
        with m.If(capture):
            m.d.sync += capture_pending.eq(0)
        m.d.comb += [
            array.load_group.eq(load_group),
            array.load_even.eq(self.ui_in),
            array.load_odd.eq(self.uio_in),
            array.x_even.eq(x_even),
            array.x_odd.eq(x_odd),
            array.first.eq(phase == 1),
            array.capture.eq(capture),
        ]

        # Results leave one row per clock for `rows` clocks (twice that at full precision).
        emitted = Signal(range(2 * rows + 1), init=2 * rows)
        with m.If(capture):
            m.d.sync += emitted.eq(0)
        with m.Elif(emitted != 2 * rows):
            m.d.sync += emitted.eq(emitted + 1)
        emitting = emitted < Mux(full, 2 * rows, rows)
        result = array.result
        wide = Signal(signed(16))
        m.d.comb += wide.eq(result)
        full_byte = Mux(emitted >= rows, wide[8:], wide[:8])

        shifted = Signal(signed(array.acc_bits))
        rectified = Signal(signed(array.acc_bits))
        m.d.comb += [
            shifted.eq(result >> shift),
            rectified.eq(Mux(relu & (shifted < 0), 0, shifted)),
        ]
        requantized = Mux(rectified > 127, 127, Mux(rectified < -128, -128, rectified))[:8]

        shown_phase = Signal(5)  # p mod 32
        m.d.comb += shown_phase.eq(phase)
        status = Cat(shown_phase, loaded, error, ~control.ongoing("IDLE"))
        m.d.comb += [
            self.uo_out.eq(Mux(emitting, Mux(full, full_byte, requantized), status)),
            self.uio_out.eq(0),
            self.uio_oe.eq(0),
        ]
