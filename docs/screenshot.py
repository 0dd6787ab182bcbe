"""The README's picture of the run report, `docs/report.png`, made from the seed and the repo's own
test articles (tests/gold/*/input):

    .venv/bin/python docs/screenshot.py            # needs Debian's chromium (`make browser`)

The articles carry no outlet or date, so the script gives each one, as an article record
(docs/tables.md, "Article records and metadata"), one of two example outlets and a publication
day over four weeks, and adds an empty file (a reject). Two runs: the first publishes half of the
articles, the second the rest, so that the report marks what the second run added. The picture
is the top of the second run's report, opened by headless Chromium with the network blocked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
OUTLETS = ("The Riverton Herald", "Valley Courier")
PICTURE = REPO / "docs" / "report.png"


def articles() -> list[Path]:
    return sorted(REPO.glob("tests/gold/*/input/**/*.txt"))  # the seed among them (tests/gold/seed)


def record(i: int, path: Path) -> dict:
    title, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    day = date(2026, 11, 2) + timedelta(days=3 * i)
    return {"title": title.strip(), "text": body, "outlet": OUTLETS[i % 2], "published_at": day.isoformat()}


def run(input: Path, output: Path) -> None:
    command = [sys.executable, "-m", "newsflow.flows.cli", "run", "--input", str(input), "--output", str(output)]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="newsflow-screenshot-") as tmp:
        input, output = Path(tmp) / "input", Path(tmp) / "output"
        input.mkdir()
        records = [record(i, path) for i, path in enumerate(articles())]
        half = len(records) // 2
        (input / "week-1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:half]))
        run(input, output)
        (input / "week-2.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[half:]))
        (input / "empty.txt").write_text("")
        run(input, output)
        page_path = output / "reports" / "latest" / "index.html"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1240, "height": 1060})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(page_path.as_uri())
            page.screenshot(path=PICTURE)
            browser.close()
    print(f"{PICTURE.relative_to(REPO)}: {PICTURE.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
