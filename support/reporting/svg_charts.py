"""Inline SVG charts drawn in Python: the HTML report needs no charting library and no network.

(A JavaScript charting library would have to be inlined into every report, some 200 kB, to draw horizontal
bars and a few lines that SVG draws as well; every label carries its full text as a hover title.)"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

PALETTE = (
    "#2f6fdb", "#e0772b", "#2e9e5b", "#c23b8f", "#7a5bd6", "#1a9aa8",
    "#b8860b", "#d64545", "#5d6d7e", "#6aa84f", "#8e44ad", "#e67e22",
)
FONT = "font-family=\"system-ui,-apple-system,Segoe UI,sans-serif\""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: str = "#2f6fdb"
    limit: float | None = None  # drawn as a marker line (a budget); the bar turns red past it
    note: str = ""  # text after the bar; defaults to the value


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[float, float]] = field(default_factory=list)
    color: str = "#2f6fdb"


def nice_ceiling(value: float) -> float:
    """Smallest 1/2/2.5/5 x 10^k at or above value, so axes end on a round number."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value * 0.999999:
            return candidate
    return 10 ** (exponent + 1)


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def tick_label(value: float, step: float) -> str:
    """A tick's text with as many decimals as the step needs (0.25-MB steps never all print as "0")."""
    if step <= 0 or step >= 1 or value == 0:
        return fmt(value)
    decimals = len(f"{step:.3f}".rstrip("0").partition(".")[2]) or 1
    return f"{value:.{decimals}f}"


def horizontal_bars(bars: list[Bar], title: str, unit: str, width: int = 640, over_color: str = "#d64545") -> str:
    """One row per bar, labels on the left (full name on hover); a limit is a dashed marker, the bar red past it."""
    if not bars:
        return _empty(title, width)
    label_w, note_w, row_h, top = 290, 110, 22, 34
    plot_w = width - label_w - note_w
    # A budget far above every bar would squash the bars: budgets count for the scale up to twice the top bar
    # (a budget past the scale is not drawn; the note still says it).
    biggest = max(b.value for b in bars)
    top_value = nice_ceiling(max([biggest, *(b.limit for b in bars if b.limit is not None
                                             and (biggest <= 0 or b.limit <= 2 * biggest))]))
    height = top + row_h * len(bars) + 26
    parts = [_open(width, height, title), _title(title)]
    for tick in range(5):
        value = top_value * tick / 4
        x = label_w + plot_w * tick / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 22}" stroke="#e3e6ea"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" fill="#667">'
            f"{tick_label(value, top_value / 4)}{escape(unit) if tick == 4 else ''}</text>"
        )
    for i, bar in enumerate(bars):
        y = top + i * row_h
        over = bar.limit is not None and bar.value > bar.limit
        color = over_color if over else bar.color
        w = max(plot_w * bar.value / top_value, 1 if bar.value > 0 else 0)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end" fill="#223">'
            f"{escape(shorten(bar.label, 46))}<title>{escape(bar.label)}</title></text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" rx="2" fill="{color}">'
            f"<title>{escape(bar.label)}: {fmt(bar.value)} {escape(unit)}</title></rect>"
        )
        if bar.limit is not None and bar.limit <= top_value:
            lx = label_w + plot_w * bar.limit / top_value
            parts.append(
                f'<line x1="{lx:.1f}" y1="{y + 1}" x2="{lx:.1f}" y2="{y + row_h - 1}" stroke="#222" '
                f'stroke-width="2" stroke-dasharray="3,2"><title>budget {fmt(bar.limit)}</title></line>'
            )
        note = bar.note or f"{fmt(bar.value)} {unit}"
        parts.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="10" fill="{"#b00" if over else "#445"}">'
            f"{escape(note)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: list[Series], title: str, x_unit: str, y_unit: str, width: int = 640,
               height: int = 260, x_labels: list[str] | None = None, zero_based: bool = True) -> str:
    """Lines with a legend; `x_labels` replaces numeric x ticks (one label per x = 0..n-1).
    `zero_based=False` starts the y axis near the lowest value, so small changes stay visible."""
    drawn = [s for s in series if s.points]
    if not drawn:
        return _empty(title, width)
    left, right, top, bottom = 52, 16, 34, 40 + 16 * ((len(drawn) + 2) // 3)
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [x for s in drawn for x, _ in s.points]
    ys = [y for s in drawn for _, y in s.points]
    x_min, x_max = min(xs), max(xs)
    x_span = (x_max - x_min) or 1.0
    y_max = nice_ceiling(max(ys)) if max(ys) > 0 else 1.0
    y_min = min(0.0, min(ys))
    if not zero_based and min(ys) > 0:
        spread = nice_ceiling(max(ys) - min(ys)) or 1.0
        y_min = math.floor(min(ys) / spread) * spread
        y_max = y_min + nice_ceiling(max(ys) - y_min)
    y_span = (y_max - y_min) or 1.0

    def px(x: float) -> float:
        return left + plot_w * (x - x_min) / x_span

    def py(y: float) -> float:
        return top + plot_h - plot_h * (y - y_min) / y_span

    parts = [_open(width, height, title), _title(title)]
    for tick in range(5):
        value = y_min + y_span * tick / 4
        y = py(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="10" text-anchor="end" fill="#667">'
                     f"{tick_label(value, y_span / 4)}</text>")
    parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" font-size="10" fill="#667" '
                 f'transform="rotate(-90 12 {top + plot_h / 2:.1f})" text-anchor="middle">{escape(y_unit)}</text>')
    if x_labels:
        step = max(1, math.ceil(len(x_labels) / 8))
        last = len(x_labels) - 1
        for i in sorted({*range(0, len(x_labels), step), last}):
            anchor = "start" if i == 0 else "end" if i == last else "middle"  # the ends stay inside the chart
            parts.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="{anchor}" '
                         f'fill="#667">{escape(x_labels[i])}</text>')
    else:
        for tick in range(5):
            value = x_min + x_span * tick / 4
            parts.append(f'<text x="{px(value):.1f}" y="{top + plot_h + 14}" font-size="10" '
                         f'text-anchor="middle" fill="#667">{tick_label(value, x_span / 4)}'
                         f'{escape(x_unit) if tick == 4 else ""}</text>')
    for s in drawn:
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s.points)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="2">'
                     f"<title>{escape(s.label)}</title></polyline>")
        if len(s.points) <= 40:
            parts.extend(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{s.color}">'
                         f"<title>{escape(s.label)}: {fmt(y)} {escape(y_unit)}</title></circle>"
                         for x, y in s.points)
    for i, s in enumerate(drawn):
        lx = left + (i % 3) * (plot_w / 3)
        ly = top + plot_h + 30 + 16 * (i // 3)
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{s.color}"/>'
                     f'<text x="{lx + 14:.1f}" y="{ly}" font-size="11" fill="#223">'
                     f"{escape(shorten(s.label, 30))}<title>{escape(s.label)}</title></text>")
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg role="img" aria-label="{escape(title)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>')


def _title(title: str) -> str:
    return f'<text x="8" y="18" font-size="13" font-weight="600" fill="#223">{escape(title)}</text>'


def _empty(title: str, width: int) -> str:
    return (_open(width, 60, title) + _title(title)
            + '<text x="8" y="44" font-size="11" fill="#889">no data in this report</text></svg>')


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut in the middle so an outline row's ending (`-- @1.3`) stays readable."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head, sep, row = text.rpartition(" -- @")
    tail = f"… @{row}" if sep and len(row) < limit // 3 else "…"
    return text[: limit - len(tail)].rstrip() + tail if not sep else head[: limit - len(tail)].rstrip() + tail
