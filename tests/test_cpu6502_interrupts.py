"""Reset, IRQ, NMI, BRK hijacking, interrupt latency, RDY and JAM on the 6502, and the 6507's
address lines, in pysim.

Programs start at $0400; the IRQ/BRK handler is at $0600, the NMI handler at $0700 (both NOPs).
"""
import pytest

from ttsim.designs.cpu6502.cpu import CPU6507
from ttsim.tb.cpu6502.harness import CpuBench

START, IRQ_HANDLER, NMI_HANDLER = 0x0400, 0x0600, 0x0700
NOP, CLI, SEI, BRK, RTI, JAM = 0xEA, 0x58, 0x78, 0x00, 0x40, 0x02


def bench_with(program: bytes, irq_handler: bytes = bytes([NOP]) * 16) -> CpuBench:
    memory = bytearray(65536)
    memory[START:START + len(program)] = program
    memory[IRQ_HANDLER:IRQ_HANDLER + len(irq_handler)] = irq_handler
    memory[NMI_HANDLER:NMI_HANDLER + 16] = bytes([NOP]) * 16
    for vector, target in ((0xFFFA, NMI_HANDLER), (0xFFFC, START), (0xFFFE, IRQ_HANDLER)):
        memory[vector:vector + 2] = target.to_bytes(2, "little")
    return CpuBench(memory)


def run(bench: CpuBench, cycles: int, lines=lambda n: {}) -> None:
    """Runs `cycles` bus cycles after the reset sequence; `lines(n)` gives irq/nmi/rdy of cycle n."""
    async def testbench(ctx, bench):
        await bench.until_fetch(ctx)
        for n in range(cycles):
            await bench.cycle(ctx, **lines(n))
    bench.run(testbench)


def fetches(bench: CpuBench) -> list[int]:
    """Opcode fetch addresses after the reset sequence."""
    return [c.address for c in bench.trace[7:] if c.sync]


def interrupt_entries(bench: CpuBench) -> list[tuple[int, int, int]]:
    """For each interrupt sequence: (vector read, pushed return address, pushed P)."""
    trace, entries = bench.trace, []
    for i, c in enumerate(trace[:-6]):
        pushes = trace[i + 2:i + 5]
        if c.sync and all(not p.read for p in pushes) and trace[i + 5].address >= 0xFFFA:
            entries.append((trace[i + 5].address, pushes[0].data << 8 | pushes[1].data,
                            pushes[2].data))
    return entries


def test_reset_sequence_reads_the_stack_and_the_vector():
    bench = bench_with(bytes([NOP]) * 8)
    states = []

    async def testbench(ctx, bench):
        await bench.until_fetch(ctx)
        states.append(bench.registers(ctx))
        await bench.until_fetch(ctx)
        await bench.reset(ctx)     # a reset in the middle of a program
        states.append(bench.registers(ctx))
    bench.run(testbench)
    first, second = bench.trace[:7], bench.trace[9:16]
    for sequence, s in ((first, 0x00), (second, 0xFD)):
        assert [(c.address, c.read) for c in sequence[2:]] == [
            (0x0100 | s, True), (0x0100 | (s - 1) & 0xFF, True), (0x0100 | (s - 2) & 0xFF, True),
            (0xFFFC, True), (0xFFFD, True)]
    assert bench.trace[7].address == START and bench.trace[7].sync
    assert states[0].pc == START and states[0].s == 0xFD and states[0].p & 0x04
    assert states[1].s == 0xFA


@pytest.mark.parametrize("second, pushed_i", [(NOP, 0), (SEI, 0x04)])
def test_irq_waits_one_instruction_after_cli(second, pushed_i):
    """CLI acts after the next instruction; SEI right after CLI still lets the IRQ in once."""
    bench = bench_with(bytes([CLI, second]) + bytes([NOP]) * 8)
    run(bench, 20, lambda n: {"irq": 1})
    vector, returns_to, pushed_p = interrupt_entries(bench)[0]
    assert (vector, returns_to) == (0xFFFE, 0x0402)
    assert pushed_p & 0x14 == pushed_i   # B clear (hardware interrupt), I as the handler sees it
    assert fetches(bench)[:4] == [0x0400, 0x0401, 0x0402, IRQ_HANDLER]
    # The fetch the interrupt replaced is followed by a re-read of the same address.
    fetch = next(i for i, c in enumerate(bench.trace) if c.sync and c.address == 0x0402)
    assert bench.trace[fetch + 1].address == 0x0402 and bench.trace[fetch + 1].read


def test_irq_is_ignored_while_i_is_set():
    bench = bench_with(bytes([NOP]) * 20)
    run(bench, 30, lambda n: {"irq": 1})
    assert interrupt_entries(bench) == []


def test_rti_restores_i_at_once():
    """RTI pulls I clear with IRQ still high: the interrupt comes back before any instruction."""
    bench = bench_with(bytes([CLI]) + bytes([NOP]) * 8, irq_handler=bytes([RTI]))
    run(bench, 40, lambda n: {"irq": 1})
    assert fetches(bench)[:7] == [0x0400, 0x0401, 0x0402, IRQ_HANDLER, 0x0402, IRQ_HANDLER, 0x0402]
    assert len(interrupt_entries(bench)) >= 3


def test_nmi_is_edge_triggered():
    bench = bench_with(bytes([NOP]) * 40)
    # High from cycle 2 to 30, then a second rising edge at cycle 40.
    run(bench, 60, lambda n: {"nmi": int(2 <= n < 30 or n >= 40)})
    entries = interrupt_entries(bench)
    assert [vector for vector, _, _ in entries] == [0xFFFA, 0xFFFA]
    assert all(p & 0x10 == 0 for _, _, p in entries)


@pytest.mark.parametrize("nmi_cycle, vector", [(1, 0xFFFA), (3, 0xFFFA), (4, 0xFFFE)])
def test_nmi_during_brk(nmi_cycle, vector):
    """An NMI rising in BRK's first four cycles (counted from 0, the opcode fetch) takes over its
    vector, B staying set in the pushed status; from the status push on it is too late."""
    bench = bench_with(bytes([BRK, 0xFF]) + bytes([NOP]) * 8)
    run(bench, 30, lambda n: {"nmi": int(n >= nmi_cycle)})
    entries = interrupt_entries(bench)
    assert entries[0] == (vector, 0x0402, entries[0][2]) and entries[0][2] & 0x10
    if vector == 0xFFFE:
        # Too late for this BRK: the NMI follows after one instruction of the IRQ handler.
        assert entries[1][0] == 0xFFFA and entries[1][1] == IRQ_HANDLER + 1


@pytest.mark.parametrize("at, returns_to", [(0x0402, 0x0406), (0x04FD, 0x0500)])
def test_taken_branch_within_a_page_delays_an_irq(at, returns_to):
    """IRQ rises during a taken branch's operand cycle (BNE +1 at `at`). Within a page the branch
    ignores it in its last cycle, so one more instruction runs; across a page the IRQ comes right
    after the branch."""
    program = bytearray([NOP]) * 0x200
    program[0] = CLI
    if at != 0x0402:
        program[1:4] = bytes([0x4C, at & 0xFF, at >> 8])     # JMP to the branch
    program[at - START:at - START + 2] = bytes([0xD0, 0x01])
    bench = bench_with(bytes(program))
    branch_fetched = False

    def lines(n):
        nonlocal branch_fetched
        previous = bench.trace[-1]
        branch_fetched = branch_fetched or (previous.sync and previous.address == at)
        return {"irq": int(branch_fetched)}
    run(bench, 40, lines)
    assert interrupt_entries(bench)[0][1] == returns_to


def test_rdy_stalls_reads_but_not_writes():
    # STA $0300 then NOPs: RDY goes low on the write cycle and stays low for 5 cycles.
    bench = bench_with(bytes([0xA9, 0x42, 0x8D, 0x00, 0x03]) + bytes([NOP]) * 8)
    run(bench, 16, lambda n: {"rdy": int(not 5 <= n < 10)})
    trace = bench.trace[7:]
    write = next(i for i, c in enumerate(trace) if not c.read)
    assert write == 5 and trace[write].address == 0x0300 and bench.memory[0x0300] == 0x42
    # The write went on; the opcode fetch after it repeats while RDY is low, then completes.
    assert [c.address for c in trace[write + 1:write + 6]] == [0x0405] * 5
    assert trace[write + 6].address == 0x0406


def test_jam_halts_until_reset():
    bench = bench_with(bytes([JAM]) + bytes([NOP]) * 8)
    jammed = []

    async def testbench(ctx, bench):
        await bench.until_fetch(ctx)
        for n in range(20):
            await bench.cycle(ctx, irq=1, nmi=int(n > 5))
        jammed.append(ctx.get(bench.cpu.jammed))
        bench.memory[START] = NOP
        await bench.reset(ctx)
        jammed.append(ctx.get(bench.cpu.jammed))
        await bench.until_fetch(ctx)
    bench.run(testbench)
    run_part = bench.trace[7:27]
    assert [c.address for c in run_part[:2]] == [0x0400, 0x0401]
    # The halt reads $FFFF, $FFFE, $FFFE, then $FFFF for ever (as perfect6502 shows it).
    assert [c.address for c in run_part[2:6]] == [0xFFFF, 0xFFFE, 0xFFFE, 0xFFFF]
    assert all(c.address == 0xFFFF and c.read and not c.sync for c in run_part[5:])
    assert jammed == [1, 0]
    assert bench.trace[-1].address == START + 1   # reset brought it back: the NOP ran


def test_6507_has_13_address_lines_and_no_interrupt_pins():
    memory = bytearray(65536)
    # The cartridge at $F000 is $1000 on 13 lines: CLI, then JMP $F000 forever.
    memory[0x1000:0x1004] = bytes([CLI, 0x4C, 0x00, 0xF0])
    memory[0x1FFC:0x1FFE] = bytes([0x00, 0xF0])          # the reset vector, seen at $1FFC
    bench = CpuBench(memory, cpu=CPU6507())
    run(bench, 60, lambda n: {"irq": 1, "nmi": n % 10 > 4})
    assert all(c.address < 0x2000 for c in bench.trace)
    assert set(fetches(bench)) == {0x1000, 0x1001}
    assert all(c.read for c in bench.trace)     # no interrupt sequence pushed anything
