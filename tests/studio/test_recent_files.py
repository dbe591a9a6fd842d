"""File > Open Recent, driven from the keyboard: newest first, opening, missing files, kept across
windows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from runtime.project import load_project
from tests.studio.conftest import LENET
from tests.studio.helpers import focus


def _two_files(tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    for path, name in ((first, "First"), (second, "Second")):
        project = load_project(LENET)
        project.name = name
        project.save(path)
    return first, second


def _open_recent_menu(window, qtbot) -> QMenu:
    """Alt+F opens the File menu, R its Open Recent submenu; returns the submenu (left open)."""
    focus(qtbot, window.view)
    QTest.keyClick(window, Qt.Key_F, Qt.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=2000)
    file_menu = QApplication.activePopupWidget()
    assert file_menu.title() == "&File"
    QTest.keyClick(file_menu, Qt.Key_R)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not file_menu, timeout=2000)
    return QApplication.activePopupWidget()


def _entries(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions()]


def _choose(menu: QMenu, text: str) -> None:
    """Walk down to the entry with the keyboard and press Return."""
    for _ in range(len(menu.actions()) + 1):
        if menu.activeAction() is not None and menu.activeAction().text() == text:
            break
        QTest.keyClick(menu, Qt.Key_Down)
    assert menu.activeAction().text() == text
    QTest.keyClick(menu, Qt.Key_Return)


def test_recent_files_newest_first_and_opened_from_the_menu(window, tmp_path, qtbot):
    first, second = _two_files(tmp_path)
    assert window.files.open(first) and window.files.open(second)
    menu = _open_recent_menu(window, qtbot)
    assert _entries(menu) == [str(second.resolve()), str(first.resolve())]
    _choose(menu, str(first.resolve()))
    assert (
        window.current_project().name == "First"
        and window.current_project().path == first.resolve()
    )
    assert window.recent_files() == [first.resolve(), second.resolve()]


def test_missing_recent_file_is_explained_and_dropped(window, tmp_path, qtbot):
    first, second = _two_files(tmp_path)
    window.files.open(first)
    window.files.open(second)
    first.unlink()
    messages = []
    window.tell = lambda title, text: messages.append((title, text))
    menu = _open_recent_menu(window, qtbot)
    _choose(menu, str(first.resolve()))
    assert len(messages) == 1
    assert str(first.resolve()) in messages[0][1] and "no longer exists" in messages[0][1]
    assert window.current_project().name == "Second"
    assert window.recent_files() == [second.resolve()]
    menu = _open_recent_menu(window, qtbot)
    assert _entries(menu) == [str(second.resolve())]
    menu.close()


def test_recent_files_survive_a_new_window(make_window, tmp_path, qtbot):
    first, second = _two_files(tmp_path)
    old = make_window()
    old.files.open(first)
    old.files.save_as(second)
    old.close()
    new = make_window()
    assert new.recent_files() == [second.resolve(), first.resolve()]
    menu = _open_recent_menu(new, qtbot)
    assert _entries(menu) == [str(second.resolve()), str(first.resolve())]
    _choose(menu, str(second.resolve()))
    assert new.current_project().path == second.resolve()


def test_empty_recent_menu_says_so(window, qtbot):
    menu = _open_recent_menu(window, qtbot)
    assert _entries(menu) == ["(none)"] and not menu.actions()[0].isEnabled()
    menu.close()


def test_settings_are_isolated_per_test(window, paths):
    assert window.settings.fileName() == str(paths.settings_file)
    assert window.recent_files() == []
