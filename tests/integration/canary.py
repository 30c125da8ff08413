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

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

SECRET_FIELDS = ("access_key", "secret_key", "security_token")
TOKEN_SHAPE = re.compile(r"\b[sbr]\.[A-Za-z0-9]{24}\b")


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
    hits: list[tuple[str, str]] = field(default_factory=list)

    def text(self, where: str, text: str) -> None:
        self.bytes += len(text.encode())
        self.hits.extend((kind, where) for secret, kind in self.secrets.items() if secret in text)
        for candidate in set(TOKEN_SHAPE.findall(text)):
            digest = self.vault.write("sys/audit-hash/file", input=candidate)["data"]["hash"]
            if digest in self.token_hmacs:
                self.hits.append(("vault token", where))

    def tree(self, root: Path, skip: tuple[Path, ...] = ()) -> None:
        for path in sorted(Path(root).rglob("*")):
            if not path.is_file() or path.is_symlink() or any(path.is_relative_to(s) for s in skip):
                continue
            self.files += 1
            self.text(str(path), path.read_bytes().decode("utf-8", errors="replace"))

    def summary(self) -> str:
        return f"scanned {self.files} files, {self.bytes} bytes: {len(self.hits)} hits"
