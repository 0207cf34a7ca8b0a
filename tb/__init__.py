"""cocotb testbenches, one folder per design, plus the helpers they share."""
