"""`ttsim compare atari2600 --rom FILE --frames N`: the fast path's Atari against Stella (ale-py).

Both run the same cartridge with the same inputs, frame for frame, with no searching:
- ale-py (in a subprocess: it ends the process on a ROM it does not know) loads the ROM, which
  runs its reset sequence, then `act`s once per frame and keeps each `getScreen()`.
- ale-py's Stella runs every cartridge for 60 frames when it loads (to tell NTSC from PAL, as
  NTSC), then resets the system: the RAM keeps what those frames left, the RIOT timer starts
  again from Stella's random generator. The fast path replays that warm-up, then resets.
- The fast path counts frames as Stella does (the TIA's `frame_end`, tools/fastpath/atari.h,
  FRAME_LIKE_STELLA: frame 0 starts at reset, a frame ends on the VSYNC write that switches it
  off, or on a TIA write past the frame limit) and ale-py's frames
  as its calls of TIA::update() (a frame, or 25000 instructions if the frame takes longer),
  replays ale-py's reset step by step (tools/ale_games.py; getFrameNumber() after loadROM gives
  the number of SELECT presses in it), then the script's keys, and rebuilds each screen from
  Stella's two frame buffers (`stella_screens`): `height` lines from `ystart` lines after the
  frame's start. The TIA gets the same window (Stella detects collisions only there).
- A game whose frames run past 285 lines is taken by Stella for PAL (ALE then shows 250 rows):
  frames may then run to 342 lines, and after a frame of an odd number of lines the colour
  registers read with bit 0 set ("colour loss"); the fast path marks unblanked pixels so that
  bit can be set where Stella sets it.
- Paddle games: ale-py's paddles stay half way unless turned (compare refuses LEFT/RIGHT for
  them), which sets the TIA's paddle charge time; FIRE is the paddle's button.
The first difference is reported as (frame, screen row, column) with both colour values.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ttsim import fast
from ttsim.errors import TtsimError
from ttsim.tools import atari_run
from ttsim.designs.atari2600.riot import POWER_ON_TIMERS
from ttsim.tools.ale_games import GAMES, PADDLE_MIN, WARM_UP_FRAMES, Game

DESIGN = "atari2600"
PAL_SCREEN_ROWS = 250    # ALE's screen height for a game Stella takes for PAL
PAL_MAX_LINES = 342
# The system reset (riot.POWER_ON_TIMERS) that starts the frames Stella runs when ale-py loads
# a ROM; the game starts after the last one.
WARM_UP_RESET = 1
# ale-py's joystick actions by the keys they press (its Action enum names them the same way).
JOYSTICK_KEYS = ("UP", "DOWN", "LEFT", "RIGHT", "FIRE")
# In a paddle game ale-py's FIRE is paddle 0's button, SWCHA bit 7 (Stella's Paddles.cxx: left
# jack, pin four).
PADDLE_KEYS = {**atari_run.KEYS, "FIRE": ("joystick_n", 7)}


def paddle_charge_cycles(resistance: int) -> int:
    """The CPU cycles after which the TIA reads a paddle's pin charged: Stella's TIA::peek (INPT0)
    reads it once more than int(1.6 * r * 0.01e-6 * 1.19e6) cycles have passed since the dump."""
    return int(1.6 * resistance * 0.01e-6 * 1.19e6) + 1


def ale_action_name(keys) -> str:
    """The ale-py Action name for a set of player-0 keys (UP+RIGHT+FIRE -> UPRIGHTFIRE)."""
    keys = set(keys)
    console = keys - set(JOYSTICK_KEYS)
    if console:
        raise TtsimError(f"ale-py cannot press {' '.join(sorted(console))} during a game "
                         "(its act() ignores RESET; it has no SELECT): compare uses the "
                         "joystick keys only")
    if {"UP", "DOWN"} <= keys or {"LEFT", "RIGHT"} <= keys:
        raise TtsimError("ale-py has no action pushing the joystick two opposite ways at once")
    name = "".join(key for key in ("UP", "DOWN", "RIGHT", "LEFT") if key in keys)
    name += "FIRE" if "FIRE" in keys else ""
    return name or "NOOP"


def keys_per_frame(events, frames: int) -> list[tuple[str, ...]]:
    """The keys held in each of `frames` frames, from a parsed input script."""
    held, per_frame, events = (), [], list(events)
    for frame in range(frames):
        while events and events[0][0] <= frame:
            held = events.pop(0)[1]
        per_frame.append(held)
    return per_frame


# --- ale-py, in its own process --------------------------------------------------------------
@dataclass
class AleRun:
    name: str
    select_presses: int     # getFrameNumber() after loadROM
    screens: np.ndarray     # (frames, height, 160) uint8


def run_ale(rom_path, actions: list[str], alias: str | None = None) -> AleRun:
    """Runs ale-py in a subprocess: loads the ROM, acts once per action name, returns screens.

    ale-py runs only the games it ships (and ends its process on any other ROM). With `alias`, a
    game name such as "krull", the ROM is loaded under that file name instead, with that game's
    settings: the way to run a ROM of our own.
    """
    with tempfile.TemporaryDirectory(prefix="ttsim-ale-") as folder:
        out = Path(folder) / "ale.npz"
        rom = Path(rom_path).resolve()
        if alias:
            rom = Path(shutil.copyfile(rom, Path(folder) / f"{alias}.bin"))
        request = json.dumps({"rom": str(rom), "alias": alias, "actions": actions,
                              "out": str(out)})
        result = subprocess.run([sys.executable, "-m", "ttsim.tools.compare", "--ale-worker"],
                                input=request, capture_output=True, text=True)
        if result.returncode != 0 or not out.is_file():
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise TtsimError(f"{rom_path}: " + (lines[-1] if lines else
                                                f"ale-py failed (exit status {result.returncode})"))
        data = np.load(out)
        return AleRun(str(data["name"]), int(data["select_presses"]), data["screens"])


def _ale_worker() -> int:
    """The subprocess side of `run_ale`: a JSON request on stdin, an .npz answer."""
    from ale_py import Action, ALEInterface, LoggerMode

    request = json.loads(sys.stdin.read())
    ALEInterface.setLoggerMode(LoggerMode.Error)
    name = request["alias"] or ALEInterface.isSupportedROM(request["rom"])
    if name is None:
        md5 = hashlib.md5(Path(request["rom"]).read_bytes()).hexdigest()
        print(f"ale-py does not know this ROM (MD5 {md5}); it runs only the games it ships",
              file=sys.stderr)
        return 1
    ale = ALEInterface()
    ale.setFloat("repeat_action_probability", 0.0)
    ale.setInt("random_seed", 0)
    ale.loadROM(request["rom"])
    select_presses = ale.getFrameNumber()
    screens = []
    for action in request["actions"]:
        ale.act(Action.__members__[action])
        screens.append(ale.getScreen().copy())
    height = ale.getScreen().shape[0]
    np.savez(request["out"], name=name, select_presses=select_presses,
             screens=np.array(screens, dtype=np.uint8).reshape(-1, height, 160))
    return 0


# --- the fast path, framed like Stella ---------------------------------------------------------
def stella_screens(frames: np.ndarray, line_counts: np.ndarray, steps: np.ndarray, ystart: int,
                   height: int, colour_loss: bool = False) -> np.ndarray:
    """ale-py's screen after each step (a row of the atari model's step log: frame, whole lines
    of it drawn, whether it ended, pixels of its next line drawn), rebuilt the way Stella fills
    its frame buffers.

    Stella draws frame lines ystart..ystart+height-1 into one of two buffers in turn (both clear
    at power-on), so lines a frame does not reach keep the frame two before. A step that ends
    before its frame does shows the frame so far, and the lines still to come are greyed (each
    byte's low nibble halved: TIA::greyOutFrame), once per frame. A frame ends on a TIA write and
    is drawn up to it: its last line only in part (the rest of that buffer row stays as it was).
    `frames` carry bit 0 on unblanked pixels; it stays (PAL colour loss) after a frame of an odd
    line count if `colour_loss`, and is cleared otherwise.
    """
    buffers = np.zeros((2, height, frames.shape[2]), dtype=np.uint8)
    current, drawn, greyed = 0, 0, False
    screens = np.zeros((len(steps), height, frames.shape[2]), dtype=np.uint8)
    for number, (frame, lines, ended, partial) in enumerate(steps):
        colour_mask = 0xFF if colour_loss and frame > 0 and line_counts[frame - 1] % 2 else 0xFE
        low, high = max(drawn, ystart), min(int(lines), ystart + height)
        if high > low:
            buffers[current, low - ystart:high - ystart] = frames[frame, low:high] & colour_mask
        drawn = int(lines)
        if ended and ystart <= drawn < ystart + height:
            last_line = frames[frame, drawn, :partial]
            buffers[current, drawn - ystart, :partial] = last_line & colour_mask
        if not ended and not greyed:
            rest = buffers[current, max(drawn, ystart) - ystart:]
            rest[:] = (rest & 0x0F) >> 1
            greyed = True
        screens[number] = buffers[current]
        if ended:
            current, drawn, greyed = 1 - current, 0, False
    return screens


@dataclass
class Comparison:
    report: dict
    ours: np.ndarray
    ale: np.ndarray


def compare(rom_path, frames: int, events=(), *, ale: AleRun | None = None) -> Comparison:
    """Runs both and compares `frames` frames after ale-py's reset."""
    if frames <= 0:
        raise TtsimError("the frame count must be positive")
    rom, scheme = atari_run.read_rom(rom_path)
    held = keys_per_frame(events, frames)
    actions = [ale_action_name(keys) for keys in held]
    ale = ale or run_ale(rom_path, actions)
    game = GAMES.get(ale.name, Game())
    settings = {"hmove_blanks": int(game.hmove_blanks)}
    keys = atari_run.KEYS
    if game.paddles:
        if any({"LEFT", "RIGHT"} & set(step) for step in held):
            raise TtsimError(f"{ale.name} is played with paddles: compare does not turn them "
                             "(LEFT/RIGHT); FIRE is the paddle's button")
        charge = paddle_charge_cycles((PADDLE_MIN + game.paddle_max) // 2)
        settings.update(paddle_delay__0=charge, paddle_delay__1=charge)
        keys = PADDLE_KEYS
    reset = game.reset_frames(ale.select_presses)
    height = ale.screens.shape[1]
    pal = height == PAL_SCREEN_ROWS
    # Stella draws, and detects collisions, only on the lines ALE shows.
    settings.update(frame_ystart=game.ystart, frame_height=height,
                    power_on_timer=POWER_ON_TIMERS[WARM_UP_RESET])
    steps = len(reset) + frames
    # ale-py's frames are our input steps: the reset's, then the compared ones.
    script = list(enumerate(reset + held))
    with atari_run.console(rom, scheme, events=script, keys=keys, settings=settings,
                           framing="stella", mark_visible=True) as sim:
        # ale-py's Stella runs the cartridge for WARM_UP_FRAMES frames when it loads, as NTSC,
        # to tell NTSC from PAL, and then resets the system, which keeps the RAM those frames
        # left; a PAL game then runs with PAL's frame limit.
        sim.atari_steps(WARM_UP_FRAMES, frame_capacity=1, lines=1)
        sim.set("power_on_timer", POWER_ON_TIMERS[-1])
        sim.set("frame_max_lines", PAL_MAX_LINES if pal else fast.ATARI_STELLA_MAX_LINES)
        sim.reset()
        captured, line_counts, log, stop = sim.atari_steps(
            steps, frame_capacity=steps + 1, lines=game.ystart + height)
    ours = stella_screens(captured, line_counts, log, game.ystart, height, colour_loss=pal)
    ours = ours[len(reset):]
    report = {"rom": str(rom_path), "game": ale.name, "scheme": scheme,
              "frames": frames, "reset_frames": len(reset), "select_presses": ale.select_presses,
              "ystart": game.ystart, "height": height, "pal": pal, "paddles": game.paddles}
    if len(ours) < frames:
        report.update(match=False, compared=len(ours),
                      problem=f"the fast path gave {len(ours)} of {frames} frames "
                              f"(stopped: {stop})")
        return Comparison(report, ours, ale.screens)
    differ = np.argwhere(ours != ale.screens[:frames])
    report["match"] = len(differ) == 0
    report["exact_frames"] = int(np.all(ours == ale.screens[:frames], axis=(1, 2)).sum())
    if len(differ):
        frame, row, column = (int(v) for v in differ[0])
        report["first_difference"] = {
            "frame": frame, "row": row, "line": game.ystart + row, "column": column,
            "ours": int(ours[frame, row, column]), "ale": int(ale.screens[frame, row, column]),
            "pixels_in_frame": int((ours[frame] != ale.screens[frame]).sum())}
    return Comparison(report, ours, ale.screens)


def describe(report: dict) -> str:
    """One line for a comparison."""
    if "problem" in report:
        return report["problem"]
    if report["match"]:
        return f"all {report['frames']} frames match"
    d = report["first_difference"]
    return (f"first difference: frame {d['frame']}, row {d['row']} (frame line {d['line']}), "
            f"column {d['column']}: ours {d['ours']:#04x}, ale-py {d['ale']:#04x} "
            f"({d['pixels_in_frame']} pixels differ in that frame); "
            f"{report['exact_frames']}/{report['frames']} frames exact")


def add_arguments(parser) -> None:
    parser.add_argument("name", help="design name (atari2600)")
    parser.add_argument("--rom", required=True, metavar="FILE",
                        help="a cartridge that ale-py knows (the ROMs it ships)")
    parser.add_argument("--frames", type=int, default=60, metavar="N",
                        help="frames to compare after ale-py's reset (default 60)")
    parser.add_argument("--input", metavar="SCRIPT",
                        help="lines `FRAME KEY ...` (UP DOWN LEFT RIGHT FIRE), held from that "
                             "frame until the next line; frame 0 is the first after the reset")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def main(args) -> int:
    if args.name != DESIGN:
        raise TtsimError(f"compare runs the {DESIGN} design against ale-py, not {args.name!r}")
    events = atari_run.read_script(args.input) if args.input else ()
    report = compare(args.rom, args.frames, events).report
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['game']} ({report['scheme']}, reset {report['reset_frames']} frames): "
              + describe(report))
    return 0 if report.get("match") else 1


if __name__ == "__main__" and sys.argv[1:] == ["--ale-worker"]:
    sys.exit(_ale_worker())
