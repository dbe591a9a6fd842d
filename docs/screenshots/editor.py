"""Screenshot of the editor under Xvfb: open a template, select a node, centre another, capture the
screen.

Usage (from the repository root, with Xvfb on :99 and ImageMagick's `import`), as one command:
    DISPLAY=:99 python docs/screenshots/editor.py
        resnet20_cifar layer1_2 layer2_0_bn1 docs/screenshot-editor.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from PySide6.QtCore import QTimer

from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths


def main(template: str, selected: str, centre: str, out: str) -> None:
    """Show the window at 1920×1080 on `template`, then capture the whole screen into `out`."""
    app = application()
    window = build_window(
        AppPaths.under(tempfile.mkdtemp()), load_project(f"assets/templates/{template}.json")
    )
    window.resize(1920, 1080)
    window.move(0, 0)
    window.show()
    window.view.fit()
    graph = window.doc.project.graph

    def arrange() -> None:
        window.scene.select_nodes([graph.by_name(selected).id])
        window.view.centerOn(window.scene.nodes[graph.by_name(centre).id])
        QTimer.singleShot(800, shoot)

    def shoot() -> None:
        subprocess.run(["import", "-window", "root", out], check=True)
        window.doc.undo_stack.setClean()
        app.quit()

    QTimer.singleShot(1500, arrange)
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:5])
