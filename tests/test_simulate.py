"""Counting a cocotb results file: a skipped test is neither a pass nor a failure."""
from ttsim.tools.simulate import SuiteResult, count_results

RESULTS = """<?xml version='1.0' encoding='utf-8'?>
<testsuites name="cocotb tests"><testsuite name="t">
<testcase classname="t" name="boots" />
<testcase classname="t" name="whole_frame"><skipped message="too slow at gate level" /></testcase>
<testcase classname="t" name="timing"><failure message="hsync period 801" /></testcase>
<testcase classname="t" name="crashes"><error message="simulator ended" /></testcase>
</testsuite></testsuites>
"""


def test_skips_and_failures_are_counted_apart(tmp_path):
    path = tmp_path / "results.xml"
    path.write_text(RESULTS)
    assert count_results(path) == (4, 2, 1)
    assert SuiteResult(4, 2, path, None, 1).summary == "1 of 4 tests passed, 1 skipped"


def test_a_suite_that_only_skips_has_not_passed(tmp_path):
    assert not SuiteResult(2, 0, tmp_path, None, skipped=2).passed
    assert SuiteResult(3, 0, tmp_path, None, skipped=2).passed
