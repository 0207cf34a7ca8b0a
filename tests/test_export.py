"""Amaranth -> Verilog: deterministic, `default_nettype none`, skipped when nothing changed."""
import re

import pytest

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.tools import export


@pytest.fixture(scope="module")
def hello_verilog():
    return export.build(registry.get("hello")).verilog


def test_verilog_is_a_tt_top(hello_verilog):
    text = hello_verilog.read_text()
    assert text.startswith("`default_nettype none\n")
    header = re.search(r"^module tt_um_ttsim_hello\((.*)\);", text, re.MULTILINE)
    assert header, "the TT top module is missing"
    assert sorted(p.strip() for p in header.group(1).split(",")) == sorted(
        ["ui_in", "uo_out", "uio_in", "uio_out", "uio_oe", "ena", "clk", "rst_n"])
    assert "src =" not in text  # no absolute source paths: the same on every machine


def test_output_is_deterministic(hello_verilog):
    design = registry.get("hello")
    assert export.to_verilog(design, export.elaborate(design)) == hello_verilog.read_text()


def test_second_build_is_skipped(hello_verilog):
    result = export.build(registry.get("hello"))
    assert result.verilog == hello_verilog and not result.rebuilt
    assert export.build(registry.get("hello"), force=True).rebuilt


def test_icarus_time_zero_trigger_is_guarded(hello_verilog):
    text = hello_verilog.read_text()
    assert "`ifdef __ICARUS__" in text and "initial #0" in text
    assert not re.search(r"^\s*reg \\\$auto\$verilog_backend\S* += 0;\n(?!`endif)", text,
                         re.MULTILINE)


@pytest.mark.filterwarnings("ignore::amaranth.hdl.UnusedElaboratable")
def test_elaboration_error_is_one_line(ttsim, scratch_design):
    assert ttsim("new", scratch_design).returncode == 0
    top = registry.get(scratch_design).folder / "top.py"
    top.write_text(top.read_text().replace("total + self.ui_in", "total + self.no_such_port"))
    result = ttsim("build", scratch_design)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "failed to elaborate" in result.stderr and "no_such_port" in result.stderr
    with pytest.raises(TtsimError):
        export.build(registry.get(scratch_design))
