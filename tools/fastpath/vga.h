// TinyVGA capture: decodes uo_out (R1 G1 B1 VSYNC R0 G0 B0 HSYNC on bits 0..7) into 640x480 RGB
// frames, one pixel per clock. Sync polarity is learnt from the signals (the active level is the
// shorter of the last high and low runs); line length and lines per frame are measured. Pixels
// are placed by the standard 640x480@60 back porches: 48 clocks after the end of the HSYNC pulse
// and 33 lines after the end of the VSYNC pulse. A frame is complete when the next VSYNC pulse
// starts, if HSYNC pulses reached its picture; frames go into a caller's buffer of `capacity`
// frames and the run stops when it is full.
#pragma once
#include "harness.h"

struct SyncDecoder {
    int level = -1;            // current level, -1 before the first sample
    uint64_t run = 0;          // length of the current run
    uint64_t last_run[2] = {0, 0};
    int active = -1;           // active (pulse) level once both run lengths are known

    // Returns +1 when the pulse starts, -1 when it ends, 0 otherwise.
    int sample(int value) {
        if (level < 0) { level = value; run = 1; return 0; }
        if (value == level) { run++; return 0; }
        last_run[level] = run;
        level = value;
        run = 1;
        if (last_run[0] && last_run[1]) active = last_run[0] < last_run[1] ? 0 : 1;
        if (active < 0) return 0;
        return value == active ? +1 : -1;
    }
};

struct VgaCapture : Model {
    static constexpr int WIDTH = 640, HEIGHT = 480, H_BACK_PORCH = 48, V_BACK_PORCH = 33;
    Port uo_out;
    uint8_t* frames = nullptr;  // capacity x HEIGHT x WIDTH x 3
    uint64_t capacity = 0, filled = 0, total_frames = 0;
    SyncDecoder hsync, vsync;
    int64_t x = -1;             // clocks since the end of HSYNC, -1 before the first
    int64_t line = -1;          // HSYNC ends since the end of VSYNC, -1 before the first
    uint64_t clocks_since_line = 0, line_clocks = 0, lines_since_frame = 0, frame_lines = 0;

    uint8_t* frame() { return frames + filled * uint64_t(WIDTH * HEIGHT * 3); }

    int after_edge() override {
        uint32_t v = uint32_t(uo_out.get());
        int h_edge = hsync.sample((v >> 7) & 1);
        int v_edge = vsync.sample((v >> 3) & 1);
        clocks_since_line++;
        if (h_edge > 0) {
            line_clocks = clocks_since_line;
            clocks_since_line = 0;
            lines_since_frame++;
        }
        if (h_edge < 0) {
            x = 0;
            if (line >= 0) line++;
        } else if (x >= 0) {
            x++;
        }
        if (v_edge < 0) line = 0;
        if (v_edge > 0) {
            frame_lines = lines_since_frame;
            lines_since_frame = 0;
            // A frame: a VSYNC end, then HSYNC pulses past the back porch into the picture.
            if (line > V_BACK_PORCH && hsync.active >= 0 && frames) {
                total_frames++;
                filled++;
                line = -1;
                if (filled == capacity) return STOP_FRAMES;
                std::memset(frame(), 0, WIDTH * HEIGHT * 3);
            }
        }
        int64_t px = x - H_BACK_PORCH, py = line - V_BACK_PORCH;
        if (frames && filled < capacity && px >= 0 && px < WIDTH && py >= 0 && py < HEIGHT) {
            uint8_t* p = frame() + (py * WIDTH + px) * 3;
            p[0] = uint8_t((((v >> 0) & 1) << 1 | ((v >> 4) & 1)) * 85);
            p[1] = uint8_t((((v >> 1) & 1) << 1 | ((v >> 5) & 1)) * 85);
            p[2] = uint8_t((((v >> 2) & 1) << 1 | ((v >> 6) & 1)) * 85);
        }
        return STOP_CYCLES;
    }
};
