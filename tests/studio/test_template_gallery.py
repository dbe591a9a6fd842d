"""The Templates gallery, driven with keys: search, thumbnails drawn from the graph and cached, the
figures and story of each network, and opening one as an untitled project."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from studio.template_gallery import TemplateGallery, gallery_entries
from tests.studio.helpers import focus


def _open_gallery(qtbot, window) -> TemplateGallery:
    focus(qtbot, window.view)
    QTest.keyClick(window.view, Qt.Key_N, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), TemplateGallery), timeout=10000
    )
    return QApplication.activeModalWidget()


def test_search_then_open_a_template_from_the_gallery(window, qtbot):
    gallery = _open_gallery(qtbot, window)
    assert len(gallery.entries) >= 30 and len(gallery.shown_names()) == len(gallery.entries)
    first = gallery.list.item(0)
    assert not first.icon().isNull() and "params" in first.text() and "MACs" in first.text()
    qtbot.waitUntil(lambda: gallery.search.hasFocus() or gallery.list.hasFocus(), timeout=2000)
    gallery.search.setFocus()
    QTest.keyClicks(gallery.search, "residual")
    shown = gallery.shown_names()
    assert "resnet18" in shown and "lenet5" not in shown
    by_name = {e.name: e for e in gallery.entries}
    assert all(by_name[name].matches(["residual"]) for name in shown)
    QTest.keyClicks(gallery.search, " zzzz")
    assert gallery.shown_names() == [] and "No template matches" in gallery.story.text()
    gallery.search.clear()
    QTest.keyClicks(gallery.search, "ResNet-18")
    assert gallery.shown_names()[0] == "resnet18"
    assert "2015" in gallery.story.text() and "residual" in gallery.story.text()
    QTest.keyClick(gallery.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.doc.project.name == "ResNet-18", timeout=5000)
    assert window.doc.project.path is None and not gallery.isVisible()


def test_thumbnails_are_cached_as_files(window, qtbot):
    gallery = _open_gallery(qtbot, window)
    cached = list((window.paths.data_dir / "thumbnails").glob("*.png"))
    assert len(cached) == len(gallery.entries) == len(gallery_entries())
    gallery.reject()


def test_gallery_takes_computed_figures_from_the_index(monkeypatch):
    """Networks whose paper gave no MACs show the indexed figure; nothing is analysed on open."""
    import studio.template_gallery as gallery_module

    def refuse(*_args, **_kwargs):
        raise AssertionError("the gallery analysed a template although the index is current")

    monkeypatch.setattr(gallery_module, "analyze", refuse)
    entries = gallery_entries()
    assert entries and all(e.macs and e.macs != "—" for e in entries)
