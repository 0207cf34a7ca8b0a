"""ttsim: Tiny-Tapeout-style RTL co-simulation and visualization.

The import package holds the core (command line, design registry, TT conventions, toolchain set-up);
`ttsim.designs`, `ttsim.tb`, `ttsim.tools` and `ttsim.viewer` are the repository's top-level folders.
"""

__version__ = "0.1.0"
