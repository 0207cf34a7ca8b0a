"""`ttsim check DIR`: checks a Tiny Tapeout project folder before Tiny Tapeout's own tooling does.

It applies the rules TT's tools apply to info.yaml, the sources and the top module's ports,
looks for the docs template's placeholder text, lints with Verilator (-Wall), compiles with
Icarus, compares the Yosys estimate with the declared tiles, and runs the project's cocotb tests
(`test/`, the TT flow's Makefile) on the RTL and on a gate-level netlist Yosys makes of it.
Each check gives one line: pass, warn, fail or skip, and why. Any failure makes the exit code 1.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ttsim import toolchain, tt
from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR
from ttsim.registry import TILE_SIZES
from ttsim.tools import synth

YAML_VERSION = 6
TEXT_FIELDS = ("title", "author", "description", "language")
PIN_KEYS = [f"{group}[{bit}]" for group in ("ui", "uo", "uio") for bit in range(8)]
ANALOG_PIN_KEYS = [f"ua[{bit}]" for bit in range(6)]
# Sentences of TT's docs/info.md template that must be replaced by the project's own text.
DOCS_PLACEHOLDERS = (
    "Explain how your project works",
    "Explain how to use your project",
    "List external hardware used in your project",
)
DOCS_SECTIONS = ("## How it works", "## How to test")
MODULE_DEFINITION = re.compile(r"^\s*module\s+(\\?[\w$.]+)", re.MULTILINE)


@dataclass
class Check:
    name: str
    status: str  # "pass", "warn", "fail" or "skip"
    why: str

    def line(self) -> str:
        return f"{self.status.upper():4}  {self.name}: {self.why}"


class ProjectChecks:
    """Runs the checks in order; later checks are skipped when what they need is broken."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.results: list[Check] = []
        self.info: dict | None = None
        self.sources: list[Path] = []
        self.synthesis: dict | None = None
        folder_key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
        self.scratch = BUILD_DIR / "check" / folder_key

    def add(self, name: str, status: str, why: str) -> Check:
        result = Check(name, status, why)
        self.results.append(result)
        return result

    @property
    def project(self) -> dict | None:
        return self.info.get("project") if isinstance(self.info, dict) else None

    # --- info.yaml -------------------------------------------------------------------------------

    def info_yaml(self) -> bool:
        import yaml

        path = self.folder / "info.yaml"
        if not path.is_file():
            self.add("info.yaml", "fail", "missing: a TT project has an info.yaml at its root")
            return False
        try:
            info = yaml.safe_load(path.read_text())
        except UnicodeDecodeError:
            self.add("info.yaml", "fail", "not UTF-8 text")
            return False
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            problem = getattr(error, "problem", None) or type(error).__name__
            self.add("info.yaml", "fail", f"not valid YAML{where}: {problem}")
            return False
        if not isinstance(info, dict):
            self.add("info.yaml", "fail",
                     "must be a mapping with project:, pinout: and yaml_version:")
            return False
        self.info = info
        self.add("info.yaml", "pass", "valid YAML")
        version = info.get("yaml_version")
        if version == YAML_VERSION and not isinstance(version, bool):
            self.add("yaml_version", "pass", f"{YAML_VERSION}")
        else:
            self.add("yaml_version", "fail", f"is {version!r}, must be {YAML_VERSION}")
        if not isinstance(info.get("project"), dict):
            self.add("project", "fail", "info.yaml has no project: mapping")
            return False
        self.project_fields()
        self.pinout()
        return True

    def project_fields(self) -> None:
        project = self.project
        for key in TEXT_FIELDS:
            value = project.get(key)
            if isinstance(value, str) and value.strip():
                self.add(f"project.{key}", "pass", _short(value))
            else:
                self.add(f"project.{key}", "fail", f"must be a non-empty string, not {value!r}")
        if "discord" in project and not isinstance(project["discord"], (str, type(None))):
            self.add("project.discord", "fail", f"must be a string, not {project['discord']!r}")
        clock = project.get("clock_hz")
        if isinstance(clock, int) and not isinstance(clock, bool) and clock > 0:
            self.add("project.clock_hz", "pass", f"{clock} Hz")
        else:
            self.add("project.clock_hz", "fail", f"must be a positive integer (Hz), not {clock!r}")
        tiles = project.get("tiles")
        if tiles in TILE_SIZES:
            self.add("project.tiles", "pass", str(tiles))
        else:
            self.add("project.tiles", "fail",
                     f"{tiles!r} is not a TT tile size ({', '.join(TILE_SIZES)})")
        top = project.get("top_module")
        if isinstance(top, str) and top.startswith("tt_um_") and re.fullmatch(r"\w+", top):
            self.add("project.top_module", "pass", top)
        else:
            self.add("project.top_module", "fail",
                     f"must be a Verilog name starting with 'tt_um_', not {top!r}")
        self.source_files()

    def source_files(self) -> None:
        files = self.project.get("source_files")
        name = "project.source_files"
        if not isinstance(files, list) or not files:
            self.add(name, "fail", f"must be a non-empty list of files in src/, not {files!r}")
            return
        problems = []
        for entry in files:
            if not isinstance(entry, str) or not entry:
                problems.append(f"{entry!r} is not a file name")
            elif any(c in entry for c in "*?["):
                problems.append(f"{entry!r} has a wildcard (list each file)")
            elif not (self.folder / "src" / entry).is_file():
                problems.append(f"src/{entry} does not exist")
        if problems:
            self.add(name, "fail", "; ".join(problems))
            return
        self.sources = [self.folder / "src" / entry for entry in files]
        self.add(name, "pass", ", ".join(files))

    def pinout(self) -> None:
        pinout = self.info.get("pinout")
        if not isinstance(pinout, dict):
            self.add("pinout", "fail", "info.yaml has no pinout: mapping")
            return
        missing = [key for key in PIN_KEYS if key not in pinout]
        extra = [str(key) for key in pinout if key not in PIN_KEYS + ANALOG_PIN_KEYS]
        not_text = [key for key in pinout if key in PIN_KEYS + ANALOG_PIN_KEYS
                    and not isinstance(pinout[key], str)]
        problems = []
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if extra:
            problems.append(f"unknown keys {', '.join(extra)}")
        if not_text:
            problems.append(f"not strings: {', '.join(not_text)}")
        if problems:
            self.add("pinout", "fail", "; ".join(problems))
        else:
            self.add("pinout", "pass", f"all {len(PIN_KEYS)} pins described")

    # --- sources and ports -----------------------------------------------------------------------

    @property
    def top(self) -> str | None:
        top = self.project.get("top_module") if self.project else None
        return top if isinstance(top, str) and top.startswith("tt_um_") else None

    def top_module(self) -> bool:
        if not self.sources or not self.top:
            self.add("top module", "skip", "needs valid source_files and top_module")
            return False
        defining = [path.name for path in self.sources
                    if self.top in (m.lstrip("\\") for m in MODULE_DEFINITION.findall(
                        path.read_text(errors="replace")))]
        if len(defining) == 1:
            self.add("top module", "pass", f"{self.top} is defined in src/{defining[0]}")
            return True
        where = ("no source file" if not defining
                 else f"{len(defining)} files ({', '.join(defining)})")
        self.add("top module", "fail", f"{self.top} must be defined in exactly one source file, "
                                       f"found in {where}")
        return False

    def _yosys(self, script: str, name: str) -> subprocess.CompletedProcess:
        self.scratch.mkdir(parents=True, exist_ok=True)
        (self.scratch / f"{name}.ys").write_text(script)
        return toolchain.run_yosys(self.scratch / f"{name}.ys")

    def ports(self) -> None:
        reads = synth.read_commands(self.sources, self.scratch / "ports-src")
        script = reads + f"hierarchy -top {self.top}\nproc\nwrite_json ports.json\n"
        run = self._yosys(script, "ports")
        if run.returncode != 0:
            self.add("ports", "fail", f"Yosys cannot read the sources: {toolchain.yosys_error(run)}")
            return
        modules = json.loads((self.scratch / "ports.json").read_text())["modules"]
        found = {name: (port["direction"], len(port["bits"]))
                 for name, port in modules[self.top]["ports"].items()}
        problems = []
        for port, (direction, width) in tt.TT_PORTS.items():
            if port not in found:
                problems.append(f"missing {direction} {port}")
            elif found[port] != (direction, width):
                problems.append(f"{port} is {found[port][0]} [{found[port][1]}], "
                                f"must be {direction} [{width}]")
        extra = sorted(set(found) - set(tt.TT_PORTS))
        if extra:
            problems.append(f"extra ports {', '.join(extra)}")
        if problems:
            self.add("ports", "fail", "; ".join(problems))
        else:
            self.add("ports", "pass", "exactly the 8 TT ports, right directions and widths")

    def docs(self) -> None:
        path = self.folder / "docs" / "info.md"
        if not path.is_file():
            self.add("docs/info.md", "fail", "missing: TT's datasheet is built from it")
            return
        text = path.read_text(errors="replace")
        placeholders = [p for p in DOCS_PLACEHOLDERS if p.lower() in text.lower()]
        if placeholders:
            self.add("docs/info.md", "fail", f"still has the template's placeholder "
                                             f"{placeholders[0]!r}: describe your project")
            return
        missing = [s for s in DOCS_SECTIONS if s.lower() not in text.lower()]
        if missing:
            self.add("docs/info.md", "warn", f"no {' or '.join(repr(s) for s in missing)} section")
        else:
            self.add("docs/info.md", "pass", "written, no placeholder text")

    # --- tools -----------------------------------------------------------------------------------

    def lint(self) -> None:
        toolchain.verilator_env()
        run = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", self.top,
                              f"-I{self.folder / 'src'}", *map(str, self.sources)],
                             capture_output=True, text=True, cwd=self.folder)
        messages = [line for line in run.stderr.splitlines()
                    if line.startswith(("%Warning", "%Error")) and "Exiting due to" not in line]
        if run.returncode == 0 and not messages:
            self.add("lint", "pass", "verilator --lint-only -Wall is clean")
        else:
            first = messages[0] if messages else (run.stderr.strip() or f"exit {run.returncode}")
            self.add("lint", "fail", f"verilator -Wall: {len(messages)} messages, first: {first}")

    def icarus(self) -> None:
        toolchain.require_simulator("icarus")
        self.scratch.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(["iverilog", "-g2012", "-s", self.top, f"-I{self.folder / 'src'}",
                              "-o", str(self.scratch / "icarus.vvp"), *map(str, self.sources)],
                             capture_output=True, text=True)
        if run.returncode == 0:
            self.add("icarus", "pass", "iverilog -g2012 compiles the sources")
        else:
            first = (run.stderr or run.stdout).strip().splitlines()
            self.add("icarus", "fail", f"iverilog: {first[0] if first else 'failed'}")

    def synth(self) -> synth.Synthesis | None:
        tiles = self.project.get("tiles")
        try:
            result = synth.synthesize(self.sources, self.top, BUILD_DIR / "check")
            figures = synth.figures(result.stats, self.top, tiles if tiles in TILE_SIZES else "1x1")
        except TtsimError as error:
            self.add("synth", "fail", str(error))
            return None
        self.synthesis = figures
        summary = (f"{figures['cells']} cells, {figures['flip_flops']} flip-flops, "
                   f"~{figures['area_um2']:.0f} um2")
        if tiles not in TILE_SIZES:
            self.add("synth", "skip", f"{summary}; no valid tiles to compare with")
        elif not figures["fits"]:
            needed = figures["tiles_needed"] or f"more than {TILE_SIZES[-1]}"
            self.add("synth", "fail", f"{summary}: {figures['utilisation']:.0%} of {tiles}, over "
                                      f"the {synth.PLACEMENT_DENSITY:.0%} placement density; "
                                      f"needs {needed}")
        elif figures["cells"] < synth.MIN_CELLS:
            self.add("synth", "warn", f"only {figures['cells']} cells: was the design optimised "
                                      "away (outputs not driven from the logic)?")
        else:
            self.add("synth", "pass", f"{summary}, {figures['utilisation']:.0%} of {tiles}")
        return result

    # --- simulations -----------------------------------------------------------------------------

    def simulate(self, name: str, gates: bool) -> None:
        test_dir = self.folder / "test"
        if not (test_dir / "Makefile").is_file():
            self.add(name, "fail", "no test/Makefile (the TT cocotb flow)")
            return
        if shutil.which("make") is None:
            self.add(name, "fail", "`make` is not installed (run `make setup`'s apt-get line)")
            return
        env = dict(os.environ)
        env.pop("PYTEST_CURRENT_TEST", None)
        # The TT Makefile calls cocotb-config: use this Python's cocotb.
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        env["PWD"] = str(test_dir)
        results = test_dir / "results.xml"
        results.unlink(missing_ok=True)
        started = time.monotonic()
        # No trace: `ttsim check` only needs the verdict, and long runs make huge traces.
        command = ["make", "COCOTB_PLUSARGS=+nowaves"] + (["GATES=yes"] if gates else [])
        run = subprocess.run(command, cwd=test_dir, capture_output=True, text=True, env=env)
        seconds = time.monotonic() - started
        if not results.is_file():
            tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
            self.add(name, "fail", f"`{' '.join(command)}` wrote no results.xml: {tail[0]}")
            return
        from ttsim.tools.simulate import count_results, summarise

        tests, failed, skipped = count_results(results)
        verdict = f"{summarise(tests, failed, skipped)} ({seconds:.1f} s)"
        if tests > skipped and not failed:
            self.add(name, "pass", verdict)
        elif gates and "non-0/1" in results.read_text():
            self.add(name, "fail", f"{verdict}: outputs read X (unknown). Registers without a "
                                   "reset start unknown in silicon and in gate-level simulation; "
                                   "reset them or keep them off the outputs. See test/results.xml")
        else:
            self.add(name, "fail", f"{verdict}; see test/results.xml")

    def install_netlist(self, synthesis: synth.Synthesis) -> None:
        """Puts the Yosys netlist where the TT Makefile looks (unless a netlist not from ttsim,
        such as the sky130 one from TT's GDS action, is there)."""
        target = self.folder / "test" / "gate_level_netlist.v"
        ours = not target.is_file() or target.read_text(errors="replace").startswith(
            synth.NETLIST_MARKER)
        if not ours:
            self.add("gate-level netlist", "warn", "test/gate_level_netlist.v is not ttsim's: "
                                                   "simulating it as it is (it needs PDK_ROOT)")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(synthesis.netlist.read_text())

    def run(self, simulate: bool = True) -> list[Check]:
        if not self.info_yaml():
            return self.results
        self.docs()
        if not self.top_module():
            for name in ("ports", "lint", "icarus", "synth", "rtl sim", "gate-level sim"):
                self.add(name, "skip", "needs a top module defined in the sources")
            return self.results
        self.ports()
        self.lint()
        self.icarus()
        synthesis = self.synth()
        if not simulate:
            for name in ("rtl sim", "gate-level sim"):
                self.add(name, "skip", "not asked for (--no-sim)")
            return self.results
        self.simulate("rtl sim", gates=False)
        if synthesis is None:
            self.add("gate-level sim", "skip", "needs the synthesis")
        else:
            self.install_netlist(synthesis)
            self.simulate("gate-level sim", gates=True)
        return self.results


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check(folder: Path, simulate: bool = True) -> ProjectChecks:
    if not folder.is_dir():
        raise TtsimError(f"{folder} is not a folder (give the TT project's folder)")
    checks = ProjectChecks(folder.resolve())
    checks.run(simulate=simulate)
    return checks


def failed(results: list[Check]) -> bool:
    return any(result.status == "fail" for result in results)


def main(folder: str, as_json: bool = False, simulate: bool = True) -> int:
    """`ttsim check`: one line per check (or JSON); exit code 1 when any check failed."""
    checks = check(Path(folder), simulate=simulate)
    verdict = "failed" if failed(checks.results) else "passed"
    if as_json:
        print(json.dumps({"folder": str(folder), "verdict": verdict,
                          "checks": [asdict(r) for r in checks.results],
                          "synth": checks.synthesis}, indent=2))
    else:
        for result in checks.results:
            print(result.line())
        counts = {s: sum(r.status == s for r in checks.results) for s in ("fail", "warn")}
        print(f"check {verdict}: {counts['fail']} failed, {counts['warn']} warnings")
    return 1 if verdict == "failed" else 0
