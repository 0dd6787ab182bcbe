"""Rule `paragraph-sentences`: a paragraph break ends a sentence.

spaCy's parser finds sentence boundaries itself, and the medium English model sometimes runs a
sentence on across a paragraph break: after 'he would advise him that the danger had increased
''a couple clicks'' ...' and a blank line, the next paragraph's '''This guy's shame has no
limits,'' he said' became a clause of the previous paragraph's "added", so the quote lost its cue.
News paragraphs never share a sentence. `newsflow_paragraphs` runs before the parser and marks
the first token after a line break as a sentence start; spaCy's parser keeps the boundaries a
component set before it (and still finds the others).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


def paragraph_sentences(doc: Doc) -> Doc:
    """Mark the first token after every line break as a sentence start."""
    after_break = False
    for token in doc:
        if token.is_space:
            after_break = after_break or "\n" in token.text
        elif after_break:
            token.is_sent_start = True
            after_break = False
    return doc


@Language.factory("newsflow_paragraphs", assigns=["token.is_sent_start"])
def make_paragraph_sentences(nlp: Language, name: str):
    """The component (it has no settings)."""
    return paragraph_sentences
