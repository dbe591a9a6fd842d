"""The source a trained export adds to the network: constants, loading, preprocessing, predict."""

from __future__ import annotations

from runtime.codegen.literals import docstring_text, literal
from runtime.preprocessing import Preprocessing

USAGE = """, with its trained weights. Needs only PyTorch:

    import {stem}
    model = {stem}.load_model()                  # weights beside this file
    indices = {stem}.predict(images, model)      # raw pixels in, class indices out
    names = [{stem}.CLASS_NAMES[i] for i in indices]

`images` are raw pixels exactly as loaded: uint8 values 0-255 (or floats already scaled to 0-1), as
one H×W or H×W×C image, a batch N×H×W, N×H×W×C or N×C×H×W, a torch tensor, a NumPy array, a
Pillow image or a list of those. predict() scales and normalises them as training did
(mean {mean}, std {std} per channel) and refuses any other size with a ValueError.

Weights: {stem}.safetensors is read when the safetensors package is installed, otherwise {stem}.pt
(a plain state dict, read with torch.load(weights_only=True))."""

IMPORTS = "from pathlib import Path\n"

CONSTANTS = """
# What the network was trained on: (channels, height, width), per-channel mean and std of the
# training pixels scaled to 0-1, and the name of each output.
INPUT_SHAPE = {shape}
MEAN = {mean}
STD = {std}
CLASS_NAMES = {classes}

# Weights files beside this module: WEIGHTS + ".safetensors" and WEIGHTS + ".pt".
WEIGHTS = {stem}

_DEFAULT_MODEL = {{}}

"""

FUNCTIONS = '''

def load_model(weights: str | Path | None = None, device: str | torch.device = "cpu") -> {cls}:
    """The network with its trained weights, in evaluation mode on `device`.

    `weights` defaults to the files beside this module: WEIGHTS + ".safetensors" when the
    safetensors package is installed, else WEIGHTS + ".pt". A `.pt` file is read with
    torch.load(weights_only=True).
    """
    model = {cls}()
    model.load_state_dict(_read_state_dict(weights))
    return model.to(device).eval()


def _read_state_dict(weights: str | Path | None) -> dict:
    """The tensors of a .safetensors or .pt weights file (the default pair beside this module)."""
    if weights is None:
        folder = Path(__file__).resolve().parent
        try:
            from safetensors.torch import load_file
        except ImportError:
            load_file = None
        preferred = folder / (WEIGHTS + ".safetensors")
        if load_file is not None and preferred.is_file():
            return load_file(str(preferred))
        fallback = folder / (WEIGHTS + ".pt")
        if not fallback.is_file():
            raise FileNotFoundError(f"{{fallback}} is missing (and {{preferred.name}} needs "
                                    "the safetensors package): keep the weights beside this module")
        return torch.load(fallback, map_location="cpu", weights_only=True)
    path = Path(weights)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        return load_file(str(path))
    return torch.load(path, map_location="cpu", weights_only=True)


def _to_batch(images: object) -> torch.Tensor:
    """Raw images as one N×C×H×W tensor of their original dtype; ValueError for another size."""
    c, h, w = INPUT_SHAPE
    if hasattr(images, "getbands") and hasattr(images, "tobytes"):  # a Pillow image
        image = images.convert("L" if c == 1 else "RGB")
        pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
        x = pixels.view(image.size[1], image.size[0], -1)
    elif isinstance(images, (list, tuple)):
        if not images:
            raise ValueError("no images given")
        return torch.cat([_to_batch(image) for image in images])
    else:
        x = torch.as_tensor(images)
    shape = tuple(x.shape)
    if x.dim() == 2 and c == 1 and shape == (h, w):
        return x.reshape(1, 1, h, w)
    if x.dim() == 3 and shape == (h, w, c):
        return x.permute(2, 0, 1).unsqueeze(0)
    if x.dim() == 3 and shape == (c, h, w):
        return x.unsqueeze(0)
    if x.dim() == 3 and c == 1 and shape[1:] == (h, w):
        return x.unsqueeze(1)
    if x.dim() == 4 and shape[1:] == (c, h, w):
        return x
    if x.dim() == 4 and shape[1:] == (h, w, c):
        return x.permute(0, 3, 1, 2)
    raise ValueError(f"expected images of {{h}}×{{w}} pixels with {{c}} channel(s) (H×W×C, "
                     f"N×H×W×C or N×C×H×W), got shape {{shape}}: resize them as the training "
                     "data was")


def _check_pixels(x: torch.Tensor) -> None:
    """Refuse what is not pixels: integers must lie in 0-255, floats must be scaled to 0-1."""
    if x.dtype == torch.bool or x.is_complex():
        raise ValueError(f"images must be integer pixels 0-255 or floats 0-1, got {{x.dtype}}")
    if x.numel() == 0:
        raise ValueError("no images given")
    low, high = float(x.min()), float(x.max())
    if x.is_floating_point() and (low < -1e-3 or high > 1 + 1e-3):
        raise ValueError(f"float images must hold values in 0-1, got {{low:g}} to {{high:g}}: pass "
                         "uint8 pixels (0-255) or divide by 255")
    if not x.is_floating_point() and (low < 0 or high > 255):
        raise ValueError(f"integer pixels must lie in 0-255, got {{low:g}} to {{high:g}}")


def _normalised(x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Pixels scaled to 0-1 (integers / 255), standardised with MEAN and STD as in training."""
    mean = torch.tensor(MEAN, dtype=torch.float32, device=device).view(1, -1, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32, device=device).view(1, -1, 1, 1)
    x = x.to(device)
    x = x.float() if x.is_floating_point() else x.float() / 255.0
    return (x - mean) / std


def preprocess(images: object) -> torch.Tensor:
    """Raw pixels → the normalised float32 batch N×C×H×W the network was trained on."""
    x = _to_batch(images)
    _check_pixels(x)
    return _normalised(x, torch.device("cpu"))


def _device_of(model: nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")


def _scores(images: object, model: nn.Module | None, batch_size: int) -> torch.Tensor:
    """The network's outputs (N, classes) for raw images, computed `batch_size` images at a time."""
    if model is None:
        if "model" not in _DEFAULT_MODEL:
            _DEFAULT_MODEL["model"] = load_model()
        model = _DEFAULT_MODEL["model"]
    model.eval()
    batch = _to_batch(images)
    _check_pixels(batch)
    device, step = _device_of(model), max(1, int(batch_size))
    with torch.inference_mode():
        outputs = [model(_normalised(batch[i:i + step], device)).float().cpu()
                   for i in range(0, len(batch), step)]
    return torch.cat(outputs)


def predict(images: object, model: nn.Module | None = None, batch_size: int = 256) -> torch.Tensor:
    """Class index of each image (a LongTensor of N); CLASS_NAMES[i] names class i.

    `model` defaults to load_model() (loaded once); it is switched to evaluation mode.
    """
    return _scores(images, model, batch_size).argmax(dim=1)


def probabilities(images: object, model: nn.Module | None = None,
                  batch_size: int = 256) -> torch.Tensor:
    """Softmax of the network's outputs for each image: N × len(CLASS_NAMES)."""
    return torch.softmax(_scores(images, model, batch_size), dim=1)
'''

SEGMENTATION_USAGE = """

This network segments: predict_mask(images, model) gives one class id per output pixel,
a LongTensor N×H×W (raw pixels in, preprocessing included); CLASS_NAMES[i] names class i.
OUTPUT_MARGIN is how many rows and columns of each side of the input the output does not cover
(0 when the output has the input's size)."""

SEGMENTATION_CONSTANTS = """# Rows and columns the output leaves out on each side of the input
# (valid convolutions).
OUTPUT_MARGIN = {margin}

"""

SEGMENTATION_FUNCTIONS = '''

def predict_mask(images: object, model: nn.Module | None = None,
                 batch_size: int = 16) -> torch.Tensor:
    """Class id of every output pixel of each image (a LongTensor N×H×W); CLASS_NAMES[i] names
    class i. Raw pixels in, as for predict(); OUTPUT_MARGIN rows and columns on each side of the
    input are not covered when the network's output is smaller than its input.
    """
    return _scores(images, model, batch_size).argmax(dim=1)
'''

SEGMENTATION_MAIN = """    import sys
    if len(sys.argv) < 2:
        sys.exit(f"usage: python {sys.argv[0]} IMAGE...  (reading image files needs Pillow)")
    from PIL import Image
    network = load_model()
    for name in sys.argv[1:]:
        with Image.open(name) as image:
            mask = predict_mask(image, network)[0]
        shares = torch.bincount(mask.flatten(), minlength=len(CLASS_NAMES)) / mask.numel()
        found = ", ".join(f"{CLASS_NAMES[i]} {float(v):.1%}" for i, v in enumerate(shares) if v)
        print(f"{name!r}: {found}")
"""

MAIN = """    import sys
    if len(sys.argv) < 2:
        sys.exit(f"usage: python {sys.argv[0]} IMAGE...  (reading image files needs Pillow)")
    from PIL import Image
    network = load_model()
    for name in sys.argv[1:]:
        with Image.open(name) as image:
            print(f"{name!r}: {CLASS_NAMES[int(predict(image, network)[0])]!r}")
"""


def _numbers(values: tuple[float, ...]) -> str:
    """A short human form of per-channel values for the docstring."""
    return ", ".join(f"{v:.4g}" for v in values)


def usage(stem: str, prep: Preprocessing, margin: tuple[int, int] | None = None) -> str:
    """The docstring paragraph on how to use the trained module (`margin` set: a segmenter)."""
    text = USAGE.format(stem=docstring_text(stem), mean=_numbers(prep.mean), std=_numbers(prep.std))
    return text + (SEGMENTATION_USAGE if margin is not None else "")


def constants(stem: str, prep: Preprocessing, margin: tuple[int, int] | None = None) -> str:
    """The module-level constants, every value a checked literal."""
    text = CONSTANTS.format(
        shape=literal(prep.input_shape),
        mean=literal(prep.mean),
        std=literal(prep.std),
        classes=literal(prep.classes),
        stem=literal(stem),
    )
    if margin is None:
        return text
    return text + SEGMENTATION_CONSTANTS.format(margin=literal(tuple(int(m) for m in margin)))


def functions(cls: str, segmentation: bool = False) -> str:
    """load_model, preprocess, predict, probabilities and their helpers, for network class `cls`
    (and predict_mask for a segmenter)."""
    return FUNCTIONS.format(cls=cls) + (SEGMENTATION_FUNCTIONS if segmentation else "")


def main(segmentation: bool = False) -> str:
    """The module's `if __name__ == "__main__"` body."""
    return SEGMENTATION_MAIN if segmentation else MAIN
