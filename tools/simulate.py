"""Runs a design's cocotb suites on Icarus or Verilator through cocotb's Python runner.

Each (simulator, wave format) pair builds in its own folder under build/<name>/, so switching
between them never forces a rebuild of the others. The verdict comes from the runner's results
file (tests and failures counted there), never from reading the log.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ttsim import toolchain
from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR
from ttsim.registry import Design
from ttsim.tools import export

WAVE_FORMATS = ("vcd", "fst")
TIMESCALE = ("1ns", "1ps")


@dataclass
class SuiteResult:
    tests: int
    failed: int
    results_xml: Path
    waves: Path | None
    skipped: int = 0

    @property
    def passed(self) -> bool:
        return self.tests > self.skipped and self.failed == 0

    @property
    def summary(self) -> str:
        """"N of M tests passed", with the skipped ones named apart (a skip is not a pass)."""
        return summarise(self.tests, self.failed, self.skipped)


def count_results(results_xml: Path) -> tuple[int, int, int]:
    """(tests, failed, skipped) from a cocotb JUnit results file: a test fails with a <failure> or
    an <error>, and is skipped with a <skipped>."""
    import xml.etree.ElementTree as ElementTree

    cases = ElementTree.parse(results_xml).getroot().iter("testcase")
    tests = failed = skipped = 0
    for case in cases:
        tests += 1
        failed += any(case.find(tag) is not None for tag in ("failure", "error"))
        skipped += case.find("skipped") is not None
    return tests, failed, skipped


def summarise(tests: int, failed: int, skipped: int) -> str:
    text = f"{tests - failed - skipped} of {tests} tests passed"
    return text + (f", {skipped} skipped" if skipped else "")


def _runner(sim: str, waves: str | None):
    from cocotb_tools.runner import Icarus, Verilator

    if sim == "verilator":
        return Verilator()

    class IcarusWaves(Icarus):
        # cocotb's runner always asks vvp for FST; the last dump flag wins, so swap it for VCD.
        def _test_command(self):
            commands = super()._test_command()
            if waves == "vcd":
                commands = [["-vcd" if arg == "-fst" else arg for arg in cmd] for cmd in commands]
            return commands

    return IcarusWaves()


@contextlib.contextmanager
def _outside_pytest():
    """cocotb's runner changes its behaviour under pytest (it exits on failures); ttsim reads the
    results itself in every case, so hide pytest's marker while the runner works."""
    saved = os.environ.pop("PYTEST_CURRENT_TEST", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["PYTEST_CURRENT_TEST"] = saved


def _build_args(sim: str, waves: str | None) -> list[str]:
    if sim == "verilator":
        # Amaranth's Verilog is correct but not lint-clean for Verilator's style warnings.
        args = ["-Wno-fatal", "-Wno-lint", "-Wno-style", "-O3"]
        if waves == "fst":
            args.append("--trace-fst")
        return args
    return []


def run_suite(design: Design, sim: str = "icarus", waves: str | None = None,
              test_filter: str | None = None, extra_env: dict | None = None,
              test_modules: list[str] | None = None, log_dir: Path | None = None) -> SuiteResult:
    """Builds the design's TT top and runs cocotb test modules on it in one simulation.

    test_modules: the modules to run (default: the design's own suites). log_dir: write the
    build's and the simulation's output to build.log and test.log there instead of the console.
    """
    toolchain.require_simulator(sim)
    if waves is not None and waves not in WAVE_FORMATS:
        raise TtsimError(f"unknown wave format {waves!r} (choose from {', '.join(WAVE_FORMATS)})")
    test_modules = test_modules or design.test_modules
    if not test_modules:
        raise TtsimError(f"design {design.name!r} lists no cocotb tests in its design.toml")
    verilog = export.build(design).verilog
    build_dir = BUILD_DIR / design.name / (f"sim_{sim}" + (f"_{waves}" if waves else ""))
    runner = _runner(sim, waves)
    results_xml = build_dir / "results.xml"
    with _outside_pytest():
        try:
            runner.build(sources=[verilog], hdl_toplevel=design.top_module, build_dir=build_dir,
                         waves=waves is not None, timescale=TIMESCALE,
                         build_args=_build_args(sim, waves),
                         log_file=log_dir / "build.log" if log_dir else None)
        except (subprocess.CalledProcessError, SystemExit) as error:
            raise TtsimError(f"the {sim} build of {design.name!r} failed (its output is above)"
                             ) from error
        plusargs = []
        if sim == "icarus" and waves:
            plusargs.append(f"+dumpfile_path={build_dir / design.top_module}.{waves}")
        try:
            runner.test(test_module=test_modules, hdl_toplevel=design.top_module,
                        build_dir=build_dir, waves=waves is not None, timescale=TIMESCALE,
                        plusargs=plusargs, results_xml=str(results_xml), test_filter=test_filter,
                        extra_env=extra_env or {},
                        log_file=log_dir / "test.log" if log_dir else None)
        except SystemExit as error:
            if not results_xml.is_file():
                raise TtsimError(f"the {sim} simulation of {design.name!r} ended abnormally "
                                 f"(exit {error.code}) before writing results") from None
    tests, failed, skipped = count_results(results_xml)
    if tests == 0 and test_filter:
        raise TtsimError(f"no test of {design.name!r} matches {test_filter!r}")
    return SuiteResult(tests, failed, results_xml, _waves_file(design, sim, waves, build_dir),
                       skipped)


def _waves_file(design: Design, sim: str, waves: str | None, build_dir: Path) -> Path | None:
    if waves is None:
        return None
    path = build_dir / (f"{design.top_module}.{waves}" if sim == "icarus" else f"dump.{waves}")
    return path if path.is_file() else None
