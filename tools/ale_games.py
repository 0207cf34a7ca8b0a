"""What ale-py does to each of its games before the first `act`, and how it shows them.

ale-py's reset (Arcade-Learning-Environment, src/ale/environment/stella_environment.cpp, reset()):
60 frames with nothing pressed; RESET held for 4 frames; the game's setMode (its
src/ale/games/supported/<Game>.cpp): for games that define one, SELECT presses until the default
mode shows in RAM, each press SELECT held for `select` frames (the first for `first_select`) then
one frame released, and RESET held for 4 frames (twice, before and after, with `reset_before`);
then RESET held for 4 frames again; then the game's starting actions (getStartingActions), one frame
each. ale-py's getFrameNumber() after loadROM counts the SELECT presses, and the frames setMode
plays with `act` (`wait`: frames with nothing pressed before the first SELECT press).
A game whose setMode walks a menu instead (`mode`) plays those frames, in `start`'s notation.

`start` lists those actions: keys joined by `+`, `-` for none, `N*` repeats an action N times.
`ystart`: the first frame line ALE's screen shows (Display.YStart in Stella's property table,
src/ale/emucore/DefProps.hxx; 34 unless given). `hmove_blanks=False`: Stella runs the game without
the HMOVE blank (Emulation.HmoveBlanks NO). `paddles`: the game reads the left paddles (ale-py
plays it with paddles: FIRE is the paddle's button, LEFT/RIGHT turn it); `paddle_max`: the range
limit the game sets for them (its modifyEnvironmentSettings).

The facts were read from ALE's repository as of August 2026; the table and its format are ours.
"""
from __future__ import annotations

from dataclasses import dataclass

NOOP_FRAMES = 60
# Frames Stella runs when ale-py loads a ROM, before its first system reset (Console.cxx: the TV
# format detection).
WARM_UP_FRAMES = 60
RESET_FRAMES = 4
DEFAULT_YSTART = 34
# ale-py's paddle range (src/ale/environment/ale_state.hpp); paddles start half way.
PADDLE_MIN, PADDLE_MAX = 27450, 790196


@dataclass(frozen=True)
class Game:
    select: int | None = None
    first_select: int | None = None
    reset_before: bool = False
    wait: int = 0
    mode: str = ""
    start: str = ""
    ystart: int = DEFAULT_YSTART
    hmove_blanks: bool = True
    paddles: bool = False
    paddle_max: int = PADDLE_MAX

    def starting_actions(self) -> list[tuple[str, ...]]:
        """The starting actions, one tuple of keys per frame."""
        return actions(self.start)

    def reset_frames(self, select_presses: int) -> list[tuple[str, ...]]:
        """The keys held in each frame of ale-py's reset, given how many SELECT presses its
        setMode made (getFrameNumber() after loadROM)."""
        reset = [("RESET",)] * RESET_FRAMES
        frames = [()] * NOOP_FRAMES + reset + actions(self.mode)
        if self.select is not None:
            if self.reset_before:
                frames += reset
            frames += [()] * self.wait
            for press in range(select_presses - self.wait):
                held = self.first_select if press == 0 and self.first_select else self.select
                frames += [("SELECT",)] * held + [()]
            frames += reset
        return frames + reset + self.starting_actions()


def actions(script: str) -> list[tuple[str, ...]]:
    """Frames of keys from a script: keys joined by `+`, `-` for none, `N*` repeats."""
    frames = []
    for word in script.split():
        count, _, action = word.rpartition("*")
        keys = () if action == "-" else tuple(action.split("+"))
        frames += [keys] * int(count or 1)
    return frames


GAMES = {
    "adventure": Game(select=2),   # each press lasts 2 + a random number of frames
    "air_raid": Game(select=10, first_select=20, start="FIRE"),
    "alien": Game(select=1),
    "amidar": Game(),
    "assault": Game(),
    "asterix": Game(start="FIRE"),
    "asteroids": Game(select=2, hmove_blanks=False),
    "atlantis": Game(select=2),
    "atlantis2": Game(),
    "backgammon": Game(select=1, paddles=True, paddle_max=1000000),
    "bank_heist": Game(select=1),
    "basic_math": Game(select=2),
    "battle_zone": Game(select=2, hmove_blanks=False),
    "beam_rider": Game(start="RIGHT"),
    "berzerk": Game(select=2, wait=20),
    "blackjack": Game(paddles=True, paddle_max=795000),
    "bowling": Game(select=2),
    "boxing": Game(),
    "breakout": Game(select=1, paddles=True),
    "carnival": Game(ystart=26),
    "casino": Game(select=2, start="60*- FIRE FIRE", paddles=True),
    "centipede": Game(select=2),
    "chopper_command": Game(select=2),
    "crazy_climber": Game(select=2),
    "crossbow": Game(select=2),
    "darkchambers": Game(start="486*-", hmove_blanks=False),
    "defender": Game(select=2),
    "demon_attack": Game(select=1),
    "donkey_kong": Game(),
    # Its menu: SELECT, five times down to the next option (each option already off), RESET,
    # then UP+FIRE and a frame released.
    "double_dunk": Game(mode="SELECT - DOWN - DOWN - DOWN - DOWN - DOWN - 4*RESET UP+FIRE -",
                        start="UP+FIRE"),
    "earthworld": Game(),
    "elevator_action": Game(start="16*FIRE"),
    "enduro": Game(start="FIRE"),
    "entombed": Game(start="FIRE - - - - -"),
    "et": Game(select=25),
    "fishing_derby": Game(),
    "flag_capture": Game(select=2),
    "freeway": Game(select=1),
    "frogger": Game(select=2),
    "frostbite": Game(select=1),
    "galaxian": Game(select=1),
    "gopher": Game(select=5, reset_before=True, start="FIRE"),
    "gravitar": Game(select=10, start="16*FIRE"),
    "hangman": Game(select=2),
    "haunted_house": Game(select=2),
    "hero": Game(select=1),
    "human_cannonball": Game(select=2),
    "ice_hockey": Game(select=2),
    "jamesbond": Game(select=20),
    "journey_escape": Game(start="FIRE"),
    "kaboom": Game(start="FIRE", paddles=True),
    "kangaroo": Game(select=2),
    "keystone_kapers": Game(start="RESET"),
    "king_kong": Game(select=2),
    "klax": Game(select=2, start="FIRE -"),
    "koolaid": Game(),
    "krull": Game(),
    "kung_fu_master": Game(),
    "laser_gates": Game(start="RESET"),
    "lost_luggage": Game(select=2, start="FIRE"),
    "mario_bros": Game(select=5, start="10*- 7*FIRE"),
    "miniature_golf": Game(),
    "montezuma_revenge": Game(),
    "mr_do": Game(select=5, start="FIRE"),
    "ms_pacman": Game(select=10, hmove_blanks=False),
    "name_this_game": Game(select=2),
    "othello": Game(select=2),
    "pacman": Game(select=2),
    "phoenix": Game(),
    "pitfall": Game(start="UP"),
    "pitfall2": Game(start="UP"),
    "pong": Game(select=2, paddles=True),
    "pooyan": Game(select=2, first_select=2, ystart=26),
    "private_eye": Game(select=2, start="UP"),
    "qbert": Game(ystart=40),
    "riverraid": Game(),
    "road_runner": Game(),
    "robotank": Game(),
    "seaquest": Game(),
    "sir_lancelot": Game(start="RESET LEFT"),
    "skiing": Game(start="16*DOWN"),
    "solaris": Game(),
    "space_invaders": Game(select=2),
    "space_war": Game(select=2),
    "star_gunner": Game(select=15),
    "superman": Game(),
    "surround": Game(select=2),
    "tennis": Game(select=2),
    "tetris": Game(),
    "tic_tac_toe_3d": Game(select=2),
    "time_pilot": Game(),
    "trondead": Game(),
    "turmoil": Game(select=2, start="FIRE"),
    "tutankham": Game(select=2),
    "up_n_down": Game(start="FIRE", ystart=30),
    "venture": Game(),
    "video_checkers": Game(select=1),
    "video_chess": Game(select=1),
    "video_cube": Game(select=2, start="61*- FIRE - -"),
    "video_pinball": Game(select=2),
    "wizard_of_wor": Game(),
    "word_zapper": Game(select=2, start="486*- FIRE - -"),
    "yars_revenge": Game(select=1, first_select=2, start="FIRE"),
    "zaxxon": Game(select=10),
}
