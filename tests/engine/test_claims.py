"""A run's claim names its test databases; the next run drops them only once the claiming process is gone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.engine.claims import RunClaim, reclaim

HOLDER = """
import sys, time
from pathlib import Path
from support.engine.claims import RunClaim
claim = RunClaim(Path(sys.argv[1]))
claim.record({"vendor": "sqlite", "name": sys.argv[2]})
print("claimed", flush=True)
time.sleep(60)
"""


def test_a_live_runs_claim_is_left_alone_and_a_killed_runs_is_reclaimed(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), "/nowhere/test.sqlite3"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "claimed"
        seen: list[dict] = []
        assert reclaim(lambda entry: seen.append(entry) or True, tmp_path) == []
        assert seen == [] and len(list(tmp_path.glob("*.claim"))) == 1
    finally:
        holder.kill()
        holder.wait()
    assert reclaim(lambda entry: True, tmp_path) == [{"vendor": "sqlite", "name": "/nowhere/test.sqlite3"}]
    assert list(tmp_path.iterdir()) == []


def test_own_claims_are_never_reclaimed_and_undroppable_entries_wait(tmp_path: Path) -> None:
    claim = RunClaim(tmp_path)
    claim.record({"vendor": "postgresql", "host": "elsewhere", "port": "5432", "name": "test_x"})
    assert reclaim(lambda entry: True, tmp_path) == []  # ours: alive
    claim.release()
    assert list(tmp_path.iterdir()) == []

    dead = tmp_path / "1-dead.claim"
    dead.write_text('{"name": "a", "vendor": "postgresql"}\n{"name": "b", "vendor": "sqlite"}\nnot json\n')
    assert reclaim(lambda entry: entry["vendor"] == "sqlite", tmp_path) == [{"name": "b", "vendor": "sqlite"}]
    assert dead.read_text() == '{"name": "a", "vendor": "postgresql"}\n'  # for a run that reaches that server


def test_a_forgotten_entry_is_not_dropped_again(tmp_path: Path) -> None:
    dead = tmp_path / "1-dead.claim"
    first, second = {"name": "/t/copy_1.sqlite3", "vendor": "sqlite"}, {"name": "/t/copy_2.sqlite3", "vendor": "sqlite"}
    dead.write_text("".join(json.dumps(line, sort_keys=True) + "\n" for line in (first, second, {"dropped": first})))
    seen: list[dict] = []
    assert reclaim(lambda entry: seen.append(entry) or True, tmp_path) == [second]
    assert seen == [second] and list(tmp_path.iterdir()) == []
