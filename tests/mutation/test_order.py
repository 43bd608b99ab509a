"""The order in which a mutant's covering scenarios are tried: remembered killers, words shared with the line."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console

from support.mutation.campaign import Baseline, Campaign, Options
from support.mutation.hints import HINT_FILE, KillerHints
from support.mutation.mutants import Mutant
from support.mutation.similarity import ScenarioIndex, mutant_query, words

TEXTS = {
    "fields: A new deal with currency blank is refused -- @1.1":
        'A new deal with currency blank is refused\n"sam" submits a new deal with currency "blank"',
    "fields: A new deal with remarks 5001 characters is refused -- @1.2":
        'A new deal with remarks 5001 characters is refused\n"sam" submits a new deal with remarks "5001 characters"',
    "workflow: A deal is recorded and paid": "A deal is recorded and paid\nsam records a deal\nvera approves a payment",
    "workflow: A deal is listed": "A deal is listed\nsam lists the deals",
}
SECONDS = {"fields: A new deal with currency blank is refused -- @1.1": 0.5,
           "fields: A new deal with remarks 5001 characters is refused -- @1.2": 0.5,
           "workflow: A deal is recorded and paid": 0.1, "workflow: A deal is listed": 0.1}


def mutant(line: int, code: str, new: str, function: str = "x__read_deal_fields", number: int = 1) -> Mutant:
    diff = f"--- a/app/deals.py\n+++ b/app/deals.py\n@@ -{line},1 +{line},1 @@\n-{code}\n+{new}\n"
    return Mutant(f"app.deals.{function}__mutmut_{number}", "app/deals.py", line, line, "string", diff, function)


def campaign(out: Path, texts: dict[str, str] | None = TEXTS) -> Campaign:
    made = Campaign(Options(out=out, root=out), Console(quiet=True))
    made.index = ScenarioIndex(texts) if texts is not None else None
    return made


BASELINE = Baseline({n: {"status": "passed", "seconds": s, "error": ""} for n, s in SECONDS.items()}, {}, 0.0)
COVERING = sorted(SECONDS)
CURRENCY = mutant(12, '        "currency": lambda: payload.string("currency", required=True),',
                  '        "currency": lambda: payload.string("XXcurrencyXX", required=True),')


def test_words_split_identifiers_and_literals_and_drop_python() -> None:
    assert words('self.dueDate = payload.has("due_date") or None') == ["due", "date", "payload", "has", "due", "date"]
    in_create = mutant(12, CURRENCY.changed_lines("-")[0][1:], CURRENCY.changed_lines("+")[0][1:],
                       function="xǁDealServiceǁcreate")
    assert mutant_query(in_create) == {"deal": 0.5, "service": 0.5, "create": 0.5,
                                       "currency": 1.0, "payload": 1.0, "str": 1.0,
                                       "requir": 1.0}  # stemmed alike on both sides


def test_a_mutant_whose_line_names_a_field_is_tried_first_with_the_scenario_naming_it(tmp_path: Path) -> None:
    order = campaign(tmp_path)._order(CURRENCY, COVERING, BASELINE)
    assert order[0] == "fields: A new deal with currency blank is refused -- @1.1"
    assert sorted(order) == COVERING  # every covering scenario, once
    # Without the words: the quickest first, the field's own row behind them.
    plain = campaign(tmp_path, None)._order(CURRENCY, COVERING, BASELINE)
    assert plain[:2] == ("workflow: A deal is listed", "workflow: A deal is recorded and paid")


def test_the_kill_rate_ranking_takes_turns_with_the_words(tmp_path: Path) -> None:
    remarks_row = "fields: A new deal with remarks 5001 characters is refused -- @1.2"
    run = campaign(tmp_path, {**TEXTS, remarks_row: TEXTS[remarks_row] + " (the payload)"})
    remarks = mutant(13, '        "remarks": lambda: payload.string("remarks", max_length=5000),',
                     '        "remarks": lambda: payload.string("remarks", max_length=5001),',
                     "x__read_payment_fields", 2)
    run._remember_killer(remarks, "workflow: A deal is recorded and paid")  # another function of the same file
    order = run._order(CURRENCY, COVERING, BASELINE)
    assert order[:3] == ("fields: A new deal with currency blank is refused -- @1.1",  # the words' first
                         "workflow: A deal is recorded and paid",  # the file's killer, per second
                         remarks_row)  # the words' second (it shares "payload" with the line)


def test_a_killer_is_remembered_across_runs_and_code_edits(tmp_path: Path) -> None:
    first = campaign(tmp_path)
    first._remember_killer(CURRENCY, "workflow: A deal is listed")
    assert (tmp_path / HINT_FILE).exists()
    # The file was edited: the same mutant is now 30 lines further down, the state and its line killers are gone.
    moved = mutant(42, '        "currency": lambda: payload.string("currency", required=True),',
                   '        "currency": lambda: payload.string("XXcurrencyXX", required=True),', number=7)
    assert campaign(tmp_path)._order(moved, COVERING, BASELINE)[0] == "workflow: A deal is listed"
    # Another change of the same line is another mutant: no hint.
    other = mutant(42, '        "currency": lambda: payload.string("currency", required=True),',
                   '        "currency": lambda: payload.string("currency", required=False),', number=8)
    assert KillerHints(tmp_path).get(other) is None


def test_a_hint_file_cut_short_is_read_up_to_the_cut_and_compacted(tmp_path: Path) -> None:
    hints = KillerHints(tmp_path)
    hints.remember(CURRENCY, "a")
    hints.remember(CURRENCY, "b")
    with (tmp_path / HINT_FILE).open("a") as stream:
        stream.write('{"key": "x", "kil')
    again = KillerHints(tmp_path)
    assert again.get(CURRENCY) == "b"
    assert len((tmp_path / HINT_FILE).read_text().splitlines()) == 1


def test_a_record_appended_after_a_line_a_stopped_run_cut_short_is_kept(tmp_path: Path) -> None:
    """read_jsonl skips the cut line; the next record must not be glued onto it and lost with it."""
    from support.mutation.results import append_jsonl, read_jsonl

    path = tmp_path / "results.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b", "sta', "utf-8")
    append_jsonl(path, {"id": "c"})
    append_jsonl(path, {"id": "d"})
    assert read_jsonl(path) == [{"id": "a"}, {"id": "c"}, {"id": "d"}]
