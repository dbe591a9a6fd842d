"""write_atomic: regular files only, symlinks followed, modes kept, temp files never left behind."""

import os
import stat
from pathlib import Path

import pytest

from runtime import atomic_write
from runtime.atomic_write import atomic_path, new_file_mode, write_atomic
from runtime.errors import ProjectFileError, WriteError
from runtime.project import write_atomic as reexported


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_text_and_bytes_and_leaves_no_temp_file(tmp_path):
    write_atomic(tmp_path / "a.txt", "héllo")
    write_atomic(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]
    assert reexported is write_atomic


def test_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "x")
        assert _mode(tmp_path / "new.txt") == 0o640 == new_file_mode()
    finally:
        os.umask(old)


def test_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "kept.txt"
    target.write_text("old")
    os.chmod(target, 0o604)
    write_atomic(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o604


def test_read_only_file_is_replaced_and_stays_read_only(tmp_path):
    target = tmp_path / "ro.txt"
    target.write_text("old")
    os.chmod(target, 0o444)
    write_atomic(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o444


def test_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert write_atomic(link, "new") == real
    assert link.is_symlink() and real.read_text() == "new"


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "missing.json")
    write_atomic(link, "x")
    assert link.is_symlink() and (tmp_path / "missing.json").read_text() == "x"


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_devices_are_refused_and_untouched(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    with pytest.raises(WriteError, match="not a regular file"):
        write_atomic(device, "x")
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_folder_and_fifo_are_refused(tmp_path):
    with pytest.raises(WriteError, match="is a folder"):
        write_atomic(tmp_path, "x")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="pipe"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_failure_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch, failing):
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(WriteError, match=r"t\.bin: cannot be written: No space left on device"):
        write_atomic(target, b"new" * 1000)
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.bin"]
    assert issubclass(WriteError, ProjectFileError)


def test_short_writes_are_completed(tmp_path, monkeypatch):
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    monkeypatch.setattr(atomic_write, "CHUNK", 5)
    write_atomic(tmp_path / "s.txt", "0123456789" * 3)
    assert (tmp_path / "s.txt").read_text() == "0123456789" * 3


def test_folder_is_fsynced_after_the_rename(tmp_path, monkeypatch):
    calls = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b)))
    monkeypatch.setattr(
        os,
        "fsync",
        lambda fd: (
            calls.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"),
            real_fsync(fd),
        ),
    )
    write_atomic(tmp_path / "f.txt", "x")
    assert calls == ["file", "replace", "dir"]


def test_atomic_path_for_writers_that_need_a_name(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"good")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("exporter crashed")
    assert target.read_bytes() == b"good" and [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"


def test_long_file_names_fit(tmp_path):
    name = "n" * 250 + ".json"
    write_atomic(tmp_path / name, "x")
    assert (tmp_path / name).read_text() == "x"


def test_text_with_a_lone_surrogate_is_one_line_and_writes_nothing(tmp_path):
    with pytest.raises(WriteError, match=r"lone surrogate \(U\+D800\), which UTF-8 cannot store"):
        write_atomic(tmp_path / "s.json", "name \ud800")
    assert list(tmp_path.iterdir()) == []


def test_an_onnx_export_to_a_folder_or_fifo_is_refused_before_exporting(tmp_path, monkeypatch):
    from runtime import onnx_export
    from runtime.project import load_project

    project = load_project(Path(__file__).resolve().parents[2] / "assets/templates/lenet5.json")
    monkeypatch.setattr(onnx_export, "build_model", _never_built)
    (tmp_path / "out.onnx").mkdir()
    os.mkfifo(tmp_path / "pipe.onnx")
    for name in ("out.onnx", "pipe.onnx"):
        with pytest.raises(WriteError, match=f"{name}: is a .*not a regular file"):
            onnx_export.export_onnx(project, tmp_path / name)
    atomic_write.check_target(tmp_path / "new.onnx")  # a path with no file yet is fine


def _never_built(project):
    raise AssertionError("the network was built although the target can never be written")
