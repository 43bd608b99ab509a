"""How long the mutants' searches for a killer take under ``Campaign._order``, replayed from a campaign's data.

Reads a campaign's out dir (``DIR/cache/*.json``: the mutants; ``DIR/state/baseline.json``: durations and
coverage; ``DIR/state/results.jsonl``: who killed what, in the order the mutants finished) and replays the
killed mutants in that order, learning killers as the campaign does. A mutant's cost under an order: the
baseline durations of the scenarios up to its recorded killer (an upper bound: one before it might kill too;
the same bound for every variant). Variants: the campaign's order without the scenario words (killers, then
the kill-rate ranking: what the words add; the order before this bench existed also had fewer killers
remembered and no per-second ranking), the words taking turns with it (what the campaign does), and that
again with every replayed killer as a hint (the lower bound: a re-run of unchanged code). Nothing is written
to DIR.
Run: PYTHONPATH=. .venv/bin/python bench/bench_mutation_order.py DIR [--features features] [--worst 10]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def scenario_texts(features: str) -> dict[str, str]:
    from behave.runner_util import collect_feature_locations, parse_features

    from support.behave.registration import GherkinSuite
    from support.mutation.similarity import scenario_text

    suite = GherkinSuite.from_features(parse_features(collect_feature_locations([features])))
    return {e.name: scenario_text(e.scenario, e.feature) for e in suite.entries}


def replay(campaign: Any, mutants: dict[str, Any], records: list[dict[str, Any]],
           baseline: Any) -> list[tuple[float, int, str, str]]:
    costs = []
    for record in records:
        mutant, killer = mutants[record["id"]], record["killed_by"]
        order = campaign._order(mutant, baseline.covering[mutant.id], baseline)
        if killer not in order:
            continue
        position = order.index(killer) + 1
        seconds = sum(max(float(baseline.scenarios[n]["seconds"]), 0.01) for n in order[:position])
        costs.append((seconds, position, mutant.id, killer))
        campaign._remember_killer(mutant, killer)
    return sorted(costs, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--features", default="features")
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args()
    from rich.console import Console

    from support.mutation.campaign import Baseline, Campaign, Options
    from support.mutation.results import read_jsonl
    from support.mutation.similarity import ScenarioIndex
    from support.mutation.workspace import load_cached

    mutants = {m.id: m for path in (args.out / "cache").glob("*.json") if (module := load_cached(path))
               for m in module.mutants}
    baseline = Baseline.from_dict(json.loads((args.out / "state" / "baseline.json").read_text("utf-8")))
    records = [r for r in read_jsonl(args.out / "state" / "results.jsonl")  # a stopped run's last line is cut
               if r["status"] == "killed" and r.get("killed_by") in baseline.scenarios and r["id"] in mutants]
    started = time.monotonic()
    texts = scenario_texts(args.features)
    index = ScenarioIndex(texts)
    print(f"{len(records)} killed mutants, {len(texts)} scenario texts "
          f"({len(set(baseline.scenarios) - set(texts))} baseline scenarios without one), "
          f"index in {time.monotonic() - started:.2f} s")
    print(f"lower bound (each killer alone): "
          f"{sum(float(baseline.scenarios[r['killed_by']]['seconds']) for r in records):.1f} s")
    with tempfile.TemporaryDirectory() as scratch:
        hinted_dir = Path(scratch) / "hinted"
        # The last variant reads the second one's killers as hints: every mutant then starts with its own
        # recorded killer, so it prints the lower bound above, the most hints can give (a re-run of unchanged
        # code), not what they give after an edit.
        for label, words, hints_from in (("without the words (kill rate only)", False, None),
                                         ("words in turn", True, None),
                                         ("words in turn + every killer as a hint (= lower bound)", True,
                                          hinted_dir)):
            out = hints_from or Path(scratch) / label.replace(" ", "_")
            campaign = Campaign(Options(out=out, root=Path(scratch)), Console(stderr=True))
            campaign.index = index if words else None
            if hints_from is None and words:  # this replay's killers are the next one's hints
                campaign.hints = type(campaign.hints)(hinted_dir)
            started = time.monotonic()
            costs = replay(campaign, mutants, records, baseline)
            total, slowest = sum(c for c, *_ in costs), sum(c for c, *_ in costs[:100])
            print(f"\n{label}: {total:.1f} s of scenarios, the 100 slowest searches {slowest:.1f} s,"
                  f" {sum(1 for c, *_ in costs if c > 10)} over 10 s (ordering: {time.monotonic() - started:.1f} s)")
            for seconds, position, mutant_id, killer in costs[:args.worst]:
                print(f"  {seconds:6.1f} s  #{position:<4d} {mutant_id}  <- {killer[:80]}")


if __name__ == "__main__":
    main()
