"""Klaus Dormann's 6502 functional test through the fast path, run exactly as the issue states.

The binary is reference data outside the repository (../shared/refs/6502); without it the test
skips and says so. Success is the `jmp *` at $3469; any other loop address is a failed sub-test.
"""
import json
import subprocess
import sys

import pytest

from ttsim.paths import ROOT

FUNCTIONAL_TEST = ROOT.parent / "shared" / "refs" / "6502" / "6502_functional_test.bin"
SUCCESS = 0x3469


@pytest.mark.skipif(not FUNCTIONAL_TEST.is_file(),
                    reason=f"the functional test binary is absent ({FUNCTIONAL_TEST})")
def test_functional_test_reaches_its_success_loop():
    result = subprocess.run(
        [sys.executable, "-m", "ttsim", "run", "cpu6502", "--ram", str(FUNCTIONAL_TEST),
         "--pc", "0x0400", "--stop-on-loop", "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["pc"] == SUCCESS, f"stopped in the failure trap at {report['pc']:#06x}"
    # About 30.6 million instructions and 96.2 million cycles (the reference data's README).
    assert 30_600_000 < report["instructions"] < 30_700_000
    assert 96_100_000 < report["cycles"] < 96_300_000
