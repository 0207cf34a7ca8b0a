"""The VGA timing and the Markov-chain painter of markov_art (see reference.py for the chain)."""
from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from . import reference as ref

SMALL_CELL, LARGE_CELL = ref.CELL_SIZES
MAX_COLS = ref.H_VISIBLE // SMALL_CELL


class VgaTiming(wiring.Component):
    """Beam position and syncs for 640x480 at 60 Hz (800x525 clocks per frame).

    x, y: the position, counted from the first visible pixel; the frame starts (after reset) at
        line V_VISIBLE, the first line of vertical blanking.
    active: the position is inside the visible 640x480.
    hsync_n, vsync_n: the sync levels for this position (low during the pulse).
    """

    x: Out(10)
    y: Out(10, init=ref.RESET_LINE)
    active: Out(1)
    hsync_n: Out(1)
    vsync_n: Out(1)

    def elaborate(self, platform):
        m = Module()
        end_of_line = self.x == ref.H_TOTAL - 1
        m.d.sync += self.x.eq(Mux(end_of_line, 0, self.x + 1))
        with m.If(end_of_line):
            m.d.sync += self.y.eq(Mux(self.y == ref.V_TOTAL - 1, 0, self.y + 1))
        h_sync_start = ref.H_VISIBLE + ref.H_FRONT
        v_sync_start = ref.V_VISIBLE + ref.V_FRONT
        m.d.comb += [
            self.active.eq((self.x < ref.H_VISIBLE) & (self.y < ref.V_VISIBLE)),
            self.hsync_n.eq(~((self.x >= h_sync_start) & (self.x < h_sync_start + ref.H_SYNC))),
            self.vsync_n.eq(~((self.y >= v_sync_start) & (self.y < v_sync_start + ref.V_SYNC))),
        ]
        return m


def _slot_rom(width, entries_per_table, entry_of):
    """The built-in tables' entries as one Array of Consts, indexed by Cat(index, table_number)."""
    return Array(Const(entry_of(table, index), width)
                 for table in ref.TABLES for index in range(entries_per_table))


def _colour_entry(table: ref.Table, index: int) -> int:
    """Entry `index` = (neighbour colour, 4-bit random value) of a table's colour ROM; neighbour
    colours 5..7 never occur."""
    neighbour_colour, random = divmod(index, ref.ROW_ONE)
    return table.colour_slots[neighbour_colour][random] if neighbour_colour < ref.COLOURS else 0


class MarkovPainter(wiring.Component):
    """The colour of each pixel, drawn cell by cell from the Markov chain as the beam passes.

    x, y, active: the beam position from VgaTiming.
    seed: 13-bit seed; read during vertical blanking, when it reloads the LFSR.
    cell_32: 0 for 16-pixel cells (40x30), 1 for 32-pixel cells (20x15); read during blanking.
    table: which built-in table (reference.TABLES); read during blanking.
    colour: the colour index (0..4) of the pixel at (x, y) while active.

    There is no frame buffer. One row of cell colours, the row above the one being drawn, lives in
    a shift register that rotates one cell per cell drawn, so its head is always the cell above
    the current one and the next entry the cell above-right. The LFSR state at the start of a cell
    row is saved, and every scanline of the row replays the row from it, drawing the same colours;
    the last scanline writes them into the shift register for the next row.
    """

    x: In(10)
    y: In(10)
    active: In(1)
    seed: In(ref.SEED_BITS)
    cell_32: In(1)
    table: In(2)
    colour: Out(3)

    def elaborate(self, platform):
        m = Module()
        cell_32 = Signal()
        table = Signal(2)
        lfsr = Signal(ref.LFSR_BITS)
        row_start = Signal(ref.LFSR_BITS)
        row_above = [Signal(3, name=f"row_above_{i}") for i in range(MAX_COLS)]
        above_left = Signal(3)  # the head of row_above one cell ago
        cell_colour = Signal(3)  # the colour of the current cell: the left neighbour at a draw

        def per_cell_size(condition):
            """`condition(px)` for the selected cell size: px is a power of two, so the low
            log2(px) bits of x or y are the position inside a cell and the rest the cell's."""
            return Mux(cell_32, condition(LARGE_CELL), condition(SMALL_CELL))

        first_pixel_of_cell = per_cell_size(lambda px: self.x[:exact_log2(px)] == 0)
        first_col = per_cell_size(lambda px: self.x[exact_log2(px):] == 0)
        last_col = per_cell_size(lambda px: self.x >= ref.H_VISIBLE - px)
        first_row = per_cell_size(lambda px: self.y[exact_log2(px):] == 0)
        last_scanline_of_row = per_cell_size(lambda px: self.y[:exact_log2(px)] == px - 1)

        def inside(colour, outside):
            return Mux(outside, ref.OUTSIDE, colour)

        context = Array([
            inside(cell_colour, first_col),
            inside(row_above[0], first_row),
            inside(above_left, first_col | first_row),
            inside(row_above[1], last_col | first_row),
        ])
        neighbour_rom = _slot_rom(2, ref.WEIGHT_ONE, lambda t, i: t.neighbour_slots[i])
        colour_rom = _slot_rom(3, 8 * ref.ROW_ONE, _colour_entry)
        # LFSR bits 0..2 pick the neighbour, bits 3..6 the colour from its row (reference.draw).
        neighbour = neighbour_rom[Cat(lfsr[:3], table)]
        drawn = Signal(3)
        m.d.comb += drawn.eq(colour_rom[Cat(lfsr[3:7], context[neighbour], table)])
        m.d.comb += self.colour.eq(Mux(first_pixel_of_cell, drawn, cell_colour))

        with m.If(self.active & first_pixel_of_cell):
            m.d.sync += [cell_colour.eq(drawn), above_left.eq(row_above[0])]
            # Rotate the row by one cell; the last scanline of a cell row stores the new colours.
            tail = Mux(last_scanline_of_row, drawn, row_above[0])
            m.d.sync += [row_above[i].eq(row_above[i + 1]) for i in range(MAX_COLS - 1)]
            m.d.sync += row_above[MAX_COLS - 1].eq(tail)
            # With large cells the row is shorter: its tail is entry cols - 1.
            large_tail = ref.H_VISIBLE // LARGE_CELL - 1
            m.d.sync += row_above[large_tail].eq(Mux(cell_32, tail, row_above[large_tail + 1]))

        step = (lfsr >> 1) ^ Mux(lfsr[0], ref.LFSR_TAPS, 0)
        seed_state = Cat(Const(0, 3), self.seed) ^ ref.SEED_SCRAMBLE
        with m.If(self.y >= ref.V_VISIBLE):
            m.d.sync += [lfsr.eq(seed_state), row_start.eq(seed_state),
                         cell_32.eq(self.cell_32), table.eq(self.table)]
        with m.Elif(self.x < ref.H_VISIBLE):
            m.d.sync += lfsr.eq(step)
        with m.Elif(self.x == ref.H_VISIBLE):
            with m.If(last_scanline_of_row):
                m.d.sync += row_start.eq(lfsr)
            with m.Else():
                m.d.sync += lfsr.eq(row_start)
        return m
