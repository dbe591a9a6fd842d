"""What a channel looks for (ZFNet, Fig. 2): the 9 validation patches that excite it most, each
cropped
to the receptive field of its strongest position."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QSpinBox, QVBoxLayout

from blocks.lazy import lazy
from runtime.insight.render import as_rgb
from studio.insight.grid import ThumbnailGrid
from studio.insight.panel import InsightPanel, Tab, hbox

patches = lazy("runtime.insight.patches")


class ChannelTab(Tab):
    """Uses the layer selected on the canvas."""

    KIND = "channel"

    def __init__(self, panel: InsightPanel) -> None:
        super().__init__(panel)
        self.layer = QLabel("Select a convolutional node on the canvas.")
        self.channel = QSpinBox()
        self.channel.setPrefix("channel ")
        self.channel.valueChanged.connect(self.find)
        show = QPushButton("Find Top Patches")
        show.clicked.connect(self.find)
        self.grid = ThumbnailGrid(3, 140)
        scroll = QScrollArea()
        scroll.setWidget(self.grid)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(self.layer, self.channel, show, None))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)

    def find(self) -> None:
        """The top patches of the chosen channel of the canvas-selected layer."""
        session, layer = self.panel.session, self.panel.selected_layer()
        if session is None or layer is None or len(session.shapes.get(layer, ())) != 3:
            self.message.setText("Select a node with a spatial (C×H×W) output on the canvas.")
            return
        channels = patches.spatial_shape(session, layer)[0]
        self.channel.blockSignals(True)
        self.channel.setRange(0, channels - 1)
        self.channel.blockSignals(False)
        self.layer.setText(f"Layer '{layer}' ({channels} channels)")
        channel = self.channel.value()
        if self.panel.run(
            "channel", lambda s, cancelled: (layer, channel, patches.top_patches(s, layer, channel))
        ):
            self.message.setText(
                f"Searching the validation images for what excites channel {channel}…"
            )

    def show_result(self, kind: str, result: Any) -> None:
        """Show the patches, strongest first."""
        layer, channel, patches = result
        classes = self.panel.session.classes
        self.grid.set_items(
            [
                (as_rgb(p.pixels), f"#{p.index} '{classes[p.label]}' · {p.activation:.2f}")
                for p in patches
            ]
        )
        if patches:
            top, left, bottom, right = patches[0].box
            self.message.setText(
                f"The {len(patches)} validation images that excite '{layer}' channel {channel} "
                f"most, each cropped to the receptive field of its strongest position "
                f"(up to {bottom - top}×{right - left} pixels; smaller at the borders)."
            )
