"""Property: any Unicode in every user field gives a definitions-only file that imports cleanly."""

import ast
from pathlib import Path

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.codegen.errors import ExportError
from runtime.codegen.module import class_name
from runtime.codegen.trained import trained_source
from runtime.errors import GraphError
from runtime.python_export import python_source
from runtime.graph import Graph
from runtime.preprocessing import Preprocessing
from runtime.project import Project
from tests.runtime.export_sandbox import import_quietly

TRICKY = [
    '"""',
    "'''",
    "\\",
    "\\N{",
    "\x00",
    "\ud800",
    "\udfff",
    "\n",
    "\r",
    "\u2028",
    "\u202e",
    "#",
    "{",
    "}",
    '"',
    "'",
    "\t",
    ";",
    "import os",
    "__import__('os').system('touch pwned')",
    "\\x",
    "\\u12",
]
any_char = st.characters(exclude_categories=())  # lone surrogates included
hostile = st.lists(
    st.one_of(st.text(any_char, max_size=6), st.sampled_from(TRICKY)), max_size=8
).map("".join)
node_names = st.one_of(
    hostile,
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True),
    st.sampled_from(
        [
            "print",
            "len",
            "id",
            "F",
            "nn",
            "torch",
            "BasicBlock",
            "predict",
            "load_model",
            "Path",
            "MEAN",
            "x",
            "self",
            "match",
            "type",
            "Add",
        ]
    ),
)


def _project() -> tuple[Project, list[str]]:
    """input → a → add(a, input) → head; a second consumer keeps `a` alive as a forward local."""
    g = Graph()
    inp = g.add_node("input", name="image").id
    conv = g.add_node("conv2d", {"out_channels": 3}, name="conv1").id
    add = g.add_node("add", name="add1").id
    head = g.add_node("output", {"num_classes": 3}, name="head").id
    side = g.add_node("relu", name="relu1").id
    for a, b in ((inp, conv), (conv, add), (inp, add), (add, head), (conv, side)):
        g.connect(a, b)
    return Project(g, (3, 8, 8), "Net"), [conv, add, side]


def _shown(text: str) -> str:
    """How a docstring shows text: exactly, but lone surrogates as their backslash escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _definitions_only(tree: ast.Module) -> None:
    """The test's own oracle: docstring, imports, classes, functions, constants, main guard."""
    for index, stmt in enumerate(tree.body):
        if index == 0:
            assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            pass
        elif isinstance(stmt, (ast.ClassDef, ast.FunctionDef)):
            assert not stmt.decorator_list
        elif isinstance(stmt, ast.Assign):
            assert all(isinstance(t, ast.Name) for t in stmt.targets)
            ast.literal_eval(stmt.value)
        else:
            assert isinstance(stmt, ast.If) and ast.unparse(stmt.test) == "__name__ == '__main__'"


def _build(name, description, filename, nodes, classes, bypass):
    """The exported source for these user fields, or None when a node name is refused."""
    project, ids = _project()
    project.name, project.description = name, description
    project.path = Path("/projects") / (filename.replace("/", "") or "f")
    for node_id, wanted in zip(ids, nodes):
        if bypass:
            project.graph.nodes[node_id].name = wanted
            continue
        try:
            project.graph.rename(node_id, wanted)
        except GraphError as exc:
            assert "\n" not in str(exc).strip() and exc.node_id == node_id
    try:
        if classes is None:
            return python_source(project, project.path.name), project
        prep = Preprocessing((3, 8, 8), (0.5, 0.5, 0.5), (0.2, 0.2, 0.2), tuple(classes))
        return trained_source(project, prep, "exported", project.path.name), project
    except ExportError as exc:
        assert bypass and exc.node_id in ids and "\n" not in str(exc)
        return None, project


fields = {
    "name": hostile,
    "description": hostile,
    "filename": hostile,
    "nodes": st.lists(node_names, max_size=3),
    "classes": st.one_of(st.none(), st.lists(hostile, min_size=3, max_size=3)),
    "bypass": st.booleans(),
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**fields)
def test_any_user_text_gives_a_definitions_only_file(
    name, description, filename, nodes, classes, bypass
):
    source, project = _build(name, description, filename, nodes, classes, bypass)
    if source is None:
        return
    source.encode("utf-8")
    tree = ast.parse(source)
    _definitions_only(tree)
    doc = ast.get_docstring(tree, clean=False)
    assert doc.startswith(_shown(name)) and _shown(project.path.name) in doc
    if description.strip():
        assert _shown(description.strip()) in doc
    namespace: dict = {"__name__": "exported"}
    exec(compile(tree, "<exported>", "exec"), namespace)  # noqa: S102 -- definitions only, checked above
    model = namespace[class_name(project)]()
    assert model(torch.zeros(1, 3, 8, 8)).shape == (1, 3)
    if classes is not None:
        assert namespace["CLASS_NAMES"] == tuple(classes)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(**fields)
def test_importing_runs_nothing_else(tmp_path, name, description, filename, nodes, classes, bypass):
    source, _ = _build(name, description, filename, nodes, classes, bypass)
    if source is None:
        return
    out = tmp_path / "exported.py"
    out.write_text(source, encoding="utf-8")
    result = import_quietly([out], tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "pwned").exists()
