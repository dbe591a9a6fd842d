"""Screenshots of "Your own blocks" under Xvfb: U-Net's `bottom` group saved as a block through
the group menu's dialog (with `width` exposed), then the palette's "My blocks" with the entry's
tooltip, and the block placed in the network with its width in the inspector.

Usage (from the repository root, with Xvfb on :42 at 1920×1080):
    PYTHONPATH=. DISPLAY=:42 python docs/screenshots/user_blocks.py
writes docs/user_blocks/dialog.png, docs/user_blocks/palette.png and docs/user_blocks/placed.png.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QToolTip

from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths
from studio.user_block_dialog import EXPOSE, NAME

OUT = Path(__file__).resolve().parents[1] / "user_blocks"


def main() -> None:
    """Open U-Net, save its bottom group as a block, capture the dialog, palette and canvas."""
    app = application()
    window = build_window(
        AppPaths.under(tempfile.mkdtemp()), load_project("assets/templates/unet.json")
    )
    window.show()
    OUT.mkdir(exist_ok=True)

    def screen(name: str) -> None:
        app.primaryScreen().grabWindow(0).save(str(OUT / name))
        print(f"docs/user_blocks/{name}")

    def dialog() -> None:
        dialog = window.user_blocks.save_group("bottom")
        dialog.name.setText("Double Conv")
        dialog.description.setPlainText("Two 3×3 convolutions, each followed by ReLU (U-Net).")
        for layer in ("bottom_conv1", "bottom_conv2"):
            row = dialog.row_of(layer, "out_channels")
            dialog.table.item(row, EXPOSE).setCheckState(Qt.Checked)
            dialog.table.item(row, NAME).setText("width")
        QTimer.singleShot(800, lambda: screen("dialog.png"))
        QTimer.singleShot(
            1200, lambda: (dialog.save_button.click(), QTimer.singleShot(1200, palette))
        )

    def palette() -> None:
        tree = window.palette.tree
        entry = window.palette.user_group.child(0)
        tree.scrollToItem(entry)
        tree.setCurrentItem(entry)
        rect = tree.visualItemRect(entry)
        QToolTip.showText(tree.viewport().mapToGlobal(rect.center()), entry.toolTip(0), tree)
        QTimer.singleShot(800, lambda: screen("palette.png"))
        QTimer.singleShot(1200, placed)

    def placed() -> None:
        QToolTip.hideText()
        graph = window.doc.project.graph
        node = next(n for n in graph.nodes.values() if n.block.startswith("user_"))
        window.select_nodes([node.id], centre=True)
        QTimer.singleShot(800, lambda: (screen("placed.png"), app.quit()))

    QTimer.singleShot(1500, dialog)
    app.exec()
    window.doc.undo_stack.setClean()


if __name__ == "__main__":
    main()
