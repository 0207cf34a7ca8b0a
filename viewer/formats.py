"""How a signal's value is written: hex, unsigned, signed, binary, ASCII (or drawn as analog)."""
from __future__ import annotations

FORMATS = ("hex", "unsigned", "signed", "binary", "ascii", "analog")


def check_format(name: str) -> str:
    from ttsim.errors import TtsimError

    if name not in FORMATS:
        raise TtsimError(f"unknown value format {name!r} (choose from {', '.join(FORMATS)})")
    return name


def _hex_of_bits(bits: str) -> str:
    """Hex digits of a bit string with x/z: a digit holding any x (or other unknown state) shows
    x, else any z shows z."""
    bits = bits.rjust((len(bits) + 3) // 4 * 4, bits[0] if bits[0] in "xzXZ" else "0")
    digits = []
    for start in range(0, len(bits), 4):
        nibble = bits[start:start + 4].lower()
        if set(nibble) - set("01z"):  # x, or a VHDL state such as u, w or -
            digits.append("x")
        elif "z" in nibble:
            digits.append("z")
        else:
            digits.append(f"{int(nibble, 2):x}")
    return "".join(digits)


def format_value(value, width: int, fmt: str) -> str:
    """`value` as a signal row shows it; None (no value yet) is empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):  # x/z bits, or a string signal's text
        if fmt == "binary" or not set(value.lower()) <= set("01xzuwlh-") or not value:
            return value
        if set(value.lower()) <= {"x"}:
            return "x"
        if set(value.lower()) <= {"z"}:
            return "z"
        return _hex_of_bits(value)
    if fmt == "binary":
        return format(value, f"0{width}b")
    if fmt == "unsigned":
        return str(value)
    if fmt == "signed":
        return str(value - (1 << width) if width and value >> (width - 1) & 1 else value)
    if fmt == "ascii":
        chars = value.to_bytes((width + 7) // 8, "big").lstrip(b"\0") or b"\0"
        return "".join(chr(c) if 32 <= c < 127 else "." for c in chars)
    return format(value, "x")
