"""Turn a decoded article into a clean `Document`: headline out as `title`, body text only.

Handles: the headline (first short line), photo captions with their credit line, bare photo
credits, bylines, datelines ("WASHINGTON (Reuters) -"), boilerplate lines (Advertisement,
share bars, "Read more", copyright), mojibake (repaired with ftfy), Unicode (NFC), control
characters, CRLF and whitespace; HTML pages are reduced to their article text first.
Quotation marks are kept exactly as written: they carry the quotes.
Does not handle: captions that carry no credit line and do not look like one, pages whose
article text is not in <p> elements, multi-article pages.
"""

from newsflow.tasks.clean.body import (
    MAX_SYMBOL_RUN,
    clean_body,
    clean_document,
    document_id,
    normalise_text,
    split_blocks,
)
from newsflow.tasks.clean.page import html_to_text
from newsflow.tasks.credits import is_credit

__all__ = ["MAX_SYMBOL_RUN", "clean_body", "clean_document", "document_id", "html_to_text", "is_credit",
           "normalise_text", "split_blocks"]  # fmt: skip
