"""A QSPI flash for cocotb, on the TT QSPI PMOD pins (uio[0] CS, [1] SD0, [2] SD1, [3] SCK, [4] SD2,
[5] SD3), serving an image: the commands the atari2600 TT top uses, checked as a flash would see
them.

SPI mode 0: it samples on SCK rising edges and drives on falling ones. Fast Read Quad I/O (EBh):
24 address bits and a mode byte on four lines, 4 dummy cycles, then data, a nibble per cycle, from
consecutive addresses; a mode byte with bits 5..4 = 10 keeps continuous mode, where the next
transaction starts with the address; mode bits 5..4 other than 10 end it. FFh (the continuous-read
reset) is ignored; any other command is an error (`errors`). The pins are read
on each falling clock edge, so the design's outputs after every rising edge are seen, as the fast
path's flash model sees them.
"""
import cocotb
from cocotb.triggers import FallingEdge

CS, SD0, SD1, SCK, SD2, SD3 = 0, 1, 2, 3, 4, 5
DATA_PINS = (SD0, SD1, SD2, SD3)


def _nibble(uio: int) -> int:
    return sum(((uio >> pin) & 1) << bit for bit, pin in enumerate(DATA_PINS))


class QspiFlash:
    def __init__(self, dut, image: bytes):
        self.dut = dut
        self.image = image
        self.continuous = False
        self.errors: list[str] = []
        self.transactions = 0
        self.read_addresses: list[int] = []  # where each read transaction started
        self.bytes_read = 0
        self._selected = False
        self._sck = 0
        self._bits = []   # what the current transaction received (bits or nibbles)
        self._address = 0
        self._sending = []  # nibbles left to send
        self._drive = 0

    def start(self):
        cocotb.start_soon(self._run())

    def _byte(self, address: int) -> int:
        return self.image[address] if address < len(self.image) else 0xFF

    async def _run(self):
        dut = self.dut
        while True:
            await FallingEdge(dut.clk)
            out = int(dut.uio_out.value) & int(dut.uio_oe.value)
            oe = int(dut.uio_oe.value)
            cs_low = (oe >> CS) & 1 and not (out >> CS) & 1
            sck = (out >> SCK) & 1
            if not cs_low:
                self._selected = False
                self._drive = 0
            else:
                if not self._selected:
                    self._selected = True
                    self._begin()
                if sck and not self._sck:
                    self._rising(out)
                elif self._sck and not sck:
                    self._falling()
            self._sck = sck if cs_low else 0
            uio_in = sum(((self._drive >> bit) & 1) << pin for bit, pin in enumerate(DATA_PINS))
            dut.uio_in.value = uio_in

    def _begin(self):
        self.transactions += 1
        self._phase = "address" if self.continuous else "command"
        self._bits = []
        self._sending = []
        self._drive = 0

    def _rising(self, out: int):
        if self._phase == "command":
            self._bits.append((out >> SD0) & 1)
            if len(self._bits) == 8:
                command = int("".join(map(str, self._bits)), 2)
                if command == 0xEB:
                    self._phase, self._bits = "address", []
                else:
                    if command != 0xFF:
                        self.errors.append(f"unexpected command {command:02X}h")
                    self._phase = "ignore"
        elif self._phase == "address":
            self._bits.append(_nibble(out))
            if len(self._bits) == 8:  # six address nibbles, two mode nibbles
                value = 0
                for nibble in self._bits:
                    value = value << 4 | nibble
                self._address, mode = value >> 8, value & 0xFF
                self.read_addresses.append(self._address)
                self.continuous = (mode & 0x30) == 0x20
                self._phase, self._dummy = "dummy", 4
        elif self._phase == "dummy":
            self._dummy -= 1
            if self._dummy == 0:
                self._phase = "data"

    def _falling(self):
        if self._phase != "data":
            return
        if not self._sending:
            value = self._byte(self._address)
            self._address += 1
            self.bytes_read += 1
            self._sending = [value >> 4, value & 0xF]
        self._drive = self._sending.pop(0)
