"""The small blocks classic templates need: crop, zero padding, bilinear upsampling, scale, option-A
shortcut."""

from __future__ import annotations

import torch

from blocks import get_spec


def _build(block_id: str, params: dict, *shapes):
    spec = get_spec(block_id)
    resolved = spec.resolve(params)
    return spec, resolved, spec.make(resolved, list(shapes)).build()


def test_crop_centre_and_offset():
    """Centred by default (U-Net's copy-and-crop), or from a fixed corner (FCN's offset 19)."""
    x = torch.arange(36.0).view(1, 1, 6, 6)
    ref = torch.zeros(1, 3, 4, 4)
    _, _, centred = _build("crop", {}, (1, 6, 6), (3, 4, 4))
    assert torch.equal(centred(x, ref), x[..., 1:5, 1:5])
    _, _, corner = _build("crop", {"offset": 2}, (1, 6, 6), (3, 4, 4))
    assert torch.equal(corner(x, ref), x[..., 2:6, 2:6])


def test_crop_refuses_a_reference_larger_than_the_input():
    """The message says which sizes do not fit."""
    spec = get_spec("crop")
    message = spec.check(spec.resolve({"offset": 3}), [(1, 6, 6), (1, 4, 4)])
    assert "cannot crop 1×6×6 to 4×4 from offset 3" in message
    assert spec.check(spec.resolve({}), [(1, 6, 6), (1, 4, 4)]) is None


def test_zero_pad_shortcut_is_option_a():
    """Subsamples by the stride and zero-pads channels on both sides, like the CIFAR ResNets' option
    A."""
    _, _, shortcut = _build("zero_pad_shortcut", {"out_channels": 32, "stride": 2}, (16, 8, 8))
    x = torch.randn(2, 16, 8, 8)
    y = shortcut(x)
    assert y.shape == (2, 32, 4, 4) and sum(p.numel() for p in shortcut.parameters()) == 0
    assert torch.equal(y[:, 8:24], x[:, :, ::2, ::2])
    assert not y[:, :8].any() and not y[:, 24:].any()
    spec = get_spec("zero_pad_shortcut")
    assert "must be at least" in spec.check(spec.resolve({"out_channels": 8}), [(16, 8, 8)])


def test_bilinear_upsample_is_fixed_and_interpolates():
    """FCN's upscore: kernel 2f, stride f, no learned weights; a linear ramp stays a ramp inside."""
    _, _, up = _build("bilinear_upsample", {"factor": 2}, (3, 5, 5))
    assert sum(p.numel() for p in up.parameters()) == 0
    assert torch.allclose(up.weight[0, 0, 0], torch.tensor([0.0625, 0.1875, 0.1875, 0.0625]))
    ramp = torch.arange(5.0).repeat(1, 3, 5, 1)
    y = up(ramp)
    assert y.shape == (1, 3, 12, 12)
    row = y[0, 0, 6, 2:10]
    assert torch.allclose(row[1:] - row[:-1], torch.full((7,), 0.5))


def test_scale_and_zero_pad():
    """Scale multiplies by its constant; Zero Padding adds a border of zeros."""
    _, _, scale = _build("scale", {"factor": 1 / 9}, (10,))
    x = torch.randn(4, 10)
    assert torch.allclose(scale(x), x / 9)
    _, _, pad = _build("zero_pad", {"padding": 100}, (3, 4, 4))
    y = pad(torch.ones(1, 3, 4, 4))
    assert y.shape == (1, 3, 204, 204) and y.sum() == 48
