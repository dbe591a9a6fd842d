"""Loss, accuracy and learning-rate curves, throughput and progress with ETA; export to PNG and
CSV."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from runtime.atomic_write import write_atomic
from runtime.training.events import EpochMetrics, Finished, Started, StepMetrics
from studio.image_file import save_png

SMOOTHING = 0.8
TRAIN_COLOUR, VAL_COLOUR, MIOU_COLOUR = "#4c9be8", "#f28e2b", "#e15759"
IDLE_TEXT = "Not training. Train ▸ Start (F5) trains the project in a separate process."


def keyed_title(name: str, miou: bool = False) -> str:
    """A plot title that is also its key: 'loss  ━ train  ●━ validation' in the curves' colours
    (and '▲━ validation mIoU' when a segmentation run scores it)."""
    title = (
        f"{name} &nbsp; <span style='color:{TRAIN_COLOUR}'>━ train</span>"
        f" &nbsp; <span style='color:{VAL_COLOUR}'>●━ validation</span>"
    )
    if miou:
        title += f" &nbsp; <span style='color:{MIOU_COLOUR}'>▲━ validation mIoU</span>"
    return title


class MetricsPanel(QWidget):
    """Training curves per reported step (smoothed) and validation per epoch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots = pg.GraphicsLayoutWidget()
        self.loss_plot = pg.PlotItem(title="loss")
        self.acc_plot = pg.PlotItem(title="accuracy")
        self.lr_plot = pg.PlotItem(title="learning rate")
        self.speed_plot = pg.PlotItem(title="samples / s")
        self.columns = 0
        self._arrange(2)
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot, self.speed_plot):
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.setLabel("bottom", "iteration")
        # The key sits in the title, above the plot: a legend inside would cover the curves.
        self.loss_plot.setTitle(keyed_title("loss"))
        self.acc_plot.setTitle(keyed_title("accuracy"))
        # only a distributed run's per-process speeds need a legend
        self.speed_plot.addLegend(offset=(-5, 5))
        self.curves = {
            "train_loss": self.loss_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2), name="train"),
            "val_loss": self.loss_plot.plot(
                pen=pg.mkPen(VAL_COLOUR, width=2), symbol="o", symbolSize=6, name="validation"
            ),
            "train_acc": self.acc_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2), name="train"),
            "val_acc": self.acc_plot.plot(
                pen=pg.mkPen(VAL_COLOUR, width=2), symbol="o", symbolSize=6, name="validation"
            ),
            "lr": self.lr_plot.plot(pen=pg.mkPen("#59a14f", width=2)),
            "speed": self.speed_plot.plot(pen=pg.mkPen("#b07aa1", width=2)),
        }
        self.rank_curves: list[pg.PlotDataItem] = []
        """Throughput of each process of a distributed run (the speed curve is their sum)."""
        self.progress = QProgressBar()
        self.status = QLabel(IDLE_TEXT)
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.plots, 1)
        self.plots.setMinimumHeight(240)
        self.reset()

    def _arrange(self, columns: int) -> None:
        """Lay the four plots out in `columns` columns (4: one row for a short, wide panel; 2: a 2×2
        grid)."""
        if columns == self.columns:
            return
        layout = self.plots.ci
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot, self.speed_plot):
            if plot.scene() is not None:
                layout.removeItem(plot)
        for k, plot in enumerate((self.loss_plot, self.acc_plot, self.lr_plot, self.speed_plot)):
            layout.addItem(plot, row=k // columns, col=k % columns)
        self.columns = columns

    def resizeEvent(self, event) -> None:
        """One row of plots when the panel is more than three times as wide as it is high."""
        super().resizeEvent(event)
        size = self.plots.size()
        self._arrange(4 if size.width() > 3 * size.height() else 2)

    def reset(self) -> None:
        """Clear every curve for a new run."""
        self.steps: list[StepMetrics] = []
        self.epochs: list[EpochMetrics] = []
        self.smoothed: list[tuple[float, float]] = []
        self.start: Started | None = None
        self.t0 = time.perf_counter()
        self.progress.setValue(0)
        self.paused = False
        self.redraws = 0
        for curve in self.curves.values():
            curve.setData([], [])
        for curve in self.rank_curves:
            self.speed_plot.removeItem(curve)
        self.rank_curves = []
        self.speed_plot.legend.clear()
        self.acc_plot.setTitle(keyed_title("accuracy"))

    def idle(self) -> None:
        """Another project is open: no curves of the last run, the idle text."""
        self.reset()
        self.status.setText(IDLE_TEXT)

    def starting(self) -> None:
        """Start was asked: say so, keeping the last run's curves until the new run has started."""
        self.status.setText("Starting: preparing the data and the network in a separate process…")

    def show_state(self, state: str) -> None:
        """While paused, say so instead of a throughput and an ETA that no longer hold."""
        self.paused = state == "paused"
        if self.paused:
            done = f" at iteration {self.steps[-1].step:,}" if self.steps else ""
            self.status.setText(f"Paused{done}. Train ▸ Resume (F6) continues, Stop ends the run.")
        elif state == "running" and self.start is not None and self.steps:
            self._progress_text(self.steps[-1])

    def handle(self, events: list) -> None:
        """Take a batch of events; redraw once."""
        changed, finished = False, None
        for event in events:
            if isinstance(event, Started):
                self.reset()
                self.start = event
                self.progress.setMaximum(event.epochs * event.steps_per_epoch)
            elif isinstance(event, StepMetrics):
                last = self.smoothed[-1] if self.smoothed else (event.loss, event.accuracy)
                self.smoothed.append(
                    (
                        SMOOTHING * last[0] + (1 - SMOOTHING) * event.loss,
                        SMOOTHING * last[1] + (1 - SMOOTHING) * event.accuracy,
                    )
                )
                self.steps.append(event)
                changed = True
            elif isinstance(event, EpochMetrics):
                self.epochs.append(event)
                changed = True
            elif isinstance(event, Finished):
                finished = event
        if changed:
            self.redraw()
        if finished is not None:
            if finished.status == "completed":
                self.progress.setValue(self.progress.maximum())
            self.status.setText(finished.message)

    def redraw(self) -> None:
        """Push the stored series into the curves and update progress text."""
        self.redraws += 1
        x = [s.step for s in self.steps]
        self.curves["train_loss"].setData(x, [v[0] for v in self.smoothed])
        self.curves["train_acc"].setData(x, [v[1] for v in self.smoothed])
        self.curves["lr"].setData(x, [s.lr for s in self.steps])
        self.curves["speed"].setData(x, [s.samples_per_s for s in self.steps])
        self._rank_speeds(x)
        ex = [e.step for e in self.epochs]
        self.curves["val_loss"].setData(ex, [e.val_loss for e in self.epochs])
        self.curves["val_acc"].setData(ex, [e.val_accuracy for e in self.epochs])
        scored = [e for e in self.epochs if e.miou is not None]
        if scored:
            self._miou_curve().setData([e.step for e in scored], [e.miou for e in scored])
        elif "val_miou" in self.curves:
            self.curves["val_miou"].setData([], [])
        if self.start is not None and self.steps and not self.paused:
            self._progress_text(self.steps[-1])

    def _rank_speeds(self, x: list[int]) -> None:
        """One curve per process under the global one when several train together."""
        ranks = len(self.steps[-1].rank_samples_per_s) if self.steps else 0
        if ranks and not self.rank_curves:
            self.speed_plot.legend.addItem(self.curves["speed"], "all processes")
            for rank in range(ranks):
                colour = pg.intColor(rank, hues=max(ranks, 3), values=1, maxValue=200)
                self.rank_curves.append(
                    self.speed_plot.plot(
                        pen=pg.mkPen(colour, width=1, style=Qt.DashLine), name=f"rank {rank}"
                    )
                )
        for rank, curve in enumerate(self.rank_curves):
            curve.setData(x, [s.rank_samples_per_s[rank] for s in self.steps])

    def _miou_curve(self) -> pg.PlotDataItem:
        """The validation mIoU curve, added to the accuracy plot by the first segmentation run."""
        self.acc_plot.setTitle(keyed_title("pixel accuracy and mIoU", miou=True))
        if "val_miou" not in self.curves:
            self.curves["val_miou"] = self.acc_plot.plot(
                pen=pg.mkPen(MIOU_COLOUR, width=2),
                symbol="t",
                symbolSize=7,
                name="validation mIoU",
            )
        return self.curves["val_miou"]

    def _progress_text(self, last: StepMetrics) -> None:
        """Epoch, iteration, samples, throughput, ETA."""
        st = self.start
        total = st.epochs * st.steps_per_epoch
        done = last.step - st.start_epoch * st.steps_per_epoch
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / max(1, done) * (total - last.step)
        val = f", val acc {self.epochs[-1].val_accuracy:.2%}" if self.epochs else ""
        if self.epochs and self.epochs[-1].miou is not None:
            val = f", val mIoU {self.epochs[-1].miou:.2%}"
        self.progress.setValue(last.step)
        batch = f"batch {st.batch_size}"
        if st.processes > 1 or st.global_batch > st.batch_size:
            batch += f" × {st.processes} processes ({st.global_batch} per update)"
        speed = f"{last.samples_per_s:,.0f} samples/s"
        if last.rank_samples_per_s:
            speed += (
                " ("
                + ", ".join(f"rank {r}: {v:,.0f}" for r, v in enumerate(last.rank_samples_per_s))
                + ")"
            )
        self.status.setText(
            f"epoch {last.epoch + 1}/{st.epochs} · iteration {last.step:,}/{total:,} · "
            f"{batch} · {speed} · loss {last.loss:.4f}"
            f"{val} · ETA {int(eta // 60)}:{int(eta % 60):02d}"
        )

    def export_png(self, path: str | Path) -> Path:
        """Save the four plots as one PNG (laid out at 1200×800 when the panel is hidden or
        tiny)."""
        if self.plots.width() < 400 or not self.plots.isVisible():
            self.plots.resize(1200, 800)
        exporter = ImageExporter(self.plots.scene())
        exporter.parameters()["width"] = max(1200, self.plots.width())
        return save_png(exporter.export(toBytes=True), path)

    def export_csv(self, path: str | Path) -> Path:
        """Save every reported step and epoch as CSV rows."""
        handle = io.StringIO(newline="")
        out = csv.writer(handle)
        out.writerow(
            [
                "kind",
                "step",
                "epoch",
                "loss",
                "accuracy",
                "val_loss",
                "val_accuracy",
                "lr",
                "samples_per_s",
            ]
        )
        for s in self.steps:
            out.writerow(
                ["step", s.step, s.epoch, s.loss, s.accuracy, "", "", s.lr, s.samples_per_s]
            )
        for e in self.epochs:
            out.writerow(
                [
                    "epoch",
                    e.step,
                    e.epoch,
                    e.train_loss,
                    e.train_accuracy,
                    e.val_loss,
                    e.val_accuracy,
                    e.lr,
                    "",
                ]
            )
        return write_atomic(path, handle.getvalue())
