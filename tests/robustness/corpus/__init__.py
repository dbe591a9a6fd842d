"""Generators of hostile and careless inputs, each paired with the commands it is fed to.

Nothing here is a stored blob: every file is written by code at test time, into one folder per case.
A case is refused (exit 1, one line) unless it is marked `accepted`: hostile strings that are valid
input, whose exported code must import without running anything.

One module per family of inputs: `builders` (the Case record, the base project, writers),
`project_files` (every command), `train` (settings sections), `data` (data files and images),
`weights` (weight files), `export` (injected strings, a user's module) and `user_blocks`
(blocks embedded in project files). This module gathers
the names that `cases.py` and the tests use.
"""

from tests.robustness.corpus.builders import HUGE, MARKER, Case, Writer, tiny_project
from tests.robustness.corpus.data import _png_bomb, _png_small, data_files, idx_header
from tests.robustness.corpus.export import USER_MODULE, injection_strings
from tests.robustness.corpus.project_files import (
    bomb_project_files,
    make_special,
    number_files,
    project_files,
    special_paths,
)
from tests.robustness.corpus.train import data_settings, training_settings
from tests.robustness.corpus.user_blocks import user_block_files, user_block_injections
from tests.robustness.corpus.weights import evil_pickle, object_archive

__all__ = [
    "HUGE",
    "MARKER",
    "USER_MODULE",
    "Case",
    "Writer",
    "_png_bomb",
    "_png_small",
    "bomb_project_files",
    "data_files",
    "data_settings",
    "evil_pickle",
    "idx_header",
    "injection_strings",
    "make_special",
    "number_files",
    "object_archive",
    "project_files",
    "special_paths",
    "tiny_project",
    "training_settings",
    "user_block_files",
    "user_block_injections",
]
