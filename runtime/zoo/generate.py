"""Write every template's JSON file and the README's template table from the builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime.analysis import Analysis, analyze
from runtime.errors import ConvStudioError, ProjectFileError
from runtime.format import compact, count_text
from runtime.project import Project, load_project, write_atomic
from runtime.project_file import parse_text
from runtime.zoo.registry import TEMPLATES, Template

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "assets" / "templates"
"""Where the template files live (assets/templates/NAME.json)."""
KEPT_SECTIONS = ("data", "training")
"""Sections of an existing file that regenerating keeps (the default project's data and training
setup)."""
README_START = "<!-- templates:start -->"
README_END = "<!-- templates:end -->"


class ReadmeMarkerError(ConvStudioError):
    """The README lacks the markers between which the template table goes."""


def build_project(name: str, directory: Path = TEMPLATE_DIR) -> Project:
    """The template `name` as its builder makes it, with the data/training sections of its file
    kept."""
    project = TEMPLATES[name].build()
    existing = directory / f"{name}.json"
    if existing.exists():
        old = parse_text(existing.read_bytes(), existing)
        for key in KEPT_SECTIONS:
            if not isinstance(old.get(key, {}), dict):
                raise ProjectFileError(existing, f"'{key}' must be an object")
        project.data = dict(old.get("data", {}))
        project.training = dict(old.get("training", {}))
    return project


def write_templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    """(Re)write assets/templates/NAME.json for every template; returns the paths written."""
    written = []
    for name in TEMPLATES:
        path = Path(directory) / f"{name}.json"
        write_atomic(path, build_project(name, Path(directory)).to_json())
        written.append(path)
    return written


def load_template(name: str, directory: Path = TEMPLATE_DIR) -> Project:
    """The template as stored on disk (what the gallery opens)."""
    if name not in TEMPLATES:
        raise ProjectFileError(
            Path(directory) / f"{name}.json",
            f"'{name}' is not a template; known: {', '.join(TEMPLATES)}",
        )
    return load_project(Path(directory) / f"{name}.json")


def gallery_entry(template: Template, analysis: Analysis) -> dict[str, Any]:
    """One template's gallery line as JSON-ready data."""
    return {
        "name": template.name,
        "title": template.title,
        "year": template.year,
        "introduced": template.introduced,
        "input": list(analysis.input_shape),
        "params": analysis.params,
        "macs": analysis.macs,
        "reference": template.reference,
        "reference_params": template.params,
        "reference_macs": template.reference_macs,
        "reference_macs_source": template.macs_source or None,
        "pretrained_weights": _pretrained(template.name),
    }


def _pretrained(name: str) -> dict[str, str] | None:
    """The torchvision weight file a template accepts (the user downloads it), or None."""
    from runtime.weights.pretrained import pretrained_for

    source = pretrained_for(name)
    return {"torchvision": source.enum, "file": source.file, "url": source.url} if source else None


def gallery(directory: Path = TEMPLATE_DIR) -> list[dict[str, Any]]:
    """Every template's gallery entry, figures analysed from the file on disk."""
    return [gallery_entry(t, analyze(load_template(t.name, directory))) for t in TEMPLATES.values()]


def readme_table(entries: list[dict[str, Any]]) -> str:
    """The Markdown table of templates for the README."""
    lines = [
        "| Template | Year | Input | Parameters | MACs | Introduced |",
        "|---|---:|---|---:|---:|---|",
    ]
    for e in entries:
        c, h, w = e["input"]
        lines.append(
            f"| `{e['name']}` ({e['title']}) | {e['year']} | {c}×{h}×{w} | "
            f"{count_text(e['params'])} | {compact(e['macs'])} | {e['introduced']} |"
        )
    return "\n".join(lines)


def readme_with_table(text: str, table: str, where: str = "README.md") -> str:
    """`text` with everything between the template markers replaced by `table`."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ReadmeMarkerError(
            f"{where}: needs the lines {README_START} and {README_END} around the template table"
        )
    head = text[: start + len(README_START)]
    return f"{head}\n{table}\n{text[end:]}"


def update_readme(path: Path, directory: Path = TEMPLATE_DIR) -> bool:
    """Rewrite the README's template table; True when the file changed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProjectFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    new = readme_with_table(text, readme_table(gallery(directory)), str(path))
    if new != text:
        write_atomic(path, new)
    return new != text
