// The fast path's shared library: a Verilated design (class Vtop), clocked in C++ with its models,
// behind a small C ABI that ttsim/fast.py drives through ctypes. Python makes coarse calls
// (ttsim_step runs many cycles); nothing calls back into Python inside the clock loop.
//
// One cycle: apply the input script's events for this cycle, check the stop condition, let the
// models drive inputs (before_edge), rising edge, record pins and let the models observe
// (after_edge), falling edge. Outputs are thus recorded after each rising edge, as a cocotb test
// reads them on the falling edge.
#include <chrono>

#include "Vtop.h"
#include "Vtop___024root.h"
#include "verilated.h"
#include "ttsim_ports.h"
#if TTSIM_TRACE == 1
#include "verilated_vcd_c.h"
using TraceFile = VerilatedVcdC;
#elif TTSIM_TRACE == 2
#include "verilated_fst_c.h"
using TraceFile = VerilatedFstC;
#endif

#include "atari.h"
#include "bus6502.h"
#include "qspi_flash.h"
#include "vga.h"

// The model's own evaluation, which Vtop::eval() wraps between two mutex-guarded steps (freeing
// dynamic objects, draining the end-of-eval message queue) that these designs never need; those
// locks cost about a fifth of a cycle's time. See Sim::eval().
void Vtop___024root___eval(Vtop___024root* vlSelf);

namespace {

// One term of the stop condition: port OP value; terms are ANDed, OP_OR separates alternatives.
enum ConditionOp { OP_EQ = 0, OP_NE = 1, OP_OR = 2 };
struct Term {
    int port;
    int op;
    uint64_t value;
};

struct ScriptEvent {
    uint64_t cycle;
    int port;
    uint64_t value;
};

struct Sim {
    std::unique_ptr<VerilatedContext> context{new VerilatedContext};
    std::unique_ptr<Vtop> top;
    std::vector<Port> ports;
    Port clk;
    uint64_t cycles = 0;
    std::vector<std::unique_ptr<Model>> models;
    Bus6502* bus = nullptr;
    VgaCapture* vga = nullptr;
    QspiFlash* flash = nullptr;
    AtariConsole* atari = nullptr;
    std::vector<ScriptEvent> script;
    size_t next_event = 0;
    std::vector<Term> condition;
    std::vector<Port> recorded;
    void* record_buffer = nullptr;
    bool record_bytes = false;  // rows of uint8 values instead of uint64
    uint64_t record_capacity = 0, record_count = 0;
#ifdef TTSIM_TRACE
    std::unique_ptr<TraceFile> trace;
    uint64_t trace_from = 0, trace_to = 0, half_period = 1;
    bool tracing = false;
#endif

    explicit Sim(int clk_port) {
        context->randReset(0);  // registers start at 0 where the Verilog gives no initial value
#ifdef TTSIM_TRACE
        context->traceEverOn(true);  // must precede the model's construction
#endif
        top.reset(new Vtop{context.get()});
        // Indexed in the order of ttsim_ports.h, as Python numbers them.
#define TTSIM_PORT_PTR(name, width, is_input) \
        ports.push_back(Port{&top->name, int(sizeof(top->name)), width});
        TTSIM_PORTS(TTSIM_PORT_PTR)
#undef TTSIM_PORT_PTR
        clk = ports[clk_port];
        clk.set(0);
        top->eval();
    }

    ~Sim() {
#ifdef TTSIM_TRACE
        if (trace) trace->close();
#endif
        top->final();
    }

    // The clock loop's evaluation: straight into the model once the constructor's eval() has
    // initialised it; tracing builds keep Vtop::eval(), which also marks activity for the trace.
    void eval() {
#ifdef TTSIM_TRACE
        top->eval();
#else
        Vtop___024root___eval(top->rootp);
#endif
    }

    bool condition_holds() const {
        bool all = true;
        for (const Term& t : condition) {
            if (t.op == OP_OR) {
                if (all) return true;
                all = true;
            } else if (all) {
                bool eq = ports[t.port].get() == t.value;
                all = t.op == OP_EQ ? eq : !eq;
            }
        }
        return all;
    }

    void dump(uint64_t half_cycle) {
#ifdef TTSIM_TRACE
        if (!trace) return;
        if (!tracing && cycles >= trace_from && cycles < trace_to) tracing = true;
        if (tracing && cycles >= trace_to) {
            trace->close();
            trace.reset();
            tracing = false;
            return;
        }
        if (tracing) trace->dump(half_cycle * half_period);
#else
        (void)half_cycle;
#endif
    }

    // One clock cycle; returns STOP_CYCLES or why the run must stop before this cycle.
    int cycle(bool counted) {
        while (next_event < script.size() && script[next_event].cycle <= cycles) {
            const ScriptEvent& e = script[next_event++];
            ports[e.port].set(e.value);
        }
        if (counted && !condition.empty() && condition_holds()) return STOP_CONDITION;
        for (auto& m : models)
            if (int r = m->before_edge()) return r;
        clk.set(1);
        eval();
        if (counted) dump(2 * cycles + 1);
        int stop = STOP_CYCLES;
        if (counted) {
            cycles++;
            if (record_buffer) {
                uint64_t offset = record_count * recorded.size();
                if (record_bytes) {
                    uint8_t* row = static_cast<uint8_t*>(record_buffer) + offset;
                    for (const Port& p : recorded) *row++ = uint8_t(p.get());
                } else {
                    uint64_t* row = static_cast<uint64_t*>(record_buffer) + offset;
                    for (const Port& p : recorded) *row++ = p.get();
                }
                if (++record_count == record_capacity) stop = STOP_RECORDER;
            }
        }
        for (auto& m : models)
            if (int r = m->after_edge()) stop = stop ? stop : r;
        clk.set(0);
        eval();
        if (counted) dump(2 * cycles);  // reset cycles are not traced: they take no time
        return stop;
    }
};

Sim* sim_of(void* handle) { return static_cast<Sim*>(handle); }

}  // namespace

extern "C" {

void* ttsim_create(int clk_port) { return new Sim(clk_port); }
void ttsim_destroy(void* h) { delete sim_of(h); }

void ttsim_set(void* h, int port, uint64_t value) { sim_of(h)->ports[port].set(value); }
uint64_t ttsim_get(void* h, int port) { return sim_of(h)->ports[port].get(); }
void ttsim_eval(void* h) { sim_of(h)->top->eval(); }
uint64_t ttsim_cycles(void* h) { return sim_of(h)->cycles; }

// Holds `reset_port` at `active` for n cycles (not counted), releases it after a falling edge and
// clears the models' counters.
void ttsim_reset(void* h, int reset_port, int active, uint64_t n) {
    Sim* s = sim_of(h);
    s->ports[reset_port].set(active);
    for (uint64_t i = 0; i < n; i++) s->cycle(false);
    s->ports[reset_port].set(!active);
    s->top->eval();
    for (auto& m : s->models) m->clear_counters();
}

// Runs up to n cycles; stops early on the condition, a model's request or the wall-clock limit
// (wall_s <= 0: none). Returns the StopReason.
int ttsim_step(void* h, uint64_t n, double wall_s) {
    Sim* s = sim_of(h);
    auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; i++) {
        if (int r = s->cycle(true)) return r;
        if (wall_s > 0 && (i & 0xFFFF) == 0xFFFF &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > wall_s)
            return STOP_WALL;
    }
    return STOP_CYCLES;
}

// Events (cycle, port, value), sorted by cycle, applied at the start of that cycle; replaces the
// previous script. Cycles are counted from the first ttsim_step after create (reset excluded).
void ttsim_set_script(void* h, const uint64_t* cycles, const int32_t* ports, const uint64_t* values,
                      uint64_t n) {
    Sim* s = sim_of(h);
    s->script.clear();
    for (uint64_t i = 0; i < n; i++) s->script.push_back({cycles[i], ports[i], values[i]});
    s->next_event = 0;
    while (s->next_event < n && s->script[s->next_event].cycle < s->cycles) s->next_event++;
}

// The stop condition as (port, op, value) triples; n = 0 clears it.
void ttsim_set_condition(void* h, const int64_t* triples, uint64_t n) {
    Sim* s = sim_of(h);
    s->condition.clear();
    for (uint64_t i = 0; i < n; i++)
        s->condition.push_back({int(triples[3 * i]), int(triples[3 * i + 1]),
                                uint64_t(triples[3 * i + 2])});
}

// Records the given ports after every rising edge into buffer (capacity rows of nports values,
// uint8 when bytes is set, else uint64); buffer = nullptr stops recording.
void ttsim_set_recorder(void* h, const int32_t* ports, int nports, void* buffer, int bytes,
                        uint64_t capacity) {
    Sim* s = sim_of(h);
    s->recorded.clear();
    for (int i = 0; i < nports; i++) s->recorded.push_back(s->ports[ports[i]]);
    s->record_buffer = buffer;
    s->record_bytes = bytes;
    s->record_capacity = capacity;
    s->record_count = 0;
}
uint64_t ttsim_recorded(void* h) { return sim_of(h)->record_count; }

// sync and rdy are -1 when the top has no such port.
void ttsim_bus6502_attach(void* h, int addr, int data_in, int data_out, int rw, int sync, int rdy,
                          int stop_on_loop) {
    Sim* s = sim_of(h);
    auto* bus = new Bus6502;
    bus->addr = s->ports[addr];
    bus->data_in = s->ports[data_in];
    bus->data_out = s->ports[data_out];
    bus->rw = s->ports[rw];
    bus->has_sync = sync >= 0;
    if (bus->has_sync) bus->sync = s->ports[sync];
    bus->has_rdy = rdy >= 0;
    if (bus->has_rdy) bus->rdy = s->ports[rdy];
    bus->stop_on_loop = stop_on_loop;
    s->models.emplace_back(bus);
    s->bus = bus;
}
uint8_t* ttsim_bus6502_memory(void* h) { return sim_of(h)->bus->memory; }
uint64_t ttsim_bus6502_instructions(void* h) { return sim_of(h)->bus->instructions; }
int64_t ttsim_bus6502_last_fetch(void* h) { return sim_of(h)->bus->last_fetch; }

void ttsim_vga_attach(void* h, int uo_out) {
    Sim* s = sim_of(h);
    auto* vga = new VgaCapture;
    vga->uo_out = s->ports[uo_out];
    s->models.emplace_back(vga);
    s->vga = vga;
}
// Frames go into buffer (capacity x 480 x 640 x 3); the run stops when it is full. Call again
// (with the same or another buffer) to start filling from its first frame.
void ttsim_vga_set_buffer(void* h, uint8_t* buffer, uint64_t capacity) {
    VgaCapture* vga = sim_of(h)->vga;
    vga->frames = buffer;
    vga->capacity = capacity;
    vga->filled = 0;
    if (buffer) std::memset(buffer, 0, VgaCapture::WIDTH * VgaCapture::HEIGHT * 3);
}
uint64_t ttsim_vga_filled(void* h) { return sim_of(h)->vga->filled; }
uint64_t ttsim_vga_total(void* h) { return sim_of(h)->vga->total_frames; }
uint64_t ttsim_vga_line_clocks(void* h) { return sim_of(h)->vga->line_clocks; }
uint64_t ttsim_vga_frame_lines(void* h) { return sim_of(h)->vga->frame_lines; }
int ttsim_vga_hsync_active(void* h) { return sim_of(h)->vga->hsync.active; }
int ttsim_vga_vsync_active(void* h) { return sim_of(h)->vga->vsync.active; }

void ttsim_qspi_attach(void* h, int uio_out, int uio_oe, int uio_in, const uint8_t* rom,
                       uint64_t rom_size, uint64_t flash_size) {
    Sim* s = sim_of(h);
    auto* flash = new QspiFlash;
    flash->uio_out = s->ports[uio_out];
    flash->uio_oe = s->ports[uio_oe];
    flash->uio_in = s->ports[uio_in];
    flash->rom.assign(rom, rom + rom_size);
    flash->flash_size = flash_size;
    s->models.emplace_back(flash);
    s->flash = flash;
}
uint64_t ttsim_qspi_reads(void* h) { return sim_of(h)->flash->reads; }

// ports: rom_addr rom_data scheme colour hcount hblank vblank vsync audio0 audio1 audio_tick
// cpu_ce cpu_addr cpu_sync cpu_rdy joystick_n switches_n fire_n frame_end
// (indices).
// inputs: n rows of (step, joystick_n, switches_n, fire_n), sorted by step. framing:
// AtariConsole::Framing.
void ttsim_atari_attach(void* h, const int32_t* ports, const uint8_t* rom, uint64_t rom_size,
                        int scheme, int framing, int mark_visible,
                        const uint64_t* inputs, uint64_t n_inputs, int record_audio) {
    Sim* s = sim_of(h);
    auto* atari = new AtariConsole;
    Port* fields[] = {&atari->rom_addr, &atari->rom_data, &atari->scheme, &atari->colour,
                      &atari->hcount, &atari->hblank, &atari->vblank, &atari->vsync,
                      &atari->audio0, &atari->audio1,
                      &atari->audio_tick, &atari->cpu_ce, &atari->cpu_addr, &atari->cpu_sync,
                      &atari->cpu_rdy,
                      &atari->joystick_n, &atari->switches_n, &atari->fire_n,
                      &atari->frame_end};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) *fields[i] = s->ports[ports[i]];
    atari->rom.assign(rom, rom + rom_size);
    atari->scheme_index = uint8_t(scheme);
    atari->scheme.set(scheme);
    atari->framing = framing;
    atari->mark_visible = mark_visible;
    for (uint64_t i = 0; i < n_inputs; i++)
        atari->inputs.push_back({inputs[4 * i], uint8_t(inputs[4 * i + 1]),
                                 uint8_t(inputs[4 * i + 2]), uint8_t(inputs[4 * i + 3])});
    atari->record_audio = record_audio;
    s->models.emplace_back(atari);
    s->atari = atari;
}
// Frames numbered skip.. go into buffer (capacity x lines_per_frame x 160) and their line counts
// into lines; buffer = nullptr stops capturing. With Stella's framing, steps go into step_log
// (step_capacity rows of 4) and the run stops when it is full; otherwise when buffer is full.
void ttsim_atari_set_buffer(void* h, uint8_t* buffer, uint32_t* lines, uint64_t capacity,
                            uint64_t skip, int lines_per_frame, int64_t* step_log,
                            uint64_t step_capacity) {
    AtariConsole* atari = sim_of(h)->atari;
    atari->frames = buffer;
    atari->frame_lines = lines;
    atari->capacity = capacity;
    atari->skip = skip;
    atari->lines_per_frame = lines_per_frame;
    atari->filled = 0;
    atari->step_log = step_log;
    atari->step_capacity = step_capacity;
    atari->steps_logged = 0;
}
uint64_t ttsim_atari_steps_logged(void* h) { return sim_of(h)->atari->steps_logged; }
uint64_t ttsim_atari_filled(void* h) { return sim_of(h)->atari->filled; }
int64_t ttsim_atari_frame(void* h) { return sim_of(h)->atari->frame; }
uint64_t ttsim_atari_audio_count(void* h) { return sim_of(h)->atari->audio.size(); }
const uint8_t* ttsim_atari_audio(void* h) { return sim_of(h)->atari->audio.data(); }

// Traces cycles [from, to) into path (a tracing build only); returns 0 on success.
int ttsim_trace_open(void* h, const char* path, uint64_t from, uint64_t to, uint64_t half_period) {
#ifdef TTSIM_TRACE
    Sim* s = sim_of(h);
    s->trace.reset(new TraceFile);
    s->top->trace(s->trace.get(), 99);
    s->trace->open(path);
    s->trace_from = from;
    s->trace_to = to;
    s->half_period = half_period;
    return s->trace->isOpen() ? 0 : 1;
#else
    (void)h; (void)path; (void)from; (void)to; (void)half_period;
    return 1;
#endif
}

}  // extern "C"
