"""One way to write each figure: compact counts, exact counts, shapes and sizes."""

from __future__ import annotations

import pytest

from runtime.analysis import analyze
from runtime.format import bytes_text, compact, count_text, shape_text
from runtime.project import load_project
from runtime.report import summary_table
from tests.studio.conftest import LENET


@pytest.mark.parametrize(
    "value, text",
    [
        (0, "0"),
        (999, "999"),
        (117_600, "118 K"),
        (416_520, "417 K"),
        (12_345_678, "12.35 M"),
        (4_089_184_256, "4.09 G"),
        (2.5e12, "2.50 T"),
        (-1500, "-1.50 K"),
    ],
)
def test_compact(value, text):
    assert compact(value) == text


def test_exact_counts_shapes_and_bytes():
    assert count_text(61706) == "61,706"
    assert shape_text((64, 56, 56)) == "64×56×56"
    assert (
        bytes_text(1536) == "1.5 KiB"
        and bytes_text(3 * 2**20) == "3.0 MiB"
        and bytes_text(12) == "12 B"
    )


def test_cli_summary_writes_figures_with_the_shared_format():
    analysis = analyze(load_project(LENET))
    text = summary_table(analysis, load_project(LENET).graph)
    assert (
        f"({compact(analysis.macs)} MACs" in text and bytes_text(analysis.activation_bytes) in text
    )
