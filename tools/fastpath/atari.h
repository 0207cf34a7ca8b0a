// The host of the native Atari 2600 top (designs/atari2600/console.py, NativeAtari2600): it serves
// the cartridge image on rom_addr/rom_data, drives the controllers from an input list, captures
// frames of TIA colour values and collects audio samples.
//
// Frames. A line is hcount 0..227 (pixel x = hcount - 68). A frame starts on the line where a
// frame boundary happens; the boundary is, by `framing`:
//   FRAME_ON_VSYNC: VSYNC switches on. Lines before the first VSYNC belong to no frame.
//   FRAME_LIKE_STELLA: the rule of the Stella inside ale-py, which the TIA computes (its
//     `frame_end` output, designs/atari2600/tia.py): a frame ends on a write to VSYNC that clears
//     bit 1 at least 228 colour clocks after the write that set it, or on any TIA write once the
//     frame has run past the top's `frame_max_lines` input. The next frame starts on the line of
//     that write, or on the next line if the write is a WSYNC that halts the CPU (or comes on the
//     line's last clock). Frame 0 starts at reset.
// Frames from number `skip` on go into the caller's buffer (capacity x lines_per_frame x 160,
// zero where a frame has no line), with each frame's line count. With `mark_visible`, pixels
// outside HBLANK and VBLANK get bit 0 set (TIA colour values have it clear), so a host can tell a
// black pixel from a blanked one.
//
// Input steps. The controllers change at the start of an input step: the input list holds, sorted
// by step, the values from that step on. With FRAME_ON_VSYNC a step is a frame, and the run stops
// when the frame buffer is full. With FRAME_LIKE_STELLA a step is one of ale-py's frames, a call
// of Stella's TIA::update(): it ends with the frame, or after 25000 instructions (M6502::execute)
// if the frame has not ended by then (the next step goes on with the same frame). Each step is
// logged as (frame it ended in, whole lines of that frame drawn, 1 if the frame ended, pixels of
// the next line drawn); the run stops when the log is full. Stella draws a frame up to the clock
// that ends it, so the line of that write is stored with the ending frame as far as it is drawn
// (the rest of that row is stale), and also with the next frame if that starts on it.
#pragma once
#include <cstdint>
#include <vector>

#include "harness.h"

struct AtariInput {
    uint64_t step;
    uint8_t joystick_n, switches_n, fire_n;
};

struct AtariConsole : Model {
    enum Framing { FRAME_ON_VSYNC = 0, FRAME_LIKE_STELLA = 1 };
    static constexpr int LINE_CLOCKS = 228, HBLANK_CLOCKS = 68, WIDTH = 160;
    static constexpr uint64_t STELLA_STEP_INSTRUCTIONS = 25000;

    Port rom_addr, rom_data, scheme, colour, hcount, hblank, vblank, vsync, audio0, audio1;
    Port audio_tick, cpu_ce, cpu_addr, cpu_sync, cpu_rdy;
    Port joystick_n, switches_n, fire_n, frame_end;
    std::vector<uint8_t> rom;
    uint8_t scheme_index = 0;
    int framing = FRAME_ON_VSYNC;
    bool mark_visible = false;
    std::vector<AtariInput> inputs;
    size_t next_input = 0;

    uint8_t* frames = nullptr;        // capacity x lines_per_frame x WIDTH
    uint32_t* frame_lines = nullptr;  // capacity: lines each captured frame had
    uint64_t capacity = 0, filled = 0, skip = 0;
    int lines_per_frame = 262;
    int64_t* step_log = nullptr;      // step_capacity x 4 (FRAME_LIKE_STELLA)
    uint64_t step_capacity = 0, steps_logged = 0;

    int64_t frame = -1;               // the current frame's number, -1 before the first
    int64_t step = 0;                 // the current input step
    uint64_t line = 0;                // whole lines of the current frame so far
    bool boundary_in_line = false;    // the line being drawn starts a new frame
    bool boundary_next_line = false;  // Stella's framing: the next line starts a new frame
    uint8_t pixels[WIDTH] = {};
    uint64_t clock = 0;               // colour clocks since reset
    uint64_t step_instructions = 0;   // Stella's framing: instructions begun in this step
    bool last_vsync = false;

    bool record_audio = false;
    std::vector<uint8_t> audio;       // per TIA audio tick, the two channels' sum (0..30)

    uint8_t* slot(uint64_t number) {
        return frames + number * uint64_t(lines_per_frame) * WIDTH;
    }

    void apply_inputs() {
        while (next_input < inputs.size() && int64_t(inputs[next_input].step) <= step) {
            const AtariInput& in = inputs[next_input++];
            joystick_n.set(in.joystick_n);
            switches_n.set(in.switches_n);
            fire_n.set(in.fire_n);
        }
    }

    // Pixels of the current line drawn by this clock, as Stella counts them on a TIA write.
    int64_t pixels_drawn() {
        int64_t drawn = int64_t(hcount.get()) + 1 - HBLANK_CLOCKS;
        return drawn < 0 ? 0 : drawn > WIDTH ? WIDTH : drawn;
    }

    // Ends the current input step (FRAME_LIKE_STELLA); returns STOP_FRAMES once the log is full.
    int end_step(bool frame_ended) {
        if (step_log && steps_logged < step_capacity) {
            int64_t* row = step_log + 4 * steps_logged++;
            row[0] = frame;
            row[1] = int64_t(line);
            row[2] = frame_ended;
            row[3] = pixels_drawn();
        }
        step++;
        step_instructions = 0;
        apply_inputs();
        return step_log && steps_logged == step_capacity ? STOP_FRAMES : STOP_CYCLES;
    }

    void boundary() {
        frame++;
        boundary_in_line = true;
        if (framing == FRAME_ON_VSYNC) {
            step = frame;
            apply_inputs();
        }
    }

    // Stella's frame end (the TIA's frame_end, on the clock a CPU cycle ends), and its step end
    // after STELLA_STEP_INSTRUCTIONS instructions.
    int watch_cpu() {
        if (!cpu_ce.get()) return STOP_CYCLES;
        if (cpu_sync.get() && cpu_rdy.get() && ++step_instructions > STELLA_STEP_INSTRUCTIONS) {
            int stop = end_step(false);
            step_instructions = 1;  // this fetch begins the next step's first instruction
            if (stop) return stop;
        }
        if (!frame_end.get()) return STOP_CYCLES;
        int stop = end_step(true);
        store_line();  // the ending frame's last line, drawn up to this clock
        // As the TIA counts its frame lines: a WSYNC (the write halts the CPU to the line's end)
        // or a write on the line's last clock ends the frame with this line.
        bool wsync = (cpu_addr.get() & 0x3F) == 2;
        if (wsync || hcount.get() == LINE_CLOCKS - 1)
            boundary_next_line = true;
        else
            boundary();
        return stop;
    }

    int before_edge() override {
        rom_data.set(rom[rom_addr.get() % rom.size()]);
        return framing == FRAME_LIKE_STELLA ? watch_cpu() : STOP_CYCLES;
    }

    // Stores the pixels of the line being drawn as the current frame's line `line`.
    void store_line() {
        int64_t number = frame - int64_t(skip);
        if (frames && frame >= 0 && number >= 0 && uint64_t(number) < capacity &&
            line < uint64_t(lines_per_frame))
            std::memcpy(slot(number) + line * WIDTH, pixels, WIDTH);
    }

    // A line is complete: it closes the previous frame if it starts a new one, then is stored.
    int end_line() {
        int stop = STOP_CYCLES;
        if (boundary_in_line) {
            boundary_in_line = false;
            int64_t finished = frame - 1 - int64_t(skip);
            if (frames && finished >= 0 && uint64_t(finished) < capacity) {
                frame_lines[finished] = uint32_t(line);
                filled = uint64_t(finished) + 1;
                if (filled == capacity && framing == FRAME_ON_VSYNC) stop = STOP_FRAMES;
            }
            line = 0;
            int64_t starting = frame - int64_t(skip);
            if (frames && starting >= 0 && uint64_t(starting) < capacity)
                std::memset(slot(starting), 0, uint64_t(lines_per_frame) * WIDTH);
        }
        store_line();
        line++;
        if (boundary_next_line) {
            boundary_next_line = false;
            boundary();
        }
        return stop;
    }

    int after_edge() override {
        clock++;
        uint32_t h = uint32_t(hcount.get());
        if (h >= HBLANK_CLOCKS && h < LINE_CLOCKS) {
            uint8_t value = uint8_t(colour.get());
            if (mark_visible && !hblank.get() && !vblank.get()) value |= 1;
            pixels[h - HBLANK_CLOCKS] = value;
        }
        if (record_audio && audio_tick.get())
            audio.push_back(uint8_t(audio0.get() + audio1.get()));
        if (framing == FRAME_ON_VSYNC) {
            bool v = vsync.get();
            if (v && !last_vsync) boundary();
            last_vsync = v;
        }
        return h == LINE_CLOCKS - 1 ? end_line() : STOP_CYCLES;
    }

    // After reset: the first frame (Stella's framing) or none yet, and the first inputs.
    void clear_counters() override {
        scheme.set(scheme_index);
        clock = 0;
        step_instructions = 0;
        boundary_next_line = false;
        last_vsync = false;
        line = 0;
        next_input = 0;
        steps_logged = 0;
        frame = framing == FRAME_LIKE_STELLA ? 0 : -1;
        boundary_in_line = framing == FRAME_LIKE_STELLA;
        step = 0;  // inputs given for step 0 hold from reset on
        apply_inputs();
        audio.clear();
    }
};
