"""The viewer: a trace data layer and panels that draw onto pygame surfaces."""
import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # before any viewer module imports pygame
