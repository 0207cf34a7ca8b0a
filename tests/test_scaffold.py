"""`ttsim new`: a design that passes at once, and a failing test that makes `ttsim test` fail."""
from ttsim import registry
from ttsim.paths import DESIGNS_DIR, TB_DIR


def test_new_design_passes_its_tests(ttsim, scratch_design):
    result = ttsim("new", scratch_design, "--author", "Ada")
    assert result.returncode == 0, result.stderr
    design = registry.get(scratch_design)
    assert design.author == "Ada"
    assert design.top_module == f"tt_um_ttsim_{scratch_design}"
    result = ttsim("test", scratch_design)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert "3 of 3 tests passed" in result.stdout


def test_failing_assertion_fails_the_command(ttsim, scratch_design):
    assert ttsim("new", scratch_design).returncode == 0
    test_file = TB_DIR / scratch_design / f"test_{scratch_design}.py"
    text = test_file.read_text()
    # The design adds ui_in; the test now expects one more than the true sum.
    test_file.write_text(text.replace("expected_sum = (expected_sum + addend) % 256",
                                      "expected_sum = (expected_sum + addend + 1) % 256"))
    result = ttsim("test", scratch_design)
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "1 of 3 tests passed" in result.stdout


def test_new_refuses_to_overwrite(ttsim, scratch_design):
    assert ttsim("new", scratch_design).returncode == 0
    top = DESIGNS_DIR / scratch_design / "top.py"
    top.write_text(top.read_text() + "# my edit\n")
    result = ttsim("new", scratch_design)
    assert result.returncode == 2 and "already exists" in result.stderr
    assert top.read_text().endswith("# my edit\n")


def test_new_rejects_bad_names(ttsim):
    for name in ("Hello", "9lives", "with-dash", "class"):
        result = ttsim("new", name)
        assert result.returncode == 2, name
        assert not (DESIGNS_DIR / name).exists()
