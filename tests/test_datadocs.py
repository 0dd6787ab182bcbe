"""Data Docs that work offline: newsflow ships the files GX's pages load (with their licences, as
fetched from the registries), and the pages of every run point at those copies. The browser
side (the pages opened with the network blocked): tests/test_reports_browser.py."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from newsflow.schemas.tables import TABLES, from_rows
from newsflow.tasks.datadocs import ASSETS, ASSETS_DIR, COMPANIONS, external_resources, manifest, rewrite_page
from newsflow.tasks.validate import Validator

REJECT = {"doc_id": "r1", "source": "a.pdf", "stage": "ingest", "reason": "not a text file: it looks like a PDF"}
SOURCE = {"source": "a.pdf", "status": "rejected", "doc_id": None, "sha256": "0" * 64, "bytes": 12}


def test_every_shipped_file_is_the_registry_s_with_its_licence():
    shipped = {
        p.relative_to(ASSETS_DIR / "vendor").as_posix() for p in (ASSETS_DIR / "vendor").rglob("*") if p.is_file()
    }
    listed = set()
    for folder, record in manifest().items():
        assert "LICENSE" in record["files"] and record["licence"], folder
        assert record["registry"].startswith("npm: ") and record["licence_from"]
        for file, sha256 in record["files"].items():
            data = (ASSETS_DIR / "vendor" / folder / file).read_bytes()
            assert hashlib.sha256(data).hexdigest() == sha256, f"{folder}/{file} differs from the registry's"
            listed.add(f"{folder}/{file}")
    assert shipped == listed, "assets/vendor/ and assets/MANIFEST.json disagree: run the vendor script"
    needed = {f"{a.folder}/{a.file}" for a in ASSETS}
    needed |= {f"{a.folder}/{f}" for a in ASSETS for f in COMPANIONS.get(a.package, ())}
    assert needed <= listed


def test_a_page_loads_the_local_copies_relative_to_where_it_is(tmp_path: Path):
    site = tmp_path / "site"
    page = site / "validations" / "quotes" / "run" / "20261202T000000Z" / "newsflow-quotes.html"
    html = (
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" '
        'integrity="sha384-x" crossorigin="anonymous"></script>'
        '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1&dataContextId=2">'
        '<a href="https://greatexpectations.io">GX</a>'
    )
    assert len(external_resources(html)) == 3
    out = rewrite_page(html, page, site)
    assert '"../../../../static/vendor/jquery-3.7.1/dist/jquery.min.js"' in out
    assert "integrity" not in out and "crossorigin" not in out and "dataContextId" not in out
    assert '"../../../../static/images/logo-long.png"' in out
    assert external_resources(out) == [] and 'href="https://greatexpectations.io"' in out


def test_a_run_s_data_docs_load_nothing_from_off_this_machine(tmp_path: Path):
    seen = datetime(2026, 11, 28, tzinfo=UTC)
    v = Validator(tmp_path / "run1", "run1")
    assert v.validate("rejects", {"rejects": from_rows("rejects", [REJECT])})
    assert v.validate(
        "sources", {"sources": from_rows("sources", [SOURCE | {"first_seen": seen, "last_seen": seen}])}, set()
    )
    site = Path(v.finish(tmp_path / "latest").data_docs).parent
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 1 + len(TABLES) + 2  # the index, a suite per table, 2 validation results
    for page in pages:
        html = page.read_text()
        assert external_resources(html) == [], page
        for asset in ASSETS:
            assert asset.url not in html
        for local in {a.local for a in ASSETS}:
            assert (site / local).is_file()
