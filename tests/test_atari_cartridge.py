"""Cartridge schemes (bank switching, Superchip RAM) in simulation, and scheme detection from the
ROM checked against the schemes Stella finds for the ROMs ale-py ships."""
import collections
import pathlib

import pytest
from amaranth.sim import Simulator

from ttsim.designs.atari2600.cartridge import SCHEMES, Cartridge, check_rom, detect_scheme
from ttsim.errors import TtsimError

SLICE = 1024


def sliced_rom(size):
    """A ROM whose every byte is the number of its 1K slice."""
    return bytes(offset // SLICE for offset in range(size))


def run_cartridge(rom, scheme, steps):
    """Feeds bus cycles to a cartridge, serving its ROM image the way a host does (the byte at
    `rom_addr`); returns the byte it showed for each "read" step.

    steps: ("read", address), or ("access", address, is_write, data_bus byte).
    """
    dut = Cartridge()
    seen = []

    async def bench(ctx):
        ctx.set(dut.scheme, SCHEMES.index(scheme))
        for step in steps:
            ctx.set(dut.addr, step[1])
            ctx.set(dut.rom_data, rom[ctx.get(dut.rom_addr)])
            if step[0] == "read":
                ctx.set(dut.access, 0)
                seen.append(ctx.get(dut.read_data))
            else:
                _, _, is_write, data = step
                ctx.set(dut.write, is_write)
                ctx.set(dut.data_bus, data)
                ctx.set(dut.access, 1)
            await ctx.tick()
        ctx.set(dut.access, 0)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return seen


def touch(address, data=0):
    return ("access", address, 0, data)


def test_2k_is_mirrored_and_4k_is_flat():
    assert run_cartridge(sliced_rom(2048), "2K", [("read", 0x1000), ("read", 0x1C00)]) == [0, 1]
    assert run_cartridge(sliced_rom(4096), "4K", [("read", 0x1000), ("read", 0x1FFF)]) == [0, 3]


def test_f8_starts_in_bank_1_and_switches_on_hotspots():
    steps = [("read", 0x1000), touch(0x1FF8), ("read", 0x1000), ("read", 0x1FFC),
             touch(0x1FF9), ("read", 0x1400)]
    assert run_cartridge(sliced_rom(8192), "F8", steps) == [4, 0, 3, 5]


def test_f6_has_four_banks():
    steps = [("read", 0x1000)]
    for bank in range(4):
        steps += [touch(0x1FF6 + bank), ("read", 0x1800)]
    assert run_cartridge(sliced_rom(16384), "F6", steps) == [0, 2, 6, 10, 14]


def test_one_circuit_serves_every_scheme():
    """The scheme input alone changes the mapping: the same reads give each scheme's start bank."""
    reads = [("read", 0x1000), ("read", 0x1C00)]
    assert run_cartridge(sliced_rom(2048), "2K", reads) == [0, 1]
    assert run_cartridge(sliced_rom(8192), "F8", reads) == [4, 7]
    assert run_cartridge(sliced_rom(16384), "F6", reads) == [0, 3]
    assert run_cartridge(sliced_rom(8192), "E0", reads) == [4, 7]
    assert run_cartridge(sliced_rom(8192), "FE", reads) == [0, 3]


def test_hotspot_reads_without_bus_cycle_do_not_switch():
    steps = [("read", 0x1FF8), ("read", 0x1000)]
    assert run_cartridge(sliced_rom(8192), "F8", steps) == [7, 4]


@pytest.mark.parametrize("scheme, size", [("F8SC", 8192), ("F6SC", 16384)])
def test_superchip_ram(scheme, size):
    steps = [("access", 0x1005, 1, 0x5A), ("access", 0x107F, 1, 0xA5),
             ("read", 0x1085), ("read", 0x10FF), ("read", 0x1100)]
    seen = run_cartridge(sliced_rom(size), scheme, steps)
    assert seen[:2] == [0x5A, 0xA5]
    assert seen[2] == (4 if scheme == "F8SC" else 0)      # past the RAM: the ROM bank


def test_plain_f8_has_no_superchip_ram():
    steps = [("access", 0x1005, 1, 0x5A), ("read", 0x1085)]
    assert run_cartridge(sliced_rom(8192), "F8", steps) == [4]


def test_e0_slices():
    steps = [("read", 0x1000 + SLICE * segment) for segment in range(4)]
    steps += [touch(0x1FE2), touch(0x1FEB), touch(0x1FF1)]
    steps += [("read", 0x1000 + SLICE * segment) for segment in range(4)]
    assert run_cartridge(sliced_rom(8192), "E0", steps) == [4, 5, 6, 7, 2, 3, 1, 7]


def test_fe_switches_on_the_byte_after_01fe():
    steps = [("read", 0x1000),
             touch(0x01FF, 0x00), ("read", 0x1000),          # not the hotspot: no switch
             touch(0x01FE), touch(0x1234, 0xD0), ("read", 0x1000),   # bit 5 clear: bank 1
             touch(0x01FE), touch(0x01FF, 0xF0), ("read", 0x1000)]   # bit 5 set: bank 0
    assert run_cartridge(sliced_rom(8192), "FE", steps) == [0, 0, 4, 0]


def test_detection_matches_stella_on_ale_py_roms():
    ale_py = pytest.importorskip("ale_py")
    roms = sorted((pathlib.Path(ale_py.__file__).parent / "roms").glob("*.bin"))
    schemes = {rom.stem: detect_scheme(rom.read_bytes()) for rom in roms}
    # The counts Stella's detector gives on these 108 ROMs (see issue 5).
    assert collections.Counter(schemes.values()) == {
        "2K": 20, "4K": 52, "F8": 24, "F6": 4, "F6SC": 2, "F8SC": 1, "E0": 3, "FE": 1, "DPC": 1}
    assert schemes["robotank"] == "FE"
    assert schemes["pitfall2"] == "DPC"
    assert {name for name, scheme in schemes.items() if scheme == "E0"} == {
        "jamesbond", "montezuma_revenge", "tutankham"}


@pytest.mark.parametrize("rom, message", [
    (b"", "empty"),
    (bytes(3000), "fits no supported cartridge scheme"),
])
def test_bad_roms_are_user_errors(rom, message):
    with pytest.raises(TtsimError, match=message):
        detect_scheme(rom)


def test_mismatched_roms_are_user_errors():
    with pytest.raises(TtsimError, match="DPC cartridge needs 10240 or 10495 bytes"):
        check_rom(bytes(8192), "DPC")
    with pytest.raises(TtsimError, match="needs 8192 bytes"):
        check_rom(bytes(4096), "F8")
    with pytest.raises(TtsimError, match="unknown cartridge scheme"):
        check_rom(bytes(4096), "3F")


def test_only_a_dpc_cartridge_gets_the_dpc_chip_on_the_fast_path():
    """The fast path's console for other cartridges leaves the DPC chip out (a real console has
    none either); Pitfall II's gets it."""
    from amaranth.hdl import Fragment

    from ttsim.tools.atari_run import native_top

    assert native_top("DPC") == "console:NativeAtari2600"
    assert {native_top(scheme) for scheme in SCHEMES if scheme != "DPC"} == {
        "console:NativeAtari2600WithoutDpc"}
    parts = {dpc: [name for _, name, _ in Fragment.get(Cartridge(dpc=dpc), None).subfragments]
             for dpc in (True, False)}
    assert "dpc" in parts[True] and "dpc" not in parts[False]
