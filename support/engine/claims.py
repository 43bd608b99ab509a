"""Test databases a killed run left behind are dropped by the next run.

A run that creates test databases first takes a *claim*: a file in a folder every run of this user on this host
shares (``<tmp>/prs-acceptance-claims-<uid>/``), locked with a POSIX lock for as long as the run's process lives,
into which it writes each database's identity *before* creating it. The kernel releases that lock when the
process ends, however it ends (SIGKILL included), and forked workers never hold it (POSIX locks belong to one
process). So at the start of a run, a claim whose lock can be taken is a dead run's: its databases are dropped
and the claim removed. A live run's claim is never touched, whatever its age, and nothing is inferred from a pid
(a recycled pid cannot mislead it). A run that ends normally drops its databases and removes its own claim.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

SUFFIX = ".claim"
PENDING_SECONDS = 60.0  # a claim is renamed from .pending within microseconds; older ones are a dead run's
_held: set[str] = set()  # this process's own claims: a POSIX lock never conflicts with its own process


def claims_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / f"prs-acceptance-claims-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


class RunClaim:
    """This run's claim: locked from creation to `release()` (or the process's end)."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or claims_folder()
        stem = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        # Locked under a name no reclaimer looks at, then renamed: a claim is never seen unlocked while alive.
        pending = folder / f"{stem}.pending"
        self._fd = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.path = folder / f"{stem}{SUFFIX}"
        os.rename(pending, self.path)
        _held.add(str(self.path))

    def record(self, entry: dict[str, Any]) -> None:
        """Say what is about to be created (one JSON line, written through at once)."""
        if self._fd >= 0:
            os.write(self._fd, (json.dumps(entry, sort_keys=True) + "\n").encode())

    def forget(self, entry: dict[str, Any]) -> None:
        """That database was dropped already: a reclaim skips it (a campaign that makes thousands of copies
        leaves a claim that is cheap to reclaim)."""
        if self._fd >= 0:
            os.write(self._fd, (json.dumps({"dropped": entry}, sort_keys=True) + "\n").encode())

    def release(self) -> None:
        """Everything recorded was dropped: the claim goes."""
        if self._fd < 0:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = -1
        _held.discard(str(self.path))


def reclaim(drop: Callable[[dict[str, Any]], bool], folder: Path | None = None) -> list[dict[str, Any]]:
    """Drop the databases of every dead run's claim; returns what was dropped. `drop(entry)` returns False for an
    entry it cannot drop from here (another server): that claim stays for a run that can."""
    folder = folder or claims_folder()
    dropped: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*")):
        if str(path) in _held or path.suffix not in (SUFFIX, ".pending"):
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.suffix == ".pending" and time.time() - path.stat().st_mtime < PENDING_SECONDS:
                continue  # a run taking its claim right now
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            continue  # another run reclaimed it meanwhile
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its run is alive
            kept = []
            for entry in _entries(fd):
                try:
                    done = drop(entry)
                except Exception:  # never let a leftover stop this run; a later run tries again
                    done = False
                (dropped if done else kept).append(entry)
            if kept:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, "".join(json.dumps(e, sort_keys=True) + "\n" for e in kept).encode())
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
        finally:
            os.close(fd)
    return dropped


def _entries(fd: int) -> list[dict[str, Any]]:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    live: dict[str, dict[str, Any]] = {}  # what was recorded and not forgotten since, in order
    for line in b"".join(chunks).decode(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict) and isinstance(entry.get("dropped"), dict):
                live.pop(json.dumps(entry["dropped"], sort_keys=True), None)
            elif isinstance(entry, dict) and entry.get("name"):
                live[json.dumps(entry, sort_keys=True)] = entry
    return list(live.values())


def claim_entry(alias: str, name: str) -> dict[str, Any]:
    """What identifies a test database for a later run: its server, and its name (a SQLite file's full path)."""
    from django.db import connections

    settings = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return {"vendor": vendor, "name": os.path.abspath(name)}
    return {"vendor": vendor, "host": settings.get("HOST") or "", "port": str(settings.get("PORT") or ""),
            "name": name}
