"""Killing a tofu process as the kernel's OOM killer does, without leaking its provider plugins into the
machine: they outlive a SIGKILLed tofu (nothing tells them), so the tests reap them once the run is over."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil


def sigkill(proc: psutil.Process) -> list[psutil.Process]:
    """SIGKILL proc alone, as the OOM killer does; return its children (provider plugins) to reap later."""
    children = proc.children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    return children


def reap(children: list[psutil.Process]) -> None:
    """Kill what is left of a killed process's children."""
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


def wait_for_tofu(work: Path, command: str, started=None, timeout: float = 600) -> psutil.Process:
    """The tofu process running command (plan, apply, destroy) on a stack of this work folder (not the
    preflight's plan of the variables alone, nor another sandbox's run of the same account). With started (the
    Popen of the playbook), a run that ends before its tofu starts fails at once with its output."""
    stacks = f"{work / 'stacks'}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started is not None and started.poll() is not None:
            stdout, stderr = started.communicate()
            raise AssertionError(f"the run ended before tofu {command} started: {stdout[-4000:]}{stderr[-2000:]}")
        for proc in psutil.process_iter(["cmdline", "cwd"]):
            try:
                argv = proc.info["cmdline"] or []
                cwd = f"{proc.info['cwd'] or ''}/"
            except psutil.Error:
                continue
            if argv and argv[0].endswith("tofu") and command in argv and cwd.startswith(stacks):
                return proc
        time.sleep(0.05)
    raise AssertionError(f"no tofu {command} started in {stacks}")
