"""Quotation extraction and speaker attribution.

The `newsflow_quotes` component runs inside `nlp.pipe` after `newsflow_entities` and leaves
plain lists of strs and ints on `doc._.nf_quotes` (spaCy sends docs back from its workers
through msgpack), read back as `Quote`s by `doc_quotes`; `quote_rows` turns them into rows of the
`quotes` table.

Handled:
- direct quotes between straight or curly double quotation marks, over several sentences;
  single quotes inside them (‘global cop’) are part of the quote; a paragraph that leaves its
  quote open and a next paragraph that re-opens with a mark (the multi-paragraph convention)
  give one quote per paragraph; marks that pair with nothing are ignored;
- indirect quotes: a reporting verb (say, tell, warn, insist, argue, add, ...) with a clausal
  complement ("said that ...", "..., saying ...", "told reporters ...", "..., she said."),
  and "according to X, ..."; a negated reporting verb ("did not say how many") is no quote;
- mixed quotes: reported speech holding a partial quote (the quote's text is the whole
  reported clause) and partial quotes governed by any verb with a subject ("defended ... as
  “fully legitimate”", "invited the U.S. to “set a good example”": the text is the quoted words);
- speakers: the subject of the cue verb (also through "..., saying" and conjoined verbs), the
  agent of a passive ("was criticized by X"), "X was quoted as saying", inverted "said X",
  the subject's title or apposition as `speaker_title`, organisations and countries, nominal
  speakers ("the ministry") matched to an organisation named earlier, and pronouns (he/she to
  a person of a compatible gender, preferring subjects of recent sentences; they/it to an
  organisation or country); a quote with no cue takes the speaker of the previous quote in
  its paragraph or the paragraph before, unless a different person is the subject of a
  sentence in between.

Not handled: quotes in single quotation marks only (British style), guillemets, block quotes
without marks, speakers named only after a quote in a later sentence ("That was the message
from X"), "says who" questions, nominal coreference beyond a head-word match, and cues that
the parser does not attach to the quote. Scare quotes of one to three words with no verb
governing them and no speaker are dropped.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
from dataclasses import astuple, dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from schemas.tables import QUOTES
from tasks.entities import DocEntities, Mention, doc_entities

log = logging.getLogger(__name__)

if not Doc.has_extension("nf_quotes"):
    Doc.set_extension("nf_quotes", default=None)


@dataclass(frozen=True)
class Quote:
    start_char: int
    end_char: int
    text: str
    type: str  # direct | indirect | mixed
    speaker: str | None = None
    speaker_name: str | None = None
    speaker_entity_id: str | None = None
    cue: str | None = None
    method: str = "none"  # cue | passive | according_to | pronoun | adjacency | none
    speaker_title: str | None = None

    @property
    def quote_id(self) -> str:
        return "q_" + hashlib.sha1(f"{self.start_char}:{self.end_char}:{self.text}".encode()).hexdigest()[:16]


SPEECH_VERBS = {
    "say", "tell", "state", "add", "explain", "claim", "argue", "insist", "warn", "note",
    "announce", "declare", "assert", "acknowledge", "admit", "deny", "suggest", "write",
    "report", "reply", "respond", "answer", "ask", "urge", "comment", "remark", "recall",
    "predict", "promise", "vow", "pledge", "confirm", "contend", "maintain", "emphasize",
    "emphasise", "stress", "complain", "concede", "testify", "tweet", "post", "allege",
    "caution", "counter", "conclude", "reiterate", "observe", "mention", "joke", "quip",
    "boast", "brag", "shout", "scream", "yell", "whisper", "cry", "exclaim", "retort",
    "demand", "blast", "charge", "lament", "acknowledge", "proclaim", "repeat", "disclose",
    "reveal", "inform", "advise", "assure", "tell", "threaten", "speculate", "posit",
    "indicate", "signal", "opine", "muse", "wonder", "recount", "describe", "concur", "agree",
    "hint", "specify", "clarify", "declare", "protest", "object", "plead", "scoff", "sneer",
    "snap", "thunder", "fume", "rail", "grumble", "mutter", "gush", "beam", "chide",
}  # fmt: skip
# Reporting verbs whose participle, head of an adverbial clause, reports the main subject's speech.
PRONOUNS_F = {"she", "her"}
PRONOUNS_M = {"he", "him"}
PRONOUNS_PL = {"they", "them"}
PRONOUNS_IT = {"it"}
SPEAKER_PRONOUNS = PRONOUNS_F | PRONOUNS_M | PRONOUNS_PL | PRONOUNS_IT | {"i", "we", "you"}
SUBJ_DEPS = ("nsubj", "nsubjpass", "csubj")
CLIMB_DEPS = ("advcl", "xcomp", "conj", "pcomp", "prep", "dep", "parataxis")
OPEN_MARKS = {"“", "„", "«"}
CLOSE_MARKS = {"”", "»"}
AMBIGUOUS_MARKS = {'"', "″", "＂"}
ALL_MARKS = OPEN_MARKS | CLOSE_MARKS | AMBIGUOUS_MARKS
EDGE_PUNCT = " \t\n\r\u00a0,;:—–-" + "".join(ALL_MARKS)
MAX_QUOTE_CHARS = 5000


# --------------------------------------------------------------------------- quotation marks


@dataclass(frozen=True)
class _Marked:
    """A span between quotation marks: the inner text offsets and whether it runs on."""

    open_char: int
    close_char: int  # index of the closing mark, or the paragraph end when it runs on
    start: int  # inner text start (after the mark and spaces)
    end: int  # inner text end
    paragraph: int
    runs_on: bool = False  # open at the paragraph end, continued in the next paragraph


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line-separated paragraph."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            out.append((m.start(), m.end()))
    return out


def _mark_role(text: str, i: int) -> str:
    """"open", "close" or "?" for the quotation mark at text[i], from its neighbours."""
    ch = text[i]
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    space_before = before.isspace() or before in "([{—–-/\u00a0" or before in ALL_MARKS
    space_after = after.isspace() or after in ".,;:!?)]}—–\u00a0"
    if ch in OPEN_MARKS and not (space_after and not space_before):
        return "open"
    if ch in CLOSE_MARKS and not (space_before and not space_after):
        return "close"
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "?"


def find_marked_spans(text: str) -> list[_Marked]:
    """Pair quotation marks within each paragraph; see the module docstring for the rules."""
    spans: list[_Marked] = []
    paras = paragraphs(text)
    for p_i, (p_start, p_end) in enumerate(paras):
        pending: int | None = None
        for i in range(p_start, p_end):
            if text[i] not in ALL_MARKS:
                continue
            role = _mark_role(text, i)
            if role == "?":
                role = "close" if pending is not None else "open"
            if role == "open":
                pending = i
            elif pending is not None:
                _add_span(spans, text, pending, i, p_i, runs_on=False)
                pending = None
        if pending is not None and p_i + 1 < len(paras):
            nxt_start, nxt_end = paras[p_i + 1]
            first = text[nxt_start:nxt_end].lstrip()
            if first[:1] in OPEN_MARKS or first[:1] in AMBIGUOUS_MARKS:
                _add_span(spans, text, pending, p_end, p_i, runs_on=True)
    return spans


def _add_span(spans: list[_Marked], text: str, open_i: int, close_i: int, p_i: int, runs_on: bool) -> None:
    start, end = open_i + 1, close_i
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 1 or end - start > MAX_QUOTE_CHARS or not any(c.isalnum() for c in text[start:end]):
        return
    spans.append(_Marked(open_i, close_i, start, end, p_i, runs_on))


# --------------------------------------------------------------------------- doc helpers


class _Index:
    """Lookups over one parsed document that the rules share."""

    def __init__(self, doc: Doc, ents: DocEntities, marked: list[_Marked]) -> None:
        self.doc = doc
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
        self.quoted = sorted((m.open_char, m.close_char + 1) for m in marked)
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


@dataclass(frozen=True)
class _Speaker:
    surface: str | None
    name: str | None = None
    entity_id: str | None = None
    title: str | None = None
    method: str = "cue"
    label: str | None = None


def _is_negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _is_cue(tok: Token) -> bool:
    return tok.lemma_.lower() in SPEECH_VERBS and tok.pos_ in ("VERB", "AUX") and not _is_negated(tok)


def _subject(verb: Token) -> tuple[Token | None, str]:
    """The token that did the verb: its subject, passive agent, or the subject of the clause it
    hangs from ("..., saying" / conjoined verbs). Returns (token, method)."""
    tok = verb
    for _ in range(8):
        for c in tok.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g, "passive"
        for c in tok.children:
            if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and tok.lemma_ in ("quote", "cite")):
                if c.lower_ in ("who", "that", "which") and tok.dep_ == "relcl":
                    return tok.head, "cue"
                return c, "cue"
        if any(c.dep_ == "nsubjpass" for c in tok.children):
            return None, "none"
        if tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head, "cue"
        if tok.dep_ in CLIMB_DEPS and tok.head.i != tok.i:
            tok = tok.head
            continue
        break
    return None, "none"


def _noun_phrase(tok: Token) -> Span:
    """The subject's own words: determiners, modifiers and compounds, not clauses or appositions."""
    doc = tok.doc
    start = tok.i
    for c in tok.lefts:
        if c.dep_ in ("det", "amod", "compound", "nummod", "poss", "nmod", "advmod", "quantmod", "punct"):
            start = min(start, c.left_edge.i)
    while start < tok.i and doc[start].is_punct:
        start += 1
    return doc[start : tok.i + 1]


def _title(tok: Token, mention: Mention, idx: _Index) -> str | None:
    """Words before the name in the subject ("Russian Foreign Ministry spokeswoman") or an
    apposition ("the head of the committee")."""
    doc = tok.doc
    np_ = _noun_phrase(tok)
    pre = [t for t in np_ if t.idx < mention.start_char and not t.is_punct]
    while pre and pre[0].dep_ == "det":
        pre = pre[1:]
    if pre:
        return idx.text[pre[0].idx : pre[-1].idx + len(pre[-1].text)]
    for c in tok.children:
        if c.dep_ == "appos":
            span = doc[c.left_edge.i : c.right_edge.i + 1]
            words = [t for t in span if not t.is_punct]
            if words and words[0].dep_ == "det":
                words = words[1:]
            if words and len(words) <= 20:
                return idx.text[words[0].idx : words[-1].idx + len(words[-1].text)]
    return None


def _entity_speaker(tok: Token, mention: Mention, idx: _Index, method: str) -> _Speaker:
    ent = idx.entities.get(mention.entity_id)
    return _Speaker(
        surface=mention.text,
        name=ent.name if ent else mention.text,
        entity_id=mention.entity_id,
        title=_title(tok, mention, idx),
        method=method,
        label=ent.label if ent else mention.label,
    )


def _speaker_from_token(tok: Token, idx: _Index, method: str, prev: list[Quote]) -> _Speaker | None:
    if tok.lower_ in SPEAKER_PRONOUNS:
        return _resolve_pronoun(tok, idx, prev)
    mention = idx.mention(tok)
    if mention is not None and mention.label in ("PERSON", "ORG", "GPE", "NORP"):
        return _entity_speaker(tok, mention, idx, method)
    for c in tok.children:  # "the spokeswoman, Maria Zakharova," / "spokeswoman Maria Zakharova"
        if c.dep_ in ("appos", "compound"):
            m = idx.mention(c)
            if m is not None and m.label == "PERSON":
                ent = idx.entities.get(m.entity_id)
                np_ = _noun_phrase(tok)
                title_words = [t for t in np_ if t.dep_ != "det" and idx.tok_mention[t.i] < 0]
                title = " ".join(t.text for t in title_words) or None
                return _Speaker(m.text, ent.name if ent else m.text, m.entity_id, title, method, "PERSON")
    if mention is not None:
        return _entity_speaker(tok, mention, idx, method)
    np_ = _noun_phrase(tok)
    surface = np_.text
    name = eid = label = None
    if tok.pos_ == "NOUN":  # "the ministry" -> the last organisation named "... Ministry"
        first = bisect.bisect_left(idx.mention_starts, tok.idx)
        for m in reversed(idx.ents.mentions[max(0, first - 200) : first]):
            if m.label in ("ORG", "GPE", "NORP") and m.text.split()[-1].lower() == tok.lower_:
                ent = idx.entities.get(m.entity_id)
                name, eid, label = (ent.name if ent else m.text), m.entity_id, m.label
                break
    return _Speaker(surface, name, eid, None, method, label)


def _gender_ok(pron: str, ent_gender: str | None, label: str) -> bool:
    if pron in PRONOUNS_F or pron in PRONOUNS_M:
        if label != "PERSON":
            return False
        want = "f" if pron in PRONOUNS_F else "m"
        return ent_gender in (None, want)
    if pron in PRONOUNS_PL:
        return label in ("ORG", "GPE", "NORP")
    if pron in PRONOUNS_IT:
        return label in ("ORG", "GPE")
    return False


def _resolve_pronoun(tok: Token, idx: _Index, prev: list[Quote]) -> _Speaker:
    """he/she/they/it -> the most salient earlier entity that fits: subjects of the current and
    previous sentences first (a known gender match before an unknown one), then any mention."""
    pron = tok.lower_
    surface = tok.text
    if pron in ("i", "we", "you"):
        return _Speaker(surface, None, None, None, "pronoun")
    s_i = idx.sent_of[tok.i]
    para = idx.para_of(tok.idx)
    best: tuple | None = None
    for back in range(0, 6):
        if s_i - back < 0:
            break
        sent = idx.sents[s_i - back]
        if idx.para_of(sent.start_char) < para - 2:
            break
        cands = []
        seen = set()
        for t in sent:
            if t.i >= tok.i:
                break
            m_i = idx.tok_mention[t.i]
            if m_i < 0 or m_i in seen or idx.in_quote(t.idx):
                continue
            seen.add(m_i)
            m = idx.ents.mentions[m_i]
            ent = idx.entities.get(m.entity_id)
            label = ent.label if ent else m.label
            gender = ent.gender if ent else None
            if not _gender_ok(pron, gender, label):
                continue
            head = t
            while idx.tok_mention[head.head.i] == m_i and head.head.i != head.i:
                head = head.head
            is_subj = head.dep_ in SUBJ_DEPS
            exact = gender is not None
            cands.append((not is_subj, not exact, t.i, m))
        if cands:
            cands.sort(key=lambda c: (c[0], c[1], c[2] if c[0] else c[2]))
            pick = cands[0]
            if best is None or (pick[0], pick[1]) < (best[0], best[1]):
                best = pick
            if not pick[0]:
                break
    if best is not None:
        m = best[3]
        ent = idx.entities.get(m.entity_id)
        return _Speaker(surface, ent.name if ent else m.text, m.entity_id, None, "pronoun", m.label)
    for q in prev[-1:-6:-1]:
        if q.speaker_entity_id:
            ent = idx.entities.get(q.speaker_entity_id)
            if ent and _gender_ok(pron, ent.gender, ent.label):
                return _Speaker(surface, ent.name, ent.entity_id, None, "pronoun", ent.label)
    return _Speaker(surface, None, None, None, "pronoun")


# --------------------------------------------------------------------------- rules


@dataclass
class _Draft:
    start: int
    end: int
    type: str
    cue: Token | None = None
    cue_lemma: str | None = None
    speaker: _Speaker | None = None
    marked: _Marked | None = None


def _clip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    while end > start and (text[end - 1] in EDGE_PUNCT or text[end - 1] in ".!?"):
        end -= 1
    return start, end


def _complement(cue: Token) -> Token | None:
    for c in cue.children:
        if c.dep_ == "ccomp":
            return c
    return None


def _indirect_quotes(idx: _Index) -> list[_Draft]:
    doc = idx.doc
    text = idx.text
    drafts = []
    for tok in doc:
        if not _is_cue(tok) or idx.in_quote(tok.idx):
            continue
        comp = _complement(tok)
        if comp is None:
            continue
        lo, hi = comp.left_edge.i, comp.right_edge.i
        if lo <= tok.i <= hi:
            continue
        while lo <= hi and (doc[lo].dep_ == "mark" and doc[lo].lower_ == "that" or doc[lo].is_punct):
            lo += 1
        if lo > hi:
            continue
        start, end = _clip(text, doc[lo].idx, doc[hi].idx + len(doc[hi].text))
        if end - start < 3 or len([t for t in doc[lo : hi + 1] if t.is_alpha]) < 2:
            continue
        drafts.append(_Draft(start, end, "indirect", cue=tok, cue_lemma=tok.lemma_.lower()))
    for tok in doc:  # according to X, ...
        if tok.lower_ != "according" or idx.in_quote(tok.idx):
            continue
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        who = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if who is None:
            continue
        sent = idx.sents[idx.sent_of[tok.i]]
        a_lo, a_hi = tok.i, who.right_edge.i
        left = (sent.start, a_lo - 1)
        right = (a_hi + 1, sent.end - 1)
        lo, hi = max((left, right), key=lambda r: r[1] - r[0])
        if hi - lo < 2:
            continue
        start, end = _clip(text, doc[lo].idx, doc[hi].idx + len(doc[hi].text))
        if end - start < 3:
            continue
        drafts.append(_Draft(start, end, "indirect", cue=who, cue_lemma="according to"))
    return drafts


def _is_partial(text: str, m: _Marked) -> bool:
    """A quote that opens mid-clause ("was “in strict accordance”") rather than after a
    sentence start or punctuation."""
    i = m.open_char - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i >= 0 and (text[i].isalnum() or text[i] in "’'%$")


def _cue_for_marked(m: _Marked, idx: _Index) -> tuple[Token | None, str | None]:
    """The reporting verb outside the quote that introduces it, in the sentences it touches."""
    doc = idx.doc
    toks = idx.tokens_in(m.start, m.end)
    if not len(toks):
        return None, None
    first_s = idx.sent_of[toks[0]]
    last_s = idx.sent_of[toks[-1]]
    before = bisect.bisect_left(idx.tok_starts, m.open_char) - 1
    after = bisect.bisect_right(idx.tok_starts, m.close_char)
    cands: list[tuple[int, Token]] = []
    s_lo, s_hi = first_s, last_s
    if before >= 0:
        s_lo = min(s_lo, idx.sent_of[before])
    if after < len(doc):
        s_hi = max(s_hi, idx.sent_of[after])
    para = m.paragraph
    for s_i in range(s_lo, s_hi + 1):
        sent = idx.sents[s_i]
        if s_i < first_s:  # a sentence ending just before the quote: "X said:"
            last = sent[-1] if len(sent) else None
            while last is not None and (last.is_space or last.text in ALL_MARKS) and last.i > sent.start:
                last = doc[last.i - 1]
            if last is None or last.text not in (":", ","):
                continue
        if s_i > last_s:  # a sentence after the quote: only a short '... he said.'
            if len(sent) > 14 or sent.start_char > m.close_char + 3:
                continue
        for t in sent:
            if idx.para_of(t.idx) != para and not (m.runs_on and t.idx < m.start):
                continue
            if m.open_char <= t.idx <= m.close_char or idx.in_quote(t.idx):
                continue
            if t.lower_ == "according":
                dist = min(abs(t.idx - m.close_char), abs(t.idx - m.open_char))
                cands.append((dist, t))
                continue
            if not _is_cue(t):
                continue
            comp = _complement(t)
            if comp is not None and not (comp.left_edge.idx <= m.start and comp.right_edge.idx >= m.end - 1):
                comp_quoted = idx.in_quote(comp.idx)
                if not comp_quoted:
                    continue
            dist = min(abs(t.idx - m.close_char), abs(t.idx - m.open_char))
            cands.append((dist, t))
    if not cands:
        return None, None
    cands.sort(key=lambda c: c[0])
    tok = cands[0][1]
    if tok.lower_ == "according":
        return tok, "according to"
    return tok, tok.lemma_.lower()


def _governing_verb(m: _Marked, idx: _Index) -> Token | None:
    """For a partial quote: the nearest verb outside the quote that its words hang from."""
    doc = idx.doc
    toks = idx.tokens_in(m.start, m.end)
    for t_i in toks:
        head = doc[t_i].head
        if m.open_char <= head.idx <= m.close_char:
            continue
        for _ in range(6):
            if head.pos_ in ("VERB", "AUX") and not idx.in_quote(head.idx):
                return head
            if head.head.i == head.i:
                break
            head = head.head
        return None
    return None


def _speaker_for_cue(cue: Token, lemma: str | None, idx: _Index, prev: list[Quote]) -> _Speaker | None:
    if lemma == "according to":
        who = cue
        if cue.lower_ == "according":
            to = next((c for c in cue.children if c.lower_ == "to"), None)
            who = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if who is None:
            return None
        sp = _speaker_from_token(who, idx, "according_to", prev)
        return replace(sp, method="according_to") if sp and sp.method != "pronoun" else sp
    subj, method = _subject(cue)
    if subj is None or idx.in_quote(subj.idx):
        return None
    return _speaker_from_token(subj, idx, method, prev)


def _intervening_subject(idx: _Index, start: int, end: int, exclude: str | None) -> _Speaker | None:
    """A person or organisation, other than `exclude`, that is the subject of a sentence written
    between two quotes (outside quotation marks)."""
    doc = idx.doc
    for t_i in idx.tokens_in(start, end):
        t = doc[t_i]
        if idx.in_quote(t.idx) or t.dep_ not in SUBJ_DEPS:
            continue
        m = idx.mention(t)
        if m is None or m.label not in ("PERSON", "ORG") or m.entity_id == exclude:
            continue
        return _entity_speaker(t, m, idx, "adjacency")
    return None


def _attribute_marked(m: _Marked, idx: _Index, prev: list[Quote], cont: bool) -> _Draft | None:
    text = idx.text
    partial = _is_partial(text, m)
    kind = "mixed" if partial else "direct"
    draft = _Draft(m.start, m.end, kind, marked=m)
    if not cont:
        cue, lemma = _cue_for_marked(m, idx)
        if cue is not None:
            sp = _speaker_for_cue(cue, lemma, idx, prev)
            if sp is not None:
                draft.cue, draft.cue_lemma, draft.speaker = cue, lemma, sp
                return draft
        if partial:
            verb = _governing_verb(m, idx)
            if verb is not None:
                subj, method = _subject(verb)
                if subj is not None and not idx.in_quote(subj.idx):
                    sp = _speaker_from_token(subj, idx, method, prev)
                    if sp is not None and (sp.label in ("PERSON", "ORG", "GPE", "NORP") or sp.method == "pronoun"):
                        draft.cue, draft.cue_lemma, draft.speaker = verb, verb.lemma_.lower(), sp
                        return draft
    # no cue: the previous quote's speaker, when near and nobody else came in between
    last = next((q for q in reversed(prev) if q.speaker is not None or q.speaker_name is not None), None)
    if last is not None:
        last_para = idx.para_of(last.start_char)
        if cont or last_para in (m.paragraph, m.paragraph - 1):
            other = None if cont else _intervening_subject(idx, last.end_char, m.open_char, last.speaker_entity_id)
            if other is not None:
                draft.speaker = other
            else:
                draft.speaker = _Speaker(
                    last.speaker, last.speaker_name, last.speaker_entity_id, last.speaker_title, "adjacency"
                )
            return draft
    if partial and len(re.findall(r"\w+", text[m.start : m.end])) <= 3:
        return None  # a scare quote or a title, not speech
    return draft


def _finish(d: _Draft, text: str) -> Quote:
    sp = d.speaker
    start, end = d.start, d.end
    return Quote(
        start_char=start,
        end_char=end,
        text=text[start:end],
        type=d.type,
        speaker=sp.surface if sp else None,
        speaker_name=sp.name if sp else None,
        speaker_entity_id=sp.entity_id if sp else None,
        cue=d.cue_lemma if sp or d.cue_lemma else None,
        method=sp.method if sp else "none",
        speaker_title=sp.title if sp else None,
    )


def extract_quotes(doc: Doc) -> tuple[Quote, ...]:
    """All quotes of the document in text order. Never raises: on a failure of one rule the
    others still give their quotes; on a failure of all, the document has none."""
    try:
        text = doc.text
        if not text.strip():
            return ()
        ents = doc_entities(doc)
        marked = find_marked_spans(text)
        idx = _Index(doc, ents, marked)
    except Exception:  # noqa: BLE001
        log.exception("quote extraction failed before any rule ran")
        return ()
    indirect: list[_Draft] = []
    if doc.has_annotation("DEP"):
        try:
            indirect = _indirect_quotes(idx)
        except Exception:  # noqa: BLE001
            log.exception("indirect quote rules failed; keeping direct quotes only")
    # direct quotes that sit inside a reported clause make it a mixed quote
    consumed: set[int] = set()
    drafts: list[_Draft] = []
    opens = [m.open_char for m in marked]  # marked spans are in text order and do not overlap
    for d in indirect:
        near = range(max(0, bisect.bisect_left(opens, d.start) - 1), bisect.bisect_left(opens, d.end))
        inner = [i for i in near if d.start <= marked[i].open_char and marked[i].close_char < d.end + 2]
        overlapping = [i for i in near if marked[i].open_char < d.end and marked[i].close_char >= d.start]
        if overlapping and not inner:
            continue  # the clause is (part of) a direct quote: the direct-quote rules attribute it
        if inner:
            d.type = "mixed"
            consumed.update(inner)
        drafts.append(d)
    drafts = _drop_nested(drafts)
    items: list[tuple[int, object]] = [(d.start, d) for d in drafts]
    items += [(m.start, m) for i, m in enumerate(marked) if i not in consumed]
    items.sort(key=lambda x: x[0])
    quotes: list[Quote] = []
    prev_runs_on = False
    for _, item in items:
        try:
            if isinstance(item, _Draft):
                if item.speaker is None and item.cue is not None:
                    item.speaker = _speaker_for_cue(item.cue, item.cue_lemma, idx, quotes)
                quotes.append(_finish(item, text))
                prev_runs_on = False
            else:
                draft = _attribute_marked(item, idx, quotes, cont=prev_runs_on)
                prev_runs_on = item.runs_on
                if draft is not None:
                    quotes.append(_finish(draft, text))
        except Exception:  # noqa: BLE001
            log.exception("one quote failed; skipping it")
    return tuple(q for q in quotes if text[q.start_char : q.end_char] == q.text and q.text)


def _drop_nested(drafts: list[_Draft]) -> list[_Draft]:
    """Reported speech inside reported speech: keep the outer clause."""
    drafts.sort(key=lambda d: (d.start, -d.end))
    out: list[_Draft] = []
    for d in drafts:
        if out and d.start >= out[-1].start and d.end <= out[-1].end:
            continue
        out.append(d)
    return out


class QuoteExtractor:
    """spaCy component: `doc._.nf_quotes` = the document's quotes (needs `newsflow_entities`,
    which it runs itself when absent)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.nf_quotes = [list(astuple(q)) for q in extract_quotes(doc)]
        return doc


@Language.factory("newsflow_quotes")
def make_quote_extractor(nlp: Language, name: str) -> QuoteExtractor:
    return QuoteExtractor(nlp, name)


def doc_quotes(doc: Doc) -> tuple[Quote, ...]:
    """The component's quotes (lists of strs and ints on the Doc, for msgpack), computed now when
    the component did not run."""
    data = doc._.nf_quotes
    if isinstance(data, list | tuple):
        try:
            return tuple(Quote(*q) for q in data)
        except (TypeError, ValueError):
            log.warning("unreadable doc._.nf_quotes; extracting again")
    result = extract_quotes(doc)
    doc._.nf_quotes = [list(astuple(q)) for q in result]
    return result


def quote_rows(doc_id: str, doc: Doc) -> list[dict]:
    """Rows of the `quotes` table for one document."""
    cols = QUOTES.names
    rows = []
    for q in doc_quotes(doc):
        row = {
            "doc_id": doc_id,
            "quote_id": q.quote_id,
            "text": q.text,
            "type": q.type,
            "start_char": q.start_char,
            "end_char": q.end_char,
            "speaker": q.speaker,
            "speaker_name": q.speaker_name,
            "speaker_entity_id": q.speaker_entity_id,
            "cue": q.cue,
            "method": q.method,
            "speaker_title": q.speaker_title,
        }
        rows.append({c: row[c] for c in cols})
    return rows
