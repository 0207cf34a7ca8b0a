"""cpu6502's TT top: the three-phase memory bus on uio, served by a memory written in Python.

Each bus cycle is read off the pins (address low, address high, then the data byte) and compared
with the bus model (busmodel.py) instruction by instruction; the pin protocol itself (phase flags,
uio direction, R/W and SYNC steady over the three phases, HALT) is checked on every TT clock.
"""
import cocotb
from cocotb.triggers import FallingEdge, RisingEdge

from ttsim.tb.cpu6502 import busmodel
from ttsim.tb.cpu6502.busmodel import Registers
from ttsim.tb.tt import start

READ, SYNC, JAM = 0x01, 0x02, 0x04
PHASE_FLAGS = (0x08, 0x10, 0x20)
HALT = 0x01

# At $0400: five rounds of a store, a read-modify-write, a subroutine using the stack and a branch.
PROGRAM = bytes([
    0xA2, 0x05,             # 0400 LDX #5
    0xA9, 0x10,             # 0402 LDA #$10
    0x9D, 0xFE, 0x01,       # 0404 STA $01FE,X  (crosses into page 2: the dummy read)
    0xEE, 0x00, 0x02,       # 0407 INC $0200
    0x20, 0x20, 0x04,       # 040A JSR $0420
    0xCA,                   # 040D DEX
    0xD0, 0xF2,             # 040E BNE $0402
    0x4C, 0x10, 0x04,       # 0410 JMP $0410
])
SUBROUTINE = bytes([0x48, 0x69, 0x01, 0x68, 0x60])   # 0420 PHA; ADC #1; PLA; RTS
START = 0x0400


def program_memory() -> bytearray:
    memory = bytearray(65536)
    memory[START:START + len(PROGRAM)] = PROGRAM
    memory[0x0420:0x0420 + len(SUBROUTINE)] = SUBROUTINE
    memory[0xFFFC:0xFFFE] = START.to_bytes(2, "little")
    return memory


async def bus_cycle(dut, memory: bytearray, ui_in: int = 0) -> tuple[int, int, bool, bool]:
    """Serves one CPU bus cycle (three TT clocks); returns (address, data, is_read, sync)."""
    dut.ui_in.value = ui_in
    address = 0
    status = None
    for phase, flag in enumerate(PHASE_FLAGS):
        uo_out = int(dut.uo_out.value)
        assert uo_out & 0x38 == flag, f"phase {phase}: uo_out {uo_out:#04x}"
        if status is None:
            status = uo_out & (READ | SYNC | JAM)
        assert uo_out & (READ | SYNC | JAM) == status, "R/W, SYNC or JAM changed within a cycle"
        is_read = bool(status & READ)
        if phase < 2:
            assert int(dut.uio_oe.value) == 0xFF
            address |= int(dut.uio_out.value) << (8 * phase)
        elif is_read:
            assert int(dut.uio_oe.value) == 0x00
            data = memory[address]
            dut.uio_in.value = data
        else:
            assert int(dut.uio_oe.value) == 0xFF
            data = int(dut.uio_out.value)
            memory[address] = data
        await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
    return address, data, is_read, bool(status & SYNC)


async def reset_sequence(dut, memory) -> Registers:
    """Resets the CPU and checks its reset sequence; returns the registers the program starts
    with. Reset leaves S where it was (00 at power-up) and moves it down by three."""
    await start(dut)
    cycles = [await bus_cycle(dut, memory) for _ in range(7)]
    s = cycles[2][0] & 0xFF
    assert [(a, r) for a, _, r, _ in cycles[2:]] == [
        (0x0100 | s, True), (0x0100 | (s - 1) & 0xFF, True), (0x0100 | (s - 2) & 0xFF, True),
        (0xFFFC, True), (0xFFFD, True)]
    return Registers(START, s=(s - 3) & 0xFF, p=0x34)


def model_cycles(state: Registers, instructions: int) -> list[tuple[int, int, bool]]:
    memory, cycles = program_memory(), []
    for _ in range(instructions):
        expected, state, memory = busmodel.step(state, memory)
        cycles += expected
    return cycles


@cocotb.test()
async def program_runs_cycle_by_cycle_like_the_bus_model(dut):
    memory = program_memory()
    state = await reset_sequence(dut, memory)
    model_memory = program_memory()
    for count in range(60):
        expected, state, model_memory = busmodel.step(state, model_memory)
        got = [await bus_cycle(dut, memory) for _ in expected]
        assert got[0][3] and not any(sync for *_, sync in got[1:]), "SYNC on the wrong cycles"
        assert [c[:3] for c in got] == expected, f"instruction {count} at {expected[0][0]:04X}"
    # X = 2 stores $10 at $0200 in the fourth round; INC $0200 runs in all five.
    assert state.pc == 0x0410 and memory[0x01FF:0x0204] == bytes([0x10, 0x12, 0x10, 0x10, 0x10])


@cocotb.test()
async def halt_stalls_read_cycles_only(dut):
    """HALT held for 20 bus cycles: the read cycle under way repeats; otherwise nothing changes."""
    memory = program_memory()
    expected = model_cycles(await reset_sequence(dut, memory), 30)
    position = stalls = 0
    for count in range(90):
        halted = 20 <= count < 40
        address, data, is_read, _ = got = (await bus_cycle(dut, memory, HALT if halted else 0))
        if (address, data, is_read) == expected[position]:
            position += 1
        else:
            # The stalled read repeats until the cycle after HALT is released completes it.
            assert 20 <= count <= 40 and is_read and (address, data, True) == expected[position - 1], (
                f"bus cycle {count}: {got}, expected {expected[position]}")
            stalls += 1
    assert stalls == 19 or stalls == 20
