"""design.toml is checked when read: each broken field is named in a one-line error."""
import shutil

import pytest

from ttsim import registry
from ttsim.errors import TtsimError
from ttsim.paths import DESIGNS_DIR


@pytest.fixture
def design_copy(tmp_path):
    """A copy of designs/hello/ to break, outside the registry."""
    folder = tmp_path / "hello"
    shutil.copytree(DESIGNS_DIR / "hello", folder)
    return folder


def rewrite(folder, old, new):
    path = folder / registry.METADATA_FILE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_hello_metadata():
    hello = registry.get("hello")
    assert hello.top_module == "tt_um_ttsim_hello"
    assert hello.test_modules == ["ttsim.tb.hello.test_hello"]
    assert all(len(hello.pins[group]) == 8 for group in ("ui", "uo", "uio"))


@pytest.mark.parametrize("old, new, message", [
    ('tiles = "1x1"', 'tiles = "5x5"', "tiles '5x5' is not a TT size"),
    ("clock_hz = 10_000_000", 'clock_hz = "fast"', "'clock_hz' must be a int"),
    ('top = "top:HelloTop"', 'top = "HelloTop"', "'top' is 'module:Class'"),
    ('"count down", ', "", "pins.ui must list 8 non-empty descriptions"),
    ('title = ', 'heading = ', "missing 'title'"),
    ("[pins]", "[pinout]", "missing the [pins] table"),
    ("[design]", "[design", "not valid TOML"),
])
def test_broken_metadata_is_named(design_copy, old, new, message):
    rewrite(design_copy, old, new)
    with pytest.raises(TtsimError, match=message.replace("[", r"\[").replace("(", r"\(")):
        registry.load(design_copy)


def test_unknown_top_class(design_copy, monkeypatch):
    rewrite(design_copy, 'top = "top:HelloTop"', 'top = "top:NoSuchTop"')
    design = registry.load(design_copy)
    with pytest.raises(TtsimError, match="has no class 'NoSuchTop'"):
        design.top_class()
