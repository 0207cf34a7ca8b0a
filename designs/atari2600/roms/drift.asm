; Test ROM: strobes at every cycle of the line. Loops of exactly 77 cycles, one more than a line,
; make one strobe a line, each a cycle later than the one before, so a band sweeps through all
; 76 positions, the horizontal blank included:
;   lines   0-77  HMOVE, with all five objects moving (HMP0 +7, HMP1 -8, HMM0 +1, HMM1 -1,
;                 HMBL -4): how far each moves, and the blank, for each cycle of the strobe
;   lines  78-155 RESP0, player 0 with a second copy 64 pixels on, drawn on the strobe's line
;   lines 156-191 RESBL, an 8-pixel ball, for 35 cycles from the end of the horizontal blank
        processor 6502
        include "hardware.inc"

        SEG.U variables
        ORG $80
frame   ds 1

; Strobe {1} once every 77 cycles, Y times.
        MAC DRIFT
.turn   sta {1}             ; 3
        ldx #13
.wait   dex
        bne .wait           ; 2 + 64
        bit frame           ; 3
        dey
        bne .turn           ; 2 + 3
        ENDM

        SEG code
        ORG $F000
Start   POWER_ON
        SET_COLOURS $1E, $C8, $46, $02

Frame   FRAME_START
        inc frame
        lda frame           ; the five objects start 5 cycles further right every frame
        and #7
        tax
        sta WSYNC
.delay  dex
        bpl .delay
        sta RESP0
        sta RESM0
        sta RESBL
        sta RESM1
        sta RESP1
        lda #$C0
        sta GRP0
        sta GRP1
        lda #$C0
        sta HMBL
        lda #$10
        sta NUSIZ0
        sta NUSIZ1
        sta HMM0
        sta CTRLPF          ; ball two wide
        lda #$F0
        sta HMM1
        lda #$70
        sta HMP0
        lda #$80
        sta HMP1
        lda #2
        sta ENAM0
        sta ENAM1
        sta ENABL
        WAIT_TIMER 0

        ldy #76             ; lines 0-77
        jmp HmoveDrift

; The three loops, each 77 cycles a turn; their branches stay in this page.
        ALIGN 256
HmoveDrift
        DRIFT HMOVE
        sta WSYNC

        lda #0              ; line 78: only player 0, with its far copy
        sta ENAM0
        sta ENAM1
        sta ENABL
        sta GRP1
        sta HMCLR
        lda #$F0
        sta GRP0
        lda #4
        sta NUSIZ0
        ldy #76
        DRIFT RESP0
        sta WSYNC

        lda #0              ; line 156: only the ball, 8 wide
        sta GRP0
        lda #$30
        sta CTRLPF
        lda #2
        sta ENABL
        ldy #35
        DRIFT RESBL
        sta WSYNC

        OVERSCAN_START
        lda #0
        sta ENABL
        sta NUSIZ0
        WAIT_TIMER 2
        jmp Frame

        VECTORS Start
