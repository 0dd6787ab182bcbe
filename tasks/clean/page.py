"""HTML pages reduced to their article text and the page's own metadata, by trafilatura, before
the plain-text cleaning.

Handles: the main text of a page (navigation, footers, scripts, comments and tables left out), its
headline (`og:title`, else the page's headline or title), outlet (`og:site_name`, else the host
name), publication date (`article:published_time` and the other forms htmldate reads, with the
time when the page gives one), authors (`author` meta tags, bylines the page marks up) and its
canonical URL. Does not handle: pages that only a browser could render (text put in by scripts),
paywalled or truncated pages (their visible part is the text), several articles on one page.
"""

from __future__ import annotations

import logging

import trafilatura
from trafilatura.settings import use_config

from newsflow.tasks.metadata import clean_url, parse_date, split_authors, text_or_none
from newsflow.tasks.records import Metadata

# trafilatura logs every page it finds no article in as an error; newsflow rejects such a page
# itself, with a reason, so these would only repeat it.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
_CONFIG = use_config()
for _key in ("MIN_EXTRACTED_SIZE", "MIN_OUTPUT_SIZE", "MIN_OUTPUT_COMM_SIZE", "MIN_EXTRACTED_COMM_SIZE"):
    _CONFIG.set("DEFAULT", _key, "1")  # a short article is still an article
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # its timeout uses signals: none in worker threads
_DATES = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def read_page(html: str) -> tuple[Metadata, str]:
    """(the page's metadata, its article text with one paragraph a line)."""
    page = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        config=_CONFIG,
        date_extraction_params=_DATES,
    )
    if page is None:
        return Metadata(), ""
    title = text_or_none(page.title)
    lines = (page.text or "").split("\n")
    if title and lines and " ".join(lines[0].split()) == title:
        lines = lines[1:]  # the headline opens the text: it is the title, not the body
    meta = Metadata(
        title=title,
        url=clean_url(page.url),
        outlet=text_or_none(page.sitename) or text_or_none(page.hostname),
        published_at=parse_date(page.date),
        authors=split_authors((page.author or "").replace(";", ",")),
    )
    return meta, "\n".join(lines)
