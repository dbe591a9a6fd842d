"""Screenshot of the data panel on an image folder under Xvfb: counts per class and a preprocessed
sample.

Usage (from the repository root, with Xvfb on :99 and ImageMagick's `import`):
    DISPLAY=:99 python docs/screenshots/data.py FOLDER docs/screenshot-data.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from PySide6.QtCore import Qt, QTimer

from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths


def main(folder: str, out: str) -> None:
    """Open ResNet-18 on `folder`, bring the data panel forward, capture the screen once the sample
    shows."""
    app = application()
    project = load_project("assets/templates/resnet18.json")
    project.data = {
        "source": "folder",
        "path": folder,
        "preprocess": {"jitter": 0.3, "rotation": 10},
    }
    window = build_window(AppPaths.under(tempfile.mkdtemp()), project)
    window.resize(1920, 1080)
    window.move(0, 0)
    window.show()
    window.docks["training_data"].raise_()
    window.resizeDocks([window.docks["training_data"]], [620], Qt.Orientation.Vertical)
    panel = window.training_ui.data

    def wait() -> None:
        if panel.busy() or panel.sample is None:
            QTimer.singleShot(200, wait)
            return
        QTimer.singleShot(500, shoot)

    def shoot() -> None:
        subprocess.run(["import", "-window", "root", out], check=True)
        app.quit()

    QTimer.singleShot(500, wait)
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:3])
