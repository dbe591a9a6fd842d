"""Screenshot of a training run in progress under Xvfb: LeNet-5 on MNIST, feature maps of one layer.

Usage (from the repository root, with Xvfb on :99 and ImageMagick's `import`):
    DISPLAY=:99 python docs/screenshots/training.py conv2 9 docs/screenshot-training.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from PySide6.QtCore import QTimer

from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths


def main(node: str, seconds: str, out: str) -> None:
    """Start training with `node` selected, capture the screen after `seconds`, then stop."""
    app = application()
    window = build_window(
        AppPaths.under(tempfile.mkdtemp()), load_project("assets/templates/lenet5.json")
    )
    window.resize(1920, 1080)
    window.move(0, 0)
    window.show()
    window.view.fit()
    ui = window.training_ui

    def start() -> None:
        window.scene.select_nodes([window.doc.project.graph.by_name(node).id])
        ui.start_action.trigger()
        QTimer.singleShot(int(float(seconds) * 1000), shoot)

    def shoot() -> None:
        subprocess.run(["import", "-window", "root", out], check=True)
        ui.controller.stop()
        QTimer.singleShot(1500, finish)

    def finish() -> None:
        ui.controller.shutdown()
        window.doc.undo_stack.setClean()
        app.quit()

    QTimer.singleShot(1500, start)
    app.exec()


if __name__ == "__main__":  # the training process is spawned: it must not run this again
    main(*sys.argv[1:4])
