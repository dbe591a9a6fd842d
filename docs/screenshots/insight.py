"""Screenshots of the Insight views under Xvfb, on a trained project.

Usage (from the repository root, with Xvfb on :99 and ImageMagick's `import`):
    PYTHONPATH=. DISPLAY=:99 python docs/screenshots/insight.py PROJECT CHECKPOINT NODE PREFIX
writes PREFIX-predict.png, -receptive-field.png, -mistakes.png, -adversarial.png, -ablation.png,
-channel.png; and
    PYTHONPATH=. DISPLAY=:99 python docs/screenshots/insight.py PROJECT --health MEASURE SECONDS OUT
trains the project in the window with the canvas shaded by a live health measure and shoots after
SECONDS.

The README's pictures come from:
    convstudio train assets/templates/lenet5.json --epochs 3 --out /tmp/lenet
    convstudio train docs/insight/shapes_cnn.json --out /tmp/shapes
    python docs/screenshots/insight.py assets/templates/lenet5.json /tmp/lenet/best.json conv2
    docs/insight/lenet
    python docs/screenshots/insight.py docs/insight/shapes_cnn.json /tmp/shapes/best.json conv3
    docs/insight/shapes
    python docs/screenshots/insight.py assets/templates/lenet5.json --health saturation 30
    docs/insight/lenet-health.png
    python docs/screenshots/insight.py docs/insight/shapes_cnn.json --health dead_fraction 25 \
        docs/insight/shapes-health.png
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import Qt, QTimer

from runtime.project import load_project
from studio.app import application, build_window
from studio.paths import AppPaths


def _window(project_file: str):
    app = application()
    window = build_window(AppPaths.under(tempfile.mkdtemp()), load_project(project_file))
    window.resize(1920, 1080)
    window.move(0, 0)
    window.show()
    window.view.fit()
    return app, window


def views(project_file: str, checkpoint: str, node: str, prefix: str) -> None:
    """Shoot each insight view in turn, each once its computation has finished."""
    app, window = _window(project_file)
    ui = window.insight_ui
    ui.panel.chosen = Path(checkpoint)
    window.resizeDocks([ui.dock], [640], Qt.Orientation.Vertical)
    node_id = window.doc.project.graph.by_name(node).id
    _, height, width = window.doc.project.input_shape
    rf_at = (height // 3, width // 2)

    def confusion() -> None:
        session = ui.panel.session
        x, y = session.val_pixels()
        with torch.no_grad():
            guess = session.model(x).argmax(1)
        k = len(session.classes)
        matrix = np.bincount((y * k + guess).numpy(), minlength=k * k).reshape(k, k)
        window.docks["training_confusion"].raise_()
        window.training_ui.confusion.reset(session.classes)
        window.training_ui.confusion.show_matrix(
            matrix, session_epoch(), float(np.trace(matrix)) / matrix.sum()
        )
        off = matrix.copy()
        np.fill_diagonal(off, 0)
        r, c = np.unravel_index(off.argmax(), off.shape)
        ui.show_cell(int(r), int(c))

    def session_epoch() -> int:
        meta = Path(checkpoint)
        try:
            return int(json.loads(meta.read_text(encoding="utf-8")).get("epoch", 0))
        except (OSError, ValueError):
            return 0

    def channel() -> None:
        ui.show(ui.channel)
        ui.channel.find()

    def curve() -> None:
        ui.show(ui.adversarial)
        ui.adversarial.slider.setValue(10)
        QTimer.singleShot(600, ui.adversarial.curve)

    steps = [
        (
            lambda: (window.scene.select_nodes([node_id]), ui.show(ui.predict)),
            lambda: "predicted" in ui.predict.message.text(),
            "predict",
        ),
        (
            lambda: (ui.predict.rf.setChecked(True), ui.predict.show_receptive_field(*rf_at)),
            lambda: "Receptive field" in ui.predict.message.text(),
            "receptive-field",
        ),
        (confusion, lambda: ui.mistakes.grid.cells, "mistakes"),
        (
            curve,
            lambda: (
                ui.adversarial.curve_line.xData is not None
                and len(ui.adversarial.curve_line.xData) > 0
            ),
            "adversarial",
        ),
        (
            lambda: (ui.show(ui.ablation), ui.ablation.measure()),
            lambda: ui.ablation.table.rowCount() > 0,
            "ablation",
        ),
        (channel, lambda: ui.channel.grid.cells, "channel"),
    ]

    def run(index: int) -> None:
        if index == len(steps):
            window.doc.undo_stack.setClean()
            app.quit()
            return
        setup, ready, name = steps[index]
        setup()
        wait(lambda: shoot(index, name), ready)

    def wait(then, ready, tries: int = 600) -> None:
        if ready() or tries == 0:
            QTimer.singleShot(700, then)
        else:
            QTimer.singleShot(100, lambda: wait(then, ready, tries - 1))

    def shoot(index: int, name: str) -> None:
        subprocess.run(["import", "-window", "root", f"{prefix}-{name}.png"], check=True)
        run(index + 1)

    ui.show(ui.predict)
    wait(lambda: run(0), lambda: ui.panel.session is not None)
    app.exec()


def health(project_file: str, measure: str, seconds: str, out: str) -> None:
    """Train with the canvas shaded by `measure`; shoot after `seconds`, then stop."""
    app, window = _window(project_file)
    training = window.training_ui

    def start() -> None:
        window.actions_by_name[f"shade_{measure}"].trigger()
        window.docks["problems"].raise_()
        training.start_action.trigger()
        QTimer.singleShot(int(float(seconds) * 1000), shoot)

    def shoot() -> None:
        subprocess.run(["import", "-window", "root", out], check=True)
        training.controller.stop()
        QTimer.singleShot(1500, finish)

    def finish() -> None:
        training.controller.shutdown()
        window.doc.undo_stack.setClean()
        app.quit()

    QTimer.singleShot(1500, start)
    app.exec()


if __name__ == "__main__":  # the training process is spawned: it must not run this again
    if sys.argv[2] == "--health":
        health(sys.argv[1], *sys.argv[3:6])
    else:
        views(*sys.argv[1:5])
