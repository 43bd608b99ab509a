"""The baseline's scenarios, several to a child: what each child runs, and what its end says about each scenario.

A forked child costs far more than a scenario: the fork of a large parent and its copy-on-write faults, a
database copy, the clean state captured, coverage started and saved, and the first scenario in a fresh
process touching everything once. A batch pays that once for several scenarios; coverage still switches
its dynamic context per scenario (``child.py``), so each scenario's status, duration and lines stay its own.

The child stops at the first red scenario: the rest of its batch run again elsewhere, so a failing scenario
(and what it may leave behind in its process) never colours another's baseline. A child that times out or
dies saved no coverage: the scenario it was running is charged, the others run again in another child.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from support.mutation.child import GREEN
from support.mutation.pool import Finished

BATCH_MOST = 16  # scenarios per child at most (a timeout re-runs up to this many)


def batch_size(remaining: int, slots: int) -> int:
    """Up to BATCH_MOST, smaller towards the end so that no slot sits idle while another works a long batch."""
    return max(1, min(BATCH_MOST, -(-remaining // (2 * max(1, slots)))))


@dataclass
class Settled:
    recorded: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"status", "seconds", "error"}
    again: list[str] = field(default_factory=list)  # to run in another child, in batch order


def settle(batch: tuple[str, ...], finished: Finished) -> Settled:
    """What a finished child's batch gives: the scenarios it judged, and those to run again."""
    settled = Settled()
    ran = {run.name: run for run in finished.runs if run.name in batch}

    def record(name: str, status: str, seconds: float, error: str) -> None:
        settled.recorded[name] = {"status": status, "seconds": seconds, "error": error[:2000]}

    if finished.ending == "completed" and ran:  # coverage saved: every scenario it ran is judged
        for run in ran.values():
            record(run.name, run.status, run.seconds, run.error)
    else:
        # No coverage was saved: a green run says nothing usable; red ones need no coverage.
        red = [run for run in ran.values() if run.status not in GREEN]
        for run in red:
            record(run.name, run.status, run.seconds, run.error)
        unrun = [name for name in batch if name not in ran]
        if finished.at_scenario or red or not unrun:
            culprit = finished.at_scenario  # a red verdict, or all ran: nothing more to charge
        elif ran:  # it ended between two scenarios: the last one that ran left the process so
            culprit = list(ran)[-1]
        else:  # it never got to a scenario: the first one is charged, as a lone child's start-up would be
            culprit = unrun[0]
        if culprit is not None and culprit not in settled.recorded:
            status = "timed_out" if finished.ending == "timeout" else "error"
            seconds = max(0.0, finished.seconds - sum(run.seconds for run in ran.values()))
            record(culprit, status, seconds, finished.message or f"the child ended: {finished.ending}")
        elif not settled.recorded:  # it ran them all, then died before saving: the last one is judged as a lone
            last = list(ran.values())[-1]  # child's would be (green, no coverage); the others run again for theirs
            record(last.name, last.status, last.seconds, last.error)
    settled.again = [name for name in batch if name not in settled.recorded]
    return settled
