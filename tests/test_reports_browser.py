"""The run's pages as a person opens them, in headless Chromium (Debian's) with the network
blocked: the Great Expectations Data Docs and the run report load from disk alone, the Data
Docs index lists the run's suites and sorts, the report shows its charts as SVG; and text from
hostile articles (titles, outlets, names, file names carrying `<script>`, `<img onerror>`,
markdown links and pipes) shows as written in the report and in the run's artifacts in the
Prefect UI, and runs nothing. A screenshot of each page goes to the test's temporary folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from newsflow.schemas.tables import TABLES

from .prefect_server import prefect_server
from .support import REPO, SEED, chromium, newsflow_run

pytestmark = pytest.mark.slow

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = "<img src=x onerror=window.__pwned=1>"
LINK = "[click me](javascript:window.__pwned=1)"
HOSTILE_FILE = f"{IMG} | {LINK}.txt"  # a document: its name is its `source`
HOSTILE_EMPTY = f"<script>window.__pwned=1 | {LINK}.txt"  # empty: rejected, its name in the rejects (no "/")
HOSTILE_FEED = "feed | [x](javascript:x).jsonl"
TITLE = f"Harbour {SCRIPT} {IMG} {LINK} | pipes | reopens"
OUTLET = f"The {SCRIPT} | {LINK} Gazette"
NAME = "Anna Berg**Smith"  # the models keep the stars in the name: a speaker named in markdown markup

RECORDS = [
    {
        "url": "https://harbour.example.org/a",
        "outlet": OUTLET,
        "title": TITLE,
        "published_at": "2026-02-03",
        "authors": [f"Ann {IMG} Poe"],
        "text": f"{NAME} is the mayor of Oslo.\n\n“We will not back down,” said {NAME}. "
        f"“The harbour opens on Monday,” {NAME} added.",
    },
    {
        "url": "https://valley.example.com/b",
        "outlet": "Valley Courier",
        "title": "Orchard wins a prize",
        "published_at": "2026-03-05T10:00:00Z",
        "authors": ["Dan Irwin"],
        "text": "A Milltown orchard won a prize on Saturday.\n\n“The frost nearly ruined us,” Tom Baird said.",
    },
]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One real `newsflow run` over hostile input, reporting to a real Prefect server (its UI on)."""
    base = tmp_path_factory.mktemp("reports")
    input = base / "input"
    input.mkdir()
    shutil.copy(SEED, input / SEED.name)
    (input / HOSTILE_FILE).write_text(
        f"Ferry {IMG} {LINK} | returns\n\n“We missed it,” said {NAME}, the mayor of Oslo.\n"
    )
    (input / HOSTILE_EMPTY).write_text("")
    (input / HOSTILE_FEED).write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
    with prefect_server(base) as (url, env, logs):
        done = subprocess.run(
            newsflow_run(input, base / "out"),
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        summary = json.loads(done.stdout[done.stdout.index("{") :])
        flow_runs = httpx.post(f"{url}/api/flow_runs/filter", json={"limit": 1}, timeout=30).json()
        artifacts = httpx.post(
            f"{url}/api/artifacts/filter",
            json={"artifacts": {"flow_run_id": {"any_": [flow_runs[0]["id"]]}}},
            timeout=30,
        ).json()
        yield {"url": url, "summary": summary, "artifacts": {a["key"]: a for a in artifacts}, "out": base / "out"}


class Browser:
    """A page whose every request is logged; requests off this machine (or, with `files_only`,
    anything but files) are blocked and counted."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def block(self, allowed: set[str]) -> None:
        def route(r):
            self.requests.append(r.request.url)
            return r.continue_() if _local(r.request.url, allowed) else r.abort()

        self.page.context.route("**/*", route)

    def off_machine(self, allowed: set[str]) -> list[str]:
        return [u for u in self.requests if not _local(u, allowed)]


def _local(url: str, allowed: set[str]) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("file", "data", "blob", "about") or parsed.netloc in allowed


@pytest.fixture
def browser(tmp_path: Path):
    with sync_playwright() as playwright:
        context = chromium(playwright, tmp_path / "chromium-profile", 1300)
        try:
            yield Browser(context.new_page())
        finally:
            context.close()


def test_the_data_docs_open_offline_list_the_run_s_suites_and_sort(published, browser, tmp_path):
    browser.block(set())
    index = Path(published["summary"]["data_docs"])
    page = browser.page
    page.goto(index.as_uri())
    table = page.locator(
        "#section-1-content-block-2-1-body-table tbody tr"
    )  # the Validation Results tab: bootstrap-table fills it from the page's data
    expect(table).to_have_count(len(TABLES))  # one suite per table, people and person_entities included
    names = page.locator("#section-1-content-block-2-1-body-table tbody tr td:nth-child(6)").all_inner_texts()
    assert sorted(names) == sorted(TABLES)
    page.get_by_role("columnheader", name="Expectation Suite").locator(".sortable").click()
    assert page.locator("#section-1-content-block-2-1-body-table tbody tr td:nth-child(6)").all_inner_texts() == sorted(
        names
    )
    page.screenshot(path=tmp_path / "data-docs-index.png")
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).position") == "sticky"  # Bootstrap
    quotes = next(index.parent.glob("validations/quotes/**/*.html"))  # a validation result's page
    page.goto(quotes.as_uri())
    expect(page.get_by_role("cell", name="quote types are direct, indirect or mixed")).to_be_visible()
    assert page.evaluate("typeof jQuery === 'function' && typeof jQuery.fn.bootstrapTable === 'function'")
    assert page.evaluate("document.fonts.load('900 16px \"Font Awesome 6 Free\"').then(f => f.length)") > 0
    page.screenshot(path=tmp_path / "data-docs-suite.png")
    assert browser.requests and browser.off_machine(set()) == []


def test_the_report_opens_offline_with_its_charts_as_svg(published, browser, tmp_path):
    browser.block(set())
    report = published["out"] / "reports" / "latest" / "index.html"
    assert Path(published["summary"]["report"]).samefile(report)
    page = browser.page
    page.goto(report.as_uri())
    charts = page.locator("figure svg")
    assert charts.count() >= 5
    for i in range(charts.count()):
        marks = charts.nth(i).locator(".role-mark path, .role-mark rect, .role-mark text")
        sizes = [m.bounding_box() for m in marks.all()]
        assert any(s and s["width"] > 0 and s["height"] > 0 for s in sizes), f"chart {i} draws nothing"
    page.get_by_role("link", name="Great Expectations Data Docs of this run").click()
    expect(page.locator("#section-1-content-block-2-1-body-table tbody tr")).to_have_count(len(TABLES))
    page.go_back()
    page.screenshot(path=tmp_path / "report.png", full_page=True)
    assert browser.off_machine(set()) == []
    assert all(urlparse(u).scheme == "file" for u in browser.requests)


def _runs_nothing(browser: Browser) -> None:
    page = browser.page
    assert page.evaluate("window.__pwned") is None and browser.dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.get_by_role("link", name="click me").count() == 0  # a markdown link stays text
    assert page.locator("strong", has_text="Smith").count() == 0  # so does bold


def test_text_from_articles_shows_as_written_in_the_report(published, browser, tmp_path):
    browser.block(set())
    page = browser.page
    page.goto((published["out"] / "reports" / "latest" / "index.html").as_uri())
    _runs_nothing(browser)
    assert page.locator("script").count() == 0
    new = page.locator("section table tbody")
    expect(new.get_by_text(TITLE, exact=True)).to_be_visible()
    expect(new.get_by_text(HOSTILE_FILE, exact=True)).to_be_visible()
    expect(new.get_by_text(OUTLET, exact=True)).to_be_visible()
    assert page.locator("section table tbody tr").first.locator("td").count() == 5  # pipes split no cell
    svg_text = page.locator("figure svg text").evaluate_all("texts => texts.map(t => t.textContent)")
    assert NAME in svg_text  # drawn as text, escaped by Vega
    assert any(t.startswith("The <script>window.__pwned") for t in svg_text)  # (long labels end in "…")
    page.screenshot(path=tmp_path / "report-hostile.png", full_page=True)


@pytest.mark.parametrize("ui", ["", "/v2"], ids=["ui", "ui-v2"])  # Prefect's two UIs render markdown apart
def test_text_from_articles_shows_as_written_in_the_prefect_artifacts(published, browser, tmp_path, ui):
    server = urlparse(published["url"]).netloc
    browser.block({server})
    page = browser.page
    artifacts = published["artifacts"]
    assert set(artifacts) >= {"newsflow-run-summary", "newsflow-top-speakers", "newsflow-outlets"}
    summary = artifacts["newsflow-run-summary"]["data"]
    assert "[Run report](file://" in summary and "[Data Docs](file://" in summary

    page.goto(f"{published['url']}{ui}/artifacts/artifact/{artifacts['newsflow-run-summary']['id']}")
    expect(page.get_by_text(HOSTILE_EMPTY, exact=True)).to_be_visible()  # the reject's file name, in its cell
    row = page.locator("tr", has_text=HOSTILE_EMPTY)
    assert row.locator("td").count() == 3  # source | stage | reason: its pipes are text
    for path in (published["summary"]["report"], published["summary"]["data_docs"]):
        expect(page.get_by_text(path).first).to_be_visible()  # to copy: browsers follow no file: link from http:
    if not ui:  # the v2 UI's sanitizer drops file: links, leaving their text
        assert page.get_by_role("link", name="Run report").get_attribute("href").startswith("file://")
    _runs_nothing(browser)
    page.screenshot(path=tmp_path / "artifact-summary.png", full_page=True)

    for key, text in (("newsflow-outlets", OUTLET), ("newsflow-top-speakers", NAME)):
        page.goto(f"{published['url']}{ui}/artifacts/artifact/{artifacts[key]['id']}")
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
        _runs_nothing(browser)
        page.screenshot(path=tmp_path / f"artifact-{key}.png", full_page=True)
    # Nothing the artifacts hold asks for anything; Prefect's v2 UI itself calls its analytics
    # (Amplitude) whatever PREFECT_SERVER_ANALYTICS_ENABLED says: blocked here, see docs/operations.md.
    hosts = {urlparse(u).netloc for u in browser.off_machine({server})}
    assert {h for h in hosts if not h.endswith(".amplitude.com")} == set(), hosts
    assert not hosts or ui == "/v2"
