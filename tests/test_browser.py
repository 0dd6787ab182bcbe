"""The manual trigger, as a person does it: headless Chromium opens the Prefect UI of a real
server, finds the newsflow deployment, checks the run form, clicks Run → Quick run, and the run
completes and publishes. A screenshot of the finished run page is kept in tests/artifacts/."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from newsflow.tasks import storage

from .prefect_server import server_and_serve
from .support import REPO, SEED, chromium

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "tests" / "artifacts"
NAME = "test-browser"


@pytest.fixture
def page(tmp_path: Path):
    with sync_playwright() as playwright:
        context = chromium(playwright, tmp_path / "chromium-profile", 1400)
        try:
            yield context.new_page()
        finally:
            context.close()


def open_deployment(page: Page, url: str) -> None:
    page.goto(f"{url}/deployments")
    page.get_by_role("link", name=NAME, exact=True).click()


def test_quick_run_from_the_prefect_ui_completes_and_publishes(page, tmp_path):
    (tmp_path / "input").mkdir()
    shutil.copy(SEED, tmp_path / "input" / SEED.name)
    ARTIFACTS.mkdir(exist_ok=True)
    with server_and_serve(tmp_path, tmp_path / "input", NAME) as served:
        try:
            open_deployment(page, served.url)
            page.get_by_role("button", name="Run", exact=True).click()
            page.get_by_text("Custom run", exact=True).click()
            form = page.locator("textarea")
            expect(form.first).to_have_value(str(served.input))
            expect(form.nth(1)).to_have_value(str(served.output))

            open_deployment(page, served.url)
            page.get_by_role("button", name="Run", exact=True).click()
            with page.expect_response(re.compile(r"/create_flow_run$")) as created:
                page.get_by_text("Quick run", exact=True).click()
            flow_run_id = created.value.json()["id"]
            page.goto(f"{served.url}/runs/flow-run/{flow_run_id}")

            run = served.wait_for_run(flow_run_id)
            assert run["state_type"] == "COMPLETED", run["state"]
            page.reload()
            expect(page.get_by_text("Completed", exact=True).first).to_be_visible()
            page.screenshot(path=ARTIFACTS / "quick-run-completed.png")
        except Exception:
            page.screenshot(path=ARTIFACTS / "quick-run-failed.png")
            raise
    assert storage.read_published(served.output, "documents").num_rows == 1
    assert storage.read_published(served.output, "quotes").num_rows > 0
