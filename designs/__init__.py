"""Designs: one folder each, holding its Amaranth code, its TT top and its design.toml."""
