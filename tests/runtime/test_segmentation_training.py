"""Segmentation training: metrics against a hand-computed example, losses, the output-size rule,
the project's task, a run on the demo and on a folder, the CLI's metrics and the export."""

import importlib.util
import json
import math

import numpy as np
import pytest
import torch

from runtime.cli import main as cli_main
from runtime.codegen.trained import export_trained
from runtime.plan import make_plan
from runtime.project import Project, load_project, loads_project
from runtime.errors import ProjectFileError
from runtime.segmentation.errors import OutputSizeError
from runtime.segmentation.losses import make_segmentation_loss, soft_dice
from runtime.segmentation.metrics import class_iou, confusion, mean_iou, pixel_accuracy
from runtime.segmentation.output_fit import output_fit
from runtime.training import EpochMetrics, Finished, SettingsError, parse_training, train
from runtime.training.events import SegmentationSample
from runtime.zoo.registry import TEMPLATES
from tests.runtime.segmentation_helpers import tiny_segmenter, write_folder


def test_miou_matches_a_hand_computed_example():
    truth = torch.tensor([[0, 0, 1, 1, 2, 255]])
    predicted = torch.tensor([[0, 1, 1, 1, 2, 0]])
    matrix = confusion(predicted, truth, 4).numpy()
    assert matrix.tolist() == [[1, 1, 0, 0], [0, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    # IoU: class 0 = 1 / (2 + 1 - 1), class 1 = 2 / (2 + 3 - 2), class 2 = 1, class 3 unseen
    ious = class_iou(matrix)
    assert ious[:3] == pytest.approx([0.5, 2 / 3, 1.0]) and math.isnan(ious[3])
    assert mean_iou(matrix) == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert pixel_accuracy(matrix) == pytest.approx(4 / 5)


def test_cross_entropy_leaves_ignored_pixels_out_and_dice_rewards_a_perfect_guess():
    settings = parse_training({"loss": "cross_entropy", "label_smoothing": 0.0})
    loss = make_segmentation_loss(settings, 3, torch.device("cpu"))
    logits = torch.randn(2, 3, 4, 4)
    truth = torch.randint(0, 3, (2, 4, 4))
    ignored = truth.clone()
    ignored[:, 0] = 255
    kept = torch.nn.functional.cross_entropy(logits[:, :, 1:], truth[:, 1:])
    assert loss(logits, ignored).item() == pytest.approx(kept.item(), rel=1e-5)
    perfect = torch.nn.functional.one_hot(truth, 3).permute(0, 3, 1, 2).float() * 50
    assert soft_dice(perfect, truth).item() < 1e-3
    assert soft_dice(-perfect, truth).item() > 0.9
    weighted = make_segmentation_loss(
        parse_training({"loss": "cross_entropy_dice", "class_weights": "1, 2, 0.5"}),
        3,
        torch.device("cpu"),
    )
    assert torch.isfinite(weighted(logits, ignored))


def test_class_weights_must_give_one_weight_per_class():
    with pytest.raises(SettingsError, match="gives 2 weights but the data has 3 classes"):
        make_segmentation_loss(parse_training({"class_weights": "1,2"}), 3, torch.device("cpu"))


def test_segmentation_losses_are_refused_for_a_classifier():
    from runtime.training.recipe import make_loss

    with pytest.raises(SettingsError, match="scores segmentation masks"):
        make_loss(parse_training({"loss": "dice"}))


def test_paper_unet_crops_masks_by_its_margin_and_says_so():
    project = TEMPLATES["unet"].build()
    project.set_input_shape((1, 188, 188))
    fit = output_fit(make_plan(project).analysis)
    assert fit.size == (4, 4) and fit.margin == (92, 92)
    assert "cropped by 92 pixels" in fit.note()
    assert fit.crop(np.zeros((2, 188, 188))).shape == (2, 4, 4)


def test_output_that_cannot_match_the_masks_is_refused_on_one_line():
    classifier = TEMPLATES["lenet5"].build()
    with pytest.raises(OutputSizeError, match="one score map per class") as exc:
        output_fit(make_plan(classifier).analysis)
    assert "\n" not in str(exc.value)
    with pytest.raises(OutputSizeError, match="gives 3 score maps but the data") as exc:
        list(train(tiny_segmenter(classes=3)))  # the demo has 5 classes
    assert "\n" not in str(exc.value)


def test_task_is_saved_and_older_files_open_as_classification(tmp_path):
    project = tiny_segmenter()
    saved = project.save(tmp_path / "seg.json")
    assert json.loads(saved.read_text())["task"] == "segmentation"
    assert load_project(saved).task == "segmentation"
    old = Project().to_dict()
    assert "task" not in old
    assert loads_project(json.dumps(old)).task == "classification"
    with pytest.raises(ProjectFileError, match="'task' must be one of"):
        loads_project(json.dumps({**old, "task": "detection"}))


def test_a_run_on_the_demo_reports_miou_per_class_iou_and_a_sample():
    events = list(train(tiny_segmenter(epochs=2)))
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    samples = [e for e in events if isinstance(e, SegmentationSample)]
    assert len(epochs) == 2 and len(samples) == 2 and events[-1].status == "completed"
    last = epochs[-1]
    assert 0 <= last.miou <= 1 and len(last.class_iou) == 5
    assert last.confusion.shape == (5, 5) and last.confusion.sum() == 8 * 32 * 32
    assert last.val_accuracy == pytest.approx(np.trace(last.confusion) / last.confusion.sum())
    assert samples[-1].truth.shape == samples[-1].prediction.shape == (32, 32)
    assert samples[-1].image.shape == (3, 32, 32)
    assert "mIoU" in events[-1].message


def test_a_run_streams_a_folder_with_valid_convolutions_cropping_the_masks(tmp_path):
    root = write_folder(tmp_path / "set", count=8, size=24)
    project = tiny_segmenter(classes=3, size=24, data={"source": "folder", "path": str(root)})
    conv = next(n for n in project.graph.nodes.values() if n.name == "conv1")
    project.graph.set_params(conv.id, {**conv.params, "padding": "valid"})
    project.data["workers"] = 0
    events = list(train(project))
    assert isinstance(events[-1], Finished) and events[-1].status == "completed", events[-1]
    notes = [e.message for e in events if hasattr(e, "message") and "centre-cropped" in e.message]
    assert notes and "by 1 pixels" in notes[0]
    sample = next(e for e in events if isinstance(e, SegmentationSample))
    assert sample.truth.shape == (22, 22) and sample.margin == (1, 1)


def test_cli_writes_miou_and_pixel_accuracy_and_exports_predict_mask(tmp_path, capsys):
    path = tiny_segmenter().save(tmp_path / "seg.json")
    out = tmp_path / "out"
    assert cli_main(["train", str(path), "--out", str(out), "--no-record"]) == 0
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    epoch = next(line for line in lines if line["kind"] == "epoch")
    assert 0 <= epoch["miou"] <= 1 and epoch["pixel_acc"] == epoch["val_accuracy"]
    assert len(epoch["class_iou"]) == 5
    code, _ = export_trained(load_project(path), out / "best.json", tmp_path / "export")
    spec = importlib.util.spec_from_file_location("tiny_seg_export", code)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    images = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    masks = module.predict_mask(images)
    assert masks.shape == (3, 32, 32) and masks.dtype == torch.int64
    assert int(masks.min()) >= 0 and int(masks.max()) < len(module.CLASS_NAMES) == 5
    assert module.OUTPUT_MARGIN == (0, 0)
    with pytest.raises(ValueError, match="expected images of 32×32"):
        module.predict_mask(np.zeros((16, 16, 3), np.uint8))


def test_summary_states_the_cropped_margin(tmp_path, capsys):
    project = TEMPLATES["unet"].build()
    project.set_input_shape((1, 188, 188))
    path = project.save(tmp_path / "unet.json")
    assert cli_main(["summary", str(path)]) == 0
    out = capsys.readouterr().out
    assert "segmentation: the output (4×4) is smaller than the input (188×188)" in out
    assert "cropped by 92 pixels on each side" in out
