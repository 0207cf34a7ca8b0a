; Test ROM: the RIOT timer. Every line's background colour is a value read from the timer at a
; fixed cycle of that line, in four bands of 48 lines:
;   0 TIM1T  written with (line + frame) mod 64 at cycle 4, INTIM read at cycle 14: small values
;            underflow, and the timer then counts one per cycle from $FF
;   1 TIM8T  written with (line + frame) mod 16 at cycle 4, INTIM read at cycle 20
;   2 TIM64T written with 3 once, INTIM read every line: it passes zero in the third line and
;            then counts down one per cycle, wrapping every 256 cycles
;   3 T1024T written with 1 once, TIMINT read on even lines and INTIM on odd ones: the flag
;            shows after 1024 cycles and clears on the INTIM read
        processor 6502
        include "hardware.inc"

BAND_LINES = 48

        SEG.U variables
        ORG $80
frame   ds 1

        SEG code
        ORG $F000
Start   POWER_ON

Frame   FRAME_START
        inc frame
        WAIT_TIMER 0

        ldy #BAND_LINES
OneCycle
        tya
        clc
        adc frame
        and #63
        sta WSYNC
        sta TIM1T           ; 4
        nop
        nop
        nop
        lda INTIM           ; 14
        sta COLUBK          ; 17
        dey
        bne OneCycle

        ldy #BAND_LINES
EightCycles
        tya
        clc
        adc frame
        and #15
        sta WSYNC
        sta TIM8T           ; 4
        nop
        nop
        nop
        nop
        nop
        nop
        lda INTIM           ; 20
        sta COLUBK
        dey
        bne EightCycles

        ldy #BAND_LINES - 1
        lda #3
        sta WSYNC
        sta TIM64T
Underflow
        sta WSYNC
        lda INTIM           ; 4
        sta COLUBK
        dey
        bne Underflow

        ldy #BAND_LINES / 2 - 1
        lda #1
        sta WSYNC
        sta T1024T
Flag    sta WSYNC
        lda TIMINT          ; 4
        sta COLUBK
        sta WSYNC
        lda INTIM
        sta COLUBK
        dey
        bne Flag

        sta WSYNC
        OVERSCAN_START
        lda #0
        sta COLUBK
        WAIT_TIMER 2
        jmp Frame

        VECTORS Start
