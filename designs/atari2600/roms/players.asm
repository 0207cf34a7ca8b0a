; Test ROM: both players with every NUSIZ setting, REFP and VDELP. Eight bands of 24 lines: two
; set-up lines, then 22 lines of graphics (GRP0 then GRP1 written in the horizontal blank).
; Band n uses NUSIZ n for both players; odd bands mirror player 0, even bands player 1; bands 4-7
; turn VDELP0 and VDELP1 on (player 0 then shows the GRP0 copied at this line's GRP1 write, player 1
; the previous line's GRP1). The set-up line places the players at a cycle that moves every four
; frames, from the horizontal blank well into the line.
        processor 6502
        include "hardware.inc"

BANDS       = 8
SHAPE_LINES = 22

        SEG.U variables
        ORG $80
frame   ds 1
band    ds 1

        SEG code
        ORG $F000
Start   POWER_ON

Frame   FRAME_START
        inc frame
        WAIT_TIMER 0

        ldx #0
Band    stx band            ; set-up line 1: graphics off, the band's modes
        lda #0
        sta GRP0
        sta GRP1
        stx NUSIZ0
        stx NUSIZ1
        lda band_reflect,x
        sta REFP0
        eor #8
        sta REFP1
        txa
        lsr
        lsr
        sta VDELP0
        sta VDELP1
        lda colour0,x
        sta COLUP0
        lda colour1,x
        sta COLUP1
        ldy #SHAPE_LINES - 1
        sta WSYNC

        lda frame           ; set-up line 2: place the players, 5 cycles (15 pixels) per step
        lsr
        lsr
        clc
        adc band
        and #7
        tax
.delay  dex
        bpl .delay
        sta RESP0
        nop
        nop
        sta RESP1
        sta WSYNC

.line   lda shape0,y
        sta GRP0
        lda shape1,y
        sta GRP1
        sta WSYNC
        dey
        bpl .line
        ldx band
        inx
        cpx #BANDS
        bne Band

        OVERSCAN_START
        lda #0
        sta GRP0
        sta GRP1
        sta GRP0            ; twice, so that the delayed copies are clear as well
        WAIT_TIMER 2
        jmp Frame

band_reflect    .byte 0, 8, 0, 8, 0, 8, 0, 8
colour0 .byte $1C, $46, $86, $C8, $0E, $2A, $9C, $D6
colour1 .byte $4A, $A6, $3C, $56, $84, $EA, $68, $F8

; Lopsided shapes, so that a mirrored player looks different (drawn bottom row first).
shape0  .byte $FF, $81, $C1, $A1, $91, $89, $85, $83, $81, $FF, $00
        .byte $F0, $78, $3C, $1E, $0F, $1F, $3F, $7F, $FF, $80, $C0
shape1  .byte $18, $3C, $7E, $FF, $E7, $C3, $81, $01, $03, $07, $0F
        .byte $1F, $3E, $7C, $F8, $F0, $E0, $C0, $80, $AA, $55, $E1

        VECTORS Start
