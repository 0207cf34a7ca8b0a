# The two commands a new user needs: `make demo` and `make test`. Both do all set-up first.
# Set-up is idempotent: a second run checks a few files and returns at once.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ttsim-installed

# Debian packages: Icarus (cocotb's default simulator), a C++ toolchain for Verilator, lz4 for its
# FST traces, ccache to speed up repeated Verilator builds, dasm for the 6502 ROMs.
DEB_PACKAGES := iverilog g++ make perl liblz4-dev ccache dasm
DEB_COMMANDS := iverilog g++ make perl ccache dasm

.PHONY: all setup system-packages demo test roms clean

all: setup

setup: system-packages $(STAMP)

system-packages:
	@missing=""; \
	for c in $(DEB_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	[ -f /usr/include/lz4.h ] || missing="$$missing liblz4-dev"; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make: installing Debian packages (missing:$$missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES) python3-venv >/dev/null || exit 1; \
	  else \
	    echo "make: missing:$$missing. Run as root: apt-get update && apt-get install -y $(DEB_PACKAGES) python3-venv"; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml setup.py
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

demo: setup
	$(BIN)/python -m ttsim.tools.demo

test: setup
	$(BIN)/python -m pytest -q

# Reassemble our own Atari ROMs (designs/atari2600/roms/*.asm) with dasm.
roms: setup
	$(BIN)/python -m ttsim.tools.roms

clean:
	rm -rf build out
