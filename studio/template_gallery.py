"""The Templates gallery: every bundled network as a thumbnail with its year, size and cost,
searchable,
with what the network introduced; opening one starts a new untitled project from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from runtime.analysis import analyze
from runtime.errors import ConvStudioError
from runtime.format import compact
from runtime.project import load_project
from studio.paths import TEMPLATES
from studio.template_thumbnails import THUMB_H, THUMB_W, thumbnail

PATH_ROLE = Qt.UserRole + 1


@dataclass(frozen=True)
class GalleryEntry:
    """One template as the gallery lists it (figures are the published reference figures)."""

    name: str
    title: str
    year: int
    params: int
    macs: str
    introduced: str
    reference: str
    path: Path

    def caption(self) -> str:
        """Title, year, parameters and multiply-adds, on three lines."""
        return f"{self.title}\n{self.year} · {compact(self.params)} params\n{self.macs} MACs"

    def matches(self, words: list[str]) -> bool:
        """Whether every word occurs in the name, title, year or what it introduced."""
        text = f"{self.name} {self.title} {self.year} {self.introduced}".lower()
        return all(word in text for word in words)


def gallery_entries(folder: Path = TEMPLATES) -> list[GalleryEntry]:
    """Every registered template whose file is bundled, in the registry's (historical) order."""
    from runtime.zoo import TEMPLATES as REGISTRY  # imported on first use: the builders are many
    from runtime.zoo.index import INDEX_PATH, indexed_macs, read_index

    index = read_index(folder.parent / INDEX_PATH.name)  # beside the templates' folder
    entries = []
    for t in REGISTRY.values():
        path = folder / f"{t.name}.json"
        if path.is_file():
            entries.append(
                GalleryEntry(
                    t.name,
                    t.title,
                    t.year,
                    t.params,
                    t.macs or _macs_text(indexed_macs(index, t.name, path), path),
                    t.introduced,
                    t.reference,
                    path,
                )
            )
    return entries


def tooltip(entry: GalleryEntry) -> str:
    """The entry's story, reference, and where its pretrained weights come from (if any)."""
    from runtime.weights.pretrained import pretrained_for

    tip = f"{entry.title} ({entry.year}): {entry.introduced}\n{entry.reference}"
    source = pretrained_for(entry.name)
    if source:
        tip += (
            "\nPretrained weights (download yourself, then Train → Load Weights…):\n"
            f"{source.describe()}"
        )
    return tip


def _macs_text(indexed: int | None, path: Path) -> str:
    """Our own multiply-add count, for a network whose paper published none: from the template
    index when it is current, else analysed now (slow: it probes every layer)."""
    if indexed is not None:
        return compact(indexed)
    try:
        return compact(analyze(load_project(path)).macs)
    except ConvStudioError:
        return "—"


class TemplateGallery(QDialog):
    """Search box, thumbnails and the chosen network's story; `chosen(path)` on Open."""

    chosen = Signal(Path)
    """The template file to start a new project from."""

    def __init__(self, cache_dir: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Project from a Template")
        self.entries = gallery_entries()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, year or idea (e.g. 'residual', 2015)…")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setViewMode(QListView.IconMode)
        self.list.setIconSize(QSize(THUMB_W, THUMB_H))
        self.list.setGridSize(QSize(THUMB_W + 40, THUMB_H + 86))  # room for a two-line title
        self.list.setResizeMode(QListView.Adjust)
        self.list.setMovement(QListView.Static)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.story = QLabel()
        self.story.setWordWrap(True)
        self.story.setMinimumHeight(48)
        self.story.setTextFormat(Qt.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        self.open_button = buttons.button(QDialogButtonBox.Open)
        buttons.accepted.connect(self._open)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.story)
        layout.addWidget(buttons)
        for entry in self.entries:
            item = QListWidgetItem(
                QIcon(QPixmap.fromImage(thumbnail(entry.path, cache_dir))), entry.caption()
            )
            item.setData(PATH_ROLE, str(entry.path))
            item.setToolTip(tooltip(entry))
            item.setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
            self.list.addItem(item)
        self.search.textChanged.connect(self._filter)
        self.list.currentRowChanged.connect(self._describe)
        self.list.itemActivated.connect(lambda _item: self._open())
        self.list.setCurrentRow(0)
        self.resize(1100, 760)

    def shown_names(self) -> list[str]:
        """The names of the templates the search leaves visible, in order."""
        return [e.name for i, e in enumerate(self.entries) if not self.list.item(i).isHidden()]

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        first = None
        for i, entry in enumerate(self.entries):
            hidden = not entry.matches(words)
            self.list.item(i).setHidden(hidden)
            if not hidden and first is None:
                first = i
        self.open_button.setEnabled(first is not None)
        if first is None:
            self.story.setText(f"No template matches '{text.strip()}'.")
        elif self.list.currentItem() is None or self.list.currentItem().isHidden():
            self.list.setCurrentRow(first)
        else:
            self._describe(self.list.currentRow())

    def _describe(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            e = self.entries[row]
            self.story.setText(f"{e.title} ({e.year}): {e.introduced}  —  {e.reference}")

    def _open(self) -> None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return
        self.accept()
        self.chosen.emit(Path(item.data(PATH_ROLE)))
