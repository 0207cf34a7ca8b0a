"""The command line contract: help, one-line errors with exit code 2, tracebacks behind --debug."""
import os

import pytest

SUBCOMMANDS = ["list", "build", "test", "new", "run", "bench", "view", "synth", "tapeout", "check",
               "fets", "switch", "compare"]


def test_help_lists_every_subcommand(ttsim):
    result = ttsim("--help")
    assert result.returncode == 0
    for command in SUBCOMMANDS:
        assert f"\n    {command} " in result.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(ttsim, command):
    result = ttsim(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: ttsim {command}")


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ttsim: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_unknown_design(ttsim):
    assert_one_line_error(ttsim("build", "no_such_design"), "unknown design 'no_such_design'",
                          "hello")


def test_bad_option(ttsim):
    assert_one_line_error(ttsim("test", "hello", "--sim", "modelsim"), "invalid choice")
    assert_one_line_error(ttsim("list", "--bogus"), "unrecognized arguments: --bogus")


def test_missing_simulator(ttsim, tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # nothing on PATH: no iverilog, no vvp
    assert_one_line_error(ttsim("test", "hello", "--sim", "icarus", env=env),
                          "Icarus Verilog is not installed")


def test_debug_shows_the_traceback(ttsim):
    result = ttsim("--debug", "build", "no_such_design")
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "TtsimError" in result.stderr


def test_list_shows_hello(ttsim):
    result = ttsim("list")
    assert result.returncode == 0
    assert any(line.split()[0] == "hello" for line in result.stdout.splitlines())


def test_python_m_tools_give_one_line_errors_and_keep_tracebacks_behind_debug():
    """The `python -m` tools (benches, ROM assembly, demo) share the command line's convention."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "ttsim.viewer.bench", "redraw", "/no/such/trace.vcd"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "viewer bench: error: trace /no/such/trace.vcd does not exist"]
    debug = subprocess.run(command + ["--debug"], capture_output=True, text=True)
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "TtsimError" in debug.stderr


def test_run_program_reports_bugs_in_one_line(capsys):
    from ttsim.errors import run_program

    def broken():
        return {}["missing"]

    assert run_program("tool", broken, debug=False) == 1
    assert capsys.readouterr().err == ("tool: internal error: KeyError: 'missing' "
                                       "(run with --debug for the traceback)\n")
    with pytest.raises(KeyError):
        run_program("tool", broken, debug=True)
