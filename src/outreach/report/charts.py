"""The report's charts: matplotlib, rendered offline to inline SVG.

Why matplotlib: it is well kept, needs nothing at view time (no JavaScript, no
network), and its SVG backend draws with the DejaVu fonts it ships, as paths,
so a chart looks the same on every machine. (plotly needs a 3 MB JavaScript
bundle in the page, pygal is barely maintained, Vega needs a JavaScript runtime.)

The SVG is deterministic (a fixed ``svg.hashsalt``, no date or creator
metadata), its ids are prefixed per chart (several charts share one page), and
it follows the page's light or dark scheme: axes and text are drawn in a
sentinel colour that becomes ``currentColor``, the grid one that becomes a CSS
variable. Each chart carries a ``<title>`` and the same numbers as a table for
screen readers.
"""

from __future__ import annotations

import functools
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, ParamSpec, Sequence, TypeVar

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from .data import Clicks, Post

P = ParamSpec("P")
R = TypeVar("R")
INK, GRID = "#010203", "#040506"  # sentinels: replaced by currentColor and var(--chart-grid)
HUMAN, MACHINE = "#3b82f6", "#d97706"
SERIES = {"likes": "#e11d48", "reposts": "#16a34a", "replies": "#3b82f6", "quotes": "#9333ea", "bookmarks": "#d97706"}
MARKERS = {"likes": "o", "reposts": "s", "replies": "^", "quotes": "D", "bookmarks": "v"}
STYLE = {
    "svg.hashsalt": "outreach-report", "svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 9,
    "text.parse_math": False, "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK, "xtick.color": INK,
    "ytick.color": INK, "grid.color": GRID, "axes.facecolor": "none", "figure.facecolor": "none", "savefig.facecolor": "none",
    "legend.frameon": False, "axes.spines.top": False, "axes.spines.right": False, "timezone": "UTC",
}


@dataclass(frozen=True)
class Table:
    """A chart's numbers as a table: caption, column headers, rows of cells."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """One chart: its accessible title, inline SVG markup, and its numbers."""

    key: str  # unique in the page: the prefix of the SVG's ids
    title: str
    svg: str
    table: Table


def _styled(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with the report's matplotlib settings (axes take them when created, the SVG when saved)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with rc_context(STYLE):
            return fn(*args, **kwargs)

    return run


@_styled
def clicks_chart(clicks: Clicks) -> Chart | None:
    """Clicks per hour, people and machines stacked; None when no click was counted."""
    if not clicks.hours:
        return None
    fig = _figure(6.4, 2.6)
    ax = fig.add_subplot()
    hours = [h.hour for h in clicks.hours]
    width = timedelta(minutes=50)
    ax.bar(hours, [h.human for h in clicks.hours], width=width, align="edge", color=HUMAN, label="people")
    ax.bar(hours, [h.machine for h in clicks.hours], width=width, align="edge", bottom=[h.human for h in clicks.hours],
           color=MACHINE, label="machines")
    _time_axis(ax, hours[0], hours[-1] + timedelta(hours=1))
    ax.set_ylabel("clicks per hour")
    fig.legend(loc="outside upper right", ncols=2)
    title = "Clicks per hour (UTC), people and machines"
    rows = tuple((f"{h.hour:%Y-%m-%d %H:00}", str(h.human), str(h.machine)) for h in clicks.hours)
    return Chart("clicks", title, _svg(fig, "clicks", title), Table(title, ("hour (UTC)", "people", "machines"), rows))


@_styled
def post_chart(post: Post, index: int) -> Chart | None:
    """One post's reactions over time; None when it has no successful reading."""
    good = [r for r in post.readings if r.error is None]
    measures = [m for m in post.measures if m in SERIES]
    if not good or not measures:
        return None
    fig = _figure(6.4, 2.4)
    ax = fig.add_subplot()
    times = [r.taken_at for r in good]
    for name in measures:
        points = [(r.taken_at, r.count(name)) for r in good if r.count(name) is not None]
        ax.plot([t for t, _ in points], [v for _, v in points], color=SERIES[name], marker=MARKERS[name], markersize=4,
                linewidth=1.5, label=name)
    start, end = min(times), max(times)
    pad = max((end - start) / 20, timedelta(minutes=30))
    _time_axis(ax, start - pad, end + pad)
    highest = max((r.count(m) or 0) for r in good for m in measures)
    ax.set_ylim(0, max(1, highest) * 1.1)
    ax.set_ylabel("count")
    fig.legend(loc="outside upper right", ncols=len(measures))
    key = f"post{index}"
    title = f"Reactions over time: {post.channel} post, step {post.step} part {post.part}"
    shown = post.measures
    rows = tuple((f"{r.taken_at:%Y-%m-%d %H:%M}", r.checkpoint, *(_num(r.count(m)) for m in shown)) for r in good)
    return Chart(key, title, _svg(fig, key, title), Table(title, ("taken (UTC)", "checkpoint", *shown), rows))


def all_charts(clicks: Clicks, posts: Sequence[Post]) -> tuple[Chart | None, tuple[Chart | None, ...]]:
    """The clicks chart and one chart per post (None where there is nothing to draw)."""
    return clicks_chart(clicks), tuple(post_chart(p, i) for i, p in enumerate(posts, start=1))


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(fig)
    return fig


def _time_axis(ax, start: datetime, end: datetime) -> None:  # type: ignore[no-untyped-def]
    locator = mdates.AutoDateLocator(tz=timezone.utc, minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=timezone.utc))
    ax.set_xlim(start, end)
    ax.grid(axis="y", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.yaxis.get_major_locator().set_params(integer=True)


_DROP = re.compile(r"<!--.*?-->\s*|<\?xml[^>]*>\s*|<!DOCTYPE[^>]*>\s*|<metadata>.*?</metadata>\s*|<style type=\"text/css\">.*?</style>\s*", re.S)
_OPEN = re.compile(r"<svg\b[^>]*?viewBox=\"([^\"]+)\"[^>]*>")


def _svg(fig: Figure, key: str, title: str) -> str:
    """The figure as inline SVG markup: deterministic, ids prefixed with ``key``, colours following the page, titled."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = _DROP.sub("", buf.getvalue())
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    text = re.sub(r'(\bid="|#)([A-Za-z_][\w.-]*)(?=["\)])', lambda m: m.group(1) + (f"{key}-{m.group(2)}" if m.group(2) in ids else m.group(2)), text)
    text = text.replace(INK, "currentColor").replace(GRID, "var(--chart-grid)")
    opening = _OPEN.search(text)
    if opening is None:
        raise ValueError("matplotlib wrote SVG without a viewBox")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="{opening.group(1)}" '
            f'role="img" aria-labelledby="{key}-title" class="chart-svg"><title id="{key}-title">{html.escape(title)}</title>')
    return text[:opening.start()] + head + text[opening.end():]
