"""`reports/report.html`: one self-contained page (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from support.reporting.history import load_history
from support.reporting.report_file import STATUSES, budget_of, number, performance_of, status_of
from support.reporting.svg_charts import PALETTE, Bar, Series, fmt, horizontal_bars, line_chart

STATUS_COLORS = {
    "passed": "#2e9e5b", "failed": "#d64545", "error": "#9b3fc4",
    "blocked": "#e08a1e", "skipped": "#8a8f98", "timed_out": "#c2571a",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#223}
header{background:#1f2a3a;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d1dc;font-size:13px}main{padding:18px 28px;max-width:1240px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:18px}
.card{background:#fff;border-radius:6px;padding:10px 14px;min-width:92px;box-shadow:0 1px 2px #0002}
.card b{display:block;font-size:22px}.card span{font-size:12px;color:#667}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(580px,1fr));gap:14px;margin-bottom:18px}
.chart{background:#fff;border-radius:6px;padding:8px;box-shadow:0 1px 2px #0002;overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0002;font-size:13px}
th,td{padding:6px 8px;border-bottom:1px solid #e6e8eb;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.flaky{background:#f3c623;color:#222}pre{white-space:pre-wrap;margin:4px 0 0;font-size:12px;max-width:560px}
details summary{cursor:pointer;color:#b00}.muted{color:#889}h2{font-size:16px;margin:22px 0 8px}
ul{background:#fff;padding:10px 10px 10px 30px;border-radius:6px;box-shadow:0 1px 2px #0002;font-size:13px}
"""


def render_html(report: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()) -> str:
    summary = report.get("summary") or {}
    results = list(report.get("results") or [])
    title = "PRS acceptance run"
    subtitle = (
        f"{escape(str(summary.get('start_time', '?')))} → {escape(str(summary.get('end_time', '?')))} · "
        f"{fmt(number(summary.get('total_duration_seconds')))} s · "
        f"success rate {fmt(number(summary.get('success_rate')))} %"
    )
    body = [
        f"<header><h1>{title}</h1><p>{subtitle}</p></header><main>",
        _cards(summary, results),
        '<div class="charts">',
        *(f'<div class="chart">{svg}</div>' for svg in (
            duration_chart(results), memory_chart(results), query_chart(results), trend_chart(history),
        )),
        "</div>",
        "<h2>Scenarios</h2>",
        _scenario_table(results),
        _list("Recommendations", report.get("recommendations") or []),
        _analysis(report.get("performance_analysis") or {}),
        "</main>",
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>'
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def write_html_report(report: Mapping[str, Any], path: str | Path = "reports/report.html",
                      history_dir: str | Path | None = None) -> Path:
    """Render `report` (and the trend from `history_dir`, default `<folder of path>/history`)."""
    path = Path(path)
    history = load_history(history_dir if history_dir is not None else path.parent / "history")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, history), encoding="utf-8")
    return path


def duration_chart(results: Sequence[Mapping]) -> str:
    bars = []
    for r in results:
        bars.append(Bar(r["scenario_name"], number(r.get("duration_seconds")), STATUS_COLORS[status_of(r)],
                        limit=budget_of(r, "max_duration_seconds")))
    return horizontal_bars(bars, "Duration per scenario (colour = status)", "s")


MEMORY_LINES = 6


def memory_chart(results: Sequence[Mapping]) -> str:
    """RSS over time per scenario from `memory_samples`; without samples, peak bars noting the change."""
    sampled = [r for r in results if performance_of(r).get("memory_samples")]
    # One line per scenario is unreadable past a handful: draw those whose memory grew most.
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
    bars = []
    for r in results:
        perf = performance_of(r)
        change = number(perf.get("memory_change_mb"))
        bars.append(Bar(r["scenario_name"], max(change, 0.0), "#7a5bd6",
                        note=f"{change:+.1f} MB (peak {fmt(number(perf.get('peak_memory_mb')))})",
                        limit=budget_of(r, "max_memory_increase_mb")))
    return horizontal_bars(bars, "Memory growth per scenario (RSS; no samples recorded)", "MB")


def query_chart(results: Sequence[Mapping]) -> str:
    bars = []
    for r in results:
        count = number(performance_of(r).get("query_count"))
        limit = budget_of(r, "max_queries")
        note = f"{int(count)}" + (f" / {int(limit)}" if limit is not None else "")
        bars.append(Bar(r["scenario_name"], count, "#1a9aa8", limit=limit, note=note))
    return horizontal_bars(bars, "Queries per scenario (dashed = budget, red = over)", "")


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


def _cards(summary: Mapping, results: Sequence[Mapping]) -> str:
    counts = {s: sum(1 for r in results if status_of(r) == s) for s in STATUSES}
    cards = [("total", len(results), "#223")]
    cards += [(s.replace("_", " "), counts[s], STATUS_COLORS[s]) for s in STATUSES]
    cards.append(("flaky", sum(1 for r in results if r.get("flaky")), "#b8860b"))
    cards.append(("success rate", f"{fmt(number(summary.get('success_rate')))} %", "#223"))
    return '<div class="cards">' + "".join(
        f'<div class="card"><b style="color:{color}">{escape(str(value))}</b><span>{escape(label)}</span></div>'
        for label, value, color in cards
    ) + "</div>"


def _scenario_table(results: Sequence[Mapping]) -> str:
    head = ("Scenario", "Status", "Attempts", "Duration s", "Queries", "Peak MB", "Tags / dependencies", "Error")
    rows = []
    for r in results:
        status = status_of(r)
        perf = performance_of(r)
        badges = f'<span class="badge" style="background:{STATUS_COLORS[status]}">{status}</span>'
        if r.get("flaky"):
            badges += ' <span class="badge flaky">flaky</span>'
        if r.get("pulled_in"):
            badges += ' <span class="muted">pulled in</span>'
        name = escape(r["scenario_name"])
        if r.get("source"):
            name += f'<br><span class="muted">{escape(str(r["source"]))}</span>'
        meta = " ".join(f"@{escape(str(t))}" for t in r.get("tags") or [])
        if r.get("dependencies"):
            meta += "<br>after: " + ", ".join(escape(str(d)) for d in r["dependencies"])
        rows.append(
            f"<tr><td>{name}</td><td>{badges}</td><td class=num>{int(number(r.get('attempts'), 1))}</td>"
            f"<td class=num>{fmt(number(r.get('duration_seconds')))}</td>"
            f"<td class=num>{int(number(perf.get('query_count')))}</td>"
            f"<td class=num>{fmt(number(perf.get('peak_memory_mb')))}</td><td>{meta}</td>"
            f"<td>{_problem(r, status)}</td></tr>"
        )
    header = "".join(f"<th>{h}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _problem(result: Mapping, status: str) -> str:
    if status == "blocked" and result.get("blocked_by"):
        return f"blocked by {escape(str(result['blocked_by']))}"
    if status == "skipped" and result.get("skip_reason"):
        return f'<span class="muted">{escape(str(result["skip_reason"]))}</span>'
    error = result.get("error")
    if not error:
        return ""
    first, _, rest = str(error).partition("\n")
    if not rest:
        return f"<pre>{escape(first)}</pre>"
    return f"<details><summary>{escape(first[:140])}</summary><pre>{escape(rest)}</pre></details>"


def _list(title: str, items: Sequence[Any]) -> str:
    if not items:
        return ""
    return f"<h2>{escape(title)}</h2><ul>" + "".join(f"<li>{escape(str(i))}</li>" for i in items) + "</ul>"


def _analysis(analysis: Mapping[str, Any]) -> str:
    if not analysis:
        return ""
    rows = "".join(
        f"<tr><th>{escape(str(k).replace('_', ' '))}</th><td>{escape(_plain(v))}</td></tr>"
        for k, v in analysis.items()
    )
    return f"<h2>Performance analysis</h2><table>{rows}</table>"


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or "—"
    return fmt(value) if isinstance(value, float) else str(value)
