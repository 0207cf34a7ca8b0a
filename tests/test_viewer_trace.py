"""The viewer's data layer (ttsim.viewer.trace), value formats and view files, on small hand-written
traces, plus a fuzzed loader: mangled real traces must give a TtsimError or load, never crash."""
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttsim.errors import TtsimError
from ttsim.viewer.formats import format_value
from ttsim.viewer.trace import SignalData, Trace
from ttsim.viewer.view import View, read_gtkw

SMALL_VCD = """$timescale 1ns $end
$scope module top $end
$var wire 1 ! a $end
$var wire 4 " b [3:0] $end
$var real 64 # r $end
$scope module sub $end
$var wire 8 $ c [7:0] $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
x!
bxx01 "
r0.5 #
bz $
#10
1!
b1010 "
r1.25 #
b101 $
#20
z!
bzzzz "
#35
0!
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.vcd"
    path.write_text(SMALL_VCD)
    return Trace(path)


def test_values_unknowns_and_times(small):
    a = small.signal("a")
    assert a.times.tolist() == [0, 10, 20, 35]
    assert [a.value_at(t) for t in (0, 9, 10, 25, 40)] == ["x", "x", 1, "z", 0]
    assert a.unknown.tolist() == [True, False, True, False]
    assert a.floating.tolist() == [False, False, True, False]
    b = small.signal("top.b")
    assert b.value_at(5) == "xx01" and b.value_at(12) == 10
    assert small.signal("r").value_at(15) == 1.25
    assert small.signal("c").value_at(-1) is None
    assert small.end_time == 35
    assert small.seconds(10) == pytest.approx(10e-9)


def test_names_resolve_by_unique_tail(small):
    assert small.resolve("c") == "top.sub.c"
    assert small.resolve("sub.c") == "top.sub.c"
    with pytest.raises(TtsimError, match="no signal 'nope'"):
        small.resolve("nope")
    tree = small.scopes()
    assert [s.name for s in tree] == ["top"]
    assert tree[0].children[0].variables == ["top.sub.c"]


def test_verilator_port_copies_lose_to_the_tt_top(tmp_path):
    path = tmp_path / "ports.vcd"
    path.write_text("$timescale 1ps $end\n$scope module $rootio $end\n$var wire 8 ! uo_out $end\n"
                    "$upscope $end\n$scope module tt_um_ttsim_x $end\n$var wire 8 \" uo_out $end\n"
                    "$upscope $end\n$enddefinitions $end\n#0\nb1 !\nb10 \"\n")
    assert Trace(path).resolve("uo_out") == "tt_um_ttsim_x.uo_out"


def test_time_parsing(small):
    assert small.ticks("250") == 250
    assert small.ticks("2.5us") == 2500
    assert small.ticks("40 ns") == 40
    for bad in ("soon", "5 parsecs", ""):
        with pytest.raises(TtsimError):
            small.ticks(bad)


def test_columns_count_changes_per_pixel(small):
    a = small.signal("a")
    columns = a.columns(0, 40, 4)  # columns [0,10) [10,20) [20,30) [30,40)
    assert columns.start.tolist() == [0, 1, 2, 2]
    assert columns.changes.tolist() == [1, 1, 0, 1]
    assert a.columns(-20, -10, 2).start.tolist() == [-1, -1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=300), st.data())
def test_min_max_pyramid_matches_a_scan(values, data):
    changes = [(time * 3, value) for time, value in enumerate(values)]
    signal = SignalData("s", 16, False, changes)
    firsts = data.draw(st.lists(st.integers(0, len(values) - 1), min_size=1, max_size=20))
    lasts = [data.draw(st.integers(first, len(values) - 1)) for first in firsts]
    lows, highs = signal.span_min_max(np.array(firsts), np.array(lasts))
    for first, last, low, high in zip(firsts, lasts, lows, highs):
        assert low == min(values[first:last + 1]) and high == max(values[first:last + 1])


def test_value_formats():
    assert format_value(0xA5, 8, "hex") == "a5"
    assert format_value(0xA5, 8, "unsigned") == "165"
    assert format_value(0xA5, 8, "signed") == "-91"
    assert format_value(5, 8, "binary") == "00000101"
    assert format_value(0x4869, 16, "ascii") == "Hi"
    assert format_value("xx0101zz", 8, "hex") == "xz"
    assert format_value("zzzz", 4, "hex") == "z"
    assert format_value(None, 4, "hex") == ""


def test_view_file_round_trip_and_missing_signals(small, tmp_path):
    view = View()
    view.add(small, "b:unsigned")
    view.add(small, "a")
    view.start, view.end, view.cursor = 5.0, 30.0, 12
    view.set_marker(1, 10)
    path = tmp_path / "v.json"
    view.save(path)
    again = View.load(path, small)
    assert [(r.name, r.format) for r in again.rows] == [("top.b", "unsigned"), ("top.a", "binary")]
    assert (again.start, again.end, again.cursor, again.markers) == (5.0, 30.0, 12, {1: 10})
    data = json.loads(path.read_text())
    data["rows"].append({"name": "top.gone", "format": "hex"})
    path.write_text(json.dumps(data))
    with pytest.raises(TtsimError, match="lacks: top.gone"):
        View.load(path, small)
    path.write_text("{not json")
    with pytest.raises(TtsimError, match="not a ttsim view"):
        View.load(path, small)


def test_gtkwave_save_file_signal_list(small, tmp_path):
    path = tmp_path / "s.gtkw"
    path.write_text("[*] GTKWave save file\n[timestart] 0\n*-20.0 100 -1\n@28\ntop.a\n@22\n"
                    "top.b[3:0]\n@8022\ntop.sub.c[7:0]\n")
    assert read_gtkw(path, small) == ["top.a:binary", "top.b:hex", "top.sub.c:analog"]
    path.write_text("@22\ntop.missing[3:0]\n")
    with pytest.raises(TtsimError, match="lacks: top.missing"):
        read_gtkw(path, small)


@pytest.mark.parametrize("content, message", [(b"", "is empty"),
                                              (b"\x00\x01garbage", "cannot read trace"),
                                              (b"$scope module t $end\n$enddefinitions $end\n",
                                               "declares no signals")])
def test_bad_traces_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.vcd"
    path.write_bytes(content)
    with pytest.raises(TtsimError, match=message):
        Trace(path)
    with pytest.raises(TtsimError, match="does not exist"):
        Trace(tmp_path / "absent.vcd")


def test_damaged_fst_header_length_is_an_error_not_a_hang(hello_traces, tmp_path):
    """pywellen loops forever on this one: a seed of the fuzz test below found it."""
    damaged = bytearray(hello_traces["verilator"].read_bytes())
    assert damaged[0] == 0 and int.from_bytes(damaged[1:9], "big") == 329
    damaged[8] ^= 0x33
    path = tmp_path / "damaged.fst"
    path.write_bytes(bytes(damaged))
    with pytest.raises(TtsimError, match="FST header block is damaged"):
        Trace(path)


def _load_everything(path):
    trace = Trace(path)
    for name in trace.names:
        signal = trace.signal(name)
        signal.columns(0, trace.end_time + 1, 50)
    return trace


@pytest.mark.parametrize("suffix", [".vcd", ".fst"])
def test_fuzzed_traces_fail_cleanly(hello_traces, tmp_path, suffix):
    original = next(p for p in hello_traces.values() if p.suffix == suffix).read_bytes()
    target = tmp_path / f"fuzzed{suffix}"

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        mangled = bytearray(original)
        cut = data.draw(st.integers(0, len(mangled)), label="truncate at")
        mangled = mangled[:cut]
        for _ in range(data.draw(st.integers(0, 8), label="byte edits")):
            if mangled:
                position = data.draw(st.integers(0, len(mangled) - 1))
                mangled[position] = data.draw(st.integers(0, 255))
        target.write_bytes(bytes(mangled))
        try:
            _load_everything(target)
        except TtsimError as error:
            assert str(error) and "\n" not in str(error)

    check()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.floats(0, 1), st.floats(1e-4, 1), st.integers(1, 400))
def test_lazy_signal_answers_like_the_numpy_one(hello_traces, start, span, width):
    lazy_trace = Trace(hello_traces["icarus"], lazy_above=0)
    full_trace = Trace(hello_traces["icarus"])
    for name in ("clk", "uo_out", "counter.prescale"):
        lazy, full = lazy_trace.signal(name), full_trace.signal(name)
        assert type(lazy).__name__ == "LazySignal" and len(lazy) == len(full)
        t0 = start * full.last_time
        t1 = t0 + span * full.last_time
        ours, theirs = lazy.columns(t0, t1, width), full.columns(t0, t1, width)
        for field in ("start", "changes", "nonzero", "unknown", "floating"):
            assert getattr(ours, field).tolist() == getattr(theirs, field).tolist(), field
        for time in (int(t0), int(t1), int((t0 + t1) / 2)):
            assert lazy.value_at(time) == full.value_at(time)
            assert lazy.next_change(time) == full.next_change(time)
            assert lazy.previous_change(time) == full.previous_change(time)


def test_zoomed_out_columns_snap_to_the_time_grid_and_zoomed_in_ones_are_exact():
    from ttsim.viewer.trace import GRID_CELLS, GRID_SNAP

    rng = np.random.default_rng(5)
    times = np.cumsum(rng.integers(1, 50, 3 * GRID_CELLS))
    signal = SignalData("s", 8, False, zip(times.tolist(), (times % 251).tolist()))
    end = signal.last_time
    cell = end / GRID_CELLS
    # Zoomed out: each edge is within half a grid cell (1/16 of a column) of the exact edge, and
    # the counts are exact for the snapped edges.
    width = 500
    columns = signal.columns(0, end, width)
    edges = np.linspace(0, end, width + 1)
    snapped = np.floor(np.rint(edges / cell) * cell).astype(np.int64)
    assert (np.abs(snapped - edges) <= cell / 2 + 1).all() and cell * GRID_SNAP <= end / width
    after = np.searchsorted(times, snapped, side="right")
    assert columns.start.tolist() == (after[:-1] - 1).tolist()
    assert columns.changes.tolist() == np.diff(after).tolist()
    start = after[:-1] - 1
    assert columns.nonzero.tolist() == ((start >= 0) & (signal.values[start] != 0)).tolist()
    # Zoomed in (a column narrower than GRID_SNAP cells): exact.
    t0, t1 = end * 0.4, end * 0.4 + cell * GRID_SNAP * width / 2
    columns = signal.columns(t0, t1, width)
    exact = np.searchsorted(times, np.floor(np.linspace(t0, t1, width + 1)).astype(np.int64),
                            side="right")
    assert columns.start.tolist() == (exact[:-1] - 1).tolist()


def test_wellen_warnings_become_one_line_ttsim_warnings(tmp_path, capfd):
    path = tmp_path / "backwards.vcd"
    path.write_text("$timescale 1ns $end\n$scope module top $end\n$var wire 8 ! v $end\n"
                    "$upscope $end\n$enddefinitions $end\n#0\nb1 !\n#10\nb10 !\n#5\nb11 !\n")
    signal = Trace(path).signal("v")
    assert signal.times.tolist() == [0, 10]  # wellen skips the step back in time
    out, err = capfd.readouterr()
    assert out == ""
    assert err.strip() == "ttsim: warning: backwards.vcd: time decreased from 10 to 5. Skipping!"
