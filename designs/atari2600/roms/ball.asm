; Test ROM: the ball's four widths, RESBL and VDELBL. Eight bands of 24 lines: two set-up lines,
; then 22 lines where ENABL follows a pattern. Band n has width 1, 2, 4, 8 (n mod 4) and, in bands
; 4-7, VDELBL on: the ball then shows the ENABL copied at the last GRP1 write, which each line
; makes before its ENABL write, so the pattern shows one line late. The playfield's blocks
; (in front of the ball in odd bands) show the ball's position against the playfield.
        processor 6502
        include "hardware.inc"

BANDS       = 8
BAND_LINES  = 22

        SEG.U variables
        ORG $80
frame   ds 1
band    ds 1

        SEG code
        ORG $F000
Start   POWER_ON
        lda #$24
        sta COLUBK
        lda #$A0
        sta PF0

Frame   FRAME_START
        inc frame
        WAIT_TIMER 0

        ldx #0
Band    stx band            ; set-up line 1: width, priority, VDELBL, colour
        lda #0
        sta ENABL
        lda band_ctrl,x
        sta CTRLPF
        txa
        lsr
        lsr
        sta VDELBL
        lda band_colour,x
        sta COLUPF
        lda frame
        lsr
        clc
        adc band
        and #15
        tax
        ldy #BAND_LINES - 1
        sta WSYNC

.delay  dex                 ; set-up line 2: place the ball, moving every 2 frames
        bpl .delay
        sta RESBL
        sta WSYNC

.line   lda #0
        sta GRP1            ; copies ENABL to the delayed ball (player 1 stays empty)
        lda enable,y
        sta ENABL
        sta WSYNC
        dey
        bpl .line
        ldx band
        inx
        cpx #BANDS
        bne Band

        OVERSCAN_START
        lda #0
        sta ENABL
        sta GRP1
        WAIT_TIMER 2
        jmp Frame

; Width in bits 5..4, priority (bit 2) in odd bands.
band_ctrl       .byte $00, $14, $20, $34, $00, $14, $20, $34
band_colour     .byte $1C, $46, $86, $C8, $0E, $2A, $9C, $D6
enable  .byte 2, 2, 2, 0, 2, 2, 0, 0, 2, 0, 2, 2, 2, 2, 2, 0, 0, 2, 2, 2, 0, 2

        VECTORS Start
