; Test ROM: the input ports. Each frame's VBLANK reads them; six bands of 32 lines then show one
; byte each as playfield blocks (PF1, bit 7 on the left, and mirrored by PF2 beside it):
;   0 SWCHA (joysticks)   2 INPT4 (fire 0)   4 SWCHA with port A's upper half set to output $A0
;   1 SWCHB (switches)    3 INPT5 (fire 1)   5 SWCHB with its direction register written $FF
        processor 6502
        include "hardware.inc"

BANDS       = 6
BAND_LINES  = 31            ; plus the separator line: 6 * 32 = 192

        SEG.U variables
        ORG $80
frame   ds 1
inputs  ds BANDS

        SEG code
        ORG $F000
Start   POWER_ON
        lda #$04
        sta COLUBK

Frame   FRAME_START
        inc frame
        lda SWCHA
        sta inputs
        lda SWCHB
        sta inputs+1
        lda INPT4
        sta inputs+2
        lda INPT5
        sta inputs+3
        lda #$A0            ; port A: output $A0 on the upper nibble, inputs below
        sta SWCHA
        lda #$F0
        sta SWACNT
        lda SWCHA
        sta inputs+4
        lda #0
        sta SWACNT
        lda #$FF            ; port B's direction register (the switches stay inputs on a 2600)
        sta SWBCNT
        lda SWCHB
        sta inputs+5
        lda #0
        sta SWBCNT
        WAIT_TIMER 0

        ldx #0
Band    ldy #BAND_LINES
        lda #0              ; a separator line in the background colour
        sta PF1
        sta PF2
        lda band_colour,x
        sta COLUPF
        lda inputs,x
        sta WSYNC
        sta PF1
        sta PF2
.line   sta WSYNC
        dey
        bne .line
        inx
        cpx #BANDS
        bne Band

        OVERSCAN_START
        lda #0
        sta PF1
        sta PF2
        WAIT_TIMER 2
        jmp Frame

band_colour     .byte $1C, $46, $86, $C8, $2A, $9C

        VECTORS Start
