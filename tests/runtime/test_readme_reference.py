"""The README's reference tables come from the settings schemas; the schemas tell the truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from blocks.errors import ParamValueError
from runtime.data.errors import DataError
from runtime.data.settings import DATA_KEYS, DataSettings, parse_data
from runtime.settings_reference import BLOCKS, render_readme
from runtime.training.settings import FIELDS, SettingsError, parse_training

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_tables_equal_what_the_code_generates():
    text = README.read_text(encoding="utf-8")
    for name in BLOCKS:
        assert f"<!-- {name}:start -->" in text, f"README lacks the {name} block"
    assert render_readme(text) == text, (
        "README and settings disagree: run python -m runtime.settings_reference --write"
    )


def _section(key: str, value) -> dict:
    """A data section with `key` (dotted for a sub-section) set to `value` on the 8×8 digits."""
    if "." in key:
        section, name = key.split(".", 1)
        return {"source": "digits", section: {name: value}}
    return {"source": "shapes" if key == "shapes_count" else "digits", key: value}


@pytest.mark.parametrize(
    "key", [k for k in DATA_KEYS if k.minimum is not None], ids=lambda k: k.name
)
def test_every_documented_data_bound_is_the_one_parse_data_applies(key):
    whole = key.kind in ("int", "share")
    step = 1 if whole else 1e-9
    low = key.minimum + (step if key.kind == "share" else 0)  # a fraction must exceed 0
    for ok in (low, key.maximum):
        parse_data(_section(key.name, int(ok) if whole else ok), (1, 8, 8))
    for bad in (key.minimum - step, key.maximum + step):
        with pytest.raises(DataError):
            parse_data(_section(key.name, int(bad) if whole else bad), (1, 8, 8))


@pytest.mark.parametrize(
    "key", [k for k in DATA_KEYS if k.kind in ("int", "float", "bool")], ids=lambda k: k.name
)
def test_every_documented_data_default_is_the_one_parse_data_uses(key):
    settings = parse_data({"source": "digits"}, (1, 8, 8))
    if "." in key.name:
        section, name = key.name.split(".", 1)
        owner = getattr(settings, section)
    else:
        owner, name = settings, key.name
    assert getattr(owner, name) == key.default


def test_data_keys_cover_the_settings_the_parser_produces():
    documented = {k.name.split(".")[0] for k in DATA_KEYS}
    keys_of = {"val_path": "val_shards"}  # the settings field and the project key it comes from
    produced = {keys_of.get(f, f) for f in DataSettings.__dataclass_fields__}
    assert produced <= documented


@pytest.mark.parametrize("spec", [f for f in FIELDS if f.minimum is not None], ids=lambda f: f.name)
def test_every_documented_training_bound_is_enforced(spec):
    step = 1 if spec.kind == "int" else 1e-9 * max(1.0, spec.maximum)
    parse_training({spec.name: spec.minimum})
    parse_training({spec.name: spec.maximum})
    for bad in (spec.minimum - step, spec.maximum + step):
        with pytest.raises(SettingsError):
            parse_training({spec.name: bad})


@pytest.mark.parametrize(
    "key", [k for k in DATA_KEYS if k.minimum is not None], ids=lambda k: k.name
)
def test_the_data_key_schema_accepts_and_refuses_what_parse_data_does(key):
    whole = key.kind in ("int", "share")
    step = 1 if whole else 1e-9
    low = key.minimum + (step if key.kind == "share" else 0)
    for ok in (low, key.maximum):
        value = int(ok) if whole else ok
        assert key.coerce(value) == value
        parse_data(_section(key.name, value), (1, 8, 8))
    for bad in (key.minimum - step, key.maximum + step):
        value = int(bad) if whole else bad
        with pytest.raises(ParamValueError):
            key.coerce(value)
        with pytest.raises(DataError):
            parse_data(_section(key.name, value), (1, 8, 8))
