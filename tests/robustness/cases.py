"""Writes the corpus to disk, one folder per case, pairing each input with the commands it feeds."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.robustness import corpus
from tests.robustness.corpus import Case, Writer

PROJECT_COMMANDS: dict[str, list[str]] = {
    "summary": ["summary", "{file}"],
    "summary_json": ["summary", "{file}", "--format", "json"],
    "export_py": ["export", "{file}", "-o", "out.py"],
    "export_onnx": ["export", "{file}", "-o", "out.onnx"],
    "train": ["train", "{file}", "--out", "run"],
    "weights": ["weights", "{file}", "--load", "w.safetensors", "-o", "out.json"],
    "ablate": ["ablate", "{file}", "--weights", "w.safetensors"],
}
"""Every command that reads a project file, with its output inside the case folder."""


FULL_DIGEST_BYTES = 8 << 20
"""Inputs up to this size are compared by their full SHA-256."""


class CaseWriter:
    """Creates case folders under `root` and records the cases."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cases: list[Case] = []

    def add(self, name: str, files: dict[str, Writer], argv: list[str], **options: Any) -> Path:
        """A case folder holding `files`, run with `argv` (names relative to the folder)."""
        folder = self.root / name
        folder.mkdir(parents=True)
        for rel, write in files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write(target)
        self.cases.append(Case(name, argv, folder=str(folder), **options))
        return folder

    def project_everywhere(
        self,
        name: str,
        write: Writer | None,
        file: str = "p.json",
        commands: dict[str, list[str]] = PROJECT_COMMANDS,
        **options: Any,
    ) -> None:
        """One case per command that reads a project, all on the same bad file."""
        for command, argv in commands.items():
            files = {file: write} if write else {}
            folder = self.add(
                f"{name}.{command}", files, [a.format(file=file) for a in argv], **options
            )
            if write is None:
                corpus.make_special(folder, name)


def build_cases(root: Path, checkpoints: bool = True) -> list[Case]:
    """Write every case under `root`; hashes of the inputs are taken last."""
    writer = CaseWriter(root)
    for name, write in corpus.project_files().items():
        writer.project_everywhere(name, write)
    for name, (write, parsed_away) in corpus.number_files().items():
        commands = ("summary", "train") if parsed_away else ("summary",)
        writer.project_everywhere(name, write, commands={c: PROJECT_COMMANDS[c] for c in commands})
    for name, write in corpus.user_block_files().items():
        commands = {c: PROJECT_COMMANDS[c] for c in ("summary", "export_py")}
        writer.project_everywhere(name, write, commands=commands)
    for name, write in corpus.user_block_injections().items():
        writer.add(
            f"{name}.export_py",
            {"p.json": write},
            ["export", "p.json", "-o", "out.py"],
            accepted=True,
            import_after="out.py",
        )
    for name, write in corpus.bomb_project_files().items():
        writer.project_everywhere(name, write, bomb=True)
    for name, path in corpus.special_paths().items():
        writer.project_everywhere(name, None, file=path, bomb=True)
    _settings_cases(writer)
    _data_cases(writer)
    _target_cases(writer)
    _argument_cases(writer)
    _injection_cases(writer)
    _weights_and_import_cases(writer)
    if checkpoints:
        _checkpoint_cases(writer, root)
    for case in writer.cases:
        case.inputs = snapshot(Path(case.folder))
    return writer.cases


def _settings_cases(writer: CaseWriter) -> None:
    for name, section in corpus.training_settings().items():
        doc = corpus.tiny_project(training={**corpus.tiny_project()["training"], **section})
        writer.add(
            f"training_{name}.train", {"p.json": _dump(doc)}, ["train", "p.json", "--out", "run"]
        )
    for name, section in corpus.data_settings().items():
        doc = corpus.tiny_project(data=section)
        files = {"p.json": _dump(doc)}
        if name == "one_class_folder":
            files["one_class/a/x.png"] = corpus._png_small
        writer.add(f"data_{name}.train", files, ["train", "p.json", "--out", "run"])


def _data_cases(writer: CaseWriter) -> None:
    for name, (section, files) in corpus.data_files().items():
        doc = corpus.tiny_project(data=section)
        folder = writer.add(
            f"datafile_{name}.train",
            {"p.json": _dump(doc), **files},
            ["train", "p.json", "--out", "run"],
            bomb=True,
        )
        if "fifo" in name:
            os.mkfifo(folder / "fifo.idx")


def _target_cases(writer: CaseWriter) -> None:
    """Outputs that must not be written: a folder, a FIFO, a device node, a file as --out."""
    good = {"p.json": _dump(corpus.tiny_project())}
    for fmt in ("py", "onnx"):
        writer.add(
            f"target_folder.export_{fmt}",
            {**good, f"out.{fmt}/keep.txt": _text("keep")},
            ["export", "p.json", "-o", f"out.{fmt}"],
        )
        folder = writer.add(
            f"target_fifo.export_{fmt}", good, ["export", "p.json", "-o", f"out.{fmt}"]
        )
        os.mkfifo(folder / f"out.{fmt}")
        if (
            os.geteuid() == 0
        ):  # a device node of our own: replacing the real /dev/null would harm the machine
            folder = writer.add(
                f"target_device.export_{fmt}", good, ["export", "p.json", "-o", f"null.{fmt}"]
            )
            os.mknod(folder / f"null.{fmt}", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    writer.add(
        "target_out_is_file.train",
        {**good, "run": _text("precious")},
        ["train", "p.json", "--out", "run"],
    )
    folder = writer.add("target_out_fifo.train", good, ["train", "p.json", "--out", "run"])
    os.mkfifo(folder / "run")
    custom = copy.deepcopy(corpus.tiny_project())
    custom["nodes"][2].update(block="custom_module", params={"module": "mods.py:Gate"})
    for target in ("mods.py", "MODS.py"):  # the user's module, and its double on a folded case
        writer.add(
            f"target_user_module_{target.replace('.', '_')}.export_py",
            {"p.json": _dump(custom), "mods.py": _text(corpus.USER_MODULE)},
            ["export", "p.json", "-o", target],
        )


def _argument_cases(writer: CaseWriter) -> None:
    """Bad command-line values (the project itself is fine)."""
    good = {"p.json": _dump(corpus.tiny_project())}
    for i, argv in enumerate(
        [
            ["summary", "p.json", "--input", "3x224"],
            ["summary", "p.json", "--input", "0x8x8"],
            ["summary", "p.json", "--input", "1x99999x8"],
            ["summary", "p.json", "--input", "axbxc"],
            ["summary", "p.json", "--batch", "0"],
            ["summary", "p.json", "--batch", "-5"],
            ["summary", "p.json", "--batch", "x"],
            ["summary", "p.json", "--format", "xml"],
            ["export", "p.json"],
            ["export", "p.json", "-o", "x.py", "--format", "java"],
            ["train", "p.json", "--epochs", "0", "--out", "run"],
            ["train", "p.json", "--epochs", "-1", "--out", "run"],
            ["train", "p.json", "--epochs", str(10**30), "--out", "run"],
            ["train", "p.json", "--device", "tpu", "--out", "run"],
            ["train", "p.json", "--device", "cuda", "--out", "run"],
            ["train", "p.json", "--resume", "nothing.json", "--out", "run"],
            ["train", "p.json", "--resume", "/dev/zero", "--out", "run"],
            ["blocks", "--format", "xml"],
            ["templates", "--format", "yaml"],
            ["blocks", "extra"],
            ["no-such-command"],
            ["open", "p.json"],
            ["open"],
            ["open", "missing.json"],
        ]
    ):
        writer.add(f"args_{i:02d}_{argv[0]}", good, argv)


def _injection_cases(writer: CaseWriter) -> None:
    """Hostile strings in every user field: exports must succeed and import without running them."""
    for name, text in corpus.injection_strings().items():
        for field in ("name", "description"):
            doc = copy.deepcopy(corpus.tiny_project())
            doc[field] = text
            writer.add(
                f"inject_{field}_{name}.export_py",
                {"p.json": _dump(doc)},
                ["export", "p.json", "-o", "out.py"],
                accepted=True,
                import_after="out.py",
            )
        doc = copy.deepcopy(corpus.tiny_project())
        doc["nodes"][1]["name"] = text  # node names must be identifiers: refused when loading
        writer.project_everywhere(f"inject_node_name_{name}", _dump(doc))
    payload = 'evil""";__import__("os").system("touch PWNED");"""'
    writer.add(
        "inject_file_name.export_py",
        {f"{payload}.json": _dump(corpus.tiny_project())},
        ["export", f"{payload}.json", "-o", "out.py"],
        accepted=True,
        import_after="out.py",
    )


def _weights_and_import_cases(writer: CaseWriter) -> None:
    """Bad weight files for `weights`, bad ONNX files for `import` (.py sources run by design)."""
    good = {"p.json": _dump(corpus.tiny_project())}
    weights = {
        "empty.safetensors": _text(""),
        "garbage.safetensors": _text("{not a header"),
        "evil.pt": corpus.evil_pickle,
        "objects.pt": corpus.object_archive,
        "garbage.pt": _text("not a zip"),
        "huge_header.safetensors": lambda p: p.write_bytes((2**62).to_bytes(8, "little") + b"{}"),
    }
    for name, write in weights.items():
        writer.add(
            f"weights_{name.replace('.', '_')}",
            {**good, name: write},
            ["weights", "p.json", "--load", name, "-o", "out.json"],
        )
    for name in ("fifo.pt", "/dev/zero", "missing.pt"):
        folder = writer.add(
            f"weights_{name.strip('/').replace('/', '_').replace('.', '_')}",
            good,
            ["weights", "p.json", "--load", name, "-o", "out.json"],
            bomb=True,
        )
        if name == "fifo.pt":
            os.mkfifo(folder / name)
    for name in ("/dev/zero", "fifo_spec", "missing_spec", "empty_folder", "corrupt.csv"):
        folder = writer.add(
            f"data_spec_{name.strip('/').replace('/', '_').replace('.', '_')}",
            {"corrupt.csv": _text("image,label\n\x00\x01,\n")} if name == "corrupt.csv" else {},
            ["data", name],
            bomb=True,
        )
        if name == "fifo_spec":
            os.mkfifo(folder / name)
        elif name == "empty_folder":
            (folder / name).mkdir()
    onnx = {"empty.onnx": _text(""), "garbage.onnx": _text("not protobuf"), "dev_zero.onnx": None}
    for name, write in onnx.items():
        files = {name: write} if write else {}
        folder = writer.add(
            f"import_{name.replace('.', '_')}", files, ["import", name, "-o", "out.json"], bomb=True
        )
        if write is None:
            (folder / name).symlink_to("/dev/zero")


def _checkpoint_cases(writer: CaseWriter, root: Path) -> None:
    """Tampered checkpoints (JSON fields, truncated and reshaped tensors) passed to --resume."""
    origin = root / "_checkpoint"
    origin.mkdir()
    (origin / "p.json").write_text(json.dumps(corpus.tiny_project()), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "runtime", "train", "p.json", "--out", "run"],
        cwd=origin,
        capture_output=True,
        timeout=120,
        check=True,
    )
    run = origin / "run"
    meta = json.loads((run / "last.json").read_text(encoding="utf-8"))
    copies = {
        rel.relative_to(run).as_posix(): _bytes_of(rel)
        for rel in run.rglob("*")
        if rel.is_file() and rel.suffix in (".json", ".safetensors")
    }
    project = {"p.json": _dump(corpus.tiny_project())}
    saved = {f"ckpt/{k}": v for k, v in copies.items()}
    argv = ["train", "p.json", "--resume", "ckpt/last.json", "--out", "run"]
    for key in ("epoch", "weights", "optimizer", "param_groups", "scheduler", "best_val_accuracy"):
        for i, value in enumerate((None, "x", -1)):
            tampered = copy.deepcopy(meta)
            if key == "param_groups" and isinstance(tampered.get("optimizer"), dict):
                tampered["optimizer"]["param_groups"] = value
            else:
                tampered[key] = value
            writer.add(
                f"checkpoint_{key}_{i}.train",
                {**project, **saved, "ckpt/last.json": _dump(tampered)},
                argv,
            )
    images = {
        "corrupt.png": _text("\x89PNG not really"),
        "empty.png": _text(""),
        "bomb.png": corpus._png_bomb,
        "fifo.png": None,
        "zero.png": "/dev/zero",
    }
    for name, write in images.items():
        files = {**project, **saved}
        if callable(write):
            files[name] = write
        folder = writer.add(
            f"explain_image_{name.replace('.', '_')}",
            files,
            ["explain", "p.json", "--weights", "ckpt/last.json", "--image", name, "-o", "map.png"],
            bomb=True,
        )
        if write is None:
            os.mkfifo(folder / name)
        elif isinstance(write, str):
            (folder / name).symlink_to(write)
    for name in ("/dev/zero", "missing.json"):
        writer.add(
            f"attack_weights_{name.strip('/').replace('/', '_').replace('.', '_')}",
            project,
            ["attack", "p.json", "--weights", name],
            bomb=True,
        )
    for rel in copies:
        if rel.startswith("last") and rel.endswith(".safetensors"):
            stem = Path(rel).stem.replace(".", "_")
            writer.add(
                f"checkpoint_truncated_{stem}.train",
                {**project, **saved, f"ckpt/{rel}": _truncated(run / rel)},
                argv,
            )
            writer.add(
                f"checkpoint_reshaped_{stem}.train",
                {**project, **saved, f"ckpt/{rel}": _reshaped(run / rel)},
                argv,
            )


def _reshaped(path: Path) -> Writer:
    """The same tensor names with the wrong shapes."""
    from safetensors.numpy import load_file, save_file
    import numpy as np

    tensors = {
        name: np.zeros((len(t.shape) + 2,), dtype=t.dtype)
        for name, t in load_file(str(path)).items()
    }
    return lambda target: save_file(tensors, str(target))


def _dump(doc: Any) -> Writer:
    text = json.dumps(doc, ensure_ascii=True)
    return lambda path: path.write_text(text, encoding="utf-8")


def _text(text: str) -> Writer:
    return lambda path: path.write_text(text, encoding="utf-8")


def _bytes_of(path: Path) -> Writer:
    data = path.read_bytes()
    return lambda target: target.write_bytes(data)


def _truncated(path: Path) -> Writer:
    data = path.read_bytes()
    return lambda target: target.write_bytes(data[: len(data) // 2])


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder` (links, special files too) with a digest of content or kind."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode) and path.stat().st_size <= FULL_DIGEST_BYTES:
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISREG(
            mode
        ):  # large bombs: size, times and the first MiB say whether it was touched
            info = path.stat()
            with open(path, "rb") as handle:
                head = hashlib.sha256(handle.read(1 << 20)).hexdigest()
            found[rel] = f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{head}"
        elif stat.S_ISLNK(mode):
            found[rel] = "link:" + os.readlink(path)
        else:
            found[rel] = f"mode:{stat.S_IFMT(mode):o}"
    return found
