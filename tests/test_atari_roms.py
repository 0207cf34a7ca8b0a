"""ttsim's own Atari 2600 ROMs (designs/atari2600/roms/): built from their sources, proper NTSC
frames, the demo's picture and tune, and every ROM frame-exact against Stella (ale-py)."""
import numpy as np
import pytest

from ttsim.errors import TtsimError
from ttsim.tools import atari_run, roms

SOURCES = roms.sources()
NAMES = [source.stem for source in SOURCES]
STELLA_FRAMES = 60


def test_there_is_a_demo_and_a_rom_per_feature():
    assert {"demo", "playfield", "players", "missiles", "ball", "hmove", "collisions", "timer",
            "inputs"} <= set(NAMES)


@pytest.mark.parametrize("source", SOURCES, ids=NAMES)
def test_committed_binary_equals_a_fresh_assembly(source):
    image = roms.assemble(source)
    assert len(image) == 4096
    assert source.with_suffix(".bin").read_bytes() == image


def test_an_assembly_error_is_one_line(tmp_path):
    broken = tmp_path / "broken.asm"
    broken.write_text("        processor 6502\n        ORG $F000\n        lda undefined_label\n")
    with pytest.raises(TtsimError, match="dasm failed on broken.asm") as error:
        roms.assemble(broken)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("source", SOURCES, ids=NAMES)
def test_frames_are_262_ntsc_lines(source):
    """3 lines of VSYNC, 37 of VBLANK, 192 of picture, 30 of overscan, frame after frame."""
    layout = roms.frame_layout(source.with_suffix(".bin").read_bytes(), frames=4)
    assert layout == [(3, 37, 192, 30)] * 4


def test_demo_tune_plays_on_both_channels():
    model = roms.TimingModel(roms.DEMO_ROM.read_bytes())
    model.run(100 * 262 * roms.CYCLES_PER_LINE)     # 12 steps of the tune
    written = {}
    for _, register, value in model.writes:
        written.setdefault(register, []).append(value)
    audc0, audc1, audf0, audv0, audv1 = 0x15, 0x16, 0x17, 0x19, 0x1A
    assert max(written[audv0]) >= 4 and max(written[audv1]) >= 4
    assert set(written[audc0]) == {0, 4}                # cleared at power-on, then pure tones
    assert set(written[audc1]) == {0, 8, 12}            # the drum's noise and the bass
    assert len(set(written[audf0]) - {0}) >= 5          # a melody, not a drone


def test_demo_on_the_core_moves_and_sounds():
    rom, scheme = atari_run.read_rom(roms.DEMO_ROM)
    result = atari_run.run(rom, scheme, 48, audio=True)
    assert list(result.line_counts) == [262] * 48
    frames = result.frames
    sky = slice(40 + 16, 40 + 96)
    assert not np.array_equal(frames[10, sky], frames[40, sky])     # the objects fly
    assert len(np.unique(frames[20, 40:232])) >= 30                  # gradients and bars
    assert len(result.audio) > 40 * 500
    assert len(np.unique(result.audio)) >= 6


@pytest.mark.parametrize("name", NAMES)
def test_rom_is_frame_exact_against_stella(name):
    report = roms.compare_with_ale(roms.ROM_DIR / f"{name}.bin", STELLA_FRAMES)
    assert report["match"], report.get("first_difference") or report.get("problem")
    assert report["exact_frames"] == STELLA_FRAMES


def test_make_demo_plays_the_demo_rom(tmp_path, monkeypatch):
    from ttsim.tools import demo
    monkeypatch.setattr(demo, "OUT", tmp_path)
    monkeypatch.setattr(demo, "ATARI_FRAMES", 12)
    demo.atari_demo()
    assert sorted(path.name for path in (tmp_path / "atari").iterdir()) == [
        f"frame_{number:04d}.png" for number in range(12)]
    wav = (tmp_path / "atari.wav").read_bytes()
    assert wav[:4] == b"RIFF" and len(wav) > 12 * 500
