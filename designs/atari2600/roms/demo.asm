; ttsim's Atari 2600 demo: a 262-line NTSC frame (3 lines of VSYNC, 37 of VBLANK, 192 of picture,
; 30 of overscan, each blank stretch timed by the RIOT timer and squared up by WSYNC) in four parts:
;   lines   0-15  a banner: reflected playfield in score mode, its two halves in colours that cycle
;   lines  16-95  a sky whose colour gradient scrolls; both players (player 0 with NUSIZ copies
;                 that change every 2 s, player 1 double width), both missiles and the ball fly
;                 sideways and bounce at the edges, placed each frame with RESPx and HMOVE
;   lines  96-159 mountains: a reflected playfield with a colour gradient
;   lines 160-191 colour bars: seven hues written in mid-line, brightening line by line
; and a tune: a melody on channel 0 (pure tone, a decaying envelope) over a bass line and a
; drum on channel 1, one step every 8 frames, 32 steps.
        processor 6502
        include "hardware.inc"

OBJECTS     = 5             ; player 0, player 1, missile 0, missile 1, ball (RESP0 order)
LEFT_EDGE   = 16            ; clear of the sky's register writes at the line start
RIGHT_EDGE  = 152
STEP_FRAMES = 8
STEPS       = 32
SKY_LINES   = 79            ; each part also has a set-up line: 16 + 80 + 64 + 32 = 192
HILL_LINES  = 63
BAR_LINES   = 31

        SEG.U variables
        ORG $80
frame   ds 1
x_pos   ds OBJECTS
x_speed ds OBJECTS          ; signed: pixels per frame
sky     ds 2                ; pointer into the gradient, scrolled every other frame
step    ds 1                ; the tune's step, 0..STEPS-1
wait    ds 1                ; frames until the next step
volume  ds 1                ; the melody's envelope

        SEG code
        ORG $F000
Start   POWER_ON
        ldx #OBJECTS - 1
.init   lda start_x,x
        sta x_pos,x
        lda start_speed,x
        sta x_speed,x
        dex
        bpl .init
        lda #>gradient
        sta sky+1
        lda #1
        sta wait
        lda #$10            ; ball two wide; playfield reflected (the banner adds score mode)
        sta CTRLPF
        lda #$15            ; missile 1 two wide, player 1 double width
        sta NUSIZ1
        lda #$C6
        sta COLUP1

Frame   FRAME_START
        inc frame
        jsr Move
        jsr Place
        lda frame           ; the sky scrolls one line every other frame
        lsr
        and #63
        clc
        adc #<gradient
        sta sky
        lda frame           ; player 0's copies: a new NUSIZ every 32 frames, missile 0 4 wide
        rol
        rol
        rol
        rol
        and #7
        ora #$20
        sta NUSIZ0
        lda frame
        and #$F0
        ora #$08
        sta COLUP0
        WAIT_TIMER 0

; Banner: 16 lines, 8 rows of the logo two lines each; halves in COLUP0 and COLUP1.
        lda #$13            ; reflect + score, ball two wide
        sta CTRLPF
        ldy #15
Banner  tya
        lsr
        tax
        lda logo0,x
        sta PF0
        lda logo1,x
        sta PF1
        lda logo2,x
        sta PF2
        sta WSYNC
        dey
        bpl Banner

; Sky: a set-up line, then the gradient, players and enables from tables indexed by the line.
        lda #0
        sta PF0
        sta PF1
        sta PF2
        lda #$11            ; reflect, ball two wide
        sta CTRLPF
        ldy #SKY_LINES - 1
        sta WSYNC
Sky     lda (sky),y         ; 10 (after the branch)
        sta COLUBK          ; 13
        lda ship0,y
        sta GRP0            ; 20
        lda ship1,y
        sta GRP1            ; 27: the left edge keeps the players right of this
        lda shots,y         ; missile 0 in bit 1, missile 1 in bit 2, ball in bit 3
        sta ENAM0
        lsr
        sta ENAM1
        lsr
        sta ENABL
        sta WSYNC
        dey
        bpl Sky

; Mountains: a set-up line with the objects off, then a reflected playfield, a colour per line.
        lda #0
        sta GRP0
        sta GRP1
        sta ENAM0
        sta ENAM1
        sta ENABL
        sta COLUBK
        ldy #HILL_LINES - 1
        sta WSYNC
Hills   lda hill_colour,y   ; 9 (after the branch)
        sta COLUPF          ; 12
        lda hills0,y
        sta PF0             ; 19
        lda hills1,y
        sta PF1             ; 26
        lda hills2,y
        sta PF2             ; 33
        sta WSYNC
        dey
        bpl Hills

; Colour bars: a set-up line, then seven hues, each 7 cycles (21 pixels) wide, luminance rising
; every 4 lines.
        lda #0
        sta PF0
        sta PF1
        sta PF2
        ldy #BAR_LINES - 1
        ldx bar_light,y
        sta WSYNC
Bars    txa                 ; 5 (after the branch)
        ora #$10
        sta COLUBK          ; 12: the first bar from the left edge
        nop
        nop
        nop
        nop
        bit frame
        txa
        ora #$30
        sta COLUBK          ; 30
        txa
        ora #$50
        sta COLUBK          ; 37
        txa
        ora #$70
        sta COLUBK          ; 44
        txa
        ora #$90
        sta COLUBK          ; 51
        txa
        ora #$B0
        sta COLUBK          ; 58
        txa
        ora #$D0
        sta COLUBK          ; 65
        dey
        ldx bar_light,y     ; 71
        sta WSYNC           ; 74
        tya
        bpl Bars

        OVERSCAN_START
        lda #0
        sta COLUBK
        jsr Music
        WAIT_TIMER 2
        jmp Frame

; Move every object by its speed; reverse it at the edges.
Move    ldx #OBJECTS - 1
.move   lda x_pos,x
        clc
        adc x_speed,x
        cmp #LEFT_EDGE
        bcc .bounce
        cmp #RIGHT_EDGE
        bcc .keep
.bounce lda x_speed,x
        eor #$FF
        clc
        adc #1
        sta x_speed,x
        lda x_pos,x
.keep   sta x_pos,x
        dex
        bpl .move
        rts

; Place the objects at x_pos: per object, a coarse position (RESxx after 15-pixel steps) and the
; rest as motion, then one HMOVE for all.
Place   ldx #OBJECTS - 1
.place  lda x_pos,x
        sta WSYNC
        sec
.coarse sbc #15
        bcs .coarse
        eor #7              ; -15..-1 left over: the fine motion, +7..-7
        asl
        asl
        asl
        asl
        sta HMP0,x
        sta RESP0,x
        dex
        bpl .place
        sta WSYNC
        sta HMOVE
        ldx #6              ; HMCLR no sooner than 24 cycles after HMOVE
.settle dex
        bne .settle
        sta HMCLR
        rts

; One step of the tune every STEP_FRAMES frames; the melody's volume decays in between.
Music   dec wait
        bne .decay
        lda #STEP_FRAMES
        sta wait
        ldx step
        inx
        cpx #STEPS
        bcc .next
        ldx #0
.next   stx step
        lda melody,x
        beq .rest
        sta AUDF0
        lda #4
        sta AUDC0
        lda #12
        sta volume
.rest   txa                 ; the bass changes every 8 steps, the drum hits every 4
        and #3
        bne .bass
        lda #8
        sta AUDC1
        lda #3
        sta AUDF1
        lda #8
        sta AUDV1
        bne .decay
.bass   txa
        lsr
        lsr
        lsr
        tay
        lda bass,y
        sta AUDF1
        lda #12
        sta AUDC1
        lda #5
        sta AUDV1
.decay  lda volume
        beq .quiet
        dec volume
.quiet  lsr
        sta AUDV0
        rts

start_x     .byte 20, 100, 60, 130, 80
start_speed .byte 1, $FF, 2, $FE, 3

; The tune (AUDF values): melody on AUDC 4 (C5 29, D5 26, E5 23, G5 19, A5 17, C6 14; 0 rests),
; bass on AUDC 12 (C4 19, G3 26, A3 23, F3 29).
melody  .byte 23, 19, 17, 19, 23, 26, 29, 0
        .byte 26, 19, 17, 19, 26, 23, 26, 0
        .byte 29, 23, 19, 14, 17, 19, 23, 0
        .byte 29, 26, 23, 19, 26, 23, 29, 0
bass    .byte 19, 26, 23, 29

; The logo, 8 rows (drawn bottom row first): a diamond between bars, mirrored by reflection.
logo0   .byte $F0, $10, $10, $10, $10, $10, $10, $F0
logo1   .byte $FF, $01, $0C, $1E, $3F, $1E, $0C, $FF
logo2   .byte $FF, $80, $C6, $EF, $FF, $EF, $C6, $FF

; The ships (drawn bottom row first, line 79 of the sky at the top).
ship0
        ds 16, 0
        .byte $00, $18, $3C, $7E, $FF, $DB, $7E, $24, $18, $00
        ds SKY_LINES - 26, 0
ship1
        ds 44, 0
        .byte $00, $81, $C3, $E7, $7E, $3C, $7E, $E7, $C3, $81, $00
        ds SKY_LINES - 55, 0
; Missiles (bit 1), missile 1 (bit 2) and the ball (bit 3), at their own heights.
shots
        ds 8, 0
        ds 4, $02
        ds 20, 0
        ds 3, $04
        ds 25, 0
        ds 6, $08
        ds SKY_LINES - 66, 0

; Mountains, from the top (line 62) down: peaks that widen towards the bottom, made by formulas.
I SET 0
hills0
        REPEAT HILL_LINES
        .byte [$F0 << [I / 16]] & $F0
I SET I + 1
        REPEND
I SET 0
hills1
        REPEAT HILL_LINES
        .byte [$FF >> [I / 8]] ^ [[I & 8] * 3]
I SET I + 1
        REPEND
I SET 0
hills2
        REPEAT HILL_LINES
        .byte [$FF << [I / 9]] & $FF
I SET I + 1
        REPEND
I SET 0
hill_colour
        REPEAT HILL_LINES
        .byte $C0 + [[I / 8] * 2]
I SET I + 1
        REPEND

; The sky's colours: 64 lines of blues into oranges, then again (the pointer scrolls over 64).
        ALIGN 256
gradient
I SET 0
        REPEAT 144
        .byte [[[I / 64] % 2] * $B0 + $80] % 256 + [[I / 8] % 8] * 2
I SET I + 1
        REPEND
; The bars' luminance per line (index 30..0; the read after the last line is not used).
bar_light
I SET 0
        REPEAT BAR_LINES
        .byte [[BAR_LINES - I] / 4] * 2 & $0E
I SET I + 1
        REPEND

        VECTORS Start
