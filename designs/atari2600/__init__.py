"""The Atari 2600 (VCS): TIA, RIOT 6532 and cartridge bank switching, in Amaranth."""
