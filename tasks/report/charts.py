"""The report's charts: Vega-Lite specs written with Altair, rendered to SVG by vl-convert in this
process (its own JavaScript engine, no browser; `allowed_base_urls=[]`: it may load nothing, so
every chart carries its data inline). Each function takes query rows and returns a chart, or
None when there is nothing to draw. Text in the SVG (names, outlets, reasons) is escaped by
Vega's SVG renderer.
"""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt

WIDTH = 460
NEW = "this run"
EARLIER = "earlier runs"
WHEN = alt.Color("when:N", title=None, scale=alt.Scale(domain=[EARLIER, NEW], range=["#9ecae1", "#e6550d"]))
GENDERS = alt.Scale(domain=["female", "male", "unknown"], range=["#d95f02", "#1b9e77", "#bdbdbd"])


def svg(chart: alt.TopLevelMixin, validate: bool = False) -> str:
    """The chart as an SVG document (no network: data inline, no base URL allowed). Altair's
    check of the spec against the Vega-Lite schema costs a third of the time: the tests run it
    (`validate=True`); vl-convert fails on a spec it cannot draw anyway."""
    import vl_convert

    chart = chart.configure(font="Helvetica, Arial, sans-serif").configure_view(stroke=None)
    spec = chart.to_dict(validate=validate)
    return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])


def warm_up() -> None:
    """Start vl-convert's JavaScript engine with a one-bar chart: the first chart a process renders
    costs ~0.4 s more than the next ones."""
    svg(alt.Chart(alt.Data(values=[{"n": 1}])).mark_bar().encode(x="n:Q"))


def _split(rows: Iterable[dict], key: str, total: str, new: str) -> list[dict]:
    """One row per bar segment: the count from earlier runs and the count the run added."""
    out = []
    for row in rows:
        out.append({key: row[key], "when": EARLIER, "n": row[total] - row[new]})
        out.append({key: row[key], "when": NEW, "n": row[new]})
    return out


def quotes_per_outlet_week(rows: list[dict]) -> alt.LayerChart | None:
    if not rows:
        return None
    data = alt.Data(values=rows)
    weeks = len({r["week"] for r in rows})
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("week:O", title="week (from Monday)", sort="ascending", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(quotes):Q", title="quotes"),
            color=alt.Color("outlet:N", title="outlet"),
        )
    )
    new = (
        alt.Chart(data)
        .transform_aggregate(new_quotes="sum(new_quotes)", groupby=["week"])
        .transform_filter("datum.new_quotes > 0")
        .transform_calculate(marker=f"'quotes in documents new in {NEW}'")
        .mark_point(filled=True, size=60, color="black")
        .encode(
            x="week:O", y="new_quotes:Q", shape=alt.Shape("marker:N", title=None, legend=alt.Legend(orient="bottom"))
        )
    )
    return alt.layer(bars, new).properties(width=min(WIDTH, 60 + 30 * weeks), height=220)


def people_quoted_most(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    order = [r["name"] for r in rows]
    return (
        alt.Chart(alt.Data(values=_split(rows, "name", "quotes", "new_quotes")))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", title=None, sort=order),
            x=alt.X("sum(n):Q", title="quotes"),
            color=WHEN,
            order=alt.Order("when:N", sort="ascending"),
        )
        .properties(width=WIDTH - 120, height=alt.Step(18))
    )


def unknown_speaker_share(rows: list[dict]) -> alt.LayerChart | None:
    if not rows:
        return None
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("outlet:N", title=None),
        yOffset=alt.YOffset("documents:N"),
        x=alt.X(
            "unknown_share:Q",
            title="share of quotes with no known speaker",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "documents:N",
            title=None,
            scale=alt.Scale(domain=["all documents", f"new in {NEW}"], range=["#9ecae1", "#e6550d"]),
        )
    )
    labels = (
        base.mark_text(align="left", dx=4, fontSize=10)
        .encode(text=alt.Text("label:N"))
        .transform_calculate(label="datum.unknown + ' of ' + datum.quotes")
    )
    return alt.layer(bars, labels).properties(width=WIDTH - 120, height=alt.Step(16))


def people_named_quoted(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    values = [{"outlet": r["outlet"], "people": what, "n": r[what]} for r in rows for what in ("named", "quoted")]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("outlet:N", title=None),
            yOffset=alt.YOffset("people:N"),
            x=alt.X("n:Q", title="distinct people"),
            color=alt.Color("people:N", title=None, scale=alt.Scale(range=["#9ecae1", "#3182bd"])),
        )
        .properties(width=WIDTH - 120, height=alt.Step(16))
    )


def women_share(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("outlet:N", title=None),
            x=alt.X("sum(people):Q", stack="normalize", title="people quoted", axis=alt.Axis(format="%")),
            color=alt.Color("gender:N", title="gender (inferred)", scale=GENDERS),
            order=alt.Order("gender:N", sort="ascending"),
        )
        .properties(width=WIDTH - 120, height=alt.Step(20))
    )


def rejects_by_reason(rows: list[dict]) -> alt.Chart | None:
    if not rows:
        return None
    for row in rows:
        row["what"] = f"{row['stage']}: {row['reason']}"
    order = [r["what"] for r in rows]
    most = max(r["files"] for r in rows)
    return (
        alt.Chart(alt.Data(values=_split(rows, "what", "files", "new_files")))
        .mark_bar()
        .encode(
            y=alt.Y("what:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
            x=alt.X("sum(n):Q", title="files", axis=alt.Axis(format="d", tickCount=min(most, 5))),
            color=WHEN,
            order=alt.Order("when:N", sort="ascending"),
        )
        .properties(width=WIDTH - 260, height=alt.Step(18))
    )


def phases(seconds: dict[str, float]) -> alt.LayerChart | None:
    if not seconds:
        return None
    values = [{"phase": name, "seconds": s} for name, s in seconds.items()]
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("phase:N", title=None, sort=list(seconds)), x=alt.X("seconds:Q", title="seconds")
    )
    bars = base.mark_bar(color="#756bb1")
    labels = base.mark_text(align="left", dx=4, fontSize=10).encode(text=alt.Text("seconds:Q", format=".1f"))
    return alt.layer(bars, labels).properties(width=WIDTH - 120, height=alt.Step(18))
