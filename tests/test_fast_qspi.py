"""The QSPI flash model, driven pin by pin: a pass-through top puts ui_in on the QSPI PMOD pins
(uio[5:0], data pins enabled as outputs by ui_in[7]) and registers uio_in onto uo_out, so a
Python SPI master written as an input script can run 03h, 0Bh and EBh reads (with continuous
mode) and read the answers from the recorder."""
from pathlib import Path

import numpy as np
import pytest
from amaranth.hdl import Module, Mux
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ttsim import fast
from ttsim.registry import Design

CS, SD0, SD1, SCK, SD2, SD3, DRIVE_DATA = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x80
QUAD_PINS = (SD0, SD1, SD2, SD3)  # IO0..IO3
FLASH_SIZE = 1 << 20
ROM = np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes()


class PinPassThrough(wiring.Component):
    """ui_in[5:0] -> uio_out[5:0]; uio_oe enables CS and SCK, and SD0..SD3 while ui_in[7];
    uo_out is uio_in, registered."""

    ui_in: In(8)
    uo_out: Out(8)
    uio_in: In(8)
    uio_out: Out(8)
    uio_oe: Out(8)

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [self.uio_out.eq(self.ui_in[:6]),
                     self.uio_oe.eq(Mux(self.ui_in[7], 0x3F, CS | SCK))]
        m.d.sync += self.uo_out.eq(self.uio_in)
        return m


class SpiMaster:
    """Builds ui_in cycle by cycle (SPI mode 0, two cycles per SCK period) and remembers the
    cycles where it samples the flash (SCK rising)."""

    def __init__(self):
        self.ui_in = [CS]
        self.samples = []  # (cycle, quad)

    def select(self):
        self.ui_in.append(0)

    def deselect(self):
        self.ui_in += [CS, CS]

    def clock(self, data=0, drive=False, sample=None):
        pins = data | (DRIVE_DATA if drive else 0)
        self.ui_in += [pins, pins | SCK]
        if sample is not None:
            self.samples.append((len(self.ui_in) - 1, sample))

    def send(self, value, bits=8):
        for i in reversed(range(bits)):
            self.clock(SD0 if value >> i & 1 else 0, drive=True)

    def send_quad(self, value, nibbles):
        for i in reversed(range(nibbles)):
            nibble = value >> (4 * i) & 0xF
            self.clock(sum(pin for bit, pin in enumerate(QUAD_PINS) if nibble >> bit & 1),
                       drive=True)

    def dummy(self, clocks):
        for _ in range(clocks):
            self.clock()

    def read(self, count, quad=False):
        for _ in range(count * (2 if quad else 8)):
            self.clock(sample=quad)

    def script(self):
        return [(cycle, "ui_in", value) for cycle, value in enumerate(self.ui_in)]


def received(master: SpiMaster, uo_out: np.ndarray) -> list[bytes]:
    """The bytes the master read, one `bytes` per run of consecutive samples of one width."""
    bits = []
    for cycle, quad in master.samples:
        pins = int(uo_out[cycle])
        if quad:
            bits += [pins & pin != 0 for pin in reversed(QUAD_PINS)]
        else:
            bits.append(pins & SD1 != 0)
    return bytes(int("".join("1" if b else "0" for b in bits[i:i + 8]), 2)
                 for i in range(0, len(bits), 8))


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    return Design(name="fasttest_qspi", folder=Path(tmp_path_factory.mktemp("qspi")),
                  title="QSPI pins", description="", author="", clock_hz=1_000_000, tiles="1x1",
                  top="x:X", tests=(), pins={},
                  sections={"fast": {"qspi_flash": {"size": FLASH_SIZE}}})


def transfer(design, master: SpiMaster, rom: bytes = ROM) -> bytes:
    with fast.Simulation(design, component=PinPassThrough()) as sim:
        sim.attach_qspi_flash(rom)
        sim.set_script(master.script())
        sim.reset()
        result = sim.step(len(master.ui_in) + 2, record=("uo_out",))
        assert sim.qspi_report()["bytes_read"] >= 1
    return received(master, result.recording["uo_out"])


def test_read_03h(design):
    master = SpiMaster()
    master.select()
    master.send(0x03)
    master.send(0x000100, 24)
    master.read(8)
    master.deselect()
    assert transfer(design, master) == ROM[0x100:0x108]


def test_fast_read_0bh_with_dummy_clocks(design):
    master = SpiMaster()
    master.select()
    master.send(0x0B)
    master.send(0x0000FE, 24)
    master.dummy(8)
    master.read(4)
    master.deselect()
    assert transfer(design, master) == ROM[0xFE:0x102]


def test_quad_read_ebh_continuous_mode(design):
    master = SpiMaster()
    master.select()
    master.send(0xEB)
    master.send_quad(0x000234, 6)
    master.send_quad(0xA0, 2)  # M5:4 = 10: stay in continuous mode
    master.dummy(4)
    master.read(4, quad=True)
    master.deselect()
    master.select()  # continuous mode: no command byte
    master.send_quad(0x000F00, 6)
    master.send_quad(0xFF, 2)  # leave continuous mode
    master.dummy(4)
    master.read(3, quad=True)
    master.deselect()
    master.select()  # a plain 03h read works again
    master.send(0x03)
    master.send(0x000010, 24)
    master.read(2)
    master.deselect()
    assert transfer(design, master) == ROM[0x234:0x238] + ROM[0xF00:0xF03] + ROM[0x10:0x12]


def test_past_the_rom_is_erased_and_addresses_wrap(design):
    master = SpiMaster()
    master.select()
    master.send(0x03)
    master.send(len(ROM) - 2, 24)
    master.read(4)
    master.deselect()
    master.select()
    master.send(0x03)
    master.send(FLASH_SIZE + 5, 24)
    master.read(2)
    master.deselect()
    assert transfer(design, master) == ROM[-2:] + b"\xff\xff" + ROM[5:7]


def test_rom_larger_than_the_flash(design):
    with fast.Simulation(design, component=PinPassThrough()) as sim:
        with pytest.raises(fast.TtsimError, match="larger than the 1048576-byte flash"):
            sim.attach_qspi_flash(bytes(FLASH_SIZE + 1))
