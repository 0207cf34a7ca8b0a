"""`ttsim check`: every info.yaml rule, broken one at a time, fails with a message naming it.

Each case starts from the TT project `ttsim tapeout` writes for `hello` (which passes), breaks one
thing and runs the static checks (the simulations are covered in test_tapeout.py).
"""
import json
import shutil

import pytest
import yaml

from ttsim import registry
from ttsim.tools import check, tapeout


@pytest.fixture(scope="module")
def hello_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tt") / "hello"
    tapeout.write(registry.get("hello"), folder)
    return folder


@pytest.fixture
def project(hello_project, tmp_path):
    folder = tmp_path / "project"
    shutil.copytree(hello_project, folder)
    return folder


def edit_info(folder, change):
    path = folder / "info.yaml"
    info = yaml.safe_load(path.read_text())
    change(info)
    path.write_text(yaml.safe_dump(info, sort_keys=False))


def failures(folder):
    results = check.check(folder, simulate=False).results
    return {r.name: r.why for r in results if r.status == "fail"}


def test_the_generated_project_passes_every_static_check(hello_project):
    results = check.check(hello_project, simulate=False).results
    assert [r.line() for r in results if r.status in ("fail", "warn")] == []
    names = {r.name for r in results if r.status == "pass"}
    assert {"yaml_version", "pinout", "ports", "lint", "icarus", "synth", "docs/info.md"} <= names


def set_project(key, value):
    return lambda info: info["project"].__setitem__(key, value)


def drop_project(key):
    return lambda info: info["project"].pop(key)


def drop_pin(key):
    return lambda info: info["pinout"].pop(key)


def set_pin(key, value):
    return lambda info: info["pinout"].__setitem__(key, value)


INFO_RULES = [
    ("yaml_version", lambda info: info.__setitem__("yaml_version", 5), "must be 6"),
    ("project.title", set_project("title", ""), "non-empty"),
    ("project.author", drop_project("author"), "non-empty"),
    ("project.description", set_project("description", "   "), "non-empty"),
    ("project.language", set_project("language", None), "non-empty"),
    ("project.clock_hz", set_project("clock_hz", "10 MHz"), "integer"),
    ("project.clock_hz", set_project("clock_hz", 1.5e7), "integer"),
    ("project.tiles", set_project("tiles", "5x5"), "not a TT tile size"),
    ("project.top_module", set_project("top_module", "hello_top"), "tt_um_"),
    ("project.source_files", set_project("source_files", []), "non-empty list"),
    ("project.source_files", set_project("source_files", ["*.v"]), "wildcard"),
    ("project.source_files", set_project("source_files", ["missing.v"]),
     "src/missing.v does not exist"),
    ("pinout", drop_pin("uo[3]"), "missing uo[3]"),
    ("pinout", set_pin("ui[8]", "extra"), "unknown keys ui[8]"),
    ("pinout", set_pin("uio[2]", 7), "not strings: uio[2]"),
    ("pinout", lambda info: info.pop("pinout"), "no pinout"),
]


@pytest.mark.parametrize("rule, breakage, message", INFO_RULES,
                         ids=[f"{rule}-{message}" for rule, _, message in INFO_RULES])
def test_a_broken_info_yaml_rule_fails_by_name(project, rule, breakage, message):
    edit_info(project, breakage)
    failed = failures(project)
    assert rule in failed, failed
    assert message in failed[rule]


def test_a_top_module_defined_in_two_sources_fails(project):
    source = next((project / "src").glob("tt_um_*.v"))
    shutil.copy(source, project / "src" / "copy.v")
    edit_info(project, lambda info: info["project"]["source_files"].append("copy.v"))
    failed = failures(project)
    assert "exactly one source file" in failed["top module"]
    assert "2 files" in failed["top module"]


def test_a_top_module_no_source_defines_fails(project):
    edit_info(project, set_project("top_module", "tt_um_somebody_else"))
    assert "no source file" in failures(project)["top module"]


def edit_source(folder, old, new):
    source = next((folder / "src").glob("tt_um_*.v"))
    text = source.read_text()
    assert old in text
    source.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, message", [
    ("  input ena;\n  wire ena;", "  input [1:0] ena;\n  wire [1:0] ena;",
     "ena is input [2], must be input [1]"),
    ("  output [7:0] uio_oe;", "  inout [7:0] uio_oe;", "uio_oe is inout [8], must be output [8]"),
])
def test_wrong_ports_fail(project, old, new, message):
    edit_source(project, old, new)
    assert message in failures(project)["ports"]


def test_an_extra_port_fails(project):
    edit_source(project, "(uio_in, ena,", "(uio_in, debug, ena,")
    edit_source(project, "  input ena;", "  input debug;\n  input ena;")
    assert "extra ports debug" in failures(project)["ports"]


def test_a_missing_port_fails(project):
    edit_source(project, "(uio_in, ena,", "(uio_in,")
    edit_source(project, "  input ena;", "")
    assert "missing input ena" in failures(project)["ports"]


def test_the_docs_placeholder_fails(project):
    (project / "docs" / "info.md").write_text(
        "## How it works\n\nExplain how your project works\n\n## How to test\n\nLater.\n")
    assert "placeholder" in failures(project)["docs/info.md"]


def test_missing_docs_fail(project):
    (project / "docs" / "info.md").unlink()
    assert "missing" in failures(project)["docs/info.md"]


def test_lint_warnings_fail(project):
    edit_source(project, "  wire hold;\n",
                "  wire hold;\n  wire floating;\n  wire sink = floating;\n")
    assert "UNDRIVEN" in failures(project)["lint"]


def test_a_design_optimised_away_warns(project):
    top = "tt_um_nothing"
    (project / "src" / "nothing.v").write_text(
        "`default_nettype none\n"
        f"module {top} (input wire [7:0] ui_in, output wire [7:0] uo_out,\n"
        "  input wire [7:0] uio_in, output wire [7:0] uio_out, output wire [7:0] uio_oe,\n"
        "  input wire ena, input wire clk, input wire rst_n);\n"
        "  assign uo_out = ui_in; assign uio_out = 0; assign uio_oe = 0;\n"
        "  wire _unused = &{ena, clk, rst_n, uio_in, 1'b0};\nendmodule\n")
    edit_info(project, lambda info: info["project"].update(top_module=top,
                                                            source_files=["nothing.v"]))
    results = {r.name: r for r in check.check(project, simulate=False).results}
    assert results["synth"].status == "warn"
    assert "optimised away" in results["synth"].why
    assert results["ports"].status == "pass"


def test_broken_yaml_is_one_clear_line_and_exit_1(project, ttsim):
    (project / "info.yaml").write_text("project:\n  title: [unclosed\n")
    result = ttsim("check", project, "--no-sim")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "FAIL  info.yaml: not valid YAML at line" in result.stdout


def test_check_of_a_missing_folder_is_a_usage_error(tmp_path, ttsim):
    result = ttsim("check", tmp_path / "nowhere")
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


def test_json_output_lists_every_check(project, ttsim):
    edit_info(project, set_project("tiles", "9x9"))
    result = ttsim("check", project, "--no-sim", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "failed"
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["project.tiles"]["status"] == "fail"
    assert by_name["rtl sim"]["status"] == "skip"


def test_a_source_icarus_cannot_compile_fails(project):
    edit_source(project, "  assign rst = ~ rst_n;", "  assign rst = ~ rst_n")
    failed = failures(project)
    assert "iverilog" in failed["icarus"]
    assert "lint" in failed


UNRESET_COUNTER = """`default_nettype none
module tt_um_ttsim_hello (input wire [7:0] ui_in, output wire [7:0] uo_out,
    input wire [7:0] uio_in, output wire [7:0] uio_out, output wire [7:0] uio_oe,
    input wire ena, input wire clk, input wire rst_n);
  reg [3:0] count = 4'd0;  // no reset: only the simulator's initial value makes it 0
  always @(posedge clk) count <= count + {3'd0, ui_in[0]};
  assign uo_out = {4'd0, count};
  assign uio_out = 8'd0;
  assign uio_oe = 8'd0;
endmodule
"""

READS_ZERO_TEST = """import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles


@cocotb.test()
async def count_reads_zero(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.ui_in.value = 0
    dut.uio_in.value = 0
    dut.ena.value = 1
    dut.rst_n.value = 0
    await ClockCycles(dut.clk, 3)
    assert int(dut.uo_out.value) == 0
"""


def test_the_gate_level_simulation_catches_a_register_without_reset(project):
    """RTL simulation gives the register its initial value; silicon and the netlist do not."""
    next((project / "src").glob("tt_um_*.v")).write_text(UNRESET_COUNTER)
    (project / "test" / "test.py").write_text(READS_ZERO_TEST)
    results = {r.name: r for r in check.check(project, simulate=True).results}
    assert results["rtl sim"].status == "pass", results["rtl sim"].why
    assert results["gate-level sim"].status == "fail"
    assert "Registers without a reset" in results["gate-level sim"].why
