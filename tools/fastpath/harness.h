// The fast path's simulation core: one Verilated top, a clock loop in C++ and the models attached
// to it. Ports are reached through `Port` (a pointer into the Verilated top and its byte size), so
// the harness and the models are written once for any design; `ttsim_ports.h`, generated per
// build, lists the top's ports.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

// Why a step ended (returned by ttsim_step; mirrored in ttsim/fast.py).
enum StopReason {
    STOP_CYCLES = 0,     // ran the requested number of cycles
    STOP_CONDITION = 1,  // the stop condition became true
    STOP_LOOP = 2,       // bus6502: two successive opcode fetches at the same address
    STOP_WALL = 3,       // wall-clock limit reached
    STOP_FRAMES = 4,     // vga: the frame buffer is full
    STOP_RECORDER = 5,   // the recorder's buffer is full
};

struct Port {
    void* ptr = nullptr;
    int bytes = 0;
    int width = 0;

    uint64_t get() const {
        switch (bytes) {
            case 1: return *static_cast<uint8_t*>(ptr);
            case 2: return *static_cast<uint16_t*>(ptr);
            case 4: return *static_cast<uint32_t*>(ptr);
            default: return *static_cast<uint64_t*>(ptr);
        }
    }
    void set(uint64_t value) const {
        if (width < 64) value &= (uint64_t(1) << width) - 1;
        switch (bytes) {
            case 1: *static_cast<uint8_t*>(ptr) = uint8_t(value); break;
            case 2: *static_cast<uint16_t*>(ptr) = uint16_t(value); break;
            case 4: *static_cast<uint32_t*>(ptr) = uint32_t(value); break;
            default: *static_cast<uint64_t*>(ptr) = value; break;
        }
    }
};

// A peripheral model. before_edge runs with the state the last edge left (the cycle's bus values)
// and may drive inputs sampled at the coming rising edge; after_edge sees the new state.
// Each returns STOP_CYCLES to go on, or the reason to stop.
struct Model {
    virtual ~Model() = default;
    virtual int before_edge() { return STOP_CYCLES; }
    virtual int after_edge() { return STOP_CYCLES; }
    // Called when the design leaves reset: counters start from zero.
    virtual void clear_counters() {}
};
