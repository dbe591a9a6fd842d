"""Screenshots of grouped templates under Xvfb: each template opened in a window of the default size
(90 % of a 1920×1080 screen) and fitted to the view with its groups expanded, then with every group
collapsed and auto-laid out; the analysis table shows its tree by group.

Usage (from the repository root, with Xvfb on :99 at 1920×1080):
    PYTHONPATH=. DISPLAY=:99 python docs/screenshots/groups.py unet googlenet resnet50
writes docs/groups/unet-expanded.png, docs/groups/unet-collapsed.png, and so on.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer

from runtime.groups import groups
from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths

OUT = Path(__file__).resolve().parents[1] / "groups"


def main(names: list[str]) -> None:
    """Open each template in turn; capture it expanded, then collapsed."""
    app = application()
    window = build_window(
        AppPaths.under(tempfile.mkdtemp()), load_project(f"assets/templates/{names[0]}.json")
    )
    window.show()
    window.docks["analysis"].raise_()
    window.analysis_panel.by_group.setChecked(True)
    pending = list(names)
    OUT.mkdir(exist_ok=True)

    def shoot(kind: str) -> None:
        path = OUT / f"{pending[0]}-{kind}.png"
        window.grab().save(str(path))
        print(f"docs/groups/{path.name}: zoom {window.view.transform().m11():.2f}")

    def expanded() -> None:
        shoot("expanded")
        for name in groups(window.doc.project.graph):
            window.doc.set_group_collapsed(name, True)
        window.scene.sync_groups()
        window.editing.auto_layout()  # a collapsed group is laid out as one block
        QTimer.singleShot(1000, collapsed)

    def collapsed() -> None:
        shoot("collapsed")
        pending.pop(0)
        window.doc.undo_stack.setClean()
        if not pending:
            app.quit()
            return
        window.files.open_template(Path(f"assets/templates/{pending[0]}.json"))
        QTimer.singleShot(1200, expanded)

    QTimer.singleShot(1500, expanded)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1:] or ["unet", "googlenet", "resnet50"])
