"""The data form is generated from the data keys (ParamSpecs): every setting goes through it and
comes back unchanged, and typing into a row edits the key that row names."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from runtime.data.settings import BY_INPUT_SIZE, DATA_FIELD, DATA_KEYS, SOURCES, parse_data
from studio.training.data_form import KEPT_KEYS, ROWS, DataForm
from tests.studio.helpers import focus, keys_to_focus

AUGMENT = {"crop_padding": 3, "flip": True, "pca_jitter": 0.15}
PREPROCESS = {
    "resize": 300,
    "train_crop": "center",
    "scale_min": 0.25,
    "flip": False,
    "rotation": 12.5,
    "jitter": 0.3,
    "normalise": False,
    "fast_decode": True,
}
LAZY_LOADING = {"preprocess": PREPROCESS, "workers": 3, "cache": True}

SECTIONS: dict[str, dict[str, Any]] = {
    "mnist": {"source": "mnist", "validation": 1000, "augment": AUGMENT},
    "digits": {"source": "digits", "validation": 0.35, "augment": AUGMENT},
    "shapes": {"source": "shapes", "validation": 0.05, "augment": AUGMENT},
    "idx": {
        "source": "idx",
        "validation": 0.2,
        "augment": AUGMENT,
        "images": "raw/train images.gz",
        "labels": " raw/labels.gz",
    },
    "cifar10": {"source": "cifar10", "validation": 0.1, "augment": AUGMENT, "path": "cifar/"},
    "folder": {"source": "folder", "validation": 0.3, "path": "pets ", **LAZY_LOADING},
    "csv": {
        "source": "csv",
        "validation": 250,
        "path": "labels.tsv",
        "image_column": "file",
        "label_column": "species",
        **LAZY_LOADING,
    },
    "hf": {
        "source": "hf",
        "validation": 0.2,
        "dataset": "ylecun/mnist",
        "image_column": "image",
        "label_column": "label",
        **LAZY_LOADING,
    },
    "webdataset": {
        "source": "webdataset",
        "validation": 0.2,
        "shards": "/data/train-{000..009}.tar",
        "val_shards": "/data/val-{000..001}.tar",
        **LAZY_LOADING,
    },
}
"""One section per source, every key the form writes for it set away from its default."""


@pytest.fixture
def form(qtbot):
    edits: list[str] = []
    widget = DataForm(edits.append)
    widget.edits = edits
    qtbot.addWidget(widget)
    return widget


def _flat(section: dict[str, Any]) -> dict[str, Any]:
    """A section as dotted keys ('augment.flip')."""
    flat = {}
    for key, value in section.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{name}": inner for name, inner in value.items()})
        else:
            flat[key] = value
    return flat


def test_every_data_key_has_a_row_or_is_kept_on_purpose():
    rows = {key for key, _, _ in ROWS}
    assert rows | set(KEPT_KEYS) == {k.name for k in DATA_KEYS}
    assert not rows & set(KEPT_KEYS)


@pytest.mark.parametrize("source", SOURCES)
def test_every_data_setting_round_trips_through_the_form(form, source):
    section = SECTIONS[source]
    parse_data(section, (3, 32, 32))  # a section the project file accepts
    form.show_section(section)
    assert form.section() == section
    assert form.edits == []  # showing a section is not an edit


def test_the_round_trip_sections_move_every_key_of_the_form_off_its_default():
    moved = set()
    for section in SECTIONS.values():
        for key, value in _flat(section).items():
            default = DATA_FIELD[key].default
            if default == BY_INPUT_SIZE or value != default:
                moved.add(key)
    assert moved == {k.name for k in DATA_KEYS} - {"split_seed", "shapes_count", "samples"}


def test_each_row_is_edited_with_its_keys_and_names_its_key(form, qtbot):
    form.show_section(SECTIONS["folder"])
    form.show()
    rotation = form.widget("preprocess.rotation")
    focus(qtbot, rotation)
    keys_to_focus(Qt.Key_Up)
    assert form.edits == ["preprocess.rotation"]
    assert form.section()["preprocess"]["rotation"] == 17.5
    assert not form.widget("augment.flip").isVisibleTo(form)  # in-memory sources only


def test_a_new_source_brings_a_held_out_count_back_to_a_fraction(form):
    form.show_section(SECTIONS["mnist"])
    form.source.setCurrentText("folder")
    assert form.edits == ["source"] and form.section()["validation"] == 0.2


def test_values_a_hand_edited_file_got_wrong_are_shown_as_their_defaults(form):
    form.show_section(
        {"source": "folder", "path": "x", "workers": "many", "preprocess": {"flip": "yes"}}
    )
    section = form.section()
    assert section["workers"] == -1 and section["preprocess"]["flip"] is True
