"""markov_art's reference model: its LFSR, its tables, and the statistics of the pictures it draws.

The design is checked against this model clock for clock by the cocotb suite (tb/markov_art); here
the model itself is checked: a large picture's colours must follow the table's transition
probabilities (a chi-square test with a fixed seed), and must not follow another table's.
"""
import math

import numpy as np
import pytest

from ttsim.designs.markov_art import reference as ref

# p = 0.001 in the upper tail of the standard normal distribution.
Z_CRITICAL = 3.0902


def transitions(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's context (left, above, above_left, above_right) and colour, outside = OUTSIDE."""
    rows, cols = grid.shape
    padded = np.full((rows + 1, cols + 2), ref.OUTSIDE, dtype=grid.dtype)
    padded[1:, 1:-1] = grid
    contexts = np.stack([padded[1:, :-2], padded[:-1, 1:-1], padded[:-1, :-2], padded[:-1, 2:]],
                        axis=-1)
    return contexts.reshape(-1, 4), grid.reshape(-1)


def chi_square_z(grid: np.ndarray, table: ref.Table) -> tuple[float, int]:
    """How far the grid's transitions are from `table`, as a standard normal z-score (Wilson and
    Hilferty's approximation of the chi-square distribution), and the colours the table forbids
    but the grid shows.

    Counts are taken per context; a context enters the statistic when every colour it allows is
    expected at least 5 times, with (allowed colours - 1) degrees of freedom.
    """
    contexts, colours = transitions(grid)
    codes = contexts @ (ref.COLOURS ** np.arange(4))
    statistic, freedom, forbidden = 0.0, 0, 0
    for code in np.unique(codes):
        here = codes == code
        probabilities = table.probabilities(contexts[here][0])
        observed = np.bincount(colours[here], minlength=ref.COLOURS)
        forbidden += int(observed[probabilities == 0].sum())
        expected = here.sum() * probabilities
        allowed = probabilities > 0
        if expected[allowed].min() >= 5:
            statistic += float((((observed - expected)[allowed]) ** 2 / expected[allowed]).sum())
            freedom += int(allowed.sum()) - 1
    assert freedom > 0
    ninth = 2 / (9 * freedom)
    return ((statistic / freedom) ** (1 / 3) - (1 - ninth)) / math.sqrt(ninth), forbidden


@pytest.fixture(scope="module")
def large_pictures():
    """A 256x256-cell picture per table, seed 0x1968 (65,536 draws: one LFSR period's worth)."""
    return [ref.cells(table, 0x1968, cols=256, rows=256, cell_px=16) for table in ref.TABLES]


@pytest.mark.parametrize("number", range(len(ref.TABLES)))
def test_colours_follow_the_transition_table(large_pictures, number):
    z, forbidden = chi_square_z(large_pictures[number], ref.TABLES[number])
    assert forbidden == 0, "the picture has transitions of probability 0"
    assert z < Z_CRITICAL, f"chi-square z = {z:.2f}: not the table's statistics"


@pytest.mark.parametrize("number", range(len(ref.TABLES)))
def test_chi_square_rejects_another_table(large_pictures, number):
    other = ref.TABLES[(number + 1) % len(ref.TABLES)]
    z, forbidden = chi_square_z(large_pictures[number], other)
    assert forbidden > 0 or z > Z_CRITICAL


def test_lfsr_has_maximal_period():
    start = state = ref.seed_state(0)
    for period in range(1, 1 << ref.LFSR_BITS):
        state = ref.lfsr_step(state)
        if state == start:
            break
    assert period == (1 << ref.LFSR_BITS) - 1


def test_seed_states_are_distinct_and_never_zero():
    states = {ref.seed_state(seed) for seed in range(1 << ref.SEED_BITS)}
    assert len(states) == 1 << ref.SEED_BITS and 0 not in states


def test_tables_are_compact_and_well_formed():
    for table in ref.TABLES:
        assert len(table.neighbour_slots) == ref.WEIGHT_ONE
        assert all(len(row) == ref.ROW_ONE for row in table.colour_slots)
        for context in [(0, 0, 0, 0), (1, 2, 3, 4), (4, 4, 0, 2)]:
            assert table.probabilities(context).sum() == pytest.approx(1)
    assert len({table.name for table in ref.TABLES}) == len(ref.TABLES)


def test_settings_round_trip_through_the_pins():
    for settings in [ref.Settings(seed=0x1ABC, cell_px=32, table=3), ref.Settings()]:
        assert ref.Settings.from_inputs(settings.ui_in, settings.uio_in) == settings


def test_pictures_differ_between_seeds_and_repeat_for_one():
    pictures = [ref.cells(ref.TABLES[0], seed, 40, 30, 16).tobytes() for seed in range(24)]
    assert len(set(pictures)) == len(pictures)
    assert ref.cells(ref.TABLES[0], 7, 40, 30, 16).tobytes() == pictures[7]


def test_frame_bytes_blank_outside_the_picture():
    frame = ref.frame_bytes(ref.Settings(seed=3))
    assert frame.shape == (ref.V_TOTAL, ref.H_TOTAL)
    colour_bits = 0x77
    assert not (frame[ref.V_VISIBLE:] & colour_bits).any()
    assert not (frame[:, ref.H_VISIBLE:] & colour_bits).any()
    assert (frame[:ref.V_VISIBLE, :ref.H_VISIBLE] & colour_bits).any()
