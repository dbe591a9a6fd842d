"""Export injection: hostile names, descriptions, file names and class names never become code."""

import ast
import json
import subprocess
import sys

import pytest
import torch

from runtime import load_project, python_source
from runtime.cli import main
from runtime.codegen.errors import ExportError
from runtime.codegen.module import class_name
from runtime.codegen.trained import module_stem, trained_source
from runtime.python_export import export_python
from runtime.preprocessing import Preprocessing
from tests.runtime.export_sandbox import import_quietly
from tests.runtime.test_project_file import LENET

TEMPLATES = LENET.parent
RESNET20 = TEMPLATES / "resnet20_cifar.json"


def _with(path, tmp_path, filename="f.json", **fields):
    """A copy of a template project file with some top-level fields replaced."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.update(fields)
    target = tmp_path / filename
    target.write_text(json.dumps(doc), encoding="utf-8")
    return target


def _run_export(project_file, out):
    assert main(["export", str(project_file), "-o", str(out)]) == 0
    out.read_bytes().decode("utf-8")  # valid UTF-8
    return out


def test_issue_repro_description_cannot_run_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = f'y"""; import os; os.system("touch {marker}") #'
    out = _run_export(_with(LENET, tmp_path, description=evil), tmp_path / "x.py")
    result = subprocess.run(
        check=False,
        args=[sys.executable, "-B", "-c", "import x; print(x.__doc__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert evil in result.stdout
    assert (
        ast.get_docstring(ast.parse(out.read_text(encoding="utf-8")), clean=False).count(evil) == 1
    )


def test_name_with_newlines_and_triple_quotes_and_evil_file_name(tmp_path):
    marker = tmp_path / "pwned"  # the commands run in tmp_path
    name = 'Net\n"""\nimport os\nos.system("touch pwned")\n"""'
    filename = 'evil""";__import__("os").system("touch pwned");""".json'
    project_file = _with(LENET, tmp_path, filename=filename, name=name)
    out = _run_export(project_file, tmp_path / "y.py")
    result = import_quietly([out], tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    docstring = ast.get_docstring(ast.parse(out.read_text(encoding="utf-8")), clean=False)
    assert docstring.startswith(name) and filename in docstring


@pytest.mark.parametrize(
    "text",
    [
        "ends with \\",
        "\\N{",
        "nul \x00 byte",
        "lone \udc80 surrogate",
        "\\",
        '"',
        "'''",
        "\u202e bidi",
    ],
)
def test_strings_that_used_to_break_the_file(tmp_path, text):
    project = load_project(LENET)
    project.name, project.description = text, text + "\nsecond line " + text
    project.path = tmp_path / f"{text.replace(chr(0), '')}.json"
    source = python_source(project, project.path.name)
    source.encode("utf-8")
    tree = ast.parse(source)
    doc = ast.get_docstring(tree, clean=False)
    shown = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates as escapes
    assert (
        doc.startswith(shown)
        and project.path.name.encode("utf-8", "backslashreplace").decode() in doc
    )


SHADOWING = [
    "F",
    "nn",
    "torch",
    "BasicBlock",
    "ZeroPadShortcut",
    "None",
    "print",
    "Path",
    "load_model",
    "Add",
    "class",
]


def test_project_names_never_shadow_what_the_file_uses(tmp_path):
    project = load_project(RESNET20)
    outs = []
    for index, name in enumerate(SHADOWING):
        project.name = name
        cls = class_name(project)
        assert cls not in SHADOWING
        outs.append(export_python(project, tmp_path / f"net{index}.py"))
        assert f"class {cls}(nn.Module):" in outs[-1].read_text(encoding="utf-8")
    run_all = (
        "import runpy, sys\nfor path in sys.argv[1:]:\n"
        "    runpy.run_path(path, run_name='__main__')"
    )
    result = subprocess.run(
        check=False,
        args=[sys.executable, "-B", "-c", run_all, *map(str, outs)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("torch.Size([1, 10])") == len(SHADOWING)


def test_renamed_class_names_are_deterministic():
    project = load_project(RESNET20)
    project.name = "BasicBlock"
    assert class_name(project) == class_name(project.copy()) == "BasicBlockModel"
    project.name = "F"
    assert class_name(project) == "FModel"


def test_node_names_that_shadow_builtins_get_checked_variables():
    from runtime.graph import Graph
    from runtime.project import Project

    g = Graph()
    inp = g.add_node("input", name="image").id
    conv = g.add_node("conv2d", {"out_channels": 3}, name="print").id
    add = g.add_node("add", name="len").id
    head = g.add_node("output", {"num_classes": 2}, name="head").id
    g.connect(inp, conv)
    g.connect(conv, add)
    g.connect(inp, add)
    g.connect(add, head)
    g.connect(conv, g.add_node("relu", name="id").id)  # a second consumer keeps `print` alive
    project = Project(g, (3, 8, 8), "Shadow")
    source = python_source(project)
    assert "print_out = self.print(x)" in source and "self.len(print_out, x)" in source
    namespace: dict = {"__name__": "shadow"}
    exec(compile(source, "<shadow>", "exec"), namespace)  # noqa: S102 -- our own generated code
    assert namespace["Shadow"]()(torch.randn(2, 3, 8, 8)).shape == (2, 2)


def test_a_node_name_that_bypassed_validation_is_refused_naming_the_node():
    project = load_project(LENET)
    node = next(n for n in project.graph.nodes.values() if n.name == "conv1")
    node.name = 'conv1 = __import__("os").system("true")  #'
    with pytest.raises(ExportError, match="cannot name a PyTorch attribute") as info:
        python_source(project)
    assert info.value.node_id == node.id and "\n" not in str(info.value)


def test_export_refuses_a_file_name_that_hides_torch(tmp_path, capsys):
    assert main(["export", str(LENET), "-o", str(tmp_path / "torch.py")]) == 1
    err = capsys.readouterr().err.strip()
    assert (
        len(err.splitlines()) == 1 and "torch.py" in err and "hides Python's 'torch' module" in err
    )
    assert not (tmp_path / "torch.py").exists()


def test_trained_module_stem_never_hides_a_module():
    project = load_project(LENET)
    project.name = "torch"
    assert module_stem(project) == "torch_model"
    project.name = "OS"
    assert module_stem(project) == "os_model"
    project.name = "LeNet-5"
    assert module_stem(project) == "lenet5"


def test_trained_module_with_hostile_class_names_imports_without_side_effects(tmp_path):
    marker = tmp_path / "pwned"
    evil = f'a"); __import__("os").system("touch {marker}"); ("'
    project = load_project(LENET)
    project.name = f"'''\"\"\"\\{evil}"
    project.description = evil
    classes = (evil, "\ud800", "\\", "'", '"""', "\x00", "two\nlines", "{x}", "ok", "\u202e")
    prep = Preprocessing((1, 28, 28), (0.5,), (0.25,), classes)
    source = trained_source(project, prep, "hostile", evil)
    out = tmp_path / "hostile.py"
    out.write_text(source, encoding="utf-8")
    check = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import hostile; "
        f"assert hostile.CLASS_NAMES == {classes!r}; print('ok')"
    )
    result = subprocess.run(
        check=False,
        args=[sys.executable, "-B", "-c", check],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert import_quietly([out], tmp_path).returncode == 0
