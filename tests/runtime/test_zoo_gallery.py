"""The template gallery: files on disk match the builders, README table, `convstudio templates`,
layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.analysis import analyze
from runtime.cli import main as cli_main
from runtime.errors import ProjectFileError
from runtime.project import load_project
from runtime.zoo import TEMPLATES, template
from runtime.zoo.__main__ import main as zoo_main
from runtime.zoo.generate import (
    README_END,
    README_START,
    TEMPLATE_DIR,
    ReadmeMarkerError,
    build_project,
    gallery,
    load_template,
    readme_table,
    readme_with_table,
    update_readme,
    write_templates,
)

README = Path(__file__).resolve().parents[2] / "README.md"
REQUIRED = """alexnet vgg11 vgg11_bn vgg13 vgg13_bn vgg16 vgg16_bn vgg19 vgg19_bn resnet18 resnet34
    resnet50 resnet101 resnet152 resnext50_32x4d wide_resnet50_2 densenet121 densenet169 googlenet
    squeezenet1_0 squeezenet1_1 mobilenet_v2 shufflenet_v2_x1_0 efficientnet_b0 lenet5 alexnet_caffe
    zfnet nin preact_resnet18 se_resnet50 xception mobilenet_v1 resnet20_cifar wrn_28_10
    densenet_bc_100 unet fcn32s airbench94
    unet_small""".split()


@pytest.fixture(scope="module")
def entries():
    """The gallery, analysed once."""
    return gallery()


def test_every_required_template_exists_and_nothing_else():
    """The issue's list, exactly, and one JSON file per template."""
    assert sorted(TEMPLATES) == sorted(REQUIRED)
    assert sorted(p.stem for p in TEMPLATE_DIR.glob("*.json")) == sorted(REQUIRED)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_file_on_disk_is_what_the_builder_makes(name):
    """assets/templates/NAME.json cannot drift from its builder: run `python -m runtime.zoo` after a
    change."""
    text = (TEMPLATE_DIR / f"{name}.json").read_text(encoding="utf-8")
    assert text == build_project(name).to_json()
    doc = json.loads(text)
    if name not in ("lenet5", "unet_small"):  # the default classification and segmentation projects
        assert "data" not in doc and "training" not in doc


def test_default_project_stays_lenet5():
    """lenet5.json is the default project: LeNet-5 with 61,706 parameters at 1×28×28."""
    project = load_template("lenet5")
    assert project.name == "LeNet-5" and project.input_shape == (1, 28, 28)
    assert analyze(project).params == 61_706


def test_regenerating_keeps_lenet5_data_and_training(tmp_path):
    """The training engineer's sections of lenet5.json survive regeneration; others get none."""
    doc = json.loads((TEMPLATE_DIR / "lenet5.json").read_text(encoding="utf-8"))
    doc["data"] = {"dataset": "mnist", "batch_size": 64}
    doc["training"] = {"optimizer": "sgd", "lr": 0.01}
    (tmp_path / "lenet5.json").write_text(json.dumps(doc), encoding="utf-8")
    assert zoo_main(["--out", str(tmp_path)]) == 0
    kept = load_project(tmp_path / "lenet5.json")
    assert kept.data == doc["data"] and kept.training == doc["training"]
    assert len(list(tmp_path.glob("*.json"))) == len(TEMPLATES)
    assert load_project(tmp_path / "vgg16.json").data == {}


def test_regenerating_refuses_a_broken_existing_file(tmp_path):
    """A damaged lenet5.json is reported with its path instead of silently losing its sections."""
    (tmp_path / "lenet5.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ProjectFileError, match="lenet5.json: is not valid JSON"):
        write_templates(tmp_path)
    assert zoo_main(["--out", str(tmp_path)]) == 1


def test_readme_table_replaces_only_the_marked_part(entries):
    """Text outside the markers is untouched; regenerating twice changes nothing."""
    text = f"# Title\nintro\n{README_START}\nold table\n{README_END}\n## After\nmore\n"
    table = readme_table(entries)
    new = readme_with_table(text, table)
    assert new.startswith("# Title\nintro\n" + README_START + "\n| Template |")
    assert new.endswith(README_END + "\n## After\nmore\n") and "old table" not in new
    assert readme_with_table(new, table) == new
    assert "| `resnet50` (ResNet-50) | 2015 | 3×224×224 | 25,557,032 | 4.09 G |" in new
    with pytest.raises(ReadmeMarkerError, match="templates:start"):
        readme_with_table("# no markers\n", table)


def test_update_readme_writes_file(tmp_path):
    """`python -m runtime.zoo --readme FILE` rewrites the table in place."""
    readme = tmp_path / "README.md"
    readme.write_text(f"top\n{README_START}\n{README_END}\n", encoding="utf-8")
    assert update_readme(readme) is True
    assert "`lenet5` (LeNet-5)" in readme.read_text(encoding="utf-8")
    assert update_readme(readme) is False
    with pytest.raises(ProjectFileError):
        update_readme(tmp_path / "missing.md")


def test_repository_readme_table_is_current(entries):
    """The README's template table equals what the generator makes (once the README exists)."""
    if not README.exists():
        pytest.skip("README.md has not been created yet")
    text = README.read_text(encoding="utf-8")
    assert readme_with_table(text, readme_table(entries)) == text, (
        "run: python -m runtime.zoo --readme README.md"
    )


def test_cli_templates_json(capsys):
    """`convstudio templates --format json` gives figures, references and history for every
    template."""
    assert cli_main(["templates", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in data] == list(TEMPLATES)
    alexnet = next(e for e in data if e["name"] == "alexnet_caffe")
    assert (
        alexnet["input"] == [3, 227, 227]
        and alexnet["params"] == alexnet["reference_params"] == 60_965_224
    )
    assert alexnet["year"] == 2012 and "LRN" in alexnet["introduced"]
    resnet = next(e for e in data if e["name"] == "resnet50")
    assert (
        resnet["reference_macs"] == 4_090_000_000
        and "torchvision" in resnet["reference_macs_source"]
    )


def test_cli_templates_table(capsys):
    """The table has a header and one aligned row per template."""
    assert cli_main(["templates"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["NAME", "YEAR", "INPUT", "PARAMS", "MACS"]
    assert len(lines) == len(TEMPLATES) + 1
    lenet = next(line for line in lines if line.startswith("lenet5 "))
    assert "1998" in lenet and "1×28×28" in lenet and "61,706" in lenet and "417 K" in lenet
    year = lines[0].index("YEAR")
    assert all(line[year : year + 4].isdigit() for line in lines[1:])


def test_unknown_template_is_a_clear_error():
    """Asking for a template that does not exist names it and lists the known ones."""
    with pytest.raises(ProjectFileError, match="'resnet9000' is not a template; known: lenet5"):
        load_template("resnet9000")


def test_template_names_are_unique():
    """Registering a template name twice is refused."""
    with pytest.raises(ValueError, match="registered twice"):
        template("lenet5", "again", 1998, "x", "y", 1)(lambda: None)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_layout_reads_down_its_columns_from_left_to_right(name):
    """No two nodes share a position; wires into another column run rightwards (a fold, the skips
    of a U); inside a column they all run down, or all climb (the rising arm of a U)."""
    graph = build_project(name).graph
    positions = [node.pos for node in graph.nodes.values()]
    assert len(set(positions)) == len(positions)
    climbs: dict[float, set[bool]] = {}
    for edge in graph.edges:
        (x0, y0), (x1, y1) = graph.nodes[edge.src].pos, graph.nodes[edge.dst].pos
        if x0 == x1:
            climbs.setdefault(x0, set()).add(y1 < y0)
        elif y1 <= y0:
            assert x1 > x0, (graph.nodes[edge.src].name, graph.nodes[edge.dst].name)
    assert all(len(ways) == 1 for ways in climbs.values())


def test_composite_networks_stay_readable():
    """ResNet-50 reads as stem, sixteen bottlenecks and head, not 170 boxes."""
    graph = build_project("resnet50").graph
    blocks = [n.block for n in graph.nodes.values()]
    assert blocks.count("bottleneck") == 16 and len(blocks) < 30
    names = [n.name for n in graph.nodes.values()]
    assert names[:5] == ["input_image", "conv1", "bn1", "relu", "maxpool"] and "layer4_2" in names
