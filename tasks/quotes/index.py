"""`DocIndex`: the lookups over one parsed document that the quote rules share."""

from __future__ import annotations

import bisect

from spacy.tokens import Doc, Token

from newsflow.tasks.entities import DocEntities, Mention
from newsflow.tasks.lexicon import Lexicon
from newsflow.tasks.quotes.marks import Marked, paragraphs

CUE_WINDOW = 80  # tokens either side of a quote searched for its cue: bounds the work per quote


class DocIndex:
    """Lookups over one parsed document that the rules share."""

    def __init__(self, doc: Doc, ents: DocEntities, marked: list[Marked], lex: Lexicon) -> None:
        self.doc = doc
        self.lex = lex
        self.text = doc.text  # Doc.text joins every token: build it once
        self.ents = ents
        self.marked = marked
        self.paras = paragraphs(self.text)
        self.para_starts = [p[0] for p in self.paras]
        self.tok_starts = [t.idx for t in doc]
        self.mention_starts = [m.start_char for m in ents.mentions]
        self.entities = {e.entity_id: e for e in ents.entities}
        self.tok_mention: list[int] = [-1] * len(doc)
        for m_i, m in enumerate(ents.mentions):
            first = bisect.bisect_left(self.tok_starts, m.start_char)
            for t_i in range(first, len(doc)):
                if doc[t_i].idx >= m.end_char:
                    break
                self.tok_mention[t_i] = m_i
        self.sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        self.sent_of = [0] * len(doc)
        for s_i, s in enumerate(self.sents):
            for t_i in range(s.start, s.end):
                self.sent_of[t_i] = s_i
        # marked spans by char, to test whether a token is quoted
        self.quoted = sorted((m.open_char, m.close_end) for m in marked)
        self.quoted_starts = [q[0] for q in self.quoted]

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
