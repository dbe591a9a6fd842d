"""Screenshots of whole networks under Xvfb: each template opened in a window of the default size
(90 % of a 1920×1080 screen) and fitted to the view, as a user first sees it.

Usage (from the repository root, with Xvfb on :99 at 1920×1080):
    PYTHONPATH=. DISPLAY=:99 python docs/screenshots/networks.py unet googlenet resnet50
writes docs/screenshot-unet.png, docs/screenshot-googlenet.png, docs/screenshot-resnet50.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths

DOCS = Path(__file__).resolve().parents[1]


def main(names: list[str]) -> None:
    """Open each template in turn, let the window settle, save its picture."""
    app = application()
    window = build_window(
        AppPaths.under(tempfile.mkdtemp()), load_project(f"assets/templates/{names[0]}.json")
    )
    window.show()
    pending = list(names)

    def shoot() -> None:
        name = pending.pop(0)
        window.grab().save(str(DOCS / f"screenshot-{name}.png"))
        print(f"docs/screenshot-{name}.png: zoom {window.view.transform().m11():.2f}")
        if not pending:
            window.doc.undo_stack.setClean()
            app.quit()
            return
        window.files.open_template(Path(f"assets/templates/{pending[0]}.json"))
        QTimer.singleShot(1200, shoot)

    QTimer.singleShot(1500, shoot)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1:] or ["unet", "googlenet", "resnet50"])
