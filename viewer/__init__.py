"""The viewer: a trace data layer and panels that draw onto pygame surfaces."""
