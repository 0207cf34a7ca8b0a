; Test ROM: when a write in mid-line takes effect, to the cycle. Six bands of 32 lines: a set-up
; line, then 31 lines that each write a register at the start of the line (cycle 10) and one
; on cycle 21 + d, where d runs from 30 (top line) down to 0, one cycle a line (cycles counted
; from 1 after WSYNC; a jump into a slide of 2-cycle CMP #$C9 instructions, entered one byte
; further on each line, gives the delay to the cycle).
;   0 COLUBK red, then green
;   1 PF1 $FF, then $00 (the playfield in white)
;   2 GRP0 $FF, then $81 (player 0 four wide)
;   3 RESP0 only at 21 + d, player 0 with a second copy 64 pixels on, which a strobe does not
;     hold back (the first copy would show on the next line, whose strobe comes first)
;   4 NUSIZ0 three copies, then one: the later copies cut off
;   5 CTRLPF score mode on: the playfield's left half switches to player 0's colour
        processor 6502
        include "hardware.inc"

SWEEP_LINES = 31

        SEG.U variables
        ORG $80
slide   ds 2            ; the entry into the current band's slide

; One band: {1} = {2} at the line start, then {3} = {4} on cycle 21 + d. Starts with the set-up line's work done, ends at the start of a line. The slide
; sits at the start of a page, so that the entry's low byte alone moves along it.
        MAC SWEEP
        jmp .setup
        ALIGN 256
        ds SWEEP_LINES - 1, $C9     ; d bytes from the entry to .end take d + 3 cycles
.end    .byte $C5, $EA
        stx {3}             ; 21 + d
        inc slide
        jmp .next
.setup  lda #<[.end - SWEEP_LINES + 1]
        sta slide
        lda #>.end
        sta slide+1
        ldx #{4}
        ldy #SWEEP_LINES
        jmp .next           ; the set-up line ends as the others do
.line   lda #{2}            ; 7 (after the branch)
        sta {1}             ; 10
        jmp (slide)         ; 15
.next   sta WSYNC
        dey
        bpl .line
        ENDM

        SEG code
        ORG $F000
Start   POWER_ON
        lda #$0E
        sta COLUPF
        lda #$1C
        sta COLUP0
        lda #$86
        sta COLUP1

Frame   FRAME_START
        WAIT_TIMER 0

        SWEEP COLUBK, $44, COLUBK, $C8

        lda #0
        sta COLUBK
        SWEEP PF1, $FF, PF1, $00

        lda #7              ; player 0 four times wide, placed near cycle 35
        sta NUSIZ0
        nop
        nop
        nop
        nop
        nop
        nop
        sta RESP0
        SWEEP GRP0, $FF, GRP0, $81

        lda #4              ; two copies, 64 pixels apart
        sta NUSIZ0
        lda #$F0
        sta GRP0
        SWEEP COLUBK, 0, RESP0, 0

        lda #6              ; three copies, 32 pixels apart, from near cycle 24
        sta RESP0
        sta NUSIZ0
        lda #$FF
        sta GRP0
        SWEEP NUSIZ0, 6, NUSIZ0, 0

        lda #0
        sta GRP0
        sta NUSIZ0
        lda #$FF
        sta PF1
        sta PF2
        SWEEP CTRLPF, $00, CTRLPF, $02

        OVERSCAN_START
        lda #0
        sta PF1
        sta PF2
        sta CTRLPF
        WAIT_TIMER 2
        jmp Frame

        VECTORS Start
