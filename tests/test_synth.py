"""`ttsim synth`: Yosys's generic-gate estimate, priced in sky130 and compared with the tiles."""
import json

import pytest

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.designs.hello import counter
from ttsim.tools import synth


@pytest.fixture(scope="module")
def hello_estimate():
    return synth.estimate(registry.get("hello"))


def test_hello_flip_flops_are_its_register_bits(hello_estimate):
    # The prescaler and the 4-bit digit are hello's only state.
    assert hello_estimate["flip_flops"] == counter.PRESCALE_BITS + 4
    assert hello_estimate["cells_by_type"]["$_DFF_P_"] == hello_estimate["flip_flops"]


def test_hello_area_is_its_cells_priced_in_sky130(hello_estimate):
    by_type = hello_estimate["cells_by_type"]
    assert hello_estimate["cells"] == sum(by_type.values()) > synth.MIN_CELLS
    expected = sum(synth.CELL_AREA_UM2[cell] * count for cell, count in by_type.items())
    assert hello_estimate["area_um2"] == pytest.approx(expected, abs=0.01)
    assert hello_estimate["tiles_needed"] == "1x1"
    assert hello_estimate["utilisation"] == pytest.approx(expected / synth.tile_area_um2("1x1"),
                                                          abs=1e-4)
    assert hello_estimate["fits"]


def test_only_simple_gates_and_plain_flip_flops_remain(hello_estimate):
    assert set(hello_estimate["cells_by_type"]) <= set(synth.SKY130_EQUIVALENT)


def test_the_netlist_is_cached_and_has_power_pins(hello_estimate):
    netlist = hello_estimate["netlist"]
    again = synth.estimate(registry.get("hello"))
    assert again["netlist"] == netlist
    text = open(netlist).read()
    assert text.startswith(synth.NETLIST_MARKER)
    assert "input VPWR;" in text and "input VGND;" in text


@pytest.mark.parametrize("tiles, width, height", [
    ("1x1", 161.00, 111.52), ("1x2", 161.00, 225.76), ("2x2", 334.88, 225.76),
    ("8x2", 1378.16, 225.76)])
def test_tile_areas_match_tiny_tapeout_sizes(tiles, width, height):
    assert synth.tile_area_um2(tiles) == pytest.approx(width * height)


def stats_with(cells_by_type, top="tt_um_x"):
    return {"modules": {f"\\{top}": {"num_cells_by_type": cells_by_type}}}


def test_a_design_too_big_for_its_tiles_needs_more():
    flops = 3000  # 3000 x 20 um2 = 60000 um2: over 60% of 2x2 (45400 um2), under 60% of 3x2
    result = synth.figures(stats_with({"$_DFF_P_": flops}), "tt_um_x", "1x1")
    assert not result["fits"]
    assert result["utilisation"] > 1
    area = flops * synth.CELL_AREA_UM2["$_DFF_P_"]
    assert result["tiles_needed"] == next(
        size for size in registry.TILE_SIZES if area <= 0.6 * synth.tile_area_um2(size))
    assert result["tiles_needed"] not in ("1x1", "1x2", "2x2")


def test_a_design_larger_than_any_tile_needs_none():
    result = synth.figures(stats_with({"$_DFF_P_": 10**6}), "tt_um_x", "8x2")
    assert result["tiles_needed"] is None and not result["fits"]


def test_cells_ttsim_cannot_price_are_an_error():
    with pytest.raises(TtsimError, match=r"cannot price: \$_FOO_"):
        synth.figures(stats_with({"$_FOO_": 1}), "tt_um_x", "1x1")


def test_cli_json_has_the_agreed_keys(ttsim):
    result = ttsim("synth", "hello", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert {"cells", "flip_flops", "area_um2", "tiles_needed", "utilisation"} <= set(figures)


def test_cli_text_says_whether_it_fits(ttsim):
    result = ttsim("synth", "hello")
    assert result.returncode == 0, result.stderr
    assert "flip-flops" in result.stdout
    assert "declared 1x1" in result.stdout and "fits" in result.stdout
