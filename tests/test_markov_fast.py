"""markov_art through the fast path: `ttsim run markov_art --frames N --png-dir DIR` writes the
pictures of the reference model, pixel for pixel, also when the inputs change between frames."""
import os

import numpy as np

from ttsim.designs.markov_art import reference as ref

# Clock (from reset) of the first visible pixel of frame 0: the design starts in vertical blanking.
FIRST_FRAME = (ref.V_TOTAL - ref.RESET_LINE) * ref.H_TOTAL


def read_png(path) -> np.ndarray:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    return pygame.surfarray.array3d(pygame.image.load(str(path))).transpose(1, 0, 2)


def test_run_writes_the_reference_pictures(ttsim, tmp_path):
    frames = [ref.Settings(seed=0x1968, cell_px=16, table=3),
              ref.Settings(seed=0x0042, cell_px=32, table=1),
              ref.Settings(seed=0x0042, cell_px=32, table=1)]
    # The settings of each frame after the first are set in the middle of the frame before.
    script = tmp_path / "inputs.txt"
    script.write_text("".join(
        f"{0 if i == 0 else FIRST_FRAME + (i - 1) * ref.FRAME_CLOCKS + 200 * ref.H_TOTAL} "
        f"ui_in={s.ui_in:#04x} uio_in={s.uio_in:#04x}\n" for i, s in enumerate(frames)))
    png_dir = tmp_path / "png"
    result = ttsim("run", "markov_art", "--frames", len(frames), "--png-dir", png_dir,
                   "--input", script)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    written = sorted(png_dir.glob("*.png"))
    assert len(written) == len(frames)
    for number, (settings, path) in enumerate(zip(frames, written)):
        expected = ref.PALETTE_RGB[ref.picture(settings)]
        got = read_png(path)
        assert np.array_equal(got, expected), f"frame {number} ({path.name}) differs from the model"
