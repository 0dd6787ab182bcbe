"""`doc_text`: a Doc's text, built once per Doc.

spaCy's `Doc.text` joins every token's text on each access, a pass over the document in Python:
newsflow's components used it in six places per document, and once per PERSON mention in the
gender evidence, which made up a third of the entity component's time on the BBC. The text is
kept in `doc.user_data` under `KEY` on first use; newsflow's components never change a Doc's
tokens after the parse, so it stays the Doc's text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

KEY = ("newsflow", "text")


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once per Doc and kept in `doc.user_data`."""
    text = doc.user_data.get(KEY)
    if text is None:
        text = doc.user_data[KEY] = doc.text
    return text
