"""Every action of the editor, declared once: id, text, shortcuts, menu, handler, whether its keys
still work while the user types into a text field, and whether the canvas context menu offers it.

The menu bar, the canvas context menu and the typing guard (studio.shortcuts) are generated from
MENU_ITEMS; nothing else repeats an action's name, text or keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol, Union

from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QWidget

if TYPE_CHECKING:
    from studio.canvas.scene import GraphScene
    from studio.canvas.view import GraphView
    from studio.editing import Editing
    from studio.files import Files
    from studio.grouping import Grouping
    from studio.user_blocks import UserBlocks

Key = Union[str, QKeySequence.StandardKey]
"""A shortcut: portable text such as "Ctrl+D", or one of Qt's standard keys."""


class Editor(Protocol):
    """What action handlers reach: the edit and file commands, the canvas, and the window's
    layout."""

    editing: "Editing"
    grouping: "Grouping"
    files: "Files"
    user_blocks: "UserBlocks"
    view: "GraphView"
    scene: "GraphScene"

    def close(self) -> bool:
        """Close the window (asking about unsaved changes)."""

    def reset_layout(self) -> None:
        """Put every panel back where a first start puts it."""

    def recent_files(self) -> list[Path]:
        """Recently opened or saved files, newest first."""

    def open_template_gallery(self) -> object:
        """Show the Templates gallery (a new untitled project from the template chosen there)."""

    def findChildren(self, kind: type) -> list[Any]:
        """Qt's child lookup (for the dock widgets)."""


@dataclass(frozen=True)
class ActionSpec:
    """One action: where it is listed, its keys, and what it does."""

    id: str
    text: str
    menu: str
    """Menu path, e.g. "&Edit" or "&View/&Shade Nodes By"."""
    handler: Callable[[Editor], object] | None
    """Called with the editor when triggered (None: undo and redo, which the undo stack
    provides)."""
    shortcuts: tuple[Key, ...] = ()
    while_typing: bool = True
    """False: while a text field has focus, these keys are the field's (Delete deletes a
    character)."""
    section: int = 0
    """Separators fall between sections of one menu."""
    context: str = ""
    """"node" or "canvas": also offered by the canvas context menu on a node, or on empty canvas."""
    group: str = ""
    """Checkable actions of one group exclude each other."""
    checked: bool = False


@dataclass(frozen=True)
class Submenu:
    """A menu placed at this point of its parent; `fill` rebuilds its entries each time it opens."""

    path: str
    section: int = 0
    fill: Callable[[Editor, QMenu], None] | None = None


def _fill_recent(editor: Editor, menu: QMenu) -> None:
    menu.clear()
    for path in editor.recent_files():
        menu.addAction(str(path), partial(editor.files.open_recent, path))
    if menu.isEmpty():
        menu.addAction("(none)").setEnabled(False)


def _fill_panels(editor: Editor, menu: QMenu) -> None:
    menu.clear()
    for dock in editor.findChildren(QDockWidget):
        menu.addAction(dock.toggleViewAction())
    menu.addSeparator()
    menu.addAction("&Reset Layout", editor.reset_layout)


_STD = QKeySequence.StandardKey
FILE, EDIT, VIEW, EXPORT = "&File", "&Edit", "&View", "E&xport"
SHADE = f"{VIEW}/&Shade Nodes By"

MENU_ITEMS: tuple[ActionSpec | Submenu, ...] = (
    ActionSpec("new", "&New", FILE, lambda e: e.files.new(), (_STD.New,)),
    ActionSpec("open", "&Open…", FILE, lambda e: e.files.open(), (_STD.Open,)),
    Submenu(f"{FILE}/Open &Recent", fill=_fill_recent),
    ActionSpec("save", "&Save", FILE, lambda e: e.files.save(), (_STD.Save,), section=1),
    ActionSpec(
        "save_as", "Save &As…", FILE, lambda e: e.files.save_as(), (_STD.SaveAs,), section=1
    ),
    ActionSpec("quit", "&Quit", FILE, lambda e: e.close(), (_STD.Quit,), section=2),
    ActionSpec("undo", "&Undo", EDIT, None, (_STD.Undo,), while_typing=False),
    ActionSpec("redo", "&Redo", EDIT, None, ("Ctrl+Shift+Z", "Ctrl+Y"), while_typing=False),
    ActionSpec("cut", "Cu&t", EDIT, lambda e: e.editing.cut(), (_STD.Cut,), False, 1, "node"),
    ActionSpec("copy", "&Copy", EDIT, lambda e: e.editing.copy(), (_STD.Copy,), False, 1, "node"),
    ActionSpec(
        "paste", "&Paste", EDIT, lambda e: e.editing.paste(), (_STD.Paste,), False, 1, "canvas"
    ),
    ActionSpec(
        "duplicate",
        "&Duplicate",
        EDIT,
        lambda e: e.editing.duplicate(),
        ("Ctrl+D",),
        False,
        1,
        "node",
    ),
    ActionSpec(
        "delete",
        "De&lete",
        EDIT,
        lambda e: e.editing.delete(),
        (_STD.Delete, "Backspace"),
        False,
        1,
        "node",
    ),
    ActionSpec(
        "select_all",
        "Select &All",
        EDIT,
        lambda e: e.editing.select_all(),
        (_STD.SelectAll,),
        False,
        1,
        "canvas",
    ),
    ActionSpec(
        "auto_layout",
        "Auto-&layout",
        EDIT,
        lambda e: e.editing.auto_layout(),
        ("Ctrl+L",),
        False,
        2,
        "canvas",
    ),
    ActionSpec(
        "group",
        "&Group Selection",
        EDIT,
        lambda e: e.grouping.group_selection(),
        ("Ctrl+G",),
        False,
        3,
        "node",
    ),
    ActionSpec(
        "ungroup",
        "U&ngroup",
        EDIT,
        lambda e: e.grouping.ungroup_selection(),
        ("Ctrl+Shift+G",),
        False,
        3,
        "node",
    ),
    ActionSpec(
        "save_block",
        "Save Selection as &Block…",
        EDIT,
        lambda e: e.user_blocks.save_selection(),
        ("Ctrl+Shift+B",),
        False,
        3,
        "node",
    ),
    ActionSpec(
        "flow_down",
        "Lay Out Top to &Bottom",
        VIEW,
        lambda e: e.editing.set_direction("down"),
        (),
        False,
        2,
    ),
    ActionSpec(
        "flow_right",
        "Lay Out Left to &Right",
        VIEW,
        lambda e: e.editing.set_direction("right"),
        (),
        False,
        2,
    ),
    ActionSpec(
        "fit", "&Fit to View", VIEW, lambda e: e.view.fit(), ("Ctrl+0",), False, context="canvas"
    ),
    ActionSpec(
        "zoom_in", "Zoom &In", VIEW, lambda e: e.view.zoom(1.25), (_STD.ZoomIn, "Ctrl+="), False
    ),
    ActionSpec("zoom_out", "Zoom &Out", VIEW, lambda e: e.view.zoom(0.8), (_STD.ZoomOut,), False),
    Submenu(SHADE, section=1),
    ActionSpec(
        "shade_none",
        "Nothing",
        SHADE,
        lambda e: e.scene.set_shade_mode("none"),
        group="shade",
        checked=True,
    ),
    ActionSpec(
        "shade_params",
        "Share of Parameters",
        SHADE,
        lambda e: e.scene.set_shade_mode("params"),
        group="shade",
    ),
    ActionSpec(
        "shade_macs",
        "Share of Multiply-Adds",
        SHADE,
        lambda e: e.scene.set_shade_mode("macs"),
        group="shade",
    ),
    Submenu(f"{VIEW}/&Panels", section=2, fill=_fill_panels),
    ActionSpec(
        "template_gallery",
        "&Gallery…",
        "&Templates",
        lambda e: e.open_template_gallery(),
        ("Ctrl+Shift+N",),
    ),
    ActionSpec(
        "export_python", "&Python Code…", EXPORT, lambda e: e.files.export("python"), ("Ctrl+E",)
    ),
    ActionSpec("export_onnx", "&ONNX…", EXPORT, lambda e: e.files.export("onnx")),
    ActionSpec("export_png", "Graph as P&NG…", EXPORT, lambda e: e.files.export("png")),
    ActionSpec("export_svg", "Graph as &SVG…", EXPORT, lambda e: e.files.export("svg")),
)
"""The editor's menus, in order."""

ACTIONS: dict[str, ActionSpec] = {
    item.id: item for item in MENU_ITEMS if isinstance(item, ActionSpec)
}
"""Every action by id."""


def _key(key: Key) -> QKeySequence:
    return QKeySequence(key)


def build_actions(editor: Editor, owner: QWidget, undo_stack: QUndoStack) -> dict[str, QAction]:
    """One QAction per declared action (undo and redo come from the undo stack), by id."""
    actions: dict[str, QAction] = {}
    groups: dict[str, QActionGroup] = {}
    for spec in ACTIONS.values():
        if spec.id == "undo":
            action = undo_stack.createUndoAction(owner, spec.text)
        elif spec.id == "redo":
            action = undo_stack.createRedoAction(owner, spec.text)
        else:
            action = QAction(spec.text, owner)
            handler = spec.handler
            assert handler is not None, f"action {spec.id} has no handler"
            action.triggered.connect(lambda checked=False, run=handler: run(editor))
        action.setObjectName(spec.id)
        action.setShortcuts([_key(k) for k in spec.shortcuts])
        if spec.group:
            action.setCheckable(True)
            action.setChecked(spec.checked)
            groups.setdefault(spec.group, QActionGroup(owner)).addAction(action)
        actions[spec.id] = action
    return actions


def build_menus(editor: Editor, bar: QMenuBar, actions: dict[str, QAction]) -> dict[str, QMenu]:
    """Fill the menu bar from MENU_ITEMS; returns the menus by path."""
    menus: dict[str, QMenu] = {}
    last_section: dict[str, int] = {}

    def place(path: str, section: int) -> QMenu:
        """The menu at `path` (created on first use), after a separator when a new section
        begins."""
        parent_path, _, title = path.rpartition("/")
        if path in menus:
            menu = menus[path]
        else:
            parent = menus[parent_path] if parent_path else bar
            if parent_path:
                _separate(menus[parent_path], parent_path, section)
            menu = parent.addMenu(title)
            menus[path] = menu
        return menu

    def _separate(menu: QMenu, path: str, section: int) -> None:
        if path in last_section and last_section[path] != section:
            menu.addSeparator()
        last_section[path] = section

    for item in MENU_ITEMS:
        if isinstance(item, Submenu):
            menu = place(item.path, item.section)
            if item.fill is not None:
                menu.aboutToShow.connect(partial(item.fill, editor, menu))
            continue
        menu = place(item.menu, 0)
        _separate(menu, item.menu, item.section)
        menu.addAction(actions[item.id])
    return menus


def context_actions(actions: dict[str, QAction], where: str) -> list[QAction]:
    """The actions the canvas context menu offers on a node ("node") or on empty canvas
    ("canvas")."""
    return [actions[spec.id] for spec in ACTIONS.values() if spec.context == where]


def keys_of_text_fields(actions: dict[str, QAction]) -> list[QKeySequence]:
    """Every key of the actions that do not apply while typing (those keys belong to a focused
    field)."""
    return [
        key
        for spec in ACTIONS.values()
        if not spec.while_typing and spec.id in actions
        for key in actions[spec.id].shortcuts()
    ]
