"""Runs `convstudio` cases in forked children of one process that has imported everything once.

Started as `python -m tests.robustness.zygote JOBS TIMEOUT` with one JSON case per stdin line;
prints one JSON result per line. Each child is a real process (own exit code, own stdout and
stderr files, its own address-space limit for bombs) running the same `runtime.cli.main` as the
installed command, so hundreds of cases cost milliseconds each instead of an interpreter start.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import signal
import sys
import time
import traceback

ADDRESS_SPACE = 1 << 30
"""The address-space limit of bomb cases: 1 GiB."""


def _preload() -> None:
    """Import what every command imports, so that children start warm (nothing is run)."""
    import runtime.cli  # noqa: F401
    import runtime.onnx_export  # noqa: F401
    import runtime.training  # noqa: F401
    import studio  # noqa: F401  (the package only; Qt is not started)
    from runtime.cli import _parser

    _parser()


def _child(case: dict) -> None:
    """Run one case in this (forked) process; never returns."""
    code = 99
    try:
        os.chdir(case["folder"])
        out = os.open(case["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err = os.open(case["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ["XDG_CACHE_HOME"] = case["cache"]
        for name in (
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "QT_QPA_PLATFORM",
        ):  # `open` must find no display
            os.environ.pop(name, None)
        cpu = int(case["cpu_seconds"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU past the limit: a hang
        if case.get("bomb"):
            resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        import torch

        torch.set_num_threads(1)
        from runtime.cli import main

        code = main(case["argv"])
        if code == 0 and case.get("import_after"):
            code = _import_exported(case["import_after"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - whatever escapes main is what a user would see
        traceback.print_exc()
        code = 98
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


def _import_exported(path: str) -> int:
    """Import an exported module by path, as a user would; 3 when importing it fails."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("exported_model", path)
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001
        print(f"exported module does not import: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3
    return 0


def serve(jobs: int, timeout: float) -> None:
    """Read cases from stdin, run up to `jobs` at once, print results as they finish; a case is
    killed after its CPU seconds (it spins) or `timeout` seconds of wall time (it blocks)."""
    _preload()
    gc.freeze()  # children then never traverse (and so never copy) the preloaded objects
    pending = [json.loads(line) for line in sys.stdin if line.strip()]
    running: dict[int, tuple[dict, float]] = {}
    while pending or running:
        while pending and len(running) < jobs:
            case = pending.pop(0)
            pid = os.fork()
            if pid == 0:
                _child(case)
            running[pid] = (case, time.monotonic())
        time.sleep(0.002)
        now = time.monotonic()
        for pid, (case, started) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            hung = False
            if not done and now - started > timeout:
                os.kill(pid, signal.SIGKILL)
                done, status = os.waitpid(pid, 0)
                hung = True
            if done:
                del running[pid]
                code = os.waitstatus_to_exitcode(status)
                hung = hung or code == -signal.SIGXCPU
                print(
                    json.dumps(
                        {
                            "name": case["name"],
                            "code": code,
                            "hung": hung,
                            "seconds": round(time.monotonic() - started, 3),
                        }
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    serve(int(sys.argv[1]), float(sys.argv[2]))
