"""`ttsim compare`: ale-py's reset replayed frame by frame, Stella's frame buffer rebuilt from our
frames, and the CI subset of ale-py ROMs that must stay frame-exact against ale-py."""
from pathlib import Path

import numpy as np
import pytest

from ttsim.errors import TtsimError
from ttsim.tools import compare
from ttsim.tools.ale_games import GAMES, NOOP_FRAMES, RESET_FRAMES, Game

ale_py = pytest.importorskip("ale_py")
ROMS = Path(ale_py.__file__).parent / "roms"

# The CI subset (the issue asks for >= 10 ROMs x >= 120 frames): ROMs found frame-exact by
# `python -m ttsim.tools.compare_all --frames 600`, covering the 2K, 4K, F8, F6, F6SC, E0, FE and
# DPC (pitfall2) schemes, SELECT presses (freeway) and starting actions (beam_rider,
# darkchambers) in the reset, HMOVE blanks off (battle_zone), steps cut at 25000 instructions
# (entombed) and paddles
# (breakout); the RAM left by ale-py's load-time frames (haunted_house), run as NTSC for a PAL
# game (sir_lancelot), frames setMode plays with `act` (berzerk) and a setMode menu
# (double_dunk), collisions only on the displayed lines of a game with its own YStart (pooyan).
# One compiled model serves them all. Grow it as the TIA improves.
CI_EXACT_ROMS = ("adventure", "amidar", "asterix", "basic_math", "battle_zone", "beam_rider",
                 "boxing", "breakout", "crossbow", "darkchambers", "entombed", "freeway",
                 "montezuma_revenge", "pitfall2", "robotank", "haunted_house", "sir_lancelot",
                 "berzerk", "double_dunk", "pooyan")
CI_FRAMES = 120


def test_ale_actions_from_keys():
    assert compare.ale_action_name(()) == "NOOP"
    assert compare.ale_action_name(("FIRE", "RIGHT", "UP")) == "UPRIGHTFIRE"
    assert compare.ale_action_name(("LEFT", "DOWN")) == "DOWNLEFT"
    with pytest.raises(TtsimError, match="RESET"):
        compare.ale_action_name(("RESET",))
    with pytest.raises(TtsimError, match="opposite"):
        compare.ale_action_name(("LEFT", "RIGHT"))


def test_paddles_follow_stella():
    # ale-py's paddles start half way; Stella reads the pin charged after int(1.6 r 0.01u 1.19M)
    # cycles have passed.
    assert compare.paddle_charge_cycles((27450 + 790196) // 2) == 7784
    with pytest.raises(TtsimError, match="paddles"):
        compare.compare(ROMS / "breakout.bin", 3, [(0, ("LEFT",))])


def test_keys_per_frame_holds_until_the_next_event():
    events = [(0, ()), (2, ("UP",)), (4, ())]
    assert compare.keys_per_frame(events, 6) == [(), (), ("UP",), ("UP",), (), ()]


def test_reset_sequences_follow_ale():
    plain = NOOP_FRAMES + 2 * RESET_FRAMES
    assert len(GAMES["boxing"].reset_frames(0)) == plain
    # setMode's RESET, then the starting actions (60 idle frames and two FIREs).
    casino = GAMES["casino"].reset_frames(0)
    assert len(casino) == plain + RESET_FRAMES + 62 and casino[-1] == ("FIRE",)
    # Air Raid: a first SELECT press of 20 frames, later ones of 10, each then one idle frame.
    air_raid = GAMES["air_raid"].reset_frames(2)
    assert len(air_raid) == plain + RESET_FRAMES + 21 + 11 + 1
    assert air_raid[NOOP_FRAMES + RESET_FRAMES:][:22] == [("SELECT",)] * 20 + [(), ("SELECT",)]
    assert Game(start="3*- UP+FIRE").starting_actions() == [(), (), (), ("UP", "FIRE")]
    # Berzerk: 20 idle frames (counted by getFrameNumber) before its two SELECT presses.
    berzerk = GAMES["berzerk"].reset_frames(22)
    assert len(berzerk) == plain + RESET_FRAMES + 20 + 2 * 3
    assert berzerk[NOOP_FRAMES + RESET_FRAMES:][19:22] == [(), ("SELECT",), ("SELECT",)]
    # Double Dunk's menu replaces the SELECT presses.
    dunk = GAMES["double_dunk"].reset_frames(13)
    assert dunk[NOOP_FRAMES + RESET_FRAMES:][:4] == [("SELECT",), (), ("DOWN",), ()]
    assert len(dunk) == plain + 18 + 1 and dunk[-1] == ("UP", "FIRE")


def test_stella_screens_rebuild_its_two_frame_buffers():
    frames = np.zeros((5, 6, 2), dtype=np.uint8)
    for number in range(5):
        frames[number] = (number + 1) * 16 + 0xB      # visible pixels carry bit 0
    lines = np.array([6, 6, 6, 3, 6])
    # Steps: frames 0..2 whole; frame 3 ends after 3 lines and 1 pixel of its line 3; frame 4
    # takes two steps (the first ends after 4 of its lines, before the frame does).
    steps = np.array([(0, 6, 1, 0), (1, 6, 1, 0), (2, 6, 1, 0), (3, 3, 1, 1), (4, 4, 0, 0),
                      (4, 6, 1, 0)])
    screens = compare.stella_screens(frames, lines, steps, ystart=1, height=4)
    assert screens[2, :, 0].tolist() == [0x3A] * 4
    # Frame 3 reached lines 1..2 and the first pixel of line 3: the rest of its buffer still
    # holds frame 1.
    assert screens[3, :, 0].tolist() == [0x4A, 0x4A, 0x4A, 0x2A]
    assert screens[3, 2, 1] == 0x2A
    # The unfinished step shows frame 4's lines 1..3 and frame 2's line 4 greyed.
    assert screens[4, :, 0].tolist() == [0x5A, 0x5A, 0x5A, 0x5]
    assert screens[5, :, 0].tolist() == [0x5A] * 4
    # PAL colour loss keeps bit 0 after a frame of an odd number of lines.
    lines = np.array([6, 5, 6, 6, 6])
    steps = np.array([(0, 6, 1, 0), (1, 5, 1, 0), (2, 6, 1, 0), (3, 6, 1, 0)])
    lossy = compare.stella_screens(frames, lines, steps, ystart=1, height=4, colour_loss=True)
    assert lossy[2, 0, 0] == 0x3B and lossy[3, 0, 0] == 0x4A


def test_unknown_rom_is_a_one_line_error(tmp_path):
    rom = tmp_path / "mine.bin"
    rom.write_bytes(bytes([0xEA] * 4092 + [0x00, 0xF0, 0x00, 0xF0]))
    with pytest.raises(TtsimError, match="ale-py does not know this ROM"):
        compare.compare(rom, 5)


def test_a_difference_is_found_and_located():
    """One pixel changed in ale-py's screens is reported at its frame, row and column."""
    rom = ROMS / "space_invaders.bin"
    ale = compare.run_ale(rom, ["NOOP"] * 20)
    ale.screens[12, 100, 7] ^= 0x02
    report = compare.compare(rom, 20, ale=ale).report
    assert not report["match"]
    assert report["exact_frames"] == 19
    assert {k: report["first_difference"][k] for k in ("frame", "row", "column")} == {
        "frame": 12, "row": 100, "column": 7}


def test_cli_compare(ttsim):
    result = ttsim("compare", "atari2600", "--rom", str(ROMS / "freeway.bin"), "--frames", "10")
    assert result.returncode == 0, result.stderr
    assert "all 10 frames match" in result.stdout


@pytest.mark.parametrize("name", CI_EXACT_ROMS)
def test_ci_subset_frame_exact(name):
    """CI subset of the acceptance criterion: these ROMs match ale-py over CI_FRAMES frames."""
    report = compare.compare(ROMS / f"{name}.bin", CI_FRAMES).report
    assert report["match"], compare.describe(report)


def test_reset_after_the_load_time_frames_clears_the_cpu_registers():
    """Stella's system reset clears A, X, Y, S and P; Battle Zone reads one before setting it, so
    with what ale-py's load-time frames left in them its game goes another way at frame 141."""
    result = compare.compare(ROMS / "battle_zone.bin", 150)
    assert result.report["match"], compare.describe(result.report)
