// A flat 64 KB memory on a 6502-style bus. One clock per bus cycle: addr, rw and data_out are the
// design's registered outputs for the cycle; the memory answers combinationally (data_in =
// mem[addr], sampled at the rising edge that ends the cycle) and a write (rw = 0) stores data_out
// at that edge. sync marks opcode fetches: they count instructions, and two successive fetches at
// the same address (`jmp *`, a branch to itself) can stop the run. When the model knows the rdy
// input, a fetch cycle stretched by rdy low counts once.
#pragma once
#include "harness.h"

struct Bus6502 : Model {
    Port addr, data_in, data_out, rw, sync, rdy;
    bool has_sync = false, has_rdy = false;
    bool stop_on_loop = false;
    uint8_t memory[65536] = {};
    uint64_t instructions = 0;
    int64_t last_fetch = -1;  // address of the last opcode fetch, -1 before the first

    int before_edge() override {
        uint32_t address = uint32_t(addr.get()) & 0xFFFF;
        if (has_sync && sync.get() && (!has_rdy || rdy.get())) {
            if (stop_on_loop && int64_t(address) == last_fetch) return STOP_LOOP;
            last_fetch = address;
            instructions++;
        }
        if (rw.get()) data_in.set(memory[address]);
        else memory[address] = uint8_t(data_out.get());
        return STOP_CYCLES;
    }

    void clear_counters() override {
        instructions = 0;
        last_fetch = -1;
    }
};
