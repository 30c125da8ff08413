"""One sandbox per pytest-xdist worker, so that test modules run side by side
without seeing each other's AWS requests, Vault leases or audit log lines.

``make test`` runs ``python -m dev.sandbox.workers up N`` before pytest and
``down`` after it; the test kit's pytest plugin picks the worker's sandbox with
``state_dir``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dev.settings import ROOT

SANDBOX = [sys.executable, "-m", "dev.sandbox"]
# Beside, not inside, the sandbox of 'make demo' (dev/sandbox/.state), so that
# neither's 'up' removes the other's state.
STATE_ROOT = ROOT / "dev" / "sandbox" / ".state-tests"
# Above the default sandbox's ports (18200 + 0..6): worker i uses 18300 + 100 i.
PORT_BASE = 18300


def worker_name(index: int) -> str:
    return f"gw{index}"  # pytest-xdist's PYTEST_XDIST_WORKER


def state_dir(worker: str) -> Path:
    return STATE_ROOT / worker


def _env(worker: str) -> dict[str, str]:
    index = int(worker.removeprefix("gw"))
    return {
        **os.environ,
        "VOICESTACK_SANDBOX_DIR": str(state_dir(worker)),
        "VOICESTACK_SANDBOX_PORT_BASE": str(PORT_BASE + 100 * index),
    }


def up(count: int) -> int:
    """Start ``count`` sandboxes at once; print each one's failure."""
    workers = [worker_name(i) for i in range(count)]
    started = {
        w: subprocess.Popen(
            [*SANDBOX, "up"], env=_env(w), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for w in workers
    }
    status = 0
    for worker, proc in started.items():
        out, err = proc.communicate()
        if proc.returncode:
            print(f"sandbox {worker} did not start:\n{out}{err}", file=sys.stderr)
            status = 1
    if not status:
        print(f"{count} sandbox(es) running under {STATE_ROOT.relative_to(ROOT)}/")
    return status


def down() -> int:
    """Stop every worker sandbox there is."""
    workers = sorted(p.name for p in STATE_ROOT.glob("gw*")) if STATE_ROOT.exists() else []
    status = 0
    for worker in workers:
        result = subprocess.run(
            [*SANDBOX, "down"], env=_env(worker), cwd=ROOT, capture_output=True, text=True, check=False
        )
        if result.returncode:
            print(f"sandbox {worker} did not stop:\n{result.stdout}{result.stderr}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["up", count] if count.isdigit() and int(count) > 0:
            sys.exit(up(int(count)))
        case ["down"]:
            sys.exit(down())
        case _:
            sys.exit("usage: python -m dev.sandbox.workers up COUNT | down")
