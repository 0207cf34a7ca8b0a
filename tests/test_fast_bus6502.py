"""The bus6502 model on a tiny native top of our own: a bus walker that speaks the 6502 bus
contract (addr/rw/data_out registered, data_in sampled at the edge ending the cycle, sync on
opcode fetches, rdy stalls) with three opcodes: INC abs (EE), JMP abs (4C) and a one-cycle NOP
(anything else). It checks memory reads and writes, the reset vector, instruction counting, the
stop on a loop and the `[fast.bus6502]` table (port names, constant inputs)."""
import json
from pathlib import Path

import pytest
from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ttsim import fast
from ttsim.registry import Design

INC_ABS, JMP_ABS = 0xEE, 0x4C


class BusWalker(wiring.Component):
    """A 6502-style bus master running INC abs, JMP abs and NOPs from the reset vector.

    address: the bus address of this cycle. write_data: data written when rw is 0.
    read_data: memory's answer, sampled at the rising edge that ends the cycle.
    rw: 1 = read, 0 = write. sync: high on opcode fetches. rdy: 0 stalls the walker.
    """

    address: Out(16)
    write_data: Out(8)
    read_data: In(8)
    rw: Out(1, init=1)
    sync: Out(1)
    rdy: In(1)

    def elaborate(self, platform):
        m = Module()
        pc = Signal(16)
        operand_lo = Signal(8)
        opcode = Signal(8)
        target = Cat(operand_lo, self.read_data)
        address = Signal(16, init=0xFFFC)
        m.d.comb += self.address.eq(address)

        def fetch(at):
            m.d.sync += [address.eq(at), pc.eq(at), self.sync.eq(1), self.rw.eq(1)]
            m.next = "FETCH"

        with m.If(self.rdy):
            with m.FSM():
                with m.State("VECTOR_LO"):
                    m.d.sync += [operand_lo.eq(self.read_data), address.eq(0xFFFD)]
                    m.next = "VECTOR_HI"
                with m.State("VECTOR_HI"):
                    fetch(target)
                with m.State("FETCH"):
                    m.d.sync += [opcode.eq(self.read_data), self.sync.eq(0)]
                    with m.If((self.read_data == INC_ABS) | (self.read_data == JMP_ABS)):
                        m.d.sync += [address.eq(pc + 1), pc.eq(pc + 1)]
                        m.next = "OPERAND_LO"
                    with m.Else():
                        fetch(pc + 1)
                with m.State("OPERAND_LO"):
                    m.d.sync += [operand_lo.eq(self.read_data), address.eq(pc + 1),
                                 pc.eq(pc + 1)]
                    m.next = "OPERAND_HI"
                with m.State("OPERAND_HI"):
                    with m.If(opcode == JMP_ABS):
                        fetch(target)
                    with m.Else():
                        m.d.sync += [address.eq(target), pc.eq(pc + 1)]
                        m.next = "READ"
                with m.State("READ"):
                    m.d.sync += [self.write_data.eq(self.read_data + 1), self.rw.eq(0)]
                    m.next = "WRITE"
                with m.State("WRITE"):
                    fetch(pc)
        return m


# At $0200: INC $0300; INC $0300; JMP $0209; at $0209: JMP $0209 (a loop on itself).
PROGRAM = bytes([INC_ABS, 0x00, 0x03, INC_ABS, 0x00, 0x03, JMP_ABS, 0x09, 0x02,
                 JMP_ABS, 0x09, 0x02])
START, LOOP = 0x0200, 0x0209
# Vector 2 cycles, INC 5 each (fetch, 2 operands, read, write), JMP 3 each; the run stops before
# the second fetch at the loop address.
CYCLES_TO_LOOP = 2 + 5 + 5 + 3 + 3
BUS_TABLE = {"addr": "address", "data_in": "read_data", "data_out": "write_data", "rw": "rw",
             "sync": "sync", "inputs": {"rdy": 1}}


def walker_design(tmp_path) -> Design:
    return Design(name="fasttest_bus6502", folder=Path(tmp_path), title="bus walker",
                  description="", author="", clock_hz=1_000_000, tiles="1x1", top="x:X",
                  tests=(), pins={}, sections={"fast": {"models": ["bus6502"],
                                                        "bus6502": BUS_TABLE}})


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    return walker_design(tmp_path_factory.mktemp("walker"))


def test_program_runs_until_it_loops(design):
    with fast.Simulation(design, component=BusWalker()) as sim:
        memory = sim.attach_bus6502(stop_on_loop=True)
        memory[START:START + len(PROGRAM)] = list(PROGRAM)
        memory[0x0300] = 0x41
        memory[0xFFFC], memory[0xFFFD] = START & 0xFF, START >> 8
        sim.reset()
        result = sim.step(1000)
        assert result.reason == "loop"
        assert result.cycles == CYCLES_TO_LOOP
        assert sim.bus6502_report() == {"pc": LOOP, "instructions": 4}
        assert memory[0x0300] == 0x43  # two read-modify-writes went through the bus


def test_stop_condition_on_bus_signals(design):
    with fast.Simulation(design, component=BusWalker()) as sim:
        memory = sim.attach_bus6502()
        memory[START:START + len(PROGRAM)] = list(PROGRAM)
        memory[0xFFFC], memory[0xFFFD] = START & 0xFF, START >> 8
        sim.reset()
        sim.stop_when(f"sync&&address=={LOOP:#x}")
        result = sim.step(1000)
        assert result.reason == "condition" and sim.get("address") == LOOP
        assert result.cycles == CYCLES_TO_LOOP - 3  # before the first fetch at the loop


def test_run_with_ram_file_and_pc(design, tmp_path):
    ram = tmp_path / "ram.bin"
    image = bytearray(0x1000)
    # The program moved to $0800: only its operands' high bytes (02) change.
    image[0x0800:0x0800 + len(PROGRAM)] = PROGRAM.replace(b"\x02", b"\x08")
    ram.write_bytes(bytes(image))
    result = fast.run(design, ram=ram, pc=0x0800, stop_on_loop=True, component=BusWalker())
    report = json.loads(json.dumps(result.report))
    assert report["stop"] == "loop" and report["pc"] == 0x0809
    assert report["cycles"] == CYCLES_TO_LOOP and report["instructions"] == 4


def test_without_rdy_the_walker_stalls(tmp_path):
    table = {key: value for key, value in BUS_TABLE.items() if key != "inputs"}
    design = walker_design(tmp_path)
    design.sections["fast"]["bus6502"] = table
    with fast.Simulation(design, component=BusWalker()) as sim:
        sim.attach_bus6502(stop_on_loop=True)
        sim.reset()
        assert sim.step(500).reason == "cycles"
        assert sim.bus6502_report() == {"pc": None, "instructions": 0}


def test_a_fetch_stretched_by_rdy_counts_once(design, tmp_path):
    """rdy low for 50 cycles during the first fetch at the loop address: no false loop stop, and
    the stall adds exactly its length to the cycle count."""
    stalled = walker_design(tmp_path)
    stalled.sections["fast"]["bus6502"] = {**BUS_TABLE, "rdy": "rdy"}
    stall_at = CYCLES_TO_LOOP - 3  # the first fetch at the loop address
    with fast.Simulation(stalled, component=BusWalker()) as sim:
        memory = sim.attach_bus6502(stop_on_loop=True)
        memory[START:START + len(PROGRAM)] = list(PROGRAM)
        memory[0xFFFC], memory[0xFFFD] = START & 0xFF, START >> 8
        sim.set_script([(stall_at, "rdy", 0), (stall_at + 50, "rdy", 1)])
        sim.reset()
        result = sim.step(1000)
        assert result.reason == "loop" and result.cycles == CYCLES_TO_LOOP + 50
        assert sim.bus6502_report() == {"pc": LOOP, "instructions": 4}
