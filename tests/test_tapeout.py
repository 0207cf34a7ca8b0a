"""`ttsim tapeout`: the TT project for `hello` passes `ttsim check` and the TT template's own flow
(`cd test && make`, RTL and GATES=yes), and a re-run keeps what the user edited."""
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.tools import tapeout


@pytest.fixture(scope="module")
def hello_tapeout(tmp_path_factory):
    """`ttsim tapeout hello` (with its check, simulations included), run once for the module."""
    from conftest import run_ttsim

    folder = tmp_path_factory.mktemp("tapeout") / "tt_hello"
    result = run_ttsim("tapeout", "hello", "--out", folder)
    return folder, result


def make(test_dir: Path, *args) -> subprocess.CompletedProcess:
    """The TT template flow as a user runs it, with this venv's cocotb on PATH."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(["make", *args], cwd=test_dir, env=env, capture_output=True, text=True,
                          timeout=600)


def results(test_dir: Path) -> tuple[int, int]:
    from cocotb_tools.check_results import get_results

    return get_results(test_dir / "results.xml")


def test_tapeout_then_check_passes(hello_tapeout):
    folder, result = hello_tapeout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check passed: 0 failed" in result.stdout
    for check in ("rtl sim", "gate-level sim"):
        assert re.search(rf"^PASS  {check}: (\d+) of \1 tests passed", result.stdout, re.MULTILINE)


def test_the_project_has_the_tt_template_files(hello_tapeout):
    folder, _ = hello_tapeout
    design = registry.get("hello")
    for name in ("info.yaml", "docs/info.md", "src/config.json", f"src/{design.top_module}.v",
                 "test/Makefile", "test/tb.v", "test/test.py", "test/requirements.txt",
                 ".github/workflows/gds.yaml", ".github/workflows/docs.yaml",
                 ".github/workflows/test.yaml", ".github/workflows/fpga.yaml"):
        assert (folder / name).is_file(), name
    info = yaml.safe_load((folder / "info.yaml").read_text())
    assert info["yaml_version"] == 6
    assert info["project"]["language"] == "Amaranth"
    assert info["project"]["clock_hz"] == design.clock_hz
    for group in ("ui", "uo", "uio"):
        assert [info["pinout"][f"{group}[{bit}]"] for bit in range(8)] == list(design.pins[group])
    for workflow in (folder / ".github" / "workflows").glob("*.yaml"):
        assert "jobs" in yaml.safe_load(workflow.read_text()), workflow.name


def test_the_tests_import_only_the_ttsim_copy_in_the_project(hello_tapeout):
    """Without site's .pth files (so without ttsim's editable install), the test modules import
    from the project's test/ttsim/ alone."""
    test_dir = hello_tapeout[0] / "test"
    probe = (
        "import sys\n"
        f"sys.path[:0] = [{str(test_dir)!r}, {sysconfig.get_paths()['purelib']!r}]\n"
        "import test\n"
        "from ttsim import registry\n"
        "assert registry.get('tb').name == 'hello'\n"
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items()\n"
        "                 if n.split('.')[0] == 'ttsim' and getattr(m, '__file__', None)))\n")
    run = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                         cwd=test_dir)
    assert run.returncode == 0, run.stderr
    files = run.stdout.split()
    assert any(f.endswith("test_hello.py") for f in files)
    assert all(Path(f).is_relative_to(test_dir) for f in files), files


def test_the_template_flow_passes_on_the_rtl_and_the_gates(hello_tapeout):
    test_dir = hello_tapeout[0] / "test"
    rtl = make(test_dir)
    assert rtl.returncode == 0, rtl.stdout[-2000:]
    tests, failed = results(test_dir)
    hello_tests = (test_dir / "ttsim" / "tb" / "hello" / "test_hello.py").read_text()
    assert tests == len(re.findall(r"@cocotb.test", hello_tests))
    assert failed == 0
    gates = make(test_dir, "GATES=yes")
    assert gates.returncode == 0, gates.stdout[-2000:]
    assert results(test_dir) == (tests, 0)
    assert "sim_build/gl/sim.vvp" in gates.stdout  # the gate-level build, not the RTL one


def test_a_wrong_gate_level_netlist_fails_the_flow(hello_tapeout, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(hello_tapeout[0], folder, ignore=shutil.ignore_patterns("sim_build"))
    netlist = folder / "test" / "gate_level_netlist.v"
    text, count = re.subn(r"assign uo_out\[0\] = .*;", "assign uo_out[0] = 1'h0;",
                          netlist.read_text())
    assert count == 1
    netlist.write_text(text)
    run = make(folder / "test", "GATES=yes")
    assert run.returncode != 0
    assert results(folder / "test")[1] > 0


def test_a_second_tapeout_keeps_an_edited_doc(tmp_path, ttsim):
    design = registry.get("hello")
    folder = tmp_path / "tt"
    tapeout.write(design, folder)
    docs = folder / "docs" / "info.md"
    docs.write_text(docs.read_text() + "\nMy own notes on the demo board.\n")
    (folder / "test" / "tb.v").write_text("stale copy\n")  # not edited by the user: ttsim's file
    manifest = json.loads((folder / tapeout.MANIFEST).read_text())
    manifest["files"]["test/tb.v"] = tapeout._digest(b"stale copy\n")
    (folder / tapeout.MANIFEST).write_text(json.dumps(manifest))

    result = ttsim("tapeout", "hello", "--out", folder, "--no-check")
    assert result.returncode == 0, result.stderr
    assert "kept     docs/info.md: edited since ttsim wrote it" in result.stdout
    assert "My own notes" in docs.read_text()
    assert "updated  test/tb.v" in result.stdout
    assert (folder / "test" / "tb.v").read_text() == tapeout.tb_v(design)

    again = ttsim("tapeout", "hello", "--out", folder, "--no-check")
    assert "kept     docs/info.md" in again.stdout  # still known as edited

    forced = ttsim("tapeout", "hello", "--out", folder, "--no-check", "--force")
    assert "updated  docs/info.md" in forced.stdout
    assert "My own notes" not in docs.read_text()


def test_files_ttsim_no_longer_generates_are_removed_unless_edited(tmp_path):
    design = registry.get("hello")
    folder = tmp_path / "tt"
    tapeout.write(design, folder)
    manifest_path = folder / tapeout.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    for name, text in (("test/test_old.py", "generated\n"), ("test/test_mine.py", "generated\n")):
        (folder / name).write_text(text)
        manifest["files"][name] = tapeout._digest(text.encode())
    manifest_path.write_text(json.dumps(manifest))
    (folder / "test" / "test_mine.py").write_text("edited by the user\n")

    report = tapeout.write(design, folder)
    assert report.removed == ["test/test_old.py"]
    assert not (folder / "test" / "test_old.py").exists()
    assert report.kept == ["test/test_mine.py"]
    assert (folder / "test" / "test_mine.py").read_text() == "edited by the user\n"


def test_tapeout_into_a_file_is_a_usage_error(tmp_path, ttsim):
    target = tmp_path / "file"
    target.write_text("x")
    result = ttsim("tapeout", "hello", "--out", target)
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


def test_docs_take_the_design_docs_table_and_its_picture(tmp_path):
    picture = tmp_path / "frame.png"
    picture.write_bytes(b"\x89PNG stand-in for a frame the viewer rendered")
    design = dataclasses.replace(registry.get("hello"), sections={
        "docs": {"how_to_test": "Set ui[0] and watch the digit count down.",
                 "picture": str(picture)}})
    tapeout.write(design, tmp_path / "tt")
    docs = (tmp_path / "tt" / "docs" / "info.md").read_text()
    assert "Set ui[0] and watch the digit count down." in docs
    assert "(frame.png)" in docs
    assert (tmp_path / "tt" / "docs" / "frame.png").read_bytes() == picture.read_bytes()


def test_a_missing_docs_picture_is_a_clear_error(tmp_path):
    design = dataclasses.replace(registry.get("hello"), sections={"docs": {"picture": "none.png"}})
    with pytest.raises(TtsimError, match="picture 'none.png' does not exist"):
        tapeout.write(design, tmp_path / "tt")
