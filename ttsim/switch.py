"""The switch-level engine: transistors as switches, nodes as wires holding charge.

A netlist (the `ttsim-fets-1` format, documented in docs/fets-format.md) is a set of nodes and
of transistors `(type, gate, c1, c2)`. An NMOS transistor conducts while its gate is 1, a PMOS one
while its gate is 0. A node's group is the set of nodes joined to it through conducting
transistors, and the group's value is, in priority: 0 if it contains vss; 1 if it contains vcc; 0
if a member is pulled down; 1 if a member is pulled up; otherwise the stored charge (1 if any
member held 1).

Evaluation is event driven, as in visual6502 and perfect6502: a list of nodes to recalculate is
worked through wave by wave; a node whose value changes switches the transistors it gates at once,
and their channel nodes go onto the next wave's list, until a wave is empty. A loop bound on the
number of waves turns an oscillating circuit into an error naming a node that still changes.

The data is flat numpy arrays (per node, the transistors it gates and the channels it touches as
CSR offset arrays) and the inner loop is compiled with numba.

    sim = SwitchSim.load("hello.fets.json")
    sim.set("rst_n", 0)          # drive a node like an input pin; returns once settled
    sim.set("clk", 1)
    sim.get("uo_out[0]")         # by name or integer id
    sim.stats()                  # {"group_evaluations": ..., "waves": ..., "settles": ...}
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ttsim.errors import TtsimError
from ttsim.paths import BUILD_DIR

# numba reads its cache folder when it is first imported; the checkout's build/ is writable.
os.environ.setdefault("NUMBA_CACHE_DIR", str(BUILD_DIR / "numba-cache"))

from numba import njit  # noqa: E402  (after the cache folder is chosen)

FORMAT = "ttsim-fets-1"
NMOS, PMOS = 0, 1
TRANSISTOR_TYPES = {"n": NMOS, "p": PMOS}
# Waves allowed in one settle before the circuit is declared oscillating: far more than the depth
# of any real logic cone (a wave advances a change by at least one gate).
DEFAULT_MAX_WAVES = 10_000

# Counter slots shared with the compiled loop.
_GROUP_EVALUATIONS, _WAVES, _SETTLES, _STAMP = range(4)


@njit(cache=True)
def _settle(pending, n_pending, state, pull, trans_on, trans_type, trans_c1, trans_c2,
            gate_start, gate_list, chan_start, chan_trans, chan_other, vss, vcc, max_waves,
            stamp, next_stamp, group, following, counters):
    """Recalculates the nodes in pending[:n_pending] until nothing changes.

    pull[node] is 0 when pulled down, 1 when pulled up, 2 when neither. stamp/next_stamp are
    per-node marks compared against counters[_STAMP], so they never need clearing; group and
    following are scratch space of one slot per node.
    Returns -1 when settled, or the id of a node still changing after max_waves waves.
    """
    current = pending
    n_current = n_pending
    waves = 0
    while n_current > 0:
        if waves == max_waves:
            return current[0]
        waves += 1
        counters[_STAMP] += 1
        wave_mark = counters[_STAMP]
        n_following = 0
        for i in range(n_current):
            node = current[i]
            if stamp[node] == wave_mark:
                continue  # already evaluated as a member of an earlier group of this wave
            # Gather the group, remembering what decides its value.
            group[0] = node
            stamp[node] = wave_mark
            size = 1
            has_vss = False
            has_vcc = False
            pulled_down = False
            pulled_up = False
            charged = False
            k = 0
            while k < size:
                member = group[k]
                k += 1
                if pull[member] == 0:
                    pulled_down = True
                elif pull[member] == 1:
                    pulled_up = True
                if state[member] == 1:
                    charged = True
                for j in range(chan_start[member], chan_start[member + 1]):
                    if not trans_on[chan_trans[j]]:
                        continue
                    other = chan_other[j]
                    if other == vss:
                        has_vss = True
                    elif other == vcc:
                        has_vcc = True
                    elif stamp[other] != wave_mark:
                        stamp[other] = wave_mark
                        group[size] = other
                        size += 1
            counters[_GROUP_EVALUATIONS] += 1
            if has_vss:
                value = 0
            elif has_vcc:
                value = 1
            elif pulled_down:
                value = 0
            elif pulled_up:
                value = 1
            else:
                value = 1 if charged else 0
            # Store it; switch the transistors of members that changed.
            for k in range(size):
                member = group[k]
                if state[member] == value:
                    continue
                state[member] = value
                for j in range(gate_start[member], gate_start[member + 1]):
                    t = gate_list[j]
                    on = (value == 1) if trans_type[t] == 0 else (value == 0)
                    if trans_on[t] == on:
                        continue
                    trans_on[t] = on
                    for end in (trans_c1[t], trans_c2[t]):
                        if end != vss and end != vcc and next_stamp[end] != wave_mark:
                            next_stamp[end] = wave_mark
                            following[n_following] = end
                            n_following += 1
        current, following = following, current
        n_current = n_following
    counters[_WAVES] += waves
    counters[_SETTLES] += 1
    return -1


def _csr(keys: np.ndarray, values: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Groups values by key 0..count-1: (start offsets of length count+1, values sorted by key)."""
    order = np.argsort(keys, kind="stable")
    start = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(np.bincount(keys, minlength=count), out=start[1:])
    return start, values[order].astype(np.int32)


def _node_id(value, what: str, nodes: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TtsimError(f"{what}: node id {value!r} is not an integer")
    value = int(value)
    if not 0 <= value < nodes:
        raise TtsimError(f"{what}: node id {value} is dangling "
                         f"(the netlist has nodes 0..{nodes - 1})")
    return value


def _id_list(netlist: dict, key: str, nodes: int, where: str) -> list[int]:
    ids = netlist.get(key, [])
    if not isinstance(ids, list):
        raise TtsimError(f"{where}: '{key}' must be a list of node ids")
    return [_node_id(node, f"{where}: {key}", nodes) for node in ids]


class SwitchSim:
    """A switch-level simulation of one `ttsim-fets-1` netlist (see the module docstring)."""

    def __init__(self, netlist: dict, where: str = "netlist", max_waves: int = DEFAULT_MAX_WAVES):
        if not isinstance(netlist, dict) or netlist.get("format") != FORMAT:
            raise TtsimError(f"{where}: not a {FORMAT} netlist (its 'format' must be {FORMAT!r})")
        nodes = netlist.get("nodes")
        if not isinstance(nodes, int) or isinstance(nodes, bool) or nodes < 2:
            raise TtsimError(f"{where}: 'nodes' must be the node count, at least 2")
        self.netlist = netlist
        self.nodes = nodes
        self.vss = _node_id(netlist.get("vss"), f"{where}: vss", nodes)
        self.vcc = _node_id(netlist.get("vcc"), f"{where}: vcc", nodes)
        if self.vss == self.vcc:
            raise TtsimError(f"{where}: vss and vcc are the same node {self.vss}")
        self.names = self._names(netlist.get("names", {}), where)
        self._ids_named = {node: name for name, node in reversed(list(self.names.items()))}
        self.max_waves = max_waves

        transistors = netlist.get("transistors")
        if not isinstance(transistors, list):
            raise TtsimError(f"{where}: 'transistors' must be a list of [type, gate, c1, c2]")
        table = np.zeros((len(transistors), 4), dtype=np.int32)
        for index, transistor in enumerate(transistors):
            what = f"{where}: transistor {index}"
            if not isinstance(transistor, list) or len(transistor) != 4:
                raise TtsimError(f"{what}: must be [type, gate, c1, c2], not {transistor!r}")
            kind = transistor[0]
            if kind not in TRANSISTOR_TYPES:
                raise TtsimError(f"{what}: unknown transistor type {kind!r} (expected 'n' or 'p')")
            table[index] = (TRANSISTOR_TYPES[kind],
                            *(_node_id(node, what, nodes) for node in transistor[1:]))
        self.trans_type = table[:, 0].copy()
        self.trans_gate = table[:, 1].copy()
        self.trans_c1 = table[:, 2].copy()
        self.trans_c2 = table[:, 3].copy()

        count = len(transistors)
        self.gate_start, self.gate_list = _csr(self.trans_gate, np.arange(count), nodes)
        ends = np.concatenate([self.trans_c1, self.trans_c2])
        others = np.concatenate([self.trans_c2, self.trans_c1])
        channel_ids = np.concatenate([np.arange(count), np.arange(count)])
        self.chan_start, order = _csr(ends, np.arange(2 * count), nodes)
        self.chan_trans = channel_ids[order].astype(np.int32)
        self.chan_other = others[order].astype(np.int32)

        self.pull = np.full(nodes, 2, dtype=np.uint8)
        self.pull[_id_list(netlist, "pulldowns", nodes, where)] = 0
        self.pull[_id_list(netlist, "pullups", nodes, where)] = 1
        self.state = np.zeros(nodes, dtype=np.uint8)
        self.state[_id_list(netlist, "high", nodes, where)] = 1
        self.state[self.vss], self.state[self.vcc] = 0, 1
        gate_high = self.state[self.trans_gate] == 1
        self.trans_on = np.where(self.trans_type == NMOS, gate_high, ~gate_high)

        self.counters = np.zeros(4, dtype=np.int64)
        self._stamp = np.zeros(nodes, dtype=np.int64)
        self._next_stamp = np.zeros(nodes, dtype=np.int64)
        self._group = np.empty(nodes, dtype=np.int32)
        self._pending = np.empty(nodes, dtype=np.int32)
        self._following = np.empty(nodes, dtype=np.int32)
        everything = np.array([n for n in range(nodes) if n not in (self.vss, self.vcc)],
                              dtype=np.int32)
        self._recalculate(everything)

    @classmethod
    def load(cls, path, max_waves: int = DEFAULT_MAX_WAVES) -> "SwitchSim":
        """Reads a `ttsim-fets-1` JSON file and settles the network from its initial state."""
        path = Path(path)
        try:
            netlist = json.loads(path.read_text())
        except FileNotFoundError:
            raise TtsimError(f"{path}: no such netlist file") from None
        except json.JSONDecodeError as error:
            raise TtsimError(f"{path}: not valid JSON: {error}") from None
        return cls(netlist, where=str(path), max_waves=max_waves)

    def _names(self, names, where: str) -> dict[str, int]:
        if not isinstance(names, dict):
            raise TtsimError(f"{where}: 'names' must map names to node ids")
        return {str(name): _node_id(node, f"{where}: name {name!r}", self.nodes)
                for name, node in names.items()}

    def node(self, node: int | str) -> int:
        """The id of a node given by name or id."""
        if isinstance(node, str):
            try:
                return self.names[node]
            except KeyError:
                raise TtsimError(f"no node named {node!r} in the netlist") from None
        return _node_id(node, "node", self.nodes)

    def name(self, node: int) -> str:
        """A node's name if it has one, else '#id'."""
        return self._ids_named.get(node, f"#{node}")

    def _recalculate(self, nodes) -> None:
        self._pending[:len(nodes)] = nodes
        stuck = _settle(self._pending, len(nodes), self.state, self.pull, self.trans_on,
                        self.trans_type, self.trans_c1, self.trans_c2, self.gate_start,
                        self.gate_list, self.chan_start, self.chan_trans, self.chan_other,
                        self.vss, self.vcc, self.max_waves, self._stamp, self._next_stamp,
                        self._group, self._following, self.counters)
        if stuck >= 0:
            raise TtsimError(f"the network oscillates: node {self.name(stuck)} still changes "
                             f"after {self.max_waves} waves")

    def set(self, node: int | str, value: int) -> None:
        """Drives a node to 0 or 1 like an input pin (a pull stronger than stored charge, weaker
        than vss/vcc), then settles the network."""
        self.set_many({node: value})

    def set_many(self, values: dict) -> None:
        """Drives several nodes at once (say the bits of an input bus), then settles."""
        ids = [self.node(node) for node in values]
        for node_id, value in zip(ids, values.values()):
            if node_id in (self.vss, self.vcc):
                raise TtsimError(f"cannot drive the supply node {self.name(node_id)}")
            self.pull[node_id] = 1 if value else 0
        self._recalculate(ids)

    def get(self, node: int | str) -> int:
        """A node's current value, 0 or 1."""
        return int(self.state[self.node(node)])

    def transistors(self) -> int:
        return len(self.trans_type)

    def stats(self) -> dict[str, int]:
        """Work done so far: group evaluations, waves and settles (set() calls and the first)."""
        return {
            "nodes": self.nodes,
            "transistors": self.transistors(),
            "group_evaluations": int(self.counters[_GROUP_EVALUATIONS]),
            "waves": int(self.counters[_WAVES]),
            "settles": int(self.counters[_SETTLES]),
        }
