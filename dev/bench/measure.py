"""What the benchmark measures, apart from running things: the peak memory of
a process tree, the Vault requests in OpenBao's audit log, and the table."""

from __future__ import annotations

import json
import re
import resource
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import psutil


def tree_memory(root: psutil.Process) -> tuple[int, int, int]:
    """(summed RSS, summed PSS in bytes, number of processes) of root and all its descendants.

    RSS counts a page shared by several processes (the same provider binary
    mapped by every account's plugin process) once per process; PSS splits it
    between them, so the PSS sum is what the tree really holds."""
    rss = pss = count = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue  # ended between the listing and the reading
        rss += info.rss
        pss += info.pss
        count += 1
    return rss, pss, count


@dataclass
class PeakRss:
    """Samples tree_memory(pid) every interval seconds in a thread until stopped."""

    pid: int
    interval: float = 0.2
    peak_bytes: int = 0
    peak_pss_bytes: int = 0
    peak_processes: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> PeakRss:
        root = psutil.Process(self.pid)
        self._thread = threading.Thread(target=self._run, args=(root,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self, root: psutil.Process) -> None:
        while not self._stop.is_set():
            rss, pss, count = tree_memory(root)
            self.samples += 1
            self.peak_bytes = max(self.peak_bytes, rss)
            self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
            self.peak_processes = max(self.peak_processes, count)
            self._stop.wait(self.interval)


def vault_kind(operation: str, path: str) -> str:
    """The kind of one Vault request: login, issue, revoke-lease, revoke-token or the request itself."""
    if path.startswith("auth/") and (path.endswith("/login") or "/login/" in path):
        return "login"
    if path.startswith(("aws/sts/", "aws/creds/")):
        return "issue"
    if path.startswith("sys/leases/lookup"):
        return "lookup-lease"  # vault_lease_revoke's check that the lease is still there
    if path.startswith("sys/leases/revoke"):
        return "revoke-lease"
    if path in ("auth/token/revoke-self", "auth/token/revoke"):
        return "revoke-token"
    return f"{operation} {path}"


def vault_requests(lines) -> Counter:
    """Requests per kind (vault_kind) in lines of OpenBao's JSON audit log."""
    kinds: Counter = Counter()
    for line in lines:
        entry = json.loads(line)
        if entry.get("type") == "request":
            request = entry.get("request") or {}
            kinds[vault_kind(request.get("operation", ""), request.get("path", ""))] += 1
    return kinds


def audit_since(audit_log: str, offset: int) -> Counter:
    with open(audit_log, encoding="utf-8") as log:
        log.seek(offset)
        return vault_requests(log)


# What one account's run should ask Vault: one login, one issue, and revoking
# what it got (the lease, after checking it is still there, and the token).
EXPECTED = ("login", "issue", "lookup-lease", "revoke-lease", "revoke-token")


def per_account(kinds: Counter, accounts: int) -> str:
    """'login 1, issue 1, ...' per account; a kind that does not divide evenly shows as a fraction."""
    parts = [f"{kind} {kinds.get(kind, 0) / accounts:g}" for kind in EXPECTED]
    others = sum(n for k, n in kinds.items() if k not in EXPECTED)
    parts.append(f"other {others / accounts:g}")
    return ", ".join(parts)


def one_of_each(kinds: Counter, accounts: int) -> bool:
    """Each EXPECTED request exactly once per account, nothing else."""
    return dict(kinds) == dict.fromkeys(EXPECTED, accounts)


PROFILE_LINE = re.compile(r"^(?P<task>\S.*?) -+ (?P<seconds>\d+\.\d+)s$")


def seconds_by_role(lines) -> dict[str, float]:
    """Task seconds summed per role ('playbook' for the playbook's own tasks) from the
    recap of Ansible's ansible.posix.profile_tasks callback."""
    totals: dict[str, float] = {}
    for line in lines:
        match = PROFILE_LINE.match(line.rstrip("\n"))
        if match:
            task = match["task"]
            role = task.split(" : ", 1)[0].rsplit(".", 1)[-1] if " : " in task else "playbook"
            totals[role] = round(totals.get(role, 0.0) + float(match["seconds"]), 2)
    return totals


def cpu_by_role(rows) -> dict[str, float]:
    """CPU seconds summed per role from the cpu_tasks callback's rows ([task, role, seconds])."""
    totals: dict[str, float] = {}
    for _task, role, seconds in rows:
        totals[role] = round(totals.get(role, 0.0) + seconds, 2)
    return totals


def markdown_table(rows: list[dict]) -> str:
    """rows of {figure, measured, target, met} as one Markdown table."""
    lines = ["| figure | measured | target | met |", "| --- | --- | --- | --- |"]
    for row in rows:
        met = {True: "yes", False: "**no**", None: ""}[row.get("met")]
        lines.append(f"| {row['figure']} | {row['measured']} | {row.get('target', '')} | {met} |")
    return "\n".join(lines)


class Stopwatch:
    """Wall time of the block, and the CPU time (user + system) of the child processes
    waited for in it: with every process waiting for its own children, that is the
    whole process tree's, which other load on the machine hardly changes."""

    def __enter__(self) -> Stopwatch:
        self.start = time.monotonic()
        self._cpu = _children_cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.monotonic() - self.start
        self.cpu_seconds = _children_cpu() - self._cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
