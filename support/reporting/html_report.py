"""`reports/report.html`: one self-contained page (inline CSS, SVG and script; nothing loaded from anywhere).

Built with Jinja2 from `templates/report.html`. What a QA lead looks for comes first: the scenarios that did
not pass, with their steps and the failing step's message; then the recommendations; then every scenario in
a table that can be searched, filtered (status, feature, tag, rule) and sorted, dependencies folded away;
charts with the full scenario name on hover; the trend across runs; and, when a mutation run left a
`mutation.json` (`reports/mutation/mutation.json` or beside the report), the mutants that survived.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from support.reporting.failure_text import clean_error, headline
from support.reporting.history import load_history
from support.reporting.report_file import STATUSES, budget_of, number, performance_of, status_of
from support.reporting.svg_charts import PALETTE, Bar, Series, fmt, horizontal_bars, line_chart

STATUS_COLORS = {
    "passed": "#2e9e5b", "failed": "#d64545", "error": "#9b3fc4",
    "blocked": "#e08a1e", "skipped": "#8a8f98", "timed_out": "#c2571a",
}
# Table order and the order of "Needs attention": what needs a person first.
STATUS_RANK = {"failed": 0, "error": 1, "timed_out": 2, "blocked": 3, "passed": 4, "skipped": 5}
ATTENTION = ("failed", "error", "timed_out")
CHART_ROWS = 15  # bars per chart: the slowest / busiest; the table has them all
MEMORY_LINES = 6
MUTATION_FILES = ("mutation/mutation.json", "mutation.json")

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def render_html(report: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = (),
                mutation: Mapping[str, Any] | None = None, mutation_source: str = "") -> str:
    summary = report.get("summary") or {}
    results = sorted(report.get("results") or [], key=lambda r: STATUS_RANK.get(status_of(r), 9))
    rows = [_row(r) for r in results]
    charts = [duration_chart(results), query_chart(results), memory_chart(results), trend_chart(history)]
    blocked = [r for r in results if status_of(r) == "blocked"]
    return _env.get_template("report.html").render(
        title=str(summary.get("title") or "Acceptance run"),  # the runner's `title` setting
        run={"start": summary.get("start_time", "?"), "end": summary.get("end_time", "?"),
             "duration": fmt(number(summary.get("total_duration_seconds"))),
             "success_rate": fmt(number(summary.get("success_rate"))),
             "workers": int(number(summary.get("workers"), 1)), "merged": len(report.get("merged_from") or [])},
        cards=_cards(summary, results),
        failures=[_failure(r) for r in results if status_of(r) in ATTENTION],
        blocked_groups=_blocked_groups(blocked), blocked_count=len(blocked),
        recommendations=report.get("recommendations") or [],
        statuses=STATUSES, rows=[_attributes(r) for r in rows],
        features=sorted({r["feature"] for r in rows}), tags=sorted({t for r in rows for t in r["tags"]}),
        rules=sorted({rule for r in rows for rule in r["rules"]}),
        charts=[Markup(svg) for svg in charts],  # noqa: S704 — our own SVG, every text in it escaped
        mutation=_mutation(mutation, mutation_source) if mutation else None,
        analysis=[(str(k).replace("_", " "), _plain(v)) for k, v in (report.get("performance_analysis") or {}).items()],
    )


def write_html_report(report: Mapping[str, Any], path: str | Path = "reports/report.html",
                      history_dir: str | Path | None = None) -> Path:
    """Render `report` (and the trend from `history_dir`, default `<folder of path>/history`)."""
    path = Path(path)
    history = load_history(history_dir if history_dir is not None else path.parent / "history")
    mutation, source = find_mutation(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, history, mutation, source), encoding="utf-8")
    return path


def find_mutation(folder: Path) -> tuple[dict[str, Any] | None, str]:
    """The mutation run's summary beside the report, if there is a readable one."""
    for name in MUTATION_FILES:
        candidate = folder / name
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if isinstance(data, Mapping) and isinstance(data.get("mutants"), list):
                return dict(data), name
    return None, ""


# --- the parts -----------------------------------------------------------------------------------------------

def feature_of(result: Mapping[str, Any]) -> str:
    """The seed name (`<seed>: <title>`), which is the feature; a Python scenario's first tag otherwise."""
    name, source = str(result["scenario_name"]), result.get("source")
    if source:
        return name.split(": ", 1)[0] if ": " in name else Path(str(source).rsplit(":", 1)[0]).stem
    tags = result.get("tags") or []
    return f"python.{tags[0]}" if tags else "python"


def _split_tags(result: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    tags, rules = [], []
    for tag in result.get("tags") or []:
        text = str(tag)
        if text.startswith("rule:"):
            rules.append(text.removeprefix("rule:"))
        elif not text.startswith("allure."):
            tags.append(text)
    return tags, rules


def _steps(result: Mapping[str, Any], with_messages: bool) -> list[dict[str, Any]]:
    return [{
        "keyword": s.get("keyword") or "", "name": s.get("name") or "", "status": s.get("status") or "untested",
        "duration": f"{number(s.get('duration')):.2f} s" if s.get("status") not in ("skipped", "untested") else "",
        "message": _last_line(clean_error(s.get("error_message"))) if with_messages else "",
    } for s in result.get("steps") or []]


def _last_line(text: str) -> str:
    """An assertion's message is its text; an exception's, its last line (the traceback is under "full error")."""
    lines = text.splitlines()
    if len(lines) > 1 and lines[0].startswith("Traceback"):
        return lines[-1]
    return text


def _problem(result: Mapping[str, Any], status: str) -> str:
    if status == "blocked":
        return f"blocked by {result.get('blocked_by') or 'a dependency'}"
    if status == "skipped":
        return str(result.get("skip_reason") or "skipped")
    return headline(result.get("error"))


def _attributes(row: dict[str, Any]) -> SimpleNamespace:
    """A row the template reads by attribute: Jinja tries getattr before getitem, and a dict's failed getattr
    cost most of the page's time for thousands of scenarios."""
    return SimpleNamespace(**{**row, "steps": [SimpleNamespace(**step) for step in row["steps"]]})


def _row(result: Mapping[str, Any]) -> dict[str, Any]:
    status = status_of(result)
    perf = performance_of(result)
    tags, rules = _split_tags(result)
    after = Counter(str(d).split(": ", 1)[0] for d in result.get("dependencies") or [])
    problem = _problem(result, status)
    steps = _steps(result, with_messages=False)
    text = " ".join([str(result["scenario_name"]), str(result.get("source") or ""), status, problem,
                     *(f"@{t}" for t in tags), *rules, *(f"{s['keyword']} {s['name']}" for s in steps)])
    return {
        "name": result["scenario_name"], "source": result.get("source"), "feature": feature_of(result),
        "status": status, "status_label": status.replace("_", " "), "rank": STATUS_RANK.get(status, 9),
        "flaky": bool(result.get("flaky")), "pulled_in": bool(result.get("pulled_in")),
        "attempts": int(number(result.get("attempts"), 1)),
        "duration": number(result.get("duration_seconds")),
        "duration_text": fmt(number(result.get("duration_seconds"))),
        "queries": int(number(perf.get("query_count"))),
        "memory": number(perf.get("peak_memory_mb")), "memory_text": fmt(number(perf.get("peak_memory_mb"))),
        "tags": tags, "rules": rules, "after": sorted(after.items()), "after_count": sum(after.values()),
        "problem": problem, "steps": steps, "text": text.lower(),
    }


def _failure(result: Mapping[str, Any]) -> dict[str, Any]:
    status = status_of(result)
    detail = clean_error(result.get("error"))
    return {
        "name": result["scenario_name"], "source": result.get("source"), "status": status,
        "status_label": status.replace("_", " "), "attempts": int(number(result.get("attempts"), 1)),
        "headline": headline(result.get("error"), "timed out" if status == "timed_out" else ""),
        "steps": _steps(result, with_messages=True),
        "detail": detail if "\n" in detail else "",
    }


def _blocked_groups(blocked: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {}
    for result in blocked:
        groups.setdefault(str(result.get("blocked_by") or "a dependency"), []).append(str(result["scenario_name"]))
    return [{"cause": cause, "names": names} for cause, names in sorted(groups.items(), key=lambda g: -len(g[1]))]


def _cards(summary: Mapping, results: Sequence[Mapping]) -> list[dict[str, Any]]:
    counts = Counter(status_of(r) for r in results)
    cards = [{"label": "total", "value": len(results), "color": "#223", "status": ""}]
    cards += [{"label": s.replace("_", " "), "value": counts[s], "color": STATUS_COLORS[s], "status": s}
              for s in STATUSES]
    cards.append({"label": "flaky", "value": sum(1 for r in results if r.get("flaky")), "color": "#b8860b",
                  "status": ""})
    cards.append({"label": "success rate", "value": f"{fmt(number(summary.get('success_rate')))} %",
                  "color": "#223", "status": ""})
    return cards


def _mutation(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    files: dict[str, list[dict[str, Any]]] = {}
    for mutant in data.get("mutants") or []:
        if not isinstance(mutant, Mapping) or mutant.get("status") not in ("survived", "no_coverage"):
            continue
        diff = [{"kind": "add" if line.startswith("+") else "del" if line.startswith("-") else "", "text": line}
                for line in str(mutant.get("diff") or "").splitlines()]
        files.setdefault(str(mutant.get("file") or "?"), []).append({
            "id": mutant.get("id"), "line": mutant.get("line"), "operator": mutant.get("operator") or "",
            "diff": diff, "covered_by": list(mutant.get("covered_by") or []),
        })
    ordered = sorted(files.items(), key=lambda item: (-len(item[1]), item[0]))
    counts = [(label.replace("_", " "), int(number(data.get(label))))
              for label in ("killed", "survived", "timeout", "no_coverage", "error")]
    return {
        "source": source, "score": fmt(number(data.get("score"))), "counts": counts,
        "duration": fmt(number(data.get("duration_seconds"))),
        "files": [{"name": name, "mutants": sorted(mutants, key=lambda m: number(m["line"]))}
                  for name, mutants in ordered],
    }


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        if "scenario_name" in value:  # an entry of a top list: the name, then its figures
            figures = ", ".join(f"{k.replace('_', ' ')} {_plain(v)}" for k, v in value.items() if k != "scenario_name")
            return f"{value['scenario_name']} ({figures})"
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
        return "; ".join(_plain(v) for v in value) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or "—"
    return fmt(value) if isinstance(value, float) else str(value)


# --- charts --------------------------------------------------------------------------------------------------

def duration_chart(results: Sequence[Mapping]) -> str:
    slowest = sorted(results, key=lambda r: -number(r.get("duration_seconds")))[:CHART_ROWS]
    bars = [Bar(r["scenario_name"], number(r.get("duration_seconds")), STATUS_COLORS[status_of(r)],
                limit=budget_of(r, "max_duration_seconds")) for r in slowest]
    return horizontal_bars(bars, _top_title("Duration", len(bars), len(results), "colour = status"), "s")


def memory_chart(results: Sequence[Mapping]) -> str:
    """RSS over time of the scenarios whose memory grew most; without samples, growth bars."""
    sampled = [r for r in results if performance_of(r).get("memory_samples")]
    growth = sorted(sampled, key=lambda r: -number(performance_of(r).get("memory_change_mb")))[:MEMORY_LINES]
    series = []
    for i, r in enumerate(growth):
        samples = performance_of(r)["memory_samples"]
        points = [(number(t), number(mb)) for t, mb in samples if isinstance(t, int | float)]
        if points:
            series.append(Series(r["scenario_name"], points, PALETTE[i % len(PALETTE)]))
    if series:
        title = ("Memory (RSS) over time per scenario" if len(sampled) <= MEMORY_LINES
                 else f"Memory (RSS) over time: the {len(series)} scenarios that grew most")
        return line_chart(series, title, "s", "MB", zero_based=False)
    grown = sorted(results, key=lambda r: -number(performance_of(r).get("memory_change_mb")))[:CHART_ROWS]
    bars = []
    for r in grown:
        perf = performance_of(r)
        change = number(perf.get("memory_change_mb"))
        bars.append(Bar(r["scenario_name"], max(change, 0.0), "#7a5bd6",
                        note=f"{change:+.1f} MB (peak {fmt(number(perf.get('peak_memory_mb')))})",
                        limit=budget_of(r, "max_memory_increase_mb")))
    return horizontal_bars(bars, "Memory growth per scenario (RSS; no samples recorded)", "MB")


def query_chart(results: Sequence[Mapping]) -> str:
    busiest = sorted(results, key=lambda r: -number(performance_of(r).get("query_count")))[:CHART_ROWS]
    bars = []
    for r in busiest:
        count = number(performance_of(r).get("query_count"))
        limit = budget_of(r, "max_queries")
        note = f"{int(count)}" + (f" / {int(limit)}" if limit is not None else "")
        bars.append(Bar(r["scenario_name"], count, "#1a9aa8", limit=limit, note=note))
    return horizontal_bars(bars, _top_title("Queries", len(bars), len(results), "dashed = budget, red = over"), "")


def _top_title(what: str, shown: int, total: int, legend: str) -> str:
    scope = f"the {shown} highest of {total} scenarios" if shown < total else "per scenario"
    return f"{what}: {scope} ({legend})"


def trend_chart(history: Sequence[Mapping]) -> str:
    if len(history) < 1:
        return line_chart([], "Trend over previous runs", "", "")
    labels = [str(h.get("start_time") or "?")[5:16].replace("T", " ") for h in history]
    rate = Series("success rate %", [(i, number(h.get("success_rate"))) for i, h in enumerate(history)], "#2e9e5b")
    duration = Series("duration s", [(i, number(h.get("duration_seconds"))) for i, h in enumerate(history)],
                      "#2f6fdb")
    failed = Series("not passed", [
        (i, sum(number(h.get(s)) for s in ("failed", "error", "timed_out", "blocked"))) for i, h in enumerate(history)
    ], "#d64545")
    title = f"Trend over the last {len(history)} runs" if len(history) > 1 else "Trend: first recorded run"
    return line_chart([rate, duration, failed], title, "", "", x_labels=labels)
