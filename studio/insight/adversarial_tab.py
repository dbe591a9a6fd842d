"""Adversarial examples: an ε slider, the perturbation magnified, the adversarial image, how the
prediction flips, and robust accuracy over the validation set as a curve against ε."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout

from blocks.lazy import lazy
from runtime.insight.methods import ATTACKS
from studio.insight.images import ImagePane
from studio.insight.panel import InsightPanel, Tab, hbox
from studio.insight.predict_tab import PredictTab

adversarial = lazy("runtime.insight.adversarial")

LEVELS = 64
"""The slider runs over ε = 0 … 64/255 in grey levels."""
CURVE_IMAGES = 500


def _to_uint8(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, 0, 1) * 255).round().astype(np.uint8)


class AdversarialTab(Tab):
    """Attacks the image shown in the Predict tab."""

    KIND = "attack"

    def __init__(self, panel: InsightPanel, predict_tab: PredictTab) -> None:
        super().__init__(panel)
        self.source = predict_tab
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, LEVELS)
        self.slider.setValue(8)
        self.eps_label = QLabel()
        self.method = QComboBox()
        for m in ATTACKS:
            self.method.addItem(m.upper(), m)
        curve_button = QPushButton("Robust Accuracy Curve")
        curve_button.setToolTip(
            f"Accuracy on the first {CURVE_IMAGES} validation images, attacked at ε from 0 "
            "to the slider's value"
        )
        curve_button.clicked.connect(self.curve)
        self.original = ImagePane("Original")
        self.perturbation = ImagePane("Perturbation (magnified to ±ε)")
        self.adversarial = ImagePane("Adversarial image")
        self.flip = QLabel("")
        self.flip.setStyleSheet("font-size: 14px;")
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "ε (grey levels of 255)")
        self.plot.setLabel("left", "validation accuracy")
        self.plot.setYRange(0, 1)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.curve_line = self.plot.plot(
            [], [], pen=pg.mkPen("#1565c0", width=2), symbol="o", symbolSize=6
        )
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ef6c00", style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.marker)
        self.plot.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.addLayout(
            hbox(
                QLabel("ε:"),
                self.slider,
                self.eps_label,
                QLabel("Attack:"),
                self.method,
                curve_button,
            )
        )
        views = QHBoxLayout()
        for pane in (self.original, self.perturbation, self.adversarial):
            views.addWidget(pane, 1)
        layout.addLayout(views, 2)
        layout.addWidget(self.flip)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.message)
        self._debounce = QTimer(self, singleShot=True, interval=120, timeout=self.attack)
        self.slider.valueChanged.connect(self._eps_moved)
        self.method.currentIndexChanged.connect(self.attack)
        predict_tab.image_changed.connect(self.attack)
        self._eps_moved()

    @property
    def eps(self) -> float:
        """ε in 0–1 pixel units."""
        return self.slider.value() / 255.0

    def _eps_moved(self) -> None:
        self.eps_label.setText(f"{self.slider.value()}/255 = {self.eps:.3f}")
        self.marker.setValue(self.slider.value())
        self._debounce.start()

    def attack(self) -> None:
        """Attack the Predict tab's image at the slider's ε (only while this tab is visible)."""
        image = self.source.image
        if image is None or not self.isVisible():
            return
        eps, method, label = self.eps, self.method.currentData(), self.source.image_label
        self.panel.run(
            "attack",
            lambda s, cancelled: (
                image,
                adversarial.attack_one(s, s.pixels(image[None])[0], eps, method, label),
            ),
        )

    def curve(self) -> None:
        """Robust accuracy against ε up to the slider's value."""
        eps_max, method = max(self.eps, 1 / 255), self.method.currentData()
        if self.panel.run(
            "attack:curve",
            lambda s, cancelled: adversarial.robustness_curve(
                s, eps_max, points=7, method=method, limit=CURVE_IMAGES, cancelled=cancelled
            ),
        ):
            self.message.setText(f"Attacking {CURVE_IMAGES} validation images at 7 values of ε…")

    def showEvent(self, event) -> None:
        """Attack when the tab comes into view."""
        super().showEvent(event)
        self.attack()

    def show_result(self, kind: str, result: Any) -> None:
        """Draw the attack, or the curve."""
        if kind == "attack:curve":
            eps, accuracy = result
            self.curve_line.setData(eps * 255, accuracy)
            self.message.setText(
                "Robust accuracy: "
                + ", ".join(f"{e * 255:.0f}/255 → {a:.1%}" for e, a in zip(eps, accuracy))
            )
            return
        image, attack = result
        classes = self.panel.session.classes
        self.original.show_image(image)
        eps = max(attack.eps, 1e-12)
        magnified = attack.perturbation.numpy() / (2 * eps) + 0.5
        self.perturbation.show_image(_to_uint8(magnified))
        self.adversarial.show_image(_to_uint8(attack.adversarial.numpy()))
        b, a = int(attack.before.argmax()), int(attack.after.argmax())
        flipped = b != a
        colour = "#b71c1c" if flipped else "#2e7d32"
        self.flip.setText(
            f"<span style='color:{colour}'>'{classes[b]}' ({float(attack.before[b]):.1%}) → "
            f"'{classes[a]}' ({float(attack.after[a]):.1%})"
            f"{' — the prediction flips' if flipped else ' — the prediction holds'}</span>"
            f" · {attack.method.upper()}, ε = {self.slider.value()}/255, largest change "
            f"{float(attack.perturbation.abs().max()) * 255:.1f}/255"
        )
        self.message.setText("")
