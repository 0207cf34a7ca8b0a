; Test ROM: HMOVE, HMxx and HMCLR, at the start of the line and in mid-line. All five objects are
; drawn on every line (players as 1-2 pixel columns, missiles and ball 2-4 wide), placed in the
; VBLANK at a cycle that moves every frame, so each HMOVE shows as a step in five slanted lines.
;   lines   0-47  HMOVE at cycle 3 of every line, fixed HMxx (+1, -1, +2, -2, +7): 8-pixel blanks
;   lines  48-95  HMOVE at cycle 3, HMxx rewritten late in each line from a table
;   lines  96-159 HMOVE in mid-line, at a cycle from 16 to 66 that changes every line
;   lines 160-190 HMOVE at cycle 73 (the late HMOVE that shifts by 8 without the blank), after
;                 HMCLR and a new HMP0
; (The line after each HMOVE shows it: in these tables a line's HMOVE is made before its WSYNC.)
        processor 6502
        include "hardware.inc"

        SEG.U variables
        ORG $80
frame   ds 1

        SEG code
        ORG $F000
Start   POWER_ON
        lda #$80
        sta GRP0
        lda #$C0
        sta GRP1
        lda #$10            ; missile 0 two wide, missile 1 four wide, ball two wide
        sta NUSIZ0
        sta CTRLPF
        lda #$20
        sta NUSIZ1
        SET_COLOURS $1E, $C8, $46, $02

Frame   FRAME_START
        inc frame
        lda frame           ; place the five objects, 5 cycles further right every frame
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
        lda #2
        sta ENAM0
        sta ENAM1
        sta ENABL
        lda #$10
        sta HMP0
        lda #$F0
        sta HMP1
        lda #$20
        sta HMM0
        lda #$E0
        sta HMM1
        lda #$70
        sta HMBL
        WAIT_TIMER 0

        ldy #48             ; fixed motion at the start of every line
Early   sta HMOVE
        sta WSYNC
        dey
        bne Early

        ldy #48             ; motion from a table, written after HMOVE is done with it
Table   sta HMOVE           ; 3 (6 after the branch)
        lda motion,y
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        nop
        sta HMP0            ; 33: well past the 24 cycles HMOVE takes
        sta HMM1
        eor #$F0
        sta HMP1
        sta HMBL
        asl
        sta HMM0
        sta WSYNC
        dey
        bne Table

        ldy #64             ; mid-line HMOVE
        lda #$70
        sta HMP0
        sta HMM0
        lda #$90
        sta HMP1
        sta HMM1
        lda #$40
        sta HMBL
MidLine ldx hmove_delay,y
.mid    dex
        bpl .mid
        sta HMOVE           ; at cycle 16 + 5 * delay (after the branch)
        sta WSYNC
        dey
        bne MidLine

        ldy #31             ; late HMOVE, cycle 73, on 31 lines without WSYNC
        sta HMCLR           ; only player 0 keeps a motion (+3) for them
        lda #$30
        sta HMP0
        jmp LateStart       ; 17

; The late-HMOVE loop lasts exactly one line (76 cycles); its branches stay in this page.
        ALIGN 256
LateStart
        ldx #8
.late   dex
        bpl .late           ; 63
        nop
        nop
        bit frame           ; 70
Late    sta HMOVE           ; writes on cycle 73
        ldx #11
.pad    dex
        bpl .pad            ; 3 + 2 + 59
        nop
        nop
        bit frame           ; 71
        dey
        bne Late            ; 76: cycle 73 of the next line is the next write

        sta WSYNC           ; the last HMOVE's line ends the picture
        OVERSCAN_START
        lda #0
        sta ENAM0
        sta ENAM1
        sta ENABL
        sta HMCLR
        WAIT_TIMER 2
        jmp Frame

; 49 motion values (index 48..1 used), from +7 to -8 and back.
motion  .byte $70, $60, $50, $40, $30, $20, $10, $00, $F0, $E0, $D0, $C0, $B0, $A0, $90, $80
        .byte $90, $A0, $B0, $C0, $D0, $E0, $F0, $00, $10, $20, $30, $40, $50, $60, $70, $60
        .byte $10, $F0, $10, $F0, $20, $E0, $30, $D0, $40, $C0, $50, $B0, $60, $A0, $70, $80
        .byte $00
; 65 delays (index 64..1 used), 0..10 loop steps.
hmove_delay
I SET 0
        REPEAT 65
        .byte (I * 5) % 11
I SET I + 1
        REPEND

        VECTORS Start
