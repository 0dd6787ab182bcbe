"""tasks/nlp/paragraphs.py: rule `paragraph-sentences`, a paragraph break ends a sentence, with the
real model (the component sits before its parser in `load_pipeline`)."""

from __future__ import annotations

from spacy.tokens import Doc

from newsflow.tasks.nlp.paragraphs import paragraph_sentences

# The model's parser runs this first paragraph (it has no full stop) on into the second.
RUN_ON = "He said the rules would change once the new board was appointed\n\nThe board meets on Monday."


def starts_after_breaks(doc: Doc) -> list[bool]:
    text = doc.text
    firsts = {text.index(part) for part in text.split("\n\n")[1:]}
    return [token.is_sent_start for token in doc if token.idx in firsts]


def test_the_parser_starts_a_sentence_at_each_paragraph_break(nlp):
    assert nlp.pipe_names.index("newsflow_paragraphs") == nlp.pipe_names.index("parser") - 1
    with nlp.select_pipes(disable=["newsflow_paragraphs"]):
        assert starts_after_breaks(nlp(RUN_ON)) == [False], "the model alone runs the sentence on"
    doc = nlp(RUN_ON)
    assert starts_after_breaks(doc) == [True]
    assert [s.text.strip() for s in doc.sents] == [
        "He said the rules would change once the new board was appointed",
        "The board meets on Monday.",
    ]


def test_only_the_first_token_after_a_line_break_is_marked(nlp):
    """Blank lines and spaces between paragraphs are skipped; the parser still finds the other
    sentences; a text with no break is left to the parser."""
    text = "First line here. Still the first paragraph\n \n\n  Second one starts. And goes on\nThird."
    doc = paragraph_sentences(nlp.make_doc(text))
    marked = [token.text for token in doc if token.is_sent_start]
    assert marked == ["First", "Second", "Third"]
    plain = paragraph_sentences(nlp.make_doc("One line. Two."))
    assert not any(token.is_sent_start for token in plain[1:])
