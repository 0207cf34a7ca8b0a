; Test ROM: both missiles with their widths and copies, RESM0/RESM1 and RESMP0/RESMP1. Eight bands
; of 24 lines: two set-up lines, then 22 lines where each missile is on or off by a pattern.
; Band n uses NUSIZ from `band_nusiz` (missile widths 1, 2, 4, 8 and the player copy modes, which
; copy the missiles too). The players are drawn as thin markers so RESMP's centre shows. In bands
; 6 and 7 the missiles stay locked to their players (RESMP on) for the first 10 lines, hidden,
; and are released at the players' centres for the other 12.
        processor 6502
        include "hardware.inc"

BANDS       = 8
BAND_LINES  = 22
LOCK_BAND   = 6

        SEG.U variables
        ORG $80
frame   ds 1
band    ds 1

        SEG code
        ORG $F000
Start   POWER_ON
        lda #$42
        sta GRP0
        lda #$81
        sta GRP1

Frame   FRAME_START
        inc frame
        WAIT_TIMER 0

        ldx #0
Band    stx band            ; set-up line 1: the band's sizes and colours, missiles off
        lda #0
        sta ENAM0
        sta ENAM1
        lda band_nusiz,x
        sta NUSIZ0
        sta NUSIZ1
        lda band_colour0,x
        sta COLUP0
        lda band_colour1,x
        sta COLUP1
        cpx #LOCK_BAND
        lda #0
        bcc .lock
        lda #2
.lock   sta RESMP0
        sta RESMP1
        ldy #BAND_LINES - 1
        sta WSYNC

        lda frame           ; set-up line 2: players and missiles placed, moving every 2 frames
        lsr
        clc
        adc band
        and #7
        tax
.delay  dex
        bpl .delay
        sta RESM1
        sta RESP0
        sta RESM0
        nop
        sta RESP1
        sta WSYNC

.line   lda enable0,y
        sta ENAM0
        lda enable1,y
        sta ENAM1
        cpy #BAND_LINES / 2     ; the lower half of a band releases RESMP (no effect when off)
        bne .next
        lda #0
        sta RESMP0
        sta RESMP1
.next   sta WSYNC
        dey
        bpl .line
        ldx band
        inx
        cpx #BANDS
        bne Band

        OVERSCAN_START
        lda #0
        sta ENAM0
        sta ENAM1
        WAIT_TIMER 2
        jmp Frame

band_nusiz      .byte $00, $11, $21, $33, $32, $14, $35, $27
band_colour0    .byte $1C, $46, $86, $C8, $0E, $2A, $9C, $D6
band_colour1    .byte $4A, $A6, $3C, $56, $84, $EA, $68, $F8

enable0 .byte 2, 2, 2, 0, 2, 2, 0, 0, 2, 0, 2, 2, 2, 2, 2, 0, 0, 2, 2, 2, 0, 2
enable1 .byte 0, 2, 2, 2, 2, 0, 2, 0, 2, 2, 2, 0, 2, 2, 2, 2, 2, 2, 0, 2, 2, 2

        VECTORS Start
