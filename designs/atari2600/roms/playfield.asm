; Test ROM: the playfield's modes. Six bands of 32 lines, each a separator line (where the band's
; modes and colours are set) and 31 lines of PF0/PF1/PF2 patterns that scroll one line per frame:
;   0 plain (the left half repeated)     3 score and reflected
;   1 reflected                          4 priority: the playfield in front of the players
;   2 score: halves in COLUP0/COLUP1     5 asymmetric: PF0-PF2 rewritten for the right half
; Both players stand in every band (behind the playfield only in band 4), so priority shows.
        processor 6502
        include "hardware.inc"

BANDS       = 6
BAND_LINES  = 31            ; plus one separator line per band: 6 * 32 = 192

        SEG.U variables
        ORG $80
frame   ds 1
band    ds 1
first   ds 1            ; the pattern of each band's first line: (31 + frame) mod 32

; X = the pattern for line Y of a band: (Y + frame) mod 32.
        MAC NEXT_PATTERN
        tya
        clc
        adc frame
        and #31
        tax
        ENDM

        SEG code
        ORG $F000
Start   POWER_ON
        lda #$F3
        sta GRP0
        lda #$AA
        sta GRP1
        lda #7              ; player 1 four times wide
        sta NUSIZ1
        sta WSYNC
        ldx #8              ; player 0 at cycle ~45, player 1 at ~60
.place  dex
        bne .place
        sta RESP0
        nop
        nop
        nop
        nop
        nop
        sta RESP1
        sta WSYNC

Frame   FRAME_START
        inc frame
        lda frame
        clc
        adc #BAND_LINES
        and #31
        sta first
        WAIT_TIMER 0

        ldx #0
Band    stx band            ; the separator line: playfield off, then the band's modes
        lda #0
        sta PF0
        sta PF1
        sta PF2
        lda band_ctrl,x
        sta CTRLPF
        lda band_playfield,x
        sta COLUPF
        lda band_left,x
        sta COLUP0
        lda band_right,x
        sta COLUP1
        lda band_back,x
        sta COLUBK
        ldy #BAND_LINES
        ldx first
        sta WSYNC
        lda band
        cmp #BANDS - 1
        beq Asymmetric

Symmetric
        lda pattern0,x      ; all three are written before the beam reaches them
        sta PF0
        lda pattern1,x
        sta PF1
        lda pattern2,x
        sta PF2
        dey
        NEXT_PATTERN
        sta WSYNC
        tya
        bne Symmetric
        ldx band
        inx
        bne Band            ; always: the last band leaves through Asymmetric

; Right half from other patterns: each register is rewritten after its left copy is drawn and
; before its right copy starts (PF0 in cycles 28-49, PF1 in 39-54, PF2 in 49-60), clear of both
; edges by a cycle or more (counted from the branch at the top of the line).
Asymmetric
        lda pattern0,x      ; 9 (after the branch at the end of the line)
        sta PF0             ; 12
        lda pattern1,x      ; 16
        sta PF1             ; 19
        lda pattern2,x      ; 23
        sta PF2             ; 26
        lda pattern2+1,x    ; 30
        nop
        sta PF0             ; 35
        lda pattern0+1,x    ; 39
        sta PF1             ; 42
        lda pattern1+1,x    ; 46
        nop
        nop
        sta PF2             ; 53
        dey
        NEXT_PATTERN
        sta WSYNC
        tya
        bne Asymmetric

        OVERSCAN_START
        lda #0
        sta PF0
        sta PF1
        sta PF2
        WAIT_TIMER 2
        jmp Frame

band_ctrl       .byte $00, $01, $02, $03, $04, $00
band_playfield  .byte $1E, $46, $86, $C6, $0E, $9A
band_left       .byte $44, $24, $36, $D4, $44, $54
band_right      .byte $84, $A4, $B6, $F6, $C4, $64
band_back       .byte $00, $02, $90, $04, $12, $70

; 33 bytes each (the asymmetric lines read one past the index), from small formulas.
I SET 0
pattern0
        REPEAT 33
        .byte ((I * 48) ^ (I << 5)) & $F0
I SET I + 1
        REPEND
I SET 0
pattern1
        REPEAT 33
        .byte ((I * 37 + 11) ^ (I * I)) & $FF
I SET I + 1
        REPEND
I SET 0
pattern2
        REPEAT 33
        .byte ((I * 73 + 5) ^ (I >> 1) ^ $5A) & $FF
I SET I + 1
        REPEND

        VECTORS Start
