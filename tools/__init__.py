"""Flows: export to Verilog, simulate with cocotb, scaffold new designs, the demo."""
