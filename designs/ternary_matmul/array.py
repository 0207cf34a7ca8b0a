"""The ternary matrix-multiply engine behind the TT pins (the protocol is documented in top.py).

Weights stay on chip; activations stream through. The array holds `groups` x 5 rows of a ternary
weight matrix with up to `k_max` columns, packed exactly as they cross the pins (five weights per
byte, one byte per five rows and one k). Every clock two int8 activations arrive (x[k] on ui_in,
x[k+1] on uio_in) and every row adds w[row, k] * x[k] + w[row, k+1] * x[k+1] to its accumulator:
2 x rows multiply-accumulates per clock.

Area is what limits a TT design, so the weight store has no enables and no address decoder: each
group's bytes sit in a ring of flip-flops that turns by one slot (the two bytes for k, k+1) every
clock, for ever. Time is therefore cut into frames of k_max / 2 clocks (the ring's period); a frame
carries one activation column, and the ring is back where it started at each frame boundary.
"""
from amaranth.hdl import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

TRITS_PER_BYTE = 5
ROWS_PER_GROUP = TRITS_PER_BYTE
CODES = 3 ** TRITS_PER_BYTE  # 243 valid byte values; 243..255 are not weights
SLOT_BITS = 16  # a ring slot: the weight bytes for k = 2p (low) and k = 2p + 1 of five rows


def accumulator_bits(k_max: int) -> int:
    """Bits of a signed accumulator that holds any sum of k_max products w * x, |w| <= 1, x int8.

    The extremes are -128 * k_max (all w = +1, x = -128) and +128 * k_max (all w = -1)."""
    return (128 * k_max).bit_length() + 1


class TritDecoder(wiring.Component):
    """Splits one packed weight byte into its five base-3 digits.

    code: a byte below 243, sum of digit[i] * 3**i.
    digits: digit i is 0 for weight 0, 1 for +1, 2 for -1 (the weight modulo 3).
    """

    code: In(8)
    digits: Out(data.ArrayLayout(unsigned(2), TRITS_PER_BYTE))

    def elaborate(self, platform):
        m = Module()
        rest = self.code
        # Most significant digit first: compare with 2 * 3**i and 3**i, subtract, go on with less.
        for i in reversed(range(1, TRITS_PER_BYTE)):
            place = 3 ** i
            two, one = rest >= 2 * place, rest >= place
            m.d.comb += self.digits[i].eq(Mux(two, 2, Mux(one, 1, 0)))
            lower = Signal(range(place), name=f"below_{place}")
            m.d.comb += lower.eq(Mux(two, rest - 2 * place, Mux(one, rest - place, rest)))
            rest = lower
        m.d.comb += self.digits[0].eq(rest)
        return m


class TernaryArray(wiring.Component):
    """The weight rings, the row accumulators and the result shifter.

    load: while high, every ring takes its next slot from the one after it (the last ring from
        `load_slot`) instead of from itself, so g x k_max/2 clocks of loading fill the rings in
        order: group 0's slots 0..k_max/2-1, then group 1's, and so on.
    load_slot: the two weight bytes entering the last ring while loading (byte for even k low).
    x_even, x_odd: the activations of this clock, x[2p] and x[2p+1] for frame phase p.
    first: high in the clock whose pair of products starts a new sum (phase 1: the activations
        are registered, so the products of phase p are added one clock later).
    capture: copy every row's finished sum into the result shifter (phase 1, after a column).
    result: the sum at the head of the result shifter, which turns by one row every clock (after
        rows-1 it comes back to row 0, so full-precision results can go out low bytes, then high).
    """

    def __init__(self, groups: int, k_max: int):
        if groups < 1:
            raise ValueError(f"groups must be at least 1, not {groups}")
        if k_max < 2 or k_max % 2:
            raise ValueError(f"k_max must be even and at least 2, not {k_max}")
        if ROWS_PER_GROUP * groups > k_max // 2:
            raise ValueError(f"{ROWS_PER_GROUP * groups} rows cannot be read out in a frame of "
                             f"{k_max // 2} clocks: use k_max >= {2 * ROWS_PER_GROUP * groups}")
        self.groups, self.k_max = groups, k_max
        self.rows = ROWS_PER_GROUP * groups
        self.frame = k_max // 2
        self.acc_bits = accumulator_bits(k_max)
        super().__init__({
            "load": In(1),
            "load_slot": In(16),
            "x_even": In(signed(8)),
            "x_odd": In(signed(8)),
            "first": In(1),
            "capture": In(1),
            "result": Out(signed(self.acc_bits)),
        })

    def elaborate(self, platform):
        m = Module()
        # Pair sums shared by all rows: w0*x0 + w1*x1 is 0 or +-x0, +-x1, +-(x0+x1), +-(x0-x1).
        pair_sum = Signal(signed(9))
        pair_diff = Signal(signed(9))
        m.d.comb += [pair_sum.eq(self.x_even + self.x_odd), pair_diff.eq(self.x_even - self.x_odd)]

        # One wide register per group: slot s is bits 16s..16s+15, slot 0 (the head) lowest.
        rings = [Signal(SLOT_BITS * self.frame, name=f"ring{g}", reset_less=True)
                 for g in range(self.groups)]
        sums = []
        for g, ring in enumerate(rings):
            head, tail = ring[:SLOT_BITS], ring[-SLOT_BITS:]
            refill = self.load_slot if g == self.groups - 1 else rings[g + 1][:SLOT_BITS]
            m.d.sync += ring.eq(Cat(ring[SLOT_BITS:], Mux(self.load, refill, head)))
            # The slot used this clock is the one that was at the head a clock ago: the tail.
            decoders = []
            for half in range(2):
                decoder = TritDecoder()
                m.submodules[f"decode{g}_{half}"] = decoder
                m.d.comb += decoder.code.eq(tail[8 * half:8 * half + 8])
                decoders.append(decoder)
            for r in range(ROWS_PER_GROUP):
                row = ROWS_PER_GROUP * g + r
                acc = Signal(signed(self.acc_bits), name=f"acc{row}", reset_less=True)
                self._accumulate(m, acc, decoders[0].digits[r], decoders[1].digits[r],
                                 pair_sum, pair_diff)
                sums.append(acc)

        # Result shifter: rows go out one per clock from `result`, rotating back to row 0.
        shifter = [Signal(signed(self.acc_bits), name=f"result{row}", reset_less=True)
                   for row in range(self.rows)]
        for row, (stage, total) in enumerate(zip(shifter, sums)):
            m.d.sync += stage.eq(Mux(self.capture, total, shifter[(row + 1) % self.rows]))
        m.d.comb += self.result.eq(shifter[0])
        return m

    def _accumulate(self, m, acc, even, odd, pair_sum, pair_diff):
        """acc <- (0 if first else acc) + w_even * x_even + w_odd * x_odd, for one row."""
        even_on, odd_on = even != 0, odd != 0
        magnitude = Signal(signed(9), name=f"{acc.name}_term")
        pair = Mux(odd == even, pair_sum, pair_diff)
        m.d.comb += magnitude.eq(Mux(even_on, Mux(odd_on, pair, self.x_even),
                                     Mux(odd_on, self.x_odd, 0)))
        negate = Mux(even_on, even[1], odd[1])
        # acc + (negate ? -magnitude : magnitude) with one adder: invert the term and let a
        # borrowed low bit (negate + negate) carry the +1 of the two's complement.
        inverted = Signal(signed(self.acc_bits), name=f"{acc.name}_addend")
        m.d.comb += inverted.eq(Mux(negate, ~magnitude, magnitude))
        base = Mux(self.first, 0, acc)
        total = (Cat(negate, base) + Cat(negate, inverted))[1:self.acc_bits + 1]
        m.d.sync += acc.eq(total)
