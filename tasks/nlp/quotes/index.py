"""`DocIndex`: the lookups over one parsed document that the quote rules share."""

from __future__ import annotations

import bisect
from collections.abc import Collection

import numpy
from spacy.attrs import IDX, LEMMA, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.entities import DocEntities, Mention
from newsflow.tasks.nlp.lexicon import Lexicon
from newsflow.tasks.nlp.quotes.marks import Marked, paragraphs

CUE_WINDOW = 80  # tokens either side of a quote searched for its cue: bounds the work per quote


class DocIndex:
    """Lookups over one parsed document that the rules share."""

    def __init__(self, doc: Doc, ents: DocEntities, marked: list[Marked], lex: Lexicon) -> None:
        self.doc = doc
        self.lex = lex
        self.text = doc_text(doc)
        self.ents = ents
        self.marked = marked
        self.paras = paragraphs(self.text)
        self.para_starts = [p[0] for p in self.paras]
        columns = doc.to_array([IDX, LEMMA, LOWER]) if len(doc) else numpy.zeros((0, 3), dtype="uint64")
        self.tok_starts = columns[:, 0].tolist()
        self.lemmas, self.lowers = columns[:, 1], columns[:, 2]
        self.mention_starts = [m.start_char for m in ents.mentions]
        self.entities = {e.entity_id: e for e in ents.entities}
        self.tok_mention: list[int] = [-1] * len(doc)
        for m_i, m in enumerate(ents.mentions):
            first = bisect.bisect_left(self.tok_starts, m.start_char)
            for t_i in range(first, len(doc)):
                if self.tok_starts[t_i] >= m.end_char:
                    break
                self.tok_mention[t_i] = m_i
        self.sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        self.sent_of = numpy.repeat(numpy.arange(len(self.sents)), [s.end - s.start for s in self.sents]).tolist()
        # marked spans by char, to test whether a token is quoted
        self.quoted = sorted((m.open_char, m.close_end) for m in marked)
        self.quoted_starts = [q[0] for q in self.quoted]

    def tokens_with_lemma(self, lemmas: Collection[str]) -> list[Token]:
        """The tokens, in order, whose lemma, lower-cased, is one of `lemmas`."""
        strings = self.doc.vocab.strings
        found = [h for h in numpy.unique(self.lemmas).tolist() if strings[h].lower() in lemmas]
        return self._tokens_at(numpy.isin(self.lemmas, found))

    def tokens_with_lower(self, words: Collection[str]) -> list[Token]:
        """The tokens, in order, whose lower-case form is one of `words` (lower-case)."""
        return self._tokens_at(numpy.isin(self.lowers, [get_string_id(w) for w in words]))

    def _tokens_at(self, mask: numpy.ndarray) -> list[Token]:
        return [self.doc[i] for i in numpy.flatnonzero(mask).tolist()]

    def para_of(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.para_starts, char) - 1)

    def in_quote(self, char: int) -> bool:
        i = bisect.bisect_right(self.quoted_starts, char) - 1
        return i >= 0 and self.quoted[i][0] <= char < self.quoted[i][1]

    def mention(self, tok: Token) -> Mention | None:
        m_i = self.tok_mention[tok.i]
        return self.ents.mentions[m_i] if m_i >= 0 else None

    def tokens_in(self, start: int, end: int) -> range:
        lo = bisect.bisect_left(self.tok_starts, start)
        hi = bisect.bisect_left(self.tok_starts, end)
        return range(lo, hi)
