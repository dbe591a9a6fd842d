"""Indexes of labelled image files: class folders (ImageNet layout, train/val) and CSV/TSV label
files."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from runtime.data.cache import cache_key, read_cached, write_cached
from runtime.data.decode import EXTENSIONS
from runtime.data.errors import DataError

Progress = Callable[[int, str], None]
"""Called with (files found so far, what is being scanned) during long scans."""
INDEX_VERSION = 1


@dataclass(frozen=True)
class FileIndex:
    """Image files with integer labels; paths are kept in one array so worker processes share
    them."""

    root: Path
    paths: np.ndarray
    """Relative paths as one NumPy string array (no per-file Python objects to copy into
    workers)."""
    labels: np.ndarray
    classes: tuple[str, ...]
    name: str

    def __len__(self) -> int:
        return len(self.labels)

    def path(self, i: int) -> Path:
        """The absolute path of file i."""
        return self.root / str(self.paths[i])

    def subset(self, index: np.ndarray) -> "FileIndex":
        """The files at `index`, same classes."""
        return FileIndex(self.root, self.paths[index], self.labels[index], self.classes, self.name)

    def counts(self) -> np.ndarray:
        """Files per class."""
        return np.bincount(self.labels, minlength=len(self.classes))


@dataclass(frozen=True)
class FolderLayout:
    """A folder's index and, when it has train/ and val/ sub-folders, the validation files apart."""

    train: FileIndex
    val: FileIndex | None


def _walk(
    folder: Path, progress: Progress | None, found: list[int]
) -> tuple[list[str], list[tuple[str, int]]]:
    """Image files under `folder` (relative, sorted) and (sub-folder, mtime_ns) of every folder
    seen."""
    files: list[str] = []
    folders: list[tuple[str, int]] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        here = folder / rel if rel else folder
        try:
            folders.append((rel, here.stat().st_mtime_ns))
            entries = list(os.scandir(here))
        except OSError as exc:
            raise DataError(here, f"cannot be listed: {exc.strerror or exc}") from None
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir():
                stack.append(name)
            elif os.path.splitext(entry.name)[1].lower() in EXTENSIONS:
                files.append(name)
        found[0] += len(entries)
        if progress is not None:
            progress(found[0], str(here))
    files.sort()
    return files, folders


def _unchanged(root: Path, folders: list) -> bool:
    """Whether every folder of a cached scan still has the same modification time (no file added or
    gone)."""
    try:
        return all(
            (root / rel if rel else root).stat().st_mtime_ns == mtime for rel, mtime in folders
        )
    except OSError:
        return False


def _scan(root: Path, progress: Progress | None) -> list[str]:
    """Image files under `root`, from the cache when no folder changed since it was written."""
    key = cache_key("folder-index", INDEX_VERSION, str(root.resolve()))
    cached = read_cached("index", key)
    if isinstance(cached, dict) and _unchanged(root, cached.get("folders", [])):
        return cached["files"]
    files, folders = _walk(root, progress, [0])
    write_cached("index", key, {"files": files, "folders": folders})
    return files


def _labelled(
    root: Path, files: list[str], classes: tuple[str, ...] | None, name: str
) -> FileIndex:
    """Label each file by its top-level folder (files directly in `root` are ignored)."""
    tops = [f.split("/", 1)[0] if "/" in f else "" for f in files]
    names = classes or tuple(sorted({t for t in tops if t}))
    lookup = {c: i for i, c in enumerate(names)}
    keep = [i for i, t in enumerate(tops) if t in lookup]
    if not keep:
        raise DataError(
            root,
            "holds no class sub-folders with images (expected one sub-folder of PNG, "
            "JPEG, BMP, WebP or TIFF images per class)",
        )
    paths = np.array([files[i] for i in keep])
    labels = np.array([lookup[tops[i]] for i in keep], dtype=np.int64)
    return FileIndex(root, paths, labels, names, name)


def _split_folder(root: Path, names: tuple[str, ...]) -> Path | None:
    """The first existing sub-folder among `names`."""
    return next((root / n for n in names if (root / n).is_dir()), None)


def scan_folder(root: str | Path, progress: Progress | None = None) -> FolderLayout:
    """Index a folder of class sub-folders (nested folders below a class belong to it).

    When `root` has train/ and val/ (or validation/) sub-folders, they are indexed apart and their
    classes are the union of both."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(root, "is not a folder" if root.exists() else "does not exist")
    train_dir = _split_folder(root, ("train", "training"))
    val_dir = _split_folder(root, ("val", "valid", "validation"))
    if train_dir is not None and val_dir is not None:
        train_files, val_files = _scan(train_dir, progress), _scan(val_dir, progress)
        classes = tuple(sorted({f.split("/", 1)[0] for f in train_files + val_files if "/" in f}))
        layout = FolderLayout(
            _labelled(train_dir, train_files, classes, root.name),
            _labelled(val_dir, val_files, classes, root.name),
        )
    else:
        layout = FolderLayout(_labelled(root, _scan(root, progress), None, root.name), None)
    _need_two_classes(layout.train, root)
    return layout


def _need_two_classes(index: FileIndex, where: Path) -> None:
    """A classifier needs at least two classes with images."""
    present = [c for c, n in zip(index.classes, index.counts()) if n]
    if len(present) < 2:
        raise DataError(
            where,
            f"holds only one class ('{present[0]}'); a classifier needs at least two "
            "sub-folders of images",
        )


PATH_NAMES = ("path", "file", "filename", "image", "image_path", "img", "filepath")
LABEL_NAMES = ("label", "class", "category", "target", "y", "class_name")


def _guess(
    header: list[str], wanted: str, names: tuple[str, ...], what: str, where: Path, taken: int = -1
) -> int:
    """The column index named `wanted`, else the first header that looks like `what`, else the only
    column left of two."""
    lowered = [h.strip().lower() for h in header]
    if wanted:
        if wanted.lower() not in lowered:
            raise DataError(where, f"has no column '{wanted}' (columns: {', '.join(header)})")
        return lowered.index(wanted.lower())
    for n in names:
        if n in lowered:
            return lowered.index(n)
    if taken >= 0 and len(header) == 2:
        return 1 - taken
    raise DataError(
        where,
        f"has no {what} column; name it with data setting "
        f"'{'image_column' if what == 'path' else 'label_column'}' "
        f"(columns: {', '.join(header)})",
    )


def read_label_file(path: str | Path, path_column: str = "", label_column: str = "") -> FileIndex:
    """A CSV (comma) or TSV (tab) file with a header row, a path column and a label column.

    Paths are relative to the file's folder; labels may be names or numbers (sorted as numbers)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "is not a file" if path.exists() else "does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, f"cannot be read as UTF-8 text ({exc})") from None
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in text.split("\n", 1)[0] else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if len(rows) < 2:
        raise DataError(path, "needs a header row and at least one row of path and label")
    header = rows[0]
    pc = _guess(header, path_column, PATH_NAMES, "path", path)
    lc = _guess(header, label_column, LABEL_NAMES, "label", path, pc)
    files, names = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(pc, lc):
            raise DataError(
                path, f"line {line} has {len(row)} columns; expected at least {max(pc, lc) + 1}"
            )
        rel = row[pc].strip()
        if not rel or "\x00" in rel:
            raise DataError(path, f"line {line} has an empty path")
        files.append(rel)
        names.append(row[lc].strip())
    numeric = all(n.lstrip("-").isdigit() for n in names)
    classes = tuple(sorted(set(names), key=(lambda n: int(n)) if numeric else None))
    lookup = {c: i for i, c in enumerate(classes)}
    index = FileIndex(
        path.parent,
        np.array(files),
        np.array([lookup[n] for n in names], dtype=np.int64),
        classes,
        path.stem,
    )
    _need_two_classes(index, path)
    return index
