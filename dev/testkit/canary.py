"""Secret canaries: what OpenBao issued during a test, and where it must not appear.

AWS credentials: the sandbox's raw audit device logs every response in
clear, so reading it from an offset taken before a run gives exactly the
credentials that run obtained.

Vault tokens: OpenBao never writes a token in clear, not even to a raw audit
device. The hashed audit log holds the HMAC of every token it issued; every
token-shaped string in the scanned text is hashed with the same key
(sys/audit-hash) and compared.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import psutil

SECRET_FIELDS = ("access_key", "secret_key", "security_token")
TOKEN_SHAPE = re.compile(r"\b[sbr]\.[A-Za-z0-9]{24}\b")
# An EKS bearer token is a presigned STS URL (access key and session token
# included), base64url-encoded: decoded, it must not carry an issued secret.
EKS_TOKEN = re.compile(r"k8s-aws-v1\.[A-Za-z0-9_-]{40,}")


def audit_offset(log: str) -> int:
    return os.path.getsize(log)


def _responses(log: str, offset: int):
    with open(log, encoding="utf-8") as handle:
        handle.seek(offset)
        for line in handle:
            entry = json.loads(line)
            if entry.get("type") == "response":
                yield entry.get("response") or {}


def issued_since(raw_log: str, offset: int) -> dict[str, str]:
    """{secret: kind} for every AWS credential issued after offset."""
    found: dict[str, str] = {}
    for response in _responses(raw_log, offset):
        for key in SECRET_FIELDS:
            value = (response.get("data") or {}).get(key)
            if value:
                found[value] = key
    return found


def token_hmacs_since(hashed_log: str, offset: int) -> set[str]:
    """HMACs of every Vault token issued (logins, token creation) after offset."""
    return {
        (response.get("auth") or {}).get("client_token")
        for response in _responses(hashed_log, offset)
        if (response.get("auth") or {}).get("client_token")
    }


@dataclass
class Scan:
    """Counts of what was searched and every hit (secret kind, where)."""

    secrets: dict[str, str]
    token_hmacs: set[str]
    vault: object  # an hvac client allowed to call sys/audit-hash/file
    files: int = 0
    bytes: int = 0
    archives: int = 0  # zip files (Terraform plan files) whose members were scanned
    crash_logs: int = 0
    hits: list[tuple[str, str]] = field(default_factory=list)

    def text(self, where: str, text: str, exempt: tuple[str, ...] = ()) -> None:
        """Search text for every secret but the exempt ones."""
        self.bytes += len(text.encode())
        self.hits.extend(
            (kind, where) for secret, kind in self.secrets.items() if secret in text and secret not in exempt
        )
        for token in set(EKS_TOKEN.findall(text)):
            url = unquote(base64.urlsafe_b64decode(token[len("k8s-aws-v1.") :] + "==").decode(errors="replace"))
            if any(secret in url for secret in self.secrets):
                self.hits.append(("eks token", where))
        for candidate in set(TOKEN_SHAPE.findall(text)):
            digest = self.vault.write("sys/audit-hash/file", input=candidate)["data"]["hash"]
            if digest in self.token_hmacs:
                self.hits.append(("vault token", where))

    def tree(self, root: Path, skip: tuple[Path, ...] = ()) -> None:
        for path in sorted(Path(root).rglob("*")):
            if not path.is_file() or path.is_symlink() or any(path.is_relative_to(s) for s in skip):
                continue
            self.file(path)

    def file(self, path: Path, exempt: tuple[str, ...] = ()) -> None:
        self.files += 1
        self.crash_logs += path.name.startswith("crash") and path.suffix == ".log"
        data = path.read_bytes()
        self.text(str(path), data.decode("utf-8", errors="replace"), exempt)
        if data.startswith(b"PK\x03\x04"):
            self.archives += 1
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    self.text(f"{path}!{member}", archive.read(member).decode("utf-8", errors="replace"))

    def summary(self) -> str:
        return (
            f"scanned {self.files} files ({self.archives} plan archives, {self.crash_logs} crash logs), "
            f"{self.bytes} bytes: {len(self.hits)} hits"
        )


class ArgvSampler:
    """Samples the command line of every process on the machine until stopped
    (a context manager), to catch a secret passed on a command line."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.samples = 0
        self.during_apply = 0  # samples taken while a tofu apply ran
        self.command_lines: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ArgvSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            applying = False
            for proc in psutil.process_iter(["cmdline"]):
                argv = proc.info["cmdline"] or []
                if argv:
                    self.command_lines.add(" ".join(argv))
                    applying = applying or (argv[0].endswith("tofu") and "apply" in argv)
            self.samples += 1
            self.during_apply += applying
            self._stop.wait(self.interval)
