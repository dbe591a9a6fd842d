"""Screenshots of a grouped template under Xvfb: its groups expanded, then every group collapsed.

Usage (from the repository root, with Xvfb on :99 and ImageMagick's `import`):
    DISPLAY=:99 python docs/screenshots/groups.py resnet50 docs/groups/resnet50 [GROUP]
writes docs/groups/resnet50-expanded.png (centred on GROUP when given) and …-collapsed.png.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from PySide6.QtCore import Qt, QTimer

from runtime.groups import groups
from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths


def main(template: str, out: str, centre: str = "") -> None:
    """Show the window at 1920×1080 on `template`; capture it expanded, then collapsed."""
    app = application()
    window = build_window(
        AppPaths.under(tempfile.mkdtemp()), load_project(f"assets/templates/{template}.json")
    )
    window.resize(1920, 1080)
    window.move(0, 0)
    window.show()
    window.analysis_panel.by_group.setChecked(True)

    def expanded() -> None:
        for key, dock in window.docks.items():  # only the analysis table below the canvas
            if key != "analysis" and window.dockWidgetArea(dock) == Qt.BottomDockWidgetArea:
                dock.close()
        window.resizeDocks([window.docks["analysis"]], [300], Qt.Vertical)
        window.view.fit()
        if centre:
            window.view.centerOn(window.scene.groups[centre].frame_rect().center())
        QTimer.singleShot(800, lambda: shoot(f"{out}-expanded.png", collapse))

    def collapse() -> None:
        for name in groups(window.doc.project.graph):
            window.doc.set_group_collapsed(name, True)
        window.scene.sync_groups()
        window.editing.auto_layout()  # a collapsed group is laid out as one block
        QTimer.singleShot(800, lambda: shoot(f"{out}-collapsed.png", finish))

    def shoot(path: str, then) -> None:
        subprocess.run(["import", "-window", "root", path], check=True)
        then()

    def finish() -> None:
        window.doc.undo_stack.setClean()
        app.quit()

    QTimer.singleShot(1500, expanded)
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:4])
