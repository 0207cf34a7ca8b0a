"""The switch-level engine on circuits built by hand, transistor by transistor."""
import itertools
import json

import pytest

from ttsim.errors import TtsimError
from ttsim.switch import SwitchSim

VSS, VCC = 0, 1


def netlist(nodes, transistors, names, **extra):
    return {"format": "ttsim-fets-1", "nodes": nodes, "vss": VSS, "vcc": VCC, "pullups": [],
            "transistors": transistors, "names": names, **extra}


def cmos_inverter(a, y):
    return [["p", a, VCC, y], ["n", a, y, VSS]]


def cmos_nand(a, b, y, middle):
    return [["p", a, VCC, y], ["p", b, VCC, y], ["n", a, y, middle], ["n", b, middle, VSS]]


def test_cmos_inverter():
    sim = SwitchSim(netlist(4, cmos_inverter(2, 3), {"a": 2, "y": 3}))
    for a in (0, 1, 0, 1):
        sim.set("a", a)
        assert sim.get("y") == 1 - a
        assert sim.get(3) == 1 - a  # by id as well as by name


def test_cmos_nand_truth_table():
    sim = SwitchSim(netlist(6, cmos_nand(2, 3, 4, 5), {"a": 2, "b": 3, "y": 4}))
    for a, b in itertools.product((0, 1), repeat=2):
        sim.set_many({"a": a, "b": b})
        assert sim.get("y") == 1 - (a & b), (a, b)


def test_nmos_nor_with_depletion_pullup():
    # visual6502 style: the output is pulled up, NMOS transistors pull it down.
    sim = SwitchSim(netlist(5, [["n", 2, 4, VSS], ["n", 3, 4, VSS]], {"a": 2, "b": 3, "y": 4},
                            pullups=[4]))
    for a, b in itertools.product((0, 1), repeat=2):
        sim.set_many({"a": a, "b": b})
        assert sim.get("y") == 1 - (a | b), (a, b)


def test_cross_coupled_nand_latch_holds_its_state():
    # Q = NAND(S_n, Q_n), Q_n = NAND(R_n, Q): pulling S_n or R_n low sets or resets it.
    transistors = cmos_nand(2, 5, 4, 6) + cmos_nand(3, 4, 5, 7)
    sim = SwitchSim(netlist(8, transistors, {"s_n": 2, "r_n": 3, "q": 4, "q_n": 5}))
    sim.set_many({"s_n": 1, "r_n": 0})
    assert (sim.get("q"), sim.get("q_n")) == (0, 1)
    sim.set("r_n", 1)
    assert (sim.get("q"), sim.get("q_n")) == (0, 1)
    sim.set("s_n", 0)
    assert (sim.get("q"), sim.get("q_n")) == (1, 0)
    sim.set("s_n", 1)
    assert (sim.get("q"), sim.get("q_n")) == (1, 0)


def test_stored_charge_and_charge_sharing():
    # d -[g]- s -[share]- t: s and t float unless joined to the driven node d.
    sim = SwitchSim(netlist(7, [["n", 2, 3, 4], ["n", 5, 4, 6]],
                            {"g": 2, "d": 3, "s": 4, "share": 5, "t": 6}))
    sim.set_many({"g": 1, "d": 1, "share": 0})
    assert (sim.get("s"), sim.get("t")) == (1, 0)
    sim.set("g", 0)  # s keeps its charge once isolated
    sim.set("d", 0)
    assert sim.get("s") == 1
    sim.set("share", 1)  # a floating group is high if any member held 1
    assert (sim.get("s"), sim.get("t")) == (1, 1)
    sim.set("g", 1)  # a driven node beats stored charge
    assert (sim.get("s"), sim.get("t")) == (0, 0)


def test_group_priority_vss_beats_vcc_beats_pulls():
    sim = SwitchSim(netlist(6, [["n", 2, VSS, 4], ["n", 3, VCC, 4], ["n", 3, 4, 5]],
                            {"to_vss": 2, "to_vcc": 3, "x": 4, "y": 5}, pullups=[5]))
    sim.set_many({"to_vss": 1, "to_vcc": 1})
    assert (sim.get("x"), sim.get("y")) == (0, 0)  # a short: vss wins
    sim.set("to_vss", 0)
    assert (sim.get("x"), sim.get("y")) == (1, 1)
    sim.set("to_vcc", 0)  # isolated: y is pulled up, x keeps its charge
    assert (sim.get("x"), sim.get("y")) == (1, 1)


def test_pulled_down_beats_pulled_up():
    sim = SwitchSim(netlist(5, [["n", 2, 3, 4]], {"g": 2, "up": 3, "down": 4},
                            pullups=[3], pulldowns=[4]))
    sim.set("g", 1)
    assert (sim.get("up"), sim.get("down")) == (0, 0)
    sim.set("g", 0)
    assert (sim.get("up"), sim.get("down")) == (1, 0)


def test_ring_oscillator_is_an_error_naming_a_node():
    ring = cmos_inverter(2, 3) + cmos_inverter(3, 4) + cmos_inverter(4, 2)
    with pytest.raises(TtsimError, match=r"oscillates: node (ring_\w|#\d) still changes"):
        SwitchSim(netlist(5, ring, {"ring_a": 2, "ring_b": 3, "ring_c": 4}))


def test_oscillation_started_by_an_input_is_reported_by_set():
    # A NAND ring: stable while `enable` is 0, oscillating once it is 1.
    ring = cmos_nand(2, 4, 3, 6) + cmos_inverter(3, 5) + cmos_inverter(5, 4)
    sim = SwitchSim(netlist(7, ring, {"enable": 2}), max_waves=500)
    with pytest.raises(TtsimError, match="oscillates"):
        sim.set("enable", 1)


@pytest.mark.parametrize("bad, message", [
    ({"transistors": [["n", 2, 3, 7]]}, r"transistor 0: node id 7 is dangling"),
    ({"transistors": [["n", 2, -1, 3]]}, r"transistor 0: node id -1 is dangling"),
    ({"transistors": [["n", 2, 3, VSS], ["x", 2, 3, VSS]]},
     r"transistor 1: unknown transistor type 'x'"),
    ({"transistors": [["n", 2, 3]]}, r"transistor 0: must be \[type, gate, c1, c2\]"),
    ({"pullups": [9]}, r"pullups: node id 9 is dangling"),
    ({"vcc": 4}, r"vcc: node id 4 is dangling"),
    ({"names": {"y": 12}}, r"name 'y': node id 12 is dangling"),
    ({"format": "other"}, r"not a ttsim-fets-1 netlist"),
])
def test_bad_netlists_are_one_line_errors(bad, message):
    with pytest.raises(TtsimError, match=message):
        SwitchSim({**netlist(4, cmos_inverter(2, 3), {"a": 2}), **bad})


def test_load_from_file_and_errors(tmp_path):
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(netlist(4, cmos_inverter(2, 3), {"a": 2, "y": 3})))
    sim = SwitchSim.load(path)
    sim.set("a", 0)
    assert sim.get("y") == 1
    with pytest.raises(TtsimError, match="no node named 'z'"):
        sim.get("z")
    with pytest.raises(TtsimError, match="supply node"):
        sim.set(VCC, 0)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(TtsimError, match="not valid JSON"):
        SwitchSim.load(tmp_path / "broken.json")
    with pytest.raises(TtsimError, match="no such netlist file"):
        SwitchSim.load(tmp_path / "missing.json")


def test_stats_count_group_evaluations():
    sim = SwitchSim(netlist(4, cmos_inverter(2, 3), {"a": 2, "y": 3}))
    before = sim.stats()
    sim.set("a", 1)
    after = sim.stats()
    assert after["transistors"] == 2 and after["nodes"] == 4
    # a is evaluated, then y (switched by a's transistors)
    assert after["group_evaluations"] - before["group_evaluations"] == 2
    assert after["settles"] == before["settles"] + 1
