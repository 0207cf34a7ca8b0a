"""`ttsim run atari2600`: input scripts, ROM checks, and a short run of an ale-py cartridge on the
fast path with its frames (.npy), PNGs and WAV, checked for shape and content."""
import json
import wave
from pathlib import Path

import numpy as np
import pytest

from ttsim.errors import TtsimError
from ttsim.tools import atari_run
from ttsim.designs.atari2600.palette import to_rgb

ale_py = pytest.importorskip("ale_py")
ROMS = Path(ale_py.__file__).parent / "roms"
SPACE_INVADERS = ROMS / "space_invaders.bin"


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ttsim: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_script_lines_hold_keys_until_the_next_line():
    events = atari_run.parse_script("# start\n0\n10 up fire   # both\n12 RESET\n\n20\n")
    assert events == [(0, ()), (10, ("UP", "FIRE")), (12, ("RESET",)), (20, ())]
    rows = atari_run.input_rows(events)
    assert rows[0] == (0, 0xFF, 0x3F, 0x3)
    assert rows[1] == (10, 0xEF, 0x3F, 0x2)       # UP is SWCHA bit 4, FIRE is INPT4
    assert rows[2] == (12, 0xFF, 0x3E, 0x3)       # RESET is SWCHB bit 0


def test_every_key_has_its_own_bit():
    rows = [atari_run.input_rows([(0, (key,))])[0] for key in atari_run.KEYS]
    assert len(set(rows)) == len(atari_run.KEYS)
    assert atari_run.input_rows([(0, ("SELECT", "LEFT", "RIGHT", "DOWN"))])[0] == (0, 0x1F, 0x3D, 3)


@pytest.mark.parametrize("text, message", [
    ("5 JUMP", "unknown key 'JUMP'"),
    ("five UP", "'five' is not a frame number"),
    ("-3 UP", "negative"),
    ("10 UP\n4 DOWN", "frame 4 comes after frame 10"),
])
def test_bad_scripts_are_one_line_errors(text, message):
    with pytest.raises(TtsimError, match=message):
        atari_run.parse_script(text)


def test_bad_roms(tmp_path):
    empty, odd = tmp_path / "empty.bin", tmp_path / "odd.bin"
    empty.write_bytes(b"")
    odd.write_bytes(bytes(3000))
    with pytest.raises(TtsimError, match="empty"):
        atari_run.read_rom(empty)
    with pytest.raises(TtsimError, match="3000 bytes fits no supported cartridge scheme"):
        atari_run.read_rom(odd)
    with pytest.raises(TtsimError, match="does not exist"):
        atari_run.read_rom(tmp_path / "missing.bin")
    assert atari_run.read_rom(ROMS / "pitfall2.bin")[1] == "DPC"


def test_cli_errors_are_one_line(ttsim, tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    script = tmp_path / "keys.txt"
    script.write_text("0 UP\n3 KICK\n")
    assert_one_line_error(ttsim("run", "atari2600", "--rom", str(empty)), "empty")
    assert_one_line_error(ttsim("run", "atari2600", "--rom", str(tmp_path / "none.bin")),
                          "does not exist")
    assert_one_line_error(ttsim("run", "atari2600", "--rom", str(SPACE_INVADERS),
                                "--input", str(script)), "unknown key 'KICK'")
    assert_one_line_error(ttsim("run", "atari2600", "--rom", str(SPACE_INVADERS), "--input",
                                str(tmp_path / "none.txt")), "does not exist")
    assert_one_line_error(ttsim("run", "atari2600", "--rom", str(SPACE_INVADERS), "--frames",
                                "0"), "frame count must be positive")


def test_palette_is_ale_pys():
    ale = ale_py.ALEInterface()
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(str(ROMS / "ms_pacman.bin"))
    for _ in range(30):
        ale.act(ale_py.Action.NOOP)
    screen = ale.getScreen()
    assert len(np.unique(screen)) >= 5
    assert np.array_equal(to_rgb(screen), ale.getScreenRGB())


def test_run_writes_frames_pngs_and_audio(ttsim, tmp_path):
    frames_out, pngs, wav = tmp_path / "f.npy", tmp_path / "png", tmp_path / "a.wav"
    result = ttsim("run", "atari2600", "--rom", str(SPACE_INVADERS), "--frames", "3", "--json",
                   "--frames-out", str(frames_out), "--png-dir", str(pngs),
                   "--audio-out", str(wav))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["frames"] == 3 and report["scheme"] == "4K" and report["stop"] == "frames"
    frames = np.load(frames_out)
    assert frames.shape == (3, 262, 160) and frames.dtype == np.uint8
    assert len(np.unique(frames[-1])) >= 4                     # a picture, not a blank
    assert not np.any(frames & 1)                              # colour values have bit 0 clear
    names = sorted(p.name for p in pngs.iterdir())
    assert names == ["frame_0000.png", "frame_0001.png", "frame_0002.png"]
    header = (pngs / names[0]).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = (int.from_bytes(header[at:at + 4], "big") for at in (16, 20))
    assert (width, height) == (160, 262)
    with wave.open(str(wav)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 1)
        assert audio.getframerate() == atari_run.AUDIO_RATE
        # Two samples per line, from reset to the end of the third frame.
        assert audio.getnframes() >= 2 * 262 * 3
        assert report["audio_samples"] == audio.getnframes()


def test_frames_start_at_vsync_and_inputs_reach_the_game():
    rom, scheme = atari_run.read_rom(SPACE_INVADERS)
    idle = atari_run.run(rom, scheme, 40)
    assert list(idle.line_counts) == [262] * 40
    pressed = atari_run.run(rom, scheme, 40, events=[(5, ("RESET",)), (10, ())])
    # The frames before the key are the same; RESET starts a game, which looks different.
    assert np.array_equal(idle.frames[:5], pressed.frames[:5])
    assert not np.array_equal(idle.frames[30:], pressed.frames[30:])
