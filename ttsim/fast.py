"""The Verilator fast path from Python: compiled runs of a design at full speed.

A `Simulation` is a persistent Verilated design (see ttsim.tools.fastpath for the build and its
cache) stepped from Python with coarse calls: `step(n)` runs n clock cycles in C++ with the models
attached, and can record pins into numpy arrays on the way. `run()` is the one-call form that
`ttsim run` uses.

One cycle: the input script's events for the cycle are applied, the stop condition is checked, the
models drive their inputs, the rising edge, then pins are recorded (as a cocotb test reads them on
the falling edge) and the models observe the outputs, then the falling edge. Reset cycles
(`reset()`) are not counted.

The design's `[fast]` table in design.toml (every key optional):

    [fast]
    top = "cpu:CPU6502"        # native top (module:Class in the design folder) instead of the TT top
    models = ["bus6502"]       # models always attached: bus6502, qspi_flash, vga
    inputs = { ena = 1 }       # constant inputs set before reset
    reset_cycles = 2           # cycles reset is held (rst_n low, or rst high on a native top)

    [fast.bus6502]             # port names of the 6502-style bus (these are the defaults)
    addr = "addr"
    data_in = "data_in"
    data_out = "data_out"
    rw = "rw"                  # 1 = read, 0 = write
    sync = "sync"              # high on opcode fetches; "" when the top has none
    rdy = ""                   # the RDY input, if named: a fetch stretched by RDY low counts once
    inputs = { rdy = 1 }       # constant inputs for the bus (e.g. RDY held high)

    [fast.qspi_flash]
    size = 16777216            # flash size in bytes (default 16 MB); the ROM must fit
    image = "qspi:flash_image" # module:function packing a --rom file into the flash contents

    [fast.vga]
    port = "uo_out"            # the TinyVGA output port

    [fast.atari]               # the Atari 2600 host (ttsim.tools.atari_run drives it)
    inputs = { joystick_n = 0xFF }   # constant inputs of the native top, set when it attaches

Models are also switched on by `run()`'s options: `ram`/`pc`/`stop_on_loop` attach bus6502,
`rom` attaches qspi_flash, `frames`/`png_dir` attach vga. The atari model is attached by
ttsim.tools.atari_run (`Simulation.attach_atari`), which `ttsim run` uses for a design with a
`[fast.atari]` table.
"""
from __future__ import annotations

import ctypes
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.registry import Design

STOP_REASONS = ("cycles", "condition", "loop", "wall_clock", "frames", "recorder")
MODELS = ("bus6502", "qspi_flash", "vga", "atari")
BUS6502_PORTS = {"addr": "addr", "data_in": "data_in", "data_out": "data_out", "rw": "rw",
                 "sync": "sync", "rdy": ""}  # model port -> default top port ("" = none)
DEFAULT_FLASH_SIZE = 16 * 1024 * 1024
VGA_SHAPE = (480, 640, 3)
# The native Atari 2600 top's ports the atari model uses, in the order ttsim_atari_attach takes.
ATARI_PORTS = ("rom_addr", "rom_data", "scheme", "colour", "hcount", "hblank", "vblank", "vsync",
               "audio0", "audio1", "audio_tick", "cpu_ce", "cpu_addr", "cpu_sync", "cpu_rdy",
               "joystick_n", "switches_n", "fire_n", "frame_end")
ATARI_FRAMINGS = ("vsync", "stella")  # AtariConsole::Framing
ATARI_WIDTH = 160
ATARI_LINE_CLOCKS = 228
ATARI_STELLA_MAX_LINES = 290  # Stella's NTSC frame limit (342 for PAL)
ATARI_MAX_FRAME_LINES = 600  # a run with no frame boundary for this long per frame gives up
CHUNK_CYCLES = 1 << 24  # unlimited runs go back to Python this often (for Ctrl-C)

_u64, _i64, _int, _ptr = ctypes.c_uint64, ctypes.c_int64, ctypes.c_int, ctypes.c_void_p
_SIGNATURES = {
    "ttsim_create": (_ptr, [_int]),
    "ttsim_destroy": (None, [_ptr]),
    "ttsim_set": (None, [_ptr, _int, _u64]),
    "ttsim_get": (_u64, [_ptr, _int]),
    "ttsim_eval": (None, [_ptr]),
    "ttsim_cycles": (_u64, [_ptr]),
    "ttsim_reset": (None, [_ptr, _int, _int, _u64]),
    "ttsim_step": (_int, [_ptr, _u64, ctypes.c_double]),
    "ttsim_set_script": (None, [_ptr, _ptr, _ptr, _ptr, _u64]),
    "ttsim_set_condition": (None, [_ptr, _ptr, _u64]),
    "ttsim_set_recorder": (None, [_ptr, _ptr, _int, _ptr, _int, _u64]),
    "ttsim_recorded": (_u64, [_ptr]),
    "ttsim_bus6502_attach": (None, [_ptr, _int, _int, _int, _int, _int, _int, _int]),
    "ttsim_bus6502_memory": (ctypes.POINTER(ctypes.c_uint8), [_ptr]),
    "ttsim_bus6502_instructions": (_u64, [_ptr]),
    "ttsim_bus6502_last_fetch": (_i64, [_ptr]),
    "ttsim_vga_attach": (None, [_ptr, _int]),
    "ttsim_vga_set_buffer": (None, [_ptr, _ptr, _u64]),
    "ttsim_vga_filled": (_u64, [_ptr]),
    "ttsim_vga_total": (_u64, [_ptr]),
    "ttsim_vga_line_clocks": (_u64, [_ptr]),
    "ttsim_vga_frame_lines": (_u64, [_ptr]),
    "ttsim_vga_hsync_active": (_int, [_ptr]),
    "ttsim_vga_vsync_active": (_int, [_ptr]),
    "ttsim_qspi_attach": (None, [_ptr, _int, _int, _int, _ptr, _u64, _u64]),
    "ttsim_qspi_reads": (_u64, [_ptr]),
    "ttsim_atari_attach": (None, [_ptr, _ptr, _ptr, _u64, _int, _int, _int, _ptr, _u64, _int]),
    "ttsim_atari_set_buffer": (None, [_ptr, _ptr, _ptr, _u64, _u64, _int, _ptr, _u64]),
    "ttsim_atari_steps_logged": (_u64, [_ptr]),
    "ttsim_atari_filled": (_u64, [_ptr]),
    "ttsim_atari_frame": (_i64, [_ptr]),
    "ttsim_atari_audio_count": (_u64, [_ptr]),
    "ttsim_atari_audio": (ctypes.POINTER(ctypes.c_uint8), [_ptr]),
    "ttsim_trace_open": (_int, [_ptr, ctypes.c_char_p, _u64, _u64, _u64]),
}
_libraries: dict[Path, ctypes.CDLL] = {}


def _load(path: Path) -> ctypes.CDLL:
    if path not in _libraries:
        lib = ctypes.CDLL(str(path))
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(lib, name)
            function.restype, function.argtypes = restype, argtypes
        _libraries[path] = lib
    return _libraries[path]


def _as_design(design: str | Design) -> Design:
    return registry.get(design) if isinstance(design, str) else design


def _address(array: np.ndarray) -> int:
    return array.ctypes.data


@dataclass
class StepResult:
    """How a step ended: `reason` (one of STOP_REASONS), the cycles it ran, and the recorded
    ports (name -> array, one value per cycle: uint8 when every recorded port has at most 8 bits,
    else uint64)."""
    reason: str
    cycles: int
    recording: dict[str, np.ndarray] = field(default_factory=dict)


class Simulation:
    """A persistent fast-path simulation of one design (close it, or use `with`; the memory
    view `attach_bus6502` returns is only valid until then).

    native: simulate the design's `[fast]` top (default when it has one) rather than its TT top;
    top: with native, another native top of the design ("module:Class") than `[fast] top`.
    trace: a .vcd or .fst path to trace cycles [trace_from, trace_to) into (a tracing build).
    component: an Amaranth component to simulate instead of the design's tops (the design then
    only names the build folder and gives the clock and the `[fast]` table); verilog: the same
    for Verilog text whose top module is named as the design's TT top.
    """

    def __init__(self, design: str | Design, *, native: bool | None = None,
                 trace: str | Path | None = None, trace_from: int = 0,
                 trace_to: int | None = None, component=None, verilog: str | None = None,
                 top: str | None = None):
        from ttsim.tools import fastpath

        self._handle = None  # set once the C side exists; close() relies on it
        self.design = _as_design(design)
        self.config = fastpath.fast_table(self.design)
        suffix = None
        if trace is not None:
            suffix = Path(trace).suffix
            if trace_to is not None and trace_from > trace_to:
                raise TtsimError(f"trace window from cycle {trace_from} to {trace_to}: "
                                 "the start is after the end")
            if trace_from < 0:
                raise TtsimError("the trace window cannot start before cycle 0")
        self.build = fastpath.build(self.design, native=native, trace=suffix, component=component,
                                    verilog=verilog, top=top)
        self.native = self.build.native
        self._lib = _load(self.build.library)
        self.ports = {p.name: p for p in self.build.ports}
        self._index = {p.name: i for i, p in enumerate(self.build.ports)}
        self._handle = self._lib.ttsim_create(self._index["clk"])
        self.models: set[str] = set()
        for name, value in self.config.get("inputs", {}).items():
            self.set(name, value)
        if "ena" in self._index:
            self.set("ena", 1)
        if "rst_n" in self._index:
            self.set("rst_n", 1)
        if trace is not None:
            Path(trace).parent.mkdir(parents=True, exist_ok=True)
            half_period_ps = max(1, round(1e12 / self.design.clock_hz / 2))
            end = (1 << 64) - 1 if trace_to is None else trace_to
            if self._lib.ttsim_trace_open(self._handle, str(trace).encode(), trace_from, end,
                                          half_period_ps):
                raise TtsimError(f"cannot open the trace file {trace}")

    # Lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        if self._handle:
            self._lib.ttsim_destroy(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    # Pins ----------------------------------------------------------------------------------
    def port(self, name: str) -> int:
        """The index of a port, or a one-line error naming the ports there are."""
        try:
            return self._index[name]
        except KeyError:
            raise TtsimError(f"the {'native' if self.native else 'TT'} top of "
                             f"{self.design.name!r} has no signal {name!r} (it has: "
                             f"{', '.join(self._index)})") from None

    def get(self, name: str) -> int:
        return self._lib.ttsim_get(self._handle, self.port(name))

    def _input(self, name: str) -> int:
        index = self.port(name)
        if not self.ports[name].is_input:
            raise TtsimError(f"{name!r} is an output of {self.design.name!r}, it cannot be set")
        return index

    def set(self, name: str, value: int) -> None:
        self._lib.ttsim_set(self._handle, self._input(name), int(value))

    def eval(self) -> None:
        """Settles combinational outputs after `set` without a clock edge."""
        self._lib.ttsim_eval(self._handle)

    @property
    def cycles(self) -> int:
        """Cycles run since the simulation was created (reset cycles excluded)."""
        return self._lib.ttsim_cycles(self._handle)

    # Running -------------------------------------------------------------------------------
    def reset(self, cycles: int | None = None) -> None:
        """Holds reset (rst_n low, or rst high) for `cycles` cycles and releases it."""
        if cycles is None:
            cycles = int(self.config.get("reset_cycles", 2))
        if "rst_n" in self._index:
            self._lib.ttsim_reset(self._handle, self._index["rst_n"], 0, cycles)
        elif "rst" in self._index:
            self._lib.ttsim_reset(self._handle, self._index["rst"], 1, cycles)
        else:
            raise TtsimError(f"the top of {self.design.name!r} has no rst_n or rst port")

    def set_script(self, events) -> None:
        """Input events (cycle, port name, value), applied at the start of their cycle (cycles as
        counted by `cycles`). Replaces the previous script."""
        events = sorted(events, key=lambda e: e[0])
        cycles = np.array([e[0] for e in events], dtype=np.uint64)
        ports = np.array([self._input(e[1]) for e in events], dtype=np.int32)
        values = np.array([e[2] for e in events], dtype=np.uint64)
        self._lib.ttsim_set_script(self._handle, _address(cycles), _address(ports),
                                   _address(values), len(events))

    def stop_when(self, condition: str | None) -> None:
        """Stops a step before the first cycle at which the condition holds (checked at the start
        of each cycle). Syntax: terms NAME, !NAME, NAME==V, NAME!=V joined by && and ||
        (&& binds tighter); values in any Python integer notation. None clears it."""
        triples = [] if condition is None else self._compile_condition(condition)
        array = np.array(triples, dtype=np.int64).reshape(-1)
        self._lib.ttsim_set_condition(self._handle, _address(array), len(triples))

    def _compile_condition(self, condition: str) -> list[tuple[int, int, int]]:
        """(port, op, value) triples for the C side: op 0 is ==, 1 is !=, 2 separates ||."""
        triples = []
        for alternative in condition.split("||"):
            if triples:
                triples.append((0, 2, 0))
            for term in alternative.split("&&"):
                term = term.strip()
                for op, code in (("==", 0), ("!=", 1)):
                    if op in term:
                        name, _, text = (part.strip() for part in term.partition(op))
                        try:
                            value = int(text, 0)
                        except ValueError:
                            raise TtsimError(f"stop condition {condition!r}: {text!r} is not "
                                             "a number") from None
                        break
                else:  # a bare name: true when nonzero; !name: true when zero
                    name, value = term.lstrip("!").strip(), 0
                    code = 0 if term.startswith("!") else 1
                if not name.isidentifier():
                    raise TtsimError(f"stop condition {condition!r}: cannot read {term!r} "
                                     "(a term is NAME, !NAME, NAME==V or NAME!=V)")
                triples.append((self.port(name), code, value))
        return triples

    def step(self, cycles: int, *, record=(), wall_s: float | None = None) -> StepResult:
        """Runs up to `cycles` cycles; stops early on the stop condition, a model or the
        wall-clock limit. `record`: port names to record after every rising edge."""
        start = self.cycles
        if record:
            indices = np.array([self.port(name) for name in record], dtype=np.int32)
            small = all(self.ports[name].width <= 8 for name in record)
            buffer = np.zeros((cycles, len(record)), dtype=np.uint8 if small else np.uint64)
            self._lib.ttsim_set_recorder(self._handle, _address(indices), len(record),
                                         _address(buffer), int(small), cycles)
        try:
            code = self._lib.ttsim_step(self._handle, cycles, wall_s or 0.0)
        finally:
            if record:
                self._lib.ttsim_set_recorder(self._handle, None, 0, None, 0, 0)
        ran = self.cycles - start
        recording = {name: buffer[:ran, column].copy() for column, name in enumerate(record)}
        reason = STOP_REASONS[code]
        # A full recorder is the requested cycle count reached, not an early stop.
        return StepResult("cycles" if reason == "recorder" else reason, ran, recording)

    # Models --------------------------------------------------------------------------------
    def _model_config(self, model: str) -> dict:
        table = self.config.get(model, {})
        if not isinstance(table, dict):
            raise TtsimError(f"designs/{self.design.name}/design.toml: [fast.{model}] must be "
                             "a table")
        return table

    def attach_bus6502(self, stop_on_loop: bool = False) -> np.ndarray:
        """Attaches the 64 KB memory; returns it as a writable numpy view (load programs into it
        before `reset`)."""
        if "bus6502" in self.models:
            raise TtsimError("bus6502 is already attached")
        table = self._model_config("bus6502")
        names = {key: table.get(key, default) for key, default in BUS6502_PORTS.items()}
        optional = {key: self.port(names[key]) if names[key] else -1 for key in ("sync", "rdy")}
        self._lib.ttsim_bus6502_attach(self._handle, self.port(names["addr"]),
                                       self.port(names["data_in"]), self.port(names["data_out"]),
                                       self.port(names["rw"]), optional["sync"], optional["rdy"],
                                       int(stop_on_loop))
        for name, value in table.get("inputs", {}).items():
            self.set(name, value)
        self.models.add("bus6502")
        pointer = self._lib.ttsim_bus6502_memory(self._handle)
        return np.ctypeslib.as_array(pointer, shape=(65536,))

    def bus6502_report(self) -> dict:
        last = self._lib.ttsim_bus6502_last_fetch(self._handle)
        return {"pc": None if last < 0 else last,
                "instructions": self._lib.ttsim_bus6502_instructions(self._handle)}

    def attach_qspi_flash(self, rom: bytes) -> None:
        """Attaches a QSPI flash serving `rom` on the uio pins (TT QSPI PMOD pinout), packed into
        the flash's contents by the design's `image` function when it names one."""
        config = self._model_config("qspi_flash")
        if "image" in config:
            rom = _design_function(self.design, config["image"], "[fast.qspi_flash] image")(rom)
        size = int(config.get("size", DEFAULT_FLASH_SIZE))
        if len(rom) > size:
            raise TtsimError(f"the ROM is {len(rom)} bytes, larger than the {size}-byte flash")
        data = np.frombuffer(rom, dtype=np.uint8).copy() if rom else np.zeros(1, np.uint8)
        self._lib.ttsim_qspi_attach(self._handle, self.port("uio_out"), self.port("uio_oe"),
                                    self.port("uio_in"), _address(data), len(rom), size)
        self.models.add("qspi_flash")

    def qspi_report(self) -> dict:
        return {"bytes_read": self._lib.ttsim_qspi_reads(self._handle)}

    def attach_vga(self) -> None:
        port = self._model_config("vga").get("port", "uo_out")
        self._lib.ttsim_vga_attach(self._handle, self.port(port))
        self.models.add("vga")

    def vga_frames(self, count: int, *, cycles: int | None = None, wall_s: float | None = None,
                   chunk: int = 16):
        """Runs until `count` more TinyVGA frames are captured (or `cycles` more cycles, the
        wall-clock limit or the stop condition); yields each frame as a (480, 640, 3) uint8 array,
        a view valid until the next one is yielded. `vga_stop` then says why it ended."""
        buffer = np.zeros((min(count, chunk), *VGA_SHAPE), dtype=np.uint8)
        end_cycle = None if cycles is None else self.cycles + cycles
        deadline = None if wall_s is None else time.monotonic() + wall_s
        left = count
        self.vga_stop = "frames"
        try:
            while left > 0:
                self._lib.ttsim_vga_set_buffer(self._handle, _address(buffer), min(left, chunk))
                budget = CHUNK_CYCLES if end_cycle is None else end_cycle - self.cycles
                remaining = None if deadline is None else deadline - time.monotonic()
                if budget <= 0 or (remaining is not None and remaining <= 0):
                    self.vga_stop = "cycles" if budget <= 0 else "wall_clock"
                    return
                result = self.step(min(budget, CHUNK_CYCLES), wall_s=remaining)
                filled = self._lib.ttsim_vga_filled(self._handle)
                left -= filled
                yield from buffer[:filled]
                if result.reason not in ("frames", "cycles"):
                    self.vga_stop = result.reason
                    return
        finally:
            self._lib.ttsim_vga_set_buffer(self._handle, None, 0)

    def attach_atari(self, rom: bytes, scheme: int, *, inputs=(), framing: str = "vsync",
                     stella_max_lines: int = ATARI_STELLA_MAX_LINES, mark_visible: bool = False,
                     audio: bool = False) -> None:
        """Attaches the Atari 2600 host to the native top: it serves `rom` (a cartridge image run
        with scheme number `scheme`), sets the controller ports from `inputs`, rows (input step,
        joystick_n, switches_n, fire_n) sorted by step, counts frames by `framing` (see
        ATARI_FRAMINGS and tools/fastpath/atari.h, which also explains `stella_max_lines` and
        `mark_visible`) and collects audio samples if `audio`. `stella_max_lines` sets the
        top's frame_max_lines input (Stella's frame limit, used by the "stella" framing)."""
        if not rom:
            raise TtsimError("the ROM is empty")
        if framing not in ATARI_FRAMINGS:
            raise TtsimError(f"Atari framing is one of {', '.join(ATARI_FRAMINGS)}, "
                             f"not {framing!r}")
        for name, value in self._model_config("atari").get("inputs", {}).items():
            self.set(name, value)
        self.set("frame_max_lines", stella_max_lines)
        ports = np.array([self.port(name) for name in ATARI_PORTS], dtype=np.int32)
        image = np.frombuffer(rom, dtype=np.uint8).copy()
        rows = np.array(inputs, dtype=np.uint64).reshape(-1, 4)
        self._lib.ttsim_atari_attach(self._handle, _address(ports), _address(image), len(rom),
                                     scheme, ATARI_FRAMINGS.index(framing),
                                     int(mark_visible), _address(rows), len(rows), int(audio))
        self.models.add("atari")

    def atari_frames(self, count: int, *, skip: int = 0, lines: int = 262,
                     wall_s: float | None = None) -> tuple[np.ndarray, np.ndarray, str]:
        """Runs until frames skip..skip+count-1 are captured; returns them as a (count, lines,
        160) uint8 array of TIA colour values (0 where a frame had no line), each frame's line
        count, and why the run ended ("frames", "wall_clock", or "cycles" when no frame boundary
        came for ATARI_MAX_FRAME_LINES lines per frame)."""
        frames = np.zeros((count, lines, ATARI_WIDTH), dtype=np.uint8)
        line_counts = np.zeros(count, dtype=np.uint32)
        self._lib.ttsim_atari_set_buffer(self._handle, _address(frames), _address(line_counts),
                                         count, skip, lines, None, 0)
        try:
            reason = self._atari_run(count + skip, wall_s)
            filled = self._lib.ttsim_atari_filled(self._handle)
        finally:
            self._lib.ttsim_atari_set_buffer(self._handle, None, None, 0, 0, lines, None, 0)
        return frames[:filled], line_counts[:filled], reason

    def atari_steps(self, steps: int, *, frame_capacity: int, lines: int,
                    wall_s: float | None = None):
        """With Stella's framing: runs `steps` input steps (ale-py's frames) from reset; returns
        the frames from 0 on as in `atari_frames` (up to `frame_capacity` of them), the step log
        (steps x 4: the frame each step ended in, that frame's whole lines so far, 1 if the frame
        ended, the pixels of its next line drawn), and why the run ended."""
        frames = np.zeros((frame_capacity, lines, ATARI_WIDTH), dtype=np.uint8)
        line_counts = np.zeros(frame_capacity, dtype=np.uint32)
        log = np.zeros((steps, 4), dtype=np.int64)
        self._lib.ttsim_atari_set_buffer(self._handle, _address(frames), _address(line_counts),
                                         frame_capacity, 0, lines, _address(log), steps)
        try:
            reason = self._atari_run(steps, wall_s)
            logged = self._lib.ttsim_atari_steps_logged(self._handle)
        finally:
            self._lib.ttsim_atari_set_buffer(self._handle, None, None, 0, 0, lines, None, 0)
        return frames, line_counts, log[:logged], reason

    def _atari_run(self, frames: int, wall_s: float | None) -> str:
        """Steps until the atari model stops the run ("frames"), the wall-clock limit, or a
        budget of ATARI_MAX_FRAME_LINES lines per frame ("cycles")."""
        end_cycle = self.cycles + (frames + 1) * ATARI_MAX_FRAME_LINES * ATARI_LINE_CLOCKS
        deadline = None if wall_s is None else time.monotonic() + wall_s
        reason = "cycles"
        while self.cycles < end_cycle:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return "wall_clock"
            reason = self.step(min(CHUNK_CYCLES, end_cycle - self.cycles),
                               wall_s=remaining).reason
            if reason != "cycles":
                break
        return reason

    def atari_frame(self) -> int:
        """The number of the frame the Atari is in (-1 before the first VSYNC, by vsync framing)."""
        return self._lib.ttsim_atari_frame(self._handle)

    def atari_audio(self) -> np.ndarray:
        """The audio samples so far: per TIA audio tick (two per line) the sum of both channels'
        volumes, 0..30."""
        count = self._lib.ttsim_atari_audio_count(self._handle)
        if count == 0:
            return np.zeros(0, dtype=np.uint8)
        pointer = self._lib.ttsim_atari_audio(self._handle)
        return np.ctypeslib.as_array(pointer, shape=(count,)).copy()

    def vga_report(self) -> dict:
        polarity = {0: "negative", 1: "positive", -1: None}
        return {"frames": self._lib.ttsim_vga_total(self._handle),
                "line_clocks": self._lib.ttsim_vga_line_clocks(self._handle),
                "frame_lines": self._lib.ttsim_vga_frame_lines(self._handle),
                "hsync": polarity[self._lib.ttsim_vga_hsync_active(self._handle)],
                "vsync": polarity[self._lib.ttsim_vga_vsync_active(self._handle)]}


def read_script(path: str | Path) -> list[tuple[int, str, int]]:
    """An input script file: lines `CYCLE NAME=VALUE [NAME=VALUE ...]`, '#' starts a comment."""
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise TtsimError(f"cannot read the input script {path}: {error.strerror}") from None
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        try:
            cycle = int(words[0], 0)
            for word in words[1:]:
                name, _, value = word.partition("=")
                events.append((cycle, name, int(value, 0)))
        except ValueError:
            raise TtsimError(f"{path}:{number}: expected `CYCLE NAME=VALUE ...`, got "
                             f"{line.strip()!r}") from None
    return events


def write_png(path: Path, rgb: np.ndarray) -> None:
    """Writes an (height, width, 3) uint8 array as an RGB PNG."""
    height, width, _ = rgb.shape
    raw = np.zeros((height, 1 + width * 3), dtype=np.uint8)  # filter byte 0 on every row
    raw[:, 1:] = rgb.reshape(height, width * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)) + chunk(b"IEND", b""))


@dataclass
class RunResult:
    """What `run` reports (`report`, the JSON of `ttsim run --json`), the recorded pins and the
    captured frames when asked for."""
    report: dict
    recording: dict[str, np.ndarray] = field(default_factory=dict)
    frames: np.ndarray | None = None


def _read_file(path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise TtsimError(f"{what} file {path} does not exist") from None
    except OSError as error:
        raise TtsimError(f"cannot read the {what} file {path}: {error.strerror}") from None


def run(design: str | Design, *, cycles: int | None = None, native: bool | None = None,
        ram: str | Path | None = None, pc: int | None = None, stop_on_loop: bool = False,
        rom: str | Path | None = None, frames: int | None = None,
        png_dir: str | Path | None = None, keep_frames: bool = False,
        stop_when: str | None = None, wall_s: float | None = None,
        script: list | None = None, record=(), trace: str | Path | None = None,
        trace_from: int = 0, trace_to: int | None = None, component=None) -> RunResult:
    """Builds (or reuses) the design's fast path, attaches the models asked for, resets and runs.

    The run ends after `cycles` cycles, at `stop_when`, at a `stop_on_loop` loop, after `frames`
    VGA frames or after `wall_s` seconds, whichever comes first. `record` names ports to record
    every cycle (needs `cycles`). `component`: see `Simulation`.
    """
    design = _as_design(design)
    if not any([cycles, stop_when, stop_on_loop, frames, wall_s]):
        raise TtsimError("say when to stop: a cycle count, a stop condition, --stop-on-loop, "
                         "a frame count or a wall-clock limit")
    if cycles is not None and cycles <= 0:
        raise TtsimError("the cycle count must be positive")
    if record and not cycles:
        raise TtsimError("recording pins needs a cycle count")
    if record and frames:
        raise TtsimError("recording pins and capturing VGA frames cannot be combined: "
                         "record with a cycle count alone")
    ram_bytes = _read_file(ram, "RAM") if ram is not None else None
    rom_bytes = _read_file(rom, "ROM") if rom is not None else None
    if ram_bytes is not None and len(ram_bytes) > 65536:
        raise TtsimError(f"the RAM file {ram} is {len(ram_bytes)} bytes, more than 64 KB")
    if pc is not None and not 0 <= pc <= 0xFFFF:
        raise TtsimError(f"--pc {pc:#x} is not a 16-bit address")
    models = set(fast_models(design))
    if ram is not None or pc is not None or stop_on_loop:
        models.add("bus6502")
    if rom is not None:
        models.add("qspi_flash")
    if frames or png_dir is not None:
        models.add("vga")
        frames = frames or 1
    if "qspi_flash" in models and rom_bytes is None:
        raise TtsimError(f"design {design.name!r} reads a flash ROM: give one with --rom FILE")

    started = time.monotonic()
    sim = Simulation(design, native=native, trace=trace, trace_from=trace_from, trace_to=trace_to,
                     component=component)
    build_s = time.monotonic() - started
    try:
        if "bus6502" in models:
            memory = sim.attach_bus6502(stop_on_loop=stop_on_loop)
            if ram_bytes:
                memory[:len(ram_bytes)] = np.frombuffer(ram_bytes, dtype=np.uint8)
            if pc is not None:
                memory[0xFFFC], memory[0xFFFD] = pc & 0xFF, pc >> 8
        if "qspi_flash" in models:
            sim.attach_qspi_flash(rom_bytes)
        if "vga" in models:
            sim.attach_vga()
        if script:
            sim.set_script(script)
        sim.stop_when(stop_when)
        sim.reset()
        result = RunResult(report={})
        started = time.monotonic()
        reason = _run_loop(sim, result, cycles=cycles, frames=frames, png_dir=png_dir,
                           keep_frames=keep_frames, wall_s=wall_s, record=record)
        elapsed = time.monotonic() - started
        report = {"design": design.name, "top": "native" if sim.native else "tt",
                  "cycles": sim.cycles, "wall_s": round(elapsed, 6),
                  "cycles_per_s": round(sim.cycles / elapsed) if elapsed > 0 else None,
                  "stop": reason, "build_s": round(build_s, 3)}
        if "bus6502" in models:
            report.update(sim.bus6502_report())
        if "qspi_flash" in models:
            report["qspi_flash"] = sim.qspi_report()
        if "vga" in models:
            report["vga"] = sim.vga_report()
            if png_dir is not None:
                report["vga"]["png_dir"] = str(png_dir)
        if trace is not None:
            report["trace"] = str(trace)
        result.report = report
        return result
    finally:
        sim.close()


def _design_function(design: Design, spec, what: str):
    """The function `spec` ("module:function" in the design's folder) names."""
    import importlib

    module_name, _, name = str(spec).partition(":")
    try:
        return getattr(importlib.import_module(f"{design.package}.{module_name}"), name)
    except (ImportError, AttributeError) as error:
        raise TtsimError(f"designs/{design.name}/design.toml: {what} {spec!r}: {error}") from None


def fast_models(design: Design) -> list[str]:
    from ttsim.tools import fastpath

    models = fastpath.fast_table(design).get("models", [])
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise TtsimError(f"designs/{design.name}/design.toml: unknown fast-path model(s) "
                         f"{', '.join(map(repr, unknown))} (known: {', '.join(MODELS)})")
    return list(models)


def _run_loop(sim: Simulation, result: RunResult, *, cycles, frames, png_dir, keep_frames,
              wall_s, record) -> str:
    deadline = None if wall_s is None else time.monotonic() + wall_s
    if frames:
        out_dir = Path(png_dir) if png_dir is not None else None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        kept = []
        for number, frame in enumerate(sim.vga_frames(frames, cycles=cycles, wall_s=wall_s)):
            if out_dir is not None:
                write_png(out_dir / f"frame_{number:04d}.png", frame)
            if keep_frames:
                kept.append(frame.copy())
        if keep_frames:
            result.frames = np.array(kept, dtype=np.uint8).reshape(-1, *VGA_SHAPE)
        return sim.vga_stop
    while True:
        left = CHUNK_CYCLES if cycles is None else min(CHUNK_CYCLES, cycles - sim.cycles)
        remaining = None if deadline is None else max(deadline - time.monotonic(), 1e-9)
        step = sim.step(left, record=record, wall_s=remaining)
        for name, values in step.recording.items():
            result.recording.setdefault(name, []).append(values)
        if step.reason != "cycles" or (cycles is not None and sim.cycles >= cycles):
            break
    result.recording = {name: np.concatenate(parts) for name, parts in result.recording.items()}
    return step.reason
