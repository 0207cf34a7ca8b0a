; Test ROM: the fifteen collision latches, CXCLR, and reading them. Lines 0-159 are an arena of
; eight 20-line bands; each band turns a different set of objects on (`band_*` tables) while
; player 0, missile 1 and the ball drift sideways from frame to frame, so the overlaps change.
; The overscan reads the eight collision registers and clears them; lines 160-191 then show
; them: eight rows of four lines, each row's colour being its register's two bits (7 and 6)
; over a fixed hue. CXCLR before the arena's first line keeps the blank lines out of it.
        processor 6502
        include "hardware.inc"

BANDS       = 8
BAND_LINES  = 20

        SEG.U variables
        ORG $80
frame   ds 1
band    ds 1
latches ds 8            ; CXM0P .. CXPPMM, read in the last overscan

        SEG code
        ORG $F000
Start   POWER_ON
        lda #$25            ; reflected playfield, ball and missiles four wide
        sta CTRLPF
        lda #$20
        sta NUSIZ1
        lda #$25            ; player 0 double width, missile 0 four wide
        sta NUSIZ0
        SET_COLOURS $1C, $88, $46, $02

Frame   FRAME_START
        inc frame
        lda frame           ; player 0 and missile 1 move 15 pixels every 4 frames
        lsr
        lsr
        and #7
        tax
        sta WSYNC
.p0     dex
        bpl .p0
        sta RESP0
        sta RESM1
        sta WSYNC           ; the others stay where they are
        ldx #5
.others dex
        bpl .others
        sta RESM0
        nop
        sta RESP1
        nop
        nop
        sta RESBL
        lda frame           ; the ball drifts by HMOVE, a pixel every frame
        and #1
        beq .still
        lda #$F0
.still  sta HMBL
        sta WSYNC
        sta HMOVE
        WAIT_TIMER 0

        sta CXCLR
        ldx #0
Band    ldy #BAND_LINES - 1
        lda band_players,x  ; the band's objects, all set before the beam shows them
        sta GRP0
        sta GRP1            ; players 0 and 1 share a pattern
        lda band_missiles,x
        sta ENAM0           ; bit 1
        lsr
        sta ENAM1           ; bit 2, now bit 1
        lsr
        sta ENABL           ; bit 3, now bit 1
        lda band_playfield,x
        sta PF1
        sta PF2
        sta WSYNC
.line   sta WSYNC
        dey
        bne .line
        inx
        cpx #BANDS
        bne Band

        lda #0              ; everything off, then show the latches of the last frame
        sta GRP0
        sta GRP1
        sta ENAM0
        sta ENAM1
        sta ENABL
        sta PF1
        sta PF2
        ldx #0
Row     ldy #4
        lda latches,x
        and #$C0
        ora #$06
.row    sta COLUBK
        sta WSYNC
        dey
        bne .row
        inx
        cpx #8
        bne Row

        OVERSCAN_START
        lda #$02
        sta COLUBK
        ldx #7
.read   lda CXM0P,x
        sta latches,x
        dex
        bpl .read
        sta CXCLR
        WAIT_TIMER 2
        jmp Frame

band_players    .byte $00, $FF, $0F, $C3, $00, $18, $FF, $81
band_missiles   .byte $0E, $02, $04, $08, $06, $0A, $00, $0C
band_playfield  .byte $00, $00, $0F, $F0, $3C, $00, $81, $FF

        VECTORS Start
