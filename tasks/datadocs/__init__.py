"""Great Expectations Data Docs that work offline: the pages GX writes load Bootstrap, jQuery,
bootstrap-table (the index's sortable tables), Font Awesome and Vega from public CDNs, and the
logo from GX's S3 bucket (with the context id in its URL). `make_offline(site)` runs after
`context.build_data_docs()`: it copies the copies newsflow ships (`assets/`, fetched from the npm
registry with their licences by `vendor.py`) into the site's `static/vendor/` and points every
page at them, relative to the page, so the site works from disk with no network.

Why a post-processing step: GX 1.x supports only `base_directory` in a site's configuration
(docs.greatexpectations.io, "Configure Data Docs"), and its `custom_views_directory` cannot
replace a built-in template (its loader comes after GX's own); GX declined to bundle the assets
(great_expectations issues 994 and 8734).

Handled: every `<script src>`, stylesheet `<link href>` and the logo `<img src>` that GX 1.24's
templates write (`ASSETS`); the `integrity`/`crossorigin` attributes of the CDN tags (a local
file is not fetched with CORS). Not handled: a resource GX adds in a later version: `make_offline`
returns its URL, the validate step logs it, and `tests/test_datadocs.py` fails on it. Links to
GX's web site (`<a href>`) stay: they load nothing until clicked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "assets"
MANIFEST = ASSETS_DIR / "MANIFEST.json"
VENDOR = Path("static") / "vendor"


@dataclass(frozen=True)
class Asset:
    """One file a Data Docs page loads: its CDN URL as GX writes it, and the npm package file
    that is the same library at the same version."""

    url: str
    package: str
    version: str
    file: str

    @property
    def folder(self) -> str:
        """The package's folder under `static/vendor/` (and `assets/vendor/`): `bootstrap-4.3.1`."""
        return f"{self.package.lstrip('@').replace('/', '-')}-{self.version}"

    @property
    def local(self) -> Path:
        """Where the copy lives, under the site's root."""
        return VENDOR / self.folder / self.file


ASSETS = (
    Asset("https://code.jquery.com/jquery-3.7.1.min.js", "jquery", "3.7.1", "dist/jquery.min.js"),
    Asset(
        "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css",
        "bootstrap",
        "4.3.1",
        "dist/css/bootstrap.min.css",
    ),
    Asset(
        "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js",
        "bootstrap",
        "4.3.1",
        "dist/js/bootstrap.min.js",
    ),
    Asset(
        "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js",
        "popper.js",
        "1.12.9",
        "dist/umd/popper.min.js",
    ),
    Asset(
        "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css",
        "bootstrap-table",
        "1.19.1",
        "dist/bootstrap-table.min.css",
    ),
    Asset(
        "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js",
        "bootstrap-table",
        "1.19.1",
        "dist/bootstrap-table.min.js",
    ),
    Asset(
        "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    # GX's pages ask for the filter-control styles of 1.19.0 (minified on the index, not on the
    # others); 1.19.1's minified file is the same extension at the version its script is.
    *(
        Asset(
            f"https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/{name}",
            "bootstrap-table",
            "1.19.1",
            "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
        )
        for name in ("bootstrap-table-filter-control.min.css", "bootstrap-table-filter-control.css")
    ),
    Asset(
        "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css",
        "bootstrap-datepicker",
        "1.9.0",
        "dist/css/bootstrap-datepicker.min.css",
    ),
    Asset(
        "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js",
        "bootstrap-datepicker",
        "1.9.0",
        "dist/js/bootstrap-datepicker.min.js",
    ),
    Asset(
        "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css",
        "@forevolve/bootstrap-dark",
        "1.1.0",
        "dist/css/bootstrap-prefers-dark.min.css",
    ),
    Asset(
        "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css",
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "css/all.min.css",
    ),
    # `vega@5` and friends: the newest 5.x (6.x) when this was vendored.
    Asset("https://cdn.jsdelivr.net/npm/vega@5", "vega", "5.33.1", "build/vega.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/vega-lite@5", "vega-lite", "5.23.0", "build/vega-lite.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/vega-embed@6", "vega-embed", "6.29.0", "build/vega-embed.min.js"),
)

# Files an asset loads in turn (Font Awesome's CSS: `../webfonts/*`; woff2 only: every browser
# that runs these pages reads it, and the CSS lists it first).
COMPANIONS = {
    "@fortawesome/fontawesome-free": tuple(
        f"webfonts/fa-{name}.woff2" for name in ("brands-400", "regular-400", "solid-900", "v4compatibility")
    ),
}

# GX's logo, from its S3 bucket with the time and the context id in the query string; GX copies
# the same images into the site's static/images/.
_GX_IMAGES = re.compile(r"https://great-expectations-web-assets\.s3\.[\w.-]+\.amazonaws\.com/([\w.-]+)(\?[^\"']*)?")
_CDN_ATTRIBUTES = re.compile(r'\s+(integrity="[^"]*"|crossorigin="[^"]*")')
_LOADED = re.compile(r"<(?:script|img|link)\b[^>]*?\s(?:src|href)=\"(https?://[^\"]+)\"[^>]*>", re.I)


def _relative(target: Path, page: Path, site: Path) -> str:
    return Path(os.path.relpath(site / target, page.parent)).as_posix()


def rewrite_page(html: str, page: Path, site: Path) -> str:
    """One page with every known CDN URL replaced by the local copy's path, relative to the page."""
    for asset in ASSETS:
        html = html.replace(f'"{asset.url}"', f'"{_relative(asset.local, page, site)}"')
    html = _GX_IMAGES.sub(lambda m: _relative(Path("static") / "images" / m.group(1), page, site), html)
    return _CDN_ATTRIBUTES.sub("", html)


def external_resources(html: str) -> list[str]:
    """The URLs off this machine that a page would load (scripts, stylesheets, images), links aside."""
    found = []
    for match in _LOADED.finditer(html):
        tag = match.group(0).lower()
        if tag.startswith("<link") and "stylesheet" not in tag and "icon" not in tag:
            continue
        found.append(match.group(1))
    return found


def copy_assets(site: Path) -> None:
    """The shipped copies into the site's static/vendor/ (hard links where the file system allows)."""
    target = site / VENDOR
    if target.exists():
        shutil.rmtree(target)

    def link_or_copy(src: str, dest: str) -> None:
        try:
            os.link(src, dest)
        except OSError:
            shutil.copy2(src, dest)

    shutil.copytree(ASSETS_DIR / VENDOR.name, target, copy_function=link_or_copy)


def make_offline(site: Path) -> list[str]:
    """Point every page of the Data Docs site at `site/static/vendor/`; the URLs off this machine
    that some page still loads (none with GX 1.24), for the caller to report."""
    site = Path(site)
    copy_assets(site)
    left = []
    for page in sorted(site.rglob("*.html")):
        html = rewrite_page(page.read_text(encoding="utf-8"), page, site)
        page.write_text(html, encoding="utf-8")
        left += [url for url in external_resources(html) if url not in left]
    return left


def manifest() -> dict:
    """What `assets/` holds: per package its version, registry, licence and files (sha256)."""
    return json.loads(MANIFEST.read_text(encoding="utf-8"))
