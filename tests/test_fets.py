"""The FET netlist flow: gates and flip-flops expanded, and designs at switch level against RTL."""
import itertools
import json

import pytest

from ttsim import registry
from ttsim.designs.atari2600.cartridge import SCHEMES
from ttsim.errors import TtsimError
from ttsim.switch import SwitchSim
from ttsim.tools import export, fets, switch_check

GATE_FUNCTIONS = {
    "$_NOT_": lambda a: 1 - a,
    "$_NAND_": lambda a, b: 1 - (a & b),
    "$_NOR_": lambda a, b: 1 - (a | b),
    "$_AOI3_": lambda a, b, c: 1 - ((a & b) | c),
    "$_OAI3_": lambda a, b, c: 1 - ((a | b) & c),
    "$_AOI4_": lambda a, b, c, d: 1 - ((a & b) | (c & d)),
    "$_OAI4_": lambda a, b, c, d: 1 - ((a | b) & (c | d)),
}
TRANSISTORS_PER_GATE = {"$_NOT_": 2, "$_NAND_": 4, "$_NOR_": 4, "$_AOI3_": 6, "$_OAI3_": 6,
                        "$_AOI4_": 8, "$_OAI4_": 8}


def one_cell_module(cell_type: str, pins: dict, ports: dict) -> dict:
    """A Yosys JSON design of one cell; pins and ports map names to Yosys bit numbers."""
    return {"modules": {"top": {
        "ports": {name: {"direction": direction, "bits": [bit]}
                  for name, (direction, bit) in ports.items()},
        "netnames": {name: {"bits": [bit], "attributes": {}} for name, (_, bit) in ports.items()},
        "cells": {"cell0": {"type": cell_type, "attributes": {},
                            "connections": {pin: [bit] for pin, bit in pins.items()}}},
    }}}


@pytest.mark.parametrize("cell_type", sorted(GATE_FUNCTIONS))
def test_gate_expansion_matches_its_truth_table(cell_type):
    inputs = "ABCD"[:GATE_FUNCTIONS[cell_type].__code__.co_argcount]
    pins = {pin: 2 + i for i, pin in enumerate(inputs)} | {"Y": 10}
    ports = {pin.lower(): ("input", bit) for pin, bit in pins.items() if pin != "Y"}
    ports["y"] = ("output", 10)
    netlist = fets.expand(one_cell_module(cell_type, pins, ports), "top", "test")
    assert len(netlist["transistors"]) == TRANSISTORS_PER_GATE[cell_type]
    assert {kind for kind, *_ in netlist["transistors"]} == {"n", "p"}
    assert netlist["transistor_cells"] == [0] * TRANSISTORS_PER_GATE[cell_type]
    assert netlist["cells"][0][:2] == ["cell0", cell_type.strip("$_").lower()]
    sim = SwitchSim(netlist)
    for values in itertools.product((0, 1), repeat=len(inputs)):
        sim.set_many({pin.lower(): v for pin, v in zip(inputs, values)})
        assert sim.get("y") == GATE_FUNCTIONS[cell_type](*values), values


@pytest.mark.parametrize("cell_type, active", [("$_DFF_P_", 1), ("$_DFF_N_", 0)])
def test_flipflop_takes_d_on_its_clock_edge_only(cell_type, active):
    ports = {"clk": ("input", 2), "d": ("input", 3), "q": ("output", 4)}
    design = one_cell_module(cell_type, {"C": 2, "D": 3, "Q": 4}, ports)
    netlist = fets.expand(design, "top", "test")
    assert len(netlist["transistors"]) == 34
    assert netlist["flipflops"][0]["net"] == "q"
    sim = SwitchSim(netlist)
    sim.set("clk", 1 - active)
    assert sim.get("q") == 0  # the initial value
    expected = 0
    for d in (1, 0, 1, 1, 0, 0, 1):
        sim.set("d", d)  # clock inactive: the master follows d, q holds
        assert sim.get("q") == expected
        sim.set("clk", active)
        expected = d
        assert sim.get("q") == expected
        sim.set("d", 1 - d)  # clock active: q holds
        assert sim.get("q") == expected
        sim.set("clk", 1 - active)
        assert sim.get("q") == expected


def test_flipflop_starts_at_the_registers_initial_value():
    ports = {"clk": ("input", 2), "d": ("input", 3), "q": ("output", 4)}
    design = one_cell_module("$_DFF_P_", {"C": 2, "D": 3, "Q": 4}, ports)
    design["modules"]["top"]["netnames"]["q"]["attributes"]["init"] = "1"
    assert SwitchSim(fets.expand(design, "top", "test")).get("q") == 1


def test_cells_without_a_cmos_expansion_are_an_error():
    design = one_cell_module("$_XOR_", {"A": 2, "B": 3, "Y": 4},
                             {"a": ("input", 2), "b": ("input", 3), "y": ("output", 4)})
    with pytest.raises(TtsimError, match=r"cell cell0 has type \$_XOR_"):
        fets.expand(design, "top", "test")


@pytest.fixture(scope="module")
def hello_fets():
    design = registry.get("hello")
    path, netlist = fets.build(design)
    return design, path, netlist


def test_hello_netlist_names_ports_and_keeps_provenance(hello_fets):
    _, _, netlist = hello_fets
    assert netlist["format"] == "ttsim-fets-1"
    assert len(netlist["flipflops"]) == 26  # 22 prescaler bits and the 4-bit digit
    for port in ("ui_in[0]", "uo_out[7]", "clk", "rst_n", "counter.digit[3]"):
        assert port in netlist["names"]
    assert len(netlist["transistor_cells"]) == len(netlist["transistors"])
    drives = {net for _, _, net in netlist["cells"]}
    assert {"counter.digit[0]", "counter.prescale[0]"} <= drives


def test_hello_at_switch_level_matches_the_rtl(hello_fets):
    design, _, _ = hello_fets
    result = switch_check.check_design(design, 3000, switch_check.RandomInputs())
    assert result.compared_nets == 24 + 26  # every output pin and every flip-flop
    assert [str(m) for m in result.mismatches] == []


def test_the_check_reports_the_first_mismatch(hello_fets, tmp_path):
    design, _, netlist = hello_fets
    # Break the flip-flop of the digit's bit 0: an extra inverter in front of its D input.
    broken = json.loads(json.dumps(netlist))
    flipflop = next(f for f in broken["flipflops"] if f["net"] == "counter.digit[0]")
    cell = next(i for i, (_, kind, net) in enumerate(broken["cells"])
                if kind == "dff" and net == "counter.digit[0]")
    inverted = broken["nodes"]
    for transistor, owner in zip(broken["transistors"], broken["transistor_cells"]):
        if owner == cell and transistor[1] == flipflop["d"]:
            transistor[1] = inverted
    broken["nodes"] += 1
    broken["transistors"] += [["p", flipflop["d"], 1, inverted], ["n", flipflop["d"], inverted, 0]]
    broken["cells"].append(["saboteur", "not", "inverted D"])
    broken["transistor_cells"] += [len(broken["cells"]) - 1] * 2
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    verilog = export.build(design).verilog.read_text()
    result = switch_check.check(design, verilog, path, broken, 3000, switch_check.RandomInputs())
    assert result.mismatches, "an inverted flip-flop input must show"
    first = result.mismatches[0]
    assert first.switch != first.rtl
    assert "digit" in first.net or first.net.startswith(("uo_out", "uio_out"))
    assert f"cycle {first.cycle}: {first.net} is {first.switch}" in str(first)


def test_a_netlist_the_size_of_a_6502_matches_its_rtl():
    from ttsim.tools.bench_switch import check_datapath

    _, netlist, result = check_datapath(1000, seed=7)
    assert 3000 <= len(netlist["transistors"]) <= 4500
    assert [str(m) for m in result.mismatches] == []


def test_bus6502_memory_serves_reads_and_takes_writes():
    image = bytearray(0x10000)
    image[0x1234] = 0xA9
    memory = switch_check.Bus6502Memory(bytes(image), start=0x0400)
    assert memory.memory[0xFFFC:0xFFFE] == b"\x00\x04"
    phase_low, phase_high, phase_data = 0b1000, 0b10000, 0b100000
    read, sync = 0b1, 0b10
    memory.observe({"uo_out": phase_low | read | sync, "uio_out": 0x34})
    memory.observe({"uo_out": phase_high | read | sync, "uio_out": 0x12})
    memory.observe({"uo_out": phase_data | read | sync, "uio_out": 0})
    assert memory.inputs(cycle=10)["uio_in"] == 0xA9
    assert memory.opcode_fetches == 1
    memory.observe({"uo_out": phase_low, "uio_out": 0xFF})
    memory.observe({"uo_out": phase_high, "uio_out": 0x01})
    memory.observe({"uo_out": phase_data, "uio_out": 0x5A})  # a write
    assert memory.memory[0x01FF] == 0x5A
    assert memory.inputs(cycle=0)["rst_n"] == 0


def test_cpu6502_runs_a_program_at_switch_level_like_its_rtl():
    if "cpu6502" not in registry.names():
        pytest.skip("the cpu6502 design is not in this checkout")
    design = registry.get("cpu6502")
    program = bytearray(0x10000)
    # LDX #0; loop: TXA; STA $0200,X; ADC #3; INX; BNE loop
    program[0x0400:0x040B] = bytes([0xA2, 0x00, 0x8A, 0x9D, 0x00, 0x02, 0x69, 0x03, 0xE8,
                                    0xD0, 0xF7])
    memory = switch_check.Bus6502Memory(bytes(program), start=0x0400)
    result = switch_check.check_design(design, 600, memory)
    assert [str(m) for m in result.mismatches] == []
    assert memory.opcode_fetches > 20
    assert memory.memory[0x0200:0x0204] == bytes([0, 1, 2, 3])


def test_switch_command_json(ttsim):
    run = ttsim("switch", "hello", "--cycles", "300", "--check", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["cycles"] == 300 and result["mismatches"] == 0
    assert result["transistors"] > 1000 and result["half_cycles_per_s"] > 0


def test_fets_command_errors_are_one_line(ttsim):
    run = ttsim("fets", "hello", "--module", "nope")
    assert run.returncode == 2
    assert run.stderr.strip() == ("ttsim: error: design 'hello' has no module 'nope' "
                                  "(modules: counter, display)")


def test_fets_command_writes_a_module(ttsim, tmp_path):
    out = tmp_path / "counter.json"
    run = ttsim("fets", "hello", "--module", "counter", "--cells", "cmos3", "--out", out)
    assert run.returncode == 0, run.stderr
    netlist = json.loads(out.read_text())
    assert {cell[1] for cell in netlist["cells"]} >= {"aoi3", "dff"}
    assert "digit[0]" in netlist["names"]
    SwitchSim.load(out)


AMARANTH_STYLE_VERILOG = r"""
module top(clk, q);
  input clk;
  wire clk;
  output [3:0] q;
  wire [3:0] q;
  reg \$signal$7  = 1'h0;
  top.inner \inner$3  (
    .clk(clk)
  );
endmodule

module \top.inner (clk);
  input clk;
  wire clk;
  reg [7:0] ram [3:0];
  reg [2:0] count = 3'h0;
  reg flag = 1'h0;
endmodule
"""


def test_verilog_hierarchy_turns_netlist_names_into_rtl_references():
    hierarchy = switch_check.VerilogHierarchy(AMARANTH_STYLE_VERILOG.replace("  top.inner",
                                                                             "  \\top.inner "))
    reference = lambda name: hierarchy.reference("top", name)  # noqa: E731
    assert reference("q[2]") == "q[2]"
    assert reference("$signal$7") == "\\$signal$7 "
    assert reference("inner$3.count[1]") == "inner$3.count[1]"  # '$' is fine after the start
    assert reference("inner$3.flag") == "inner$3.flag"
    assert reference("inner$3.ram[2][5]") == "inner$3.ram[2][5]"  # bit 5 of memory word 2
    # Names the RTL does not have, or bits it does not have: no reference.
    for missing in ("nope", "inner$3.count[3]", "inner$3.flag[0]", "q", "other.count[0]",
                    "inner$3.ram[2]"):
        assert reference(missing) is None, missing


def test_cartridge_rom_serves_the_byte_at_rom_addr():
    rom = bytes(range(256)) * 32  # 8K: bank-switched (F8)
    cartridge = switch_check.CartridgeRom(rom)
    inputs = cartridge.inputs(cycle=0)
    assert inputs["rst"] == 0
    assert SCHEMES[inputs["scheme"]] == "F8"
    cartridge.observe({"rom_addr": 0x1234, "cpu_ce": 0})
    assert cartridge.inputs(cycle=1)["rom_data"] == 0x34
    cartridge.observe({"rom_addr": 0x0FFF, "cpu_ce": 1})
    assert cartridge.inputs(cycle=2)["rom_data"] == 0xFF and cartridge.cpu_cycles == 1
    with pytest.raises(TtsimError, match="fits no supported cartridge scheme"):
        switch_check.CartridgeRom(bytes(1000))


def test_atari_core_at_switch_level_matches_the_rtl(atari_core_check):
    result, cartridge, _ = atari_core_check
    assert [str(m) for m in result.mismatches] == []
    assert result.cycles == 900 and cartridge.cpu_cycles == 300  # a CPU cycle per 3 clocks
    assert result.transistors > 150_000
    # Every flip-flop is compared: the RIOT's and the Superchip's RAM bits (1024 each) included.
    assert result.compared_nets > 2 * 1024 + 500


def test_switch_command_refuses_a_cartridge_for_a_design_without_rom_port(ttsim, tmp_path):
    rom = tmp_path / "game.bin"
    rom.write_bytes(bytes(2048))
    run = ttsim("switch", "hello", "--cycles", "10", "--check", "--rom", rom)
    assert run.returncode == 2
    assert run.stderr.strip() == ("ttsim: error: the stimulus drives rom_data, rst, scheme, "
                                  "which the netlist has no input for")  # before any build
    run = ttsim("switch", "hello", "--check", "--rom", rom, "--ram", rom)
    assert run.returncode == 2 and "exclude each other" in run.stderr
    run = ttsim("switch", "hello", "--check", "--native")
    assert run.returncode == 2
    assert run.stderr.strip() == ("ttsim: error: design 'hello' has no native top ([fast] top "
                                  "in design.toml)")
