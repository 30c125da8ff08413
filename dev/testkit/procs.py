"""Killing a tofu process as the kernel's OOM killer does, without leaking its provider plugins into the
machine: they outlive a SIGKILLed tofu (nothing tells them), so the tests reap them once the run is over."""

from __future__ import annotations

import signal

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
