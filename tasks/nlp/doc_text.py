"""`doc_text`: a Doc's text, built once per Doc.

spaCy's `Doc.text` joins every token's text on each access, a pass over the document in Python:
newsflow's components used it in six places per document, and once per PERSON mention in the
gender evidence, which made up a third of the entity component's time on the BBC. The text is
kept beside the Doc (a weak reference: it goes when the Doc goes), not in `doc.user_data`, which
spaCy serialises with the Doc and warns about when it merges Docs. newsflow's components never
change a Doc's tokens after the parse, so it stays the Doc's text.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once per Doc."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text
