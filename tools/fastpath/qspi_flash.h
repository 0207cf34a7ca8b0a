// A QSPI flash on the TT QSPI PMOD (uio[0] CS0, [1] SD0/MOSI, [2] SD1/MISO, [3] SCK, [4] SD2,
// [5] SD3) serving a ROM. SPI mode 0: the flash samples on SCK rising edges and shifts data out
// on falling edges. Read commands: 03h (read), 0Bh (fast read, 8 dummy clocks), EBh (quad I/O:
// address and mode byte on 4 lines, 4 dummy clocks, data on 4 lines; a mode byte Mx with
// M[5:4] = 10 keeps continuous mode, where the next transaction starts with the address).
// Other commands are ignored until CS rises. Bytes past the ROM read as FFh (erased flash);
// addresses wrap at the flash size. A pin the design does not enable as output reads as idle
// (CS high, SCK low).
#pragma once
#include "harness.h"

struct QspiFlash : Model {
    enum Phase { COMMAND, ADDRESS, MODE, DUMMY, DATA, IGNORE };
    static constexpr uint32_t CS = 1 << 0, SD0 = 1 << 1, SD1 = 1 << 2, SCK = 1 << 3,
                              SD2 = 1 << 4, SD3 = 1 << 5, DATA_PINS = SD0 | SD1 | SD2 | SD3;
    Port uio_out, uio_oe, uio_in;
    std::vector<uint8_t> rom;
    uint64_t flash_size = 0;
    Phase phase = IGNORE;
    bool selected = false, prev_sck = false, quad = false, continuous = false;
    int bits = 0, dummy = 0, out_bits = 0;
    uint32_t shift = 0, address = 0, byte_out = 0, drive = 0, command = 0;
    uint64_t reads = 0;  // data bytes served

    uint8_t read_byte() {
        uint32_t a = uint32_t(address % flash_size);
        return a < rom.size() ? rom[a] : 0xFF;
    }

    uint32_t nibble_in(uint32_t out) const {
        return ((out & SD0) ? 1 : 0) | ((out & SD1) ? 2 : 0) | ((out & SD2) ? 4 : 0) |
               ((out & SD3) ? 8 : 0);
    }

    void start_transaction() {
        bits = 0;
        shift = 0;
        out_bits = 0;
        drive = 0;
        if (continuous) { phase = ADDRESS; quad = true; command = 0xEB; }
        else { phase = COMMAND; quad = false; }
    }

    void on_rising(uint32_t out) {
        int width = quad && phase != COMMAND ? 4 : 1;
        uint32_t in = width == 4 ? nibble_in(out) : ((out & SD0) ? 1 : 0);
        switch (phase) {
            case COMMAND:
                shift = (shift << 1) | in;
                if (++bits < 8) return;
                command = shift & 0xFF;
                bits = shift = 0;
                if (command == 0x03 || command == 0x0B) { phase = ADDRESS; quad = false; }
                else if (command == 0xEB) { phase = ADDRESS; quad = true; }
                else phase = IGNORE;
                return;
            case ADDRESS:
                shift = (shift << width) | in;
                if ((bits += width) < 24) return;
                address = shift & 0xFFFFFF;
                bits = shift = 0;
                if (command == 0x03) phase = DATA;
                else if (command == 0x0B) { phase = DUMMY; dummy = 8; }
                else phase = MODE;
                return;
            case MODE:
                shift = (shift << 4) | in;
                if ((bits += 4) < 8) return;
                continuous = (shift & 0x30) == 0x20;
                bits = shift = 0;
                phase = DUMMY;
                dummy = 4;
                return;
            case DUMMY:
                if (--dummy == 0) phase = DATA;
                return;
            default:
                return;
        }
    }

    void on_falling() {
        if (phase != DATA) return;
        if (out_bits == 0) {
            byte_out = read_byte();
            address++;
            reads++;
            out_bits = 8;
        }
        if (quad) {
            uint32_t n = (byte_out >> (out_bits - 4)) & 0xF;
            drive = ((n & 1) ? SD0 : 0) | ((n & 2) ? SD1 : 0) | ((n & 4) ? SD2 : 0) |
                    ((n & 8) ? SD3 : 0);
            out_bits -= 4;
        } else {
            drive = ((byte_out >> (out_bits - 1)) & 1) ? SD1 : 0;
            out_bits -= 1;
        }
    }

    int after_edge() override {
        uint32_t oe = uint32_t(uio_oe.get()), out = uint32_t(uio_out.get()) & oe;
        bool cs_low = (oe & CS) && !(out & CS);
        bool sck = out & SCK;
        if (!cs_low) {
            selected = false;
            drive = 0;
        } else {
            if (!selected) { selected = true; start_transaction(); }
            if (sck && !prev_sck) on_rising(out);
            else if (!sck && prev_sck) on_falling();
        }
        prev_sck = sck;
        uint32_t in = uint32_t(uio_in.get());
        uio_in.set((in & ~DATA_PINS) | drive);
        return STOP_CYCLES;
    }
};
