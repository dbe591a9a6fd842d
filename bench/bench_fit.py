"""Fit-to-view legibility: every template of up to 60 nodes opened in a window of the default size
(90 % of a 1920×1080 screen, offscreen), fitted to the view; prints the zoom and the height on
screen of the block titles (and of the group names of a grouped template) against the 7 px target
(ResNet-50 first, grouped by stage with its stages expanded: the issue's named case).

Usage: python bench/bench_fit.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QFontInfo  # noqa: E402

from runtime.zoo import TEMPLATES  # noqa: E402
from studio.app import application, build_window  # noqa: E402
from studio.canvas import style  # noqa: E402
from studio.canvas.group_item import _TITLE as _GROUP_TITLE  # noqa: E402
from studio.canvas.group_item import TITLE_H  # noqa: E402
from studio.canvas.items import _TITLE  # noqa: E402
from studio.paths import AppPaths  # noqa: E402

TARGET_PX = 7.0
DEFAULT_WINDOW = (1728, 972)
"""90 % of a 1920×1080 screen."""


def title_height(zoom: float) -> float:
    """On-screen pixel height of a block title at `zoom` (0 where titles are not drawn)."""
    if zoom >= style.OVERVIEW_BELOW:
        return QFontInfo(_TITLE).pixelSize() * zoom
    return style.TITLE_MIN_PX if zoom >= style.TITLES_FROM else 0.0


def group_title_height(zoom: float) -> float:
    """On-screen pixel height of a group frame's name at `zoom` (studio.canvas.overview draws it
    on a tab at least as large as the block titles)."""
    if zoom >= style.OVERVIEW_BELOW:
        return QFontInfo(_GROUP_TITLE).pixelSize() * zoom
    if zoom < style.TITLES_FROM:
        return 0.0
    return max(TITLE_H - 5, style.TITLE_MIN_PX / zoom) * zoom


def main() -> None:
    """Open each template, fit, print zoom and title height against the target."""
    app = application()
    names = ["resnet50"] + [n for n in TEMPLATES if n != "resnet50"]
    window = build_window(AppPaths.under(tempfile.mkdtemp()), TEMPLATES["resnet50"].build())
    window.resize(*DEFAULT_WINDOW)
    window.show()
    app.processEvents()
    window.reset_layout()
    window._size_docks()
    app.processEvents()
    view = window.view.viewport()
    print(
        f"canvas {view.width()}×{view.height()} px in a "
        f"{DEFAULT_WINDOW[0]}×{DEFAULT_WINDOW[1]} window"
    )
    worst = None
    for name in names:
        project = TEMPLATES[name].build()
        if len(project.graph.nodes) > 60:
            continue
        window.doc.replace(project)
        app.processEvents()
        window.view.fit()
        zoom = window.view.transform().m11()
        px = title_height(zoom)
        grouped = bool(window.scene.groups)
        group_px = group_title_height(zoom) if grouped else px
        px = min(px, group_px)
        worst = px if worst is None else min(worst, px)
        groups = f"  group names {group_px:4.1f} px" if grouped else " " * 22
        print(
            f"{name:20s} {len(project.graph.nodes):3d} nodes  zoom {zoom:.2f}  titles {px:4.1f} px"
            f"{groups}  ratio to target {px / TARGET_PX:.2f}"
        )
    print(f"smallest title height {worst:.1f} px (target ≥ {TARGET_PX:.0f} px)")
    window.doc.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
