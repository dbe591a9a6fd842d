"""Declared actions: each one is in exactly one menu, no two share a key, the generated context
menus and the typing guard follow the declarations."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from studio.actions import ACTIONS, MENU_ITEMS, ActionSpec, context_actions, keys_of_text_fields


def _menu_actions(menu: QMenu, path: str, found: dict[str, list[str]]) -> None:
    for action in menu.actions():
        if action.menu() is not None:
            _menu_actions(action.menu(), f"{path}/{action.menu().title()}", found)
        elif action.objectName():
            found.setdefault(action.objectName(), []).append(path)


def test_every_declared_action_is_in_its_menu_once(window):
    found: dict[str, list[str]] = {}
    for action in window.menuBar().actions():
        _menu_actions(action.menu(), action.menu().title(), found)
    declared = {spec.id: spec.menu for spec in MENU_ITEMS if isinstance(spec, ActionSpec)}
    assert {k: v for k, v in found.items() if k in declared} == {
        k: [v] for k, v in declared.items()
    }
    assert [a.menu().title() for a in window.menuBar().actions()][:5] == [
        "&File",
        "&Edit",
        "&View",
        "&Templates",
        "E&xport",
    ]


def test_no_two_actions_share_a_key(window):
    keys = [
        key.toString() for action in window.actions_by_name.values() for key in action.shortcuts()
    ]
    assert len(keys) == len(set(keys)) and "Ctrl+D" in keys


def test_context_menus_and_typing_keys_come_from_the_declarations(window):
    node = [a.objectName() for a in context_actions(window.actions_by_name, "node")]
    canvas = [a.objectName() for a in context_actions(window.actions_by_name, "canvas")]
    assert node == ["cut", "copy", "duplicate", "delete", "group", "ungroup", "save_block"]
    assert canvas == ["paste", "select_all", "auto_layout", "fit"]
    typing = {key.toString() for key in keys_of_text_fields(window.actions_by_name)}
    assert {"Ctrl+D", "Ctrl+L", "Backspace", "Ctrl+Z", "Ctrl+G"} <= typing
    assert QKeySequence("Ctrl+S").toString() not in typing  # saving works while typing
    assert all(spec.handler is not None or spec.id in ("undo", "redo") for spec in ACTIONS.values())
