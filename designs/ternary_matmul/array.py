"""The ternary matrix-multiply engine behind the TT pins (the protocol is documented in top.py).

Weights stay on chip; activations stream through. The array holds `rows` rows of a ternary weight
matrix with up to `k_max` columns, packed as they cross the pins: five rows per byte (one byte per
group of five rows and one k; a last group of fewer rows uses only the low base-3 digits, so its
bytes are below 3**n and need fewer bits). Every clock two int8 activations arrive (x[k] on ui_in,
x[k+1] on uio_in) and every row adds w[row, k] * x[k] + w[row, k+1] * x[k+1] to its accumulator:
2 x rows multiply-accumulates per clock.

Area is what limits a TT design, so the weight store has no enables and no address decoder: each
group's codes sit in a ring of flip-flops that turns by one slot (the two codes for k, k+1) every
clock, for ever. Time is therefore cut into frames of k_max / 2 clocks (the ring's period); a frame
carries one activation column, and the ring is back where it started at each frame boundary.
Latches are cheaper cells (15 um2 against 20 for a flip-flop in the synthesis estimate), but a latch
RAM needs a 32:1 read multiplexer per bit: one group's 32 x 16 bits came to 13.2k um2 as latches
with a one-hot read (11.9k without its select registers) against 10.4k um2 for the ring, which
reads for free.
"""
from amaranth.hdl import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

TRITS_PER_BYTE = 5
CODES = 3 ** TRITS_PER_BYTE  # 243 valid byte values; 243..255 are not weights


def code_bits(trits: int) -> int:
    """Bits of a base-3 code of `trits` digits: 8 for a full byte of five, 2 for one digit."""
    return (3 ** trits - 1).bit_length()


def group_sizes(rows: int) -> list[int]:
    """Rows in each group of the array: fives, then what is left."""
    return [TRITS_PER_BYTE] * (rows // TRITS_PER_BYTE) + (
        [rows % TRITS_PER_BYTE] if rows % TRITS_PER_BYTE else [])


def accumulator_bits(k_max: int) -> int:
    """Bits of a signed accumulator that holds any sum of k_max products w * x, |w| <= 1, x int8.

    The extremes are -128 * k_max (all w = +1, x = -128) and +128 * k_max (all w = -1)."""
    return (128 * k_max).bit_length() + 1


class TritDecoder(wiring.Component):
    """Splits a packed weight code into its base-3 digits.

    code: a number below 3**trits, sum of digit[i] * 3**i.
    digits: digit i is 0 for weight 0, 1 for +1, 2 for -1 (the weight modulo 3).
    """

    def __init__(self, trits: int = TRITS_PER_BYTE):
        self.trits = trits
        super().__init__({"code": In(code_bits(trits)),
                          "digits": Out(data.ArrayLayout(unsigned(2), trits))})

    def elaborate(self, platform):
        m = Module()
        rest = self.code
        # Most significant digit first: compare with 2 * 3**i and 3**i, subtract, go on with less.
        for i in reversed(range(1, self.trits)):
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

    load: while high, the ring of group `load_group` takes its next slot from `load_even` and
        `load_odd` instead of from itself, so k_max/2 clocks of loading fill that group's ring.
    load_even, load_odd: the packed weight bytes of this clock, for k = 2p and k = 2p + 1.
    load_error: high while loading a byte that is no code for the group (243 or more; 3**n or
        more for a last group of n < 5 rows): it loads as zero weights.
    x_even, x_odd: the activations of this clock, x[2p] and x[2p+1] for frame phase p.
    first: high in the clock whose pair of products starts a new sum (phase 1: the activations
        are registered, so the products of phase p are added one clock later).
    capture: copy every row's finished sum into the result shifter (phase 1, after a column).
    result: the sum at the head of the result shifter, which turns by one row every clock (after
        rows-1 it comes back to row 0, so full-precision results can go out low bytes, then high).
    """

    def __init__(self, rows: int, k_max: int):
        if rows < 1:
            raise ValueError(f"rows must be at least 1, not {rows}")
        if k_max < 2 or k_max % 2:
            raise ValueError(f"k_max must be even and at least 2, not {k_max}")
        if rows > k_max // 2:
            raise ValueError(f"{rows} rows cannot be read out in a frame of {k_max // 2} clocks: "
                             f"use k_max >= {2 * rows}")
        self.rows, self.k_max = rows, k_max
        self.sizes = group_sizes(rows)
        self.groups = len(self.sizes)
        self.frame = k_max // 2
        self.acc_bits = accumulator_bits(k_max)
        super().__init__({
            "load": In(1),
            "load_group": In(range(self.groups)),
            "load_even": In(8),
            "load_odd": In(8),
            "load_error": Out(1),
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

        # The largest code of the group being loaded: 242, or 3**n - 1 for a short last group.
        limit = Signal(8)
        short_last = 3 ** self.sizes[-1] - 1
        m.d.comb += limit.eq(Mux(self.load_group == self.groups - 1, short_last, CODES - 1))
        bad_even, bad_odd = self.load_even > limit, self.load_odd > limit
        m.d.comb += self.load_error.eq(self.load & (bad_even | bad_odd))
        incoming = [Mux(bad_even, 0, self.load_even), Mux(bad_odd, 0, self.load_odd)]

        sums = []
        for g, size in enumerate(self.sizes):
            bits = code_bits(size)
            # Slot s is bits 2*bits*s.. of the ring, slot 0 (the head) lowest; even k low.
            ring = Signal(2 * bits * self.frame, name=f"ring{g}", reset_less=True)
            head, tail = ring[:2 * bits], ring[-2 * bits:]
            refill = Cat(incoming[0][:bits], incoming[1][:bits])
            loading = self.load & (self.load_group == g)
            m.d.sync += ring.eq(Cat(ring[2 * bits:], Mux(loading, refill, head)))
            # The slot used this clock is the one that was at the head a clock ago: the tail.
            decoders = []
            for half in range(2):
                decoder = TritDecoder(size)
                m.submodules[f"decode{g}_{half}"] = decoder
                m.d.comb += decoder.code.eq(tail[bits * half:bits * (half + 1)])
                decoders.append(decoder)
            for r in range(size):
                acc = Signal(signed(self.acc_bits), name=f"acc{len(sums)}", reset_less=True)
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
