"""Tiny Tapeout conventions: the eight ports of a `tt_um_*` top module.

Every TT design is one module with exactly these ports (TinyTapeout's template):
ui_in (8 dedicated inputs), uo_out (8 dedicated outputs), uio_in/uio_out/uio_oe (8 bidirectional
pins; uio_oe bit 1 makes the pin an output), ena (high while the design is selected), clk, and
rst_n (active-low reset).
"""
from amaranth.hdl import ClockDomain, Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

TT_PORTS = {
    "ui_in": ("input", 8),
    "uo_out": ("output", 8),
    "uio_in": ("input", 8),
    "uio_out": ("output", 8),
    "uio_oe": ("output", 8),
    "ena": ("input", 1),
    "clk": ("input", 1),
    "rst_n": ("input", 1),
}


class TinyTapeoutTop(wiring.Component):
    """Base class of a design's TT top module.

    Subclasses implement `elaborate_design(m)`, adding their logic to `m` in the `sync` domain,
    which this class clocks from `clk` and resets (synchronously) while `rst_n` is low. Outputs a
    design leaves alone are driven 0, as TT requires every output to be driven.
    """

    ui_in: In(8)
    uo_out: Out(8)
    uio_in: In(8)
    uio_out: Out(8)
    uio_oe: Out(8)
    ena: In(1)
    clk: In(1)
    rst_n: In(1)

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = sync = ClockDomain(local=True)
        m.d.comb += [sync.clk.eq(self.clk), sync.rst.eq(~self.rst_n)]
        self.elaborate_design(m)
        return m

    def elaborate_design(self, m: Module) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement elaborate_design(m)")
