"""The output-size rule: a network's score maps must match the masks, or be smaller by an even
margin (the paper U-Net's valid convolutions), in which case the masks are centre-cropped."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.analysis import Analysis
from runtime.segmentation.errors import OutputSizeError


@dataclass(frozen=True)
class OutputFit:
    """How masks of the input's size meet the output: `margin` (rows, columns) cut on each side."""

    channels: int
    size: tuple[int, int]
    input_size: tuple[int, int]
    margin: tuple[int, int]
    node_id: str | None = None
    node_name: str = "output"

    @property
    def cropped(self) -> bool:
        """Whether masks are cropped at all."""
        return self.margin != (0, 0)

    def note(self) -> str:
        """One line for the analysis and the run's start ('' when sizes match)."""
        if not self.cropped:
            return ""
        (h, w), (ih, iw), (my, mx) = self.size, self.input_size, self.margin
        side = f"{my} pixels" if my == mx else f"{my} rows and {mx} columns"
        return (
            f"the output ({h}×{w}) is smaller than the input ({ih}×{iw}): masks are "
            f"centre-cropped by {side} on each side to match it, as the U-Net paper does"
        )

    def crop(self, masks):  # noqa: ANN001, ANN201 - any array or tensor (…, H, W)
        """The part of masks (…, H, W) the output covers."""
        my, mx = self.margin
        if not self.cropped:
            return masks
        return masks[..., my : masks.shape[-2] - my, mx : masks.shape[-1] - mx]


def output_fit(analysis: Analysis) -> OutputFit:
    """The fit of the analysed network's output to masks of its input size; OutputSizeError on
    one line when they cannot be reconciled."""
    out_id = analysis.output_id
    if out_id is None or out_id not in analysis.nodes:
        raise OutputSizeError("the network has no analysed output: fix the graph's problems first")
    node = analysis.nodes[out_id]
    shape = tuple(node.out_shape)
    _, ih, iw = analysis.input_shape
    dims = "×".join(str(d) for d in shape)
    if len(shape) != 3:
        raise OutputSizeError(
            f"the output '{node.name}' is {dims} per image: a segmentation network gives one "
            "score map per class (classes×H×W); remove the pooling and linear head",
            out_id,
        )
    k, h, w = shape
    if h > ih or w > iw:
        raise OutputSizeError(
            f"the output '{node.name}' ({h}×{w}) is larger than the input ({ih}×{iw}): "
            "crop it to the input size",
            out_id,
        )
    if (ih - h) % 2 or (iw - w) % 2:
        raise OutputSizeError(
            f"the output '{node.name}' ({h}×{w}) cannot be centred on the {ih}×{iw} input "
            "(an odd margin): change the input size by one pixel or pad the convolutions",
            out_id,
        )
    return OutputFit(k, (h, w), (ih, iw), ((ih - h) // 2, (iw - w) // 2), out_id, node.name)


def check_classes(fit: OutputFit, classes: tuple[str, ...], data_name: str) -> None:
    """OutputSizeError unless the output gives one score map per class of the data."""
    if fit.channels != len(classes):
        raise OutputSizeError(
            f"the output '{fit.node_name}' gives {fit.channels} score maps but the data "
            f"({data_name}) has {len(classes)} classes: make the last convolution produce "
            f"{len(classes)} channels",
            fit.node_id,
        )
