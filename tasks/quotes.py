"""Quotation extraction and speaker attribution.

The `newsflow_quotes` component runs inside `nlp.pipe` after `newsflow_entities` and leaves
plain lists of strs and ints on `doc._.nf_quotes` (spaCy sends docs back from its workers
through msgpack), read back as `Quote`s by `doc_quotes`; `quote_rows` turns them into rows of the
`quotes` table.

Handled:
- direct quotes between straight or curly double quotation marks (also '' and `` as some
  newswires write them), over several sentences; single quotes inside them (‘global cop’) are
  part of the quote; a paragraph that leaves its quote open and a next paragraph that re-opens
  with a mark (the multi-paragraph convention) give one quote per paragraph, all with the
  speaker named in any of them; marks that pair with nothing are ignored. Each marked span is
  its own quote: '“A,” she said, “B.”' gives two.
- indirect quotes: a reporting verb (say, tell, warn, insist, argue, add, ...) with a clausal
  complement ("said that ...", "..., saying ...", "told reporters ...", "..., she said.",
  "told employees in a memo that ..."), cut where a new report starts (", arguing that"), and
  "according to X, ..."; a negated reporting verb ("did not say how many") and a participle
  said of the listener ("Asked whether ..., she said") are no quote;
- mixed quotes: reported speech holding a partial quote (the quote's text is the whole
  reported clause) and partial quotes governed by a verb with a subject ("defended ... as
  “fully legitimate”", "invited the U.S. to “set a good example”": the text is the quoted
  words), but not under verbs like have/take/make (`NOT_CUES`);
- speakers: the subject of the cue verb (also through "..., saying" and conjoined verbs), the
  agent of a passive ("was described by X as"), "X was quoted as saying", inverted "said X",
  a name after a dash ('“...” ― Sonya Herridge'), "Smith, who said" (speaker "who", name
  Smith), the subject's title or apposition as `speaker_title`, organisations and countries,
  nominal speakers ("the ministry", "the coach") matched to the last organisation or titled
  person that fits, pronouns (he/she to a person of a compatible gender, preferring subjects
  of recent sentences; they to an organisation, a country or a plural subject; it to an
  organisation or country). A quote with no cue takes the speaker of the previous quote in
  its paragraph or the one before (two before, when the paragraph between is about that
  speaker), with `speaker` null since nobody is written next to it; a different person who is
  the subject or agent of a sentence in between takes it instead, and a paragraph between
  that names another person otherwise leaves it with no speaker.

Not handled: quotes in single quotation marks only (British style), guillemets as pairs only
partly, block quotes without marks, speakers named only after a quote in a later sentence
("That was the message from X"), nominal coreference beyond title and head-word matches, cues
that the parser does not attach to the quote, and world knowledge (which coach is meant).
Dropped as not speech: numbers and ids in marks, short title-cased spans mid-sentence (“Face
the Nation”), and one- to three-word scare quotes with no verb or speaker to attach them to.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import astuple, dataclass, replace

from newsflow.schemas.tables import QUOTES
from newsflow.tasks.entities import DocEntities, Mention, doc_entities
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

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
    method: str = "none"  # cue | passive | according_to | pronoun | adjacency | byline | none
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
    "demand", "blast", "charge", "lament", "proclaim", "repeat", "disclose",
    "reveal", "inform", "advise", "assure", "threaten", "speculate", "posit",
    "indicate", "signal", "opine", "muse", "wonder", "recount", "describe", "concur", "agree",
    "hint", "specify", "clarify", "protest", "object", "plead", "scoff", "sneer",
    "snap", "thunder", "fume", "rail", "grumble", "mutter", "gush", "beam", "chide",
}  # fmt: skip
# Reporting verbs whose participle, head of an adverbial clause, reports the main subject's speech.
PRONOUNS_F = {"she", "her"}
PRONOUNS_M = {"he", "him"}
PRONOUNS_PL = {"they", "them"}
PRONOUNS_IT = {"it"}
SPEAKER_PRONOUNS = PRONOUNS_F | PRONOUNS_M | PRONOUNS_PL | PRONOUNS_IT | {"i", "we", "you"}
RELATIVE_PRONOUNS = {"who", "which", "that"}
# Verbs that do not make a partial quote under them speech ("took a “selfie”").
NOT_CUES = {
    "be", "have", "do", "come", "go", "get", "take", "make", "send", "put", "give", "find", "see",
    "know", "use", "show", "run", "read", "watch", "hear", "want", "need", "like", "love", "become",
    "seem", "look", "feel", "play", "win", "lose", "buy", "sell", "start", "begin", "air", "publish",
}  # fmt: skip
BYLINE = re.compile(r"[ \t\u00a0]*(?:[―—–]+|--| - )[ \t\u00a0]*")
BYLINE_NAME = re.compile(r"[A-Z][\w.'’-]*(?:[ \t\u00a0]+(?:[A-Z][\w.'’-]*|de|van|von|la|del|da)){0,4}")
ATTITUDE_VERBS = {
    "call", "describe", "dismiss", "reject", "defend", "denounce", "condemn", "criticize",
    "criticise", "praise", "blast", "slam", "brand", "label", "characterize", "accuse", "welcome",
    "hail", "decry", "invite", "thank", "blame", "urge", "applaud", "mock", "ridicule", "deride",
}  # fmt: skip
NOT_AGENTS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LAW", "LANGUAGE"}
# Nouns that name any organisation of their kind ("the company" -> the last company named);
# "the ministry" or "the committee" must match the head word of the name instead.
GENERIC_ORG_NOUNS = {
    "company", "firm", "group", "organization", "organisation", "retailer", "automaker", "airline",
    "carrier", "manufacturer", "startup", "network", "newspaper", "paper", "broadcaster", "insurer",
    "lender", "chain", "conglomerate", "giant", "charity",
}  # fmt: skip
GENERIC_STATE_NOUNS = {"government", "country", "state", "nation", "kingdom", "republic", "city"}
ABBREVIATED_TITLES = {
    "sen.": "senator", "rep.": "representative", "gov.": "governor", "gen.": "general",
    "lt.": "lieutenant", "sgt.": "sergeant", "pres.": "president", "supt.": "superintendent",
    "sen": "senator", "rep": "representative", "gov": "governor",
}  # fmt: skip
SUBJ_DEPS = ("nsubj", "nsubjpass", "csubj")
CLIMB_DEPS = ("advcl", "xcomp", "conj", "pcomp", "prep", "dep", "parataxis")
OPEN_MARKS = {"“", "„", "«"}
CLOSE_MARKS = {"”", "»"}
AMBIGUOUS_MARKS = {'"', "″", "＂"}
ALL_MARKS = OPEN_MARKS | CLOSE_MARKS | AMBIGUOUS_MARKS
EDGE_PUNCT = " \t\n\r\u00a0,;:—–-" + "".join(ALL_MARKS)
MAX_QUOTE_CHARS = 5000
CUE_WINDOW = 80  # tokens either side of a quote searched for its cue: bounds the work per quote


# --------------------------------------------------------------------------- quotation marks


@dataclass(frozen=True)
class _Marked:
    """A span between quotation marks: the inner text offsets and whether it runs on."""

    open_char: int  # where the opening mark starts
    close_end: int  # where the closing mark ends, or the paragraph end when it runs on
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


def _marks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(position, length, char) of each quotation mark in text[start:end]; two apostrophes
    ('') and two backticks (``) count as one double mark, as some newswires write them."""
    out = []
    i = start
    while i < end:
        ch = text[i]
        if ch in ALL_MARKS:
            out.append((i, 1, ch))
        elif ch in "'`" and i + 1 < end and text[i + 1] == ch:
            out.append((i, 2, "“" if ch == "`" else '"'))
            i += 1
        i += 1
    return out


def _mark_role(text: str, i: int, length: int, ch: str) -> str:
    """ "open", "close" or "?" for a quotation mark, from its neighbours."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + length] if i + length < len(text) else " "
    space_before = before.isspace() or before in "([{—–-/\u00a0―" or before in ALL_MARKS
    space_after = after.isspace() or after in ".,;:!?)]}—–\u00a0―"
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
        for i, length, ch in _marks(text, p_start, p_end):
            role = _mark_role(text, i, length, ch)
            if role == "?":
                role = "close" if pending is not None else "open"
            if role == "open":
                pending = i
                pending_len = length
            elif pending is not None:
                _add_span(spans, text, pending, pending + pending_len, i, i + length, p_i, runs_on=False)
                pending = None
        if pending is not None and p_i + 1 < len(paras):
            nxt_start, nxt_end = paras[p_i + 1]
            first = text[nxt_start:nxt_end].lstrip()
            if first[:1] in OPEN_MARKS or first[:1] in AMBIGUOUS_MARKS or first[:2] in ("''", "``"):
                _add_span(spans, text, pending, pending + pending_len, p_end, p_end, p_i, runs_on=True)
    return spans


def _add_span(
    spans: list[_Marked], text: str, open_i: int, start: int, end: int, close_end: int, p_i: int, runs_on: bool
) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 1 or end - start > MAX_QUOTE_CHARS or not any(c.isalnum() for c in text[start:end]):
        return
    spans.append(_Marked(open_i, close_end, start, end, p_i, runs_on))


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
    """A reporting verb that reports: not negated, not a participle said of the listener
    ("Asked whether ..., she said")."""
    if tok.lemma_.lower() not in SPEECH_VERBS or tok.pos_ not in ("VERB", "AUX") or _is_negated(tok):
        return False
    if tok.tag_ == "VBN" and tok.dep_ in ("advcl", "acl", "amod") and not any(c.dep_ == "agent" for c in tok.children):
        return False
    return True


def _subject(verb: Token, quoted: Callable[[Token], bool] = lambda t: False) -> tuple[Token | None, str]:
    """The token that did the verb: its subject, passive agent, or the subject of the clause it
    hangs from ("..., saying" / conjoined verbs), never one inside quotation marks (the parser
    takes '“... mode,” said Leslie Wimes' for a subject 'mode'). Returns (token, method)."""
    tok = verb
    for _ in range(8):
        for c in tok.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj" and not quoted(g):
                        return g, "passive"
        for c in tok.children:
            if quoted(c):
                continue
            if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and tok.lemma_ in ("quote", "cite")):
                return c, "cue"
        if any(c.dep_ == "nsubjpass" and not quoted(c) for c in tok.children):
            return None, "none"
        if tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head, "cue"
        if _is_conjoined_cue(tok) or (_is_reporting_clause(tok) and tok.dep_ == "advcl"):
            outer = _enclosing_cue(tok)  # "said the deal was legal and called ...": with "said"
            if outer is not None:
                tok = outer
                continue
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
    while pre and (pre[0].dep_ in ("det", "poss") or pre[0].lower_ in ("its", "his", "her", "their")):
        pre = pre[1:]
    if pre:
        return idx.text[pre[0].idx : pre[-1].idx + len(pre[-1].text)]
    for c in tok.children:
        if c.dep_ == "appos":
            span = doc[c.left_edge.i : c.right_edge.i + 1]
            words = [t for t in span if not t.is_punct]
            if words and words[0].dep_ == "det":
                words = words[1:]
            if not any(t.is_alpha for t in words):
                continue  # "Tom Miller, 54, a retired machinist": the age is no title
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
    if tok.lower_ in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl" and tok.head.head.i != tok.head.i:
        antecedent = _speaker_from_token(tok.head.head, idx, method, prev)  # "Smith, who said ..."
        return replace(antecedent, surface=tok.text) if antecedent else None
    if tok.lower_ in SPEAKER_PRONOUNS:
        return _resolve_pronoun(tok, idx, prev)
    mention = idx.mention(tok)
    if mention is not None and mention.label in NOT_AGENTS:
        return None  # "12:15 p.m. said" is a parse error, not a speaker
    if mention is not None and mention.label in ("PERSON", "ORG", "GPE", "NORP"):
        return _entity_speaker(tok, mention, idx, method)
    for c in tok.children:  # "the spokeswoman, Maria Zakharova," / "spokeswoman Maria Zakharova"
        if c.dep_ in ("appos", "compound"):
            m = idx.mention(c)
            if m is not None and m.label == "PERSON":
                ent = idx.entities.get(m.entity_id)
                np_ = _noun_phrase(tok)
                title_words = [t for t in np_ if t.dep_ not in ("det", "poss", "case") and idx.tok_mention[t.i] < 0]
                title = " ".join(t.text for t in title_words) or None
                return _Speaker(m.text, ent.name if ent else m.text, m.entity_id, title, method, "PERSON")
    if mention is not None:
        return _entity_speaker(tok, mention, idx, method)
    np_ = _noun_phrase(tok)
    surface = np_.text
    name = eid = label = None
    m = _nominal_mention(tok, idx)
    if m is not None:
        ent = idx.entities.get(m.entity_id)
        name, eid, label = (ent.name if ent else m.text), m.entity_id, m.label
    if idx.tok_mention[tok.i] < 0 and not tok.is_alpha or tok.lower_ in ("this", "that", "these", "those"):
        return None
    return _Speaker(surface, name or surface, eid, None, method, label)


def _nominal_mention(tok: Token, idx: _Index) -> Mention | None:
    """The entity a definite noun phrase refers back to: "the ministry" -> the last organisation
    named "... Ministry"; "the company" -> the last organisation; "the coach", "the senator" ->
    the last person written with that title ("Head coach Bob Jones", "Sen. Sherrod Brown")."""
    definite = any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in tok.children)
    common = tok.pos_ == "NOUN" or (tok.pos_ == "PROPN" and tok.text.islower())  # "the senator" as NNP
    if not (common and tok.tag_ in ("NN", "NNP") and definite):
        return None
    word = tok.lower_
    first = bisect.bisect_left(idx.mention_starts, tok.idx)
    for m in reversed(idx.ents.mentions[max(0, first - 200) : first]):
        if m.label in ("ORG", "GPE", "NORP") and m.text.split()[-1].lower() == word:
            return m
        if m.label == "ORG" and word in GENERIC_ORG_NOUNS:
            return m
        if m.label == "GPE" and word in GENERIC_STATE_NOUNS:
            return m
        if m.label == "PERSON" and word in _role_words(idx, m):
            return m
    return None


def _role_words(idx: _Index, m: Mention) -> set[str]:
    """Lower-cased words of the title before a person's name or of its apposition."""
    doc = idx.doc
    toks = idx.tokens_in(m.start_char, m.end_char)
    if not len(toks):
        return set()
    out = {doc[i].lower_ for i in range(max(0, toks[0] - 4), toks[0])}
    out.update(ABBREVIATED_TITLES.get(w, w) for w in list(out))
    head = doc[toks[-1]]
    for c in head.children:
        if c.dep_ == "appos":
            out.update(t.lower_ for t in doc[c.left_edge.i : min(c.right_edge.i, c.left_edge.i + 8) + 1])
    if head.dep_ == "appos":
        out.update(t.lower_ for t in doc[head.head.left_edge.i : head.head.i + 1])
    return out


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
    """he/she/they/it -> the most salient earlier entity that fits: the nearest sentence back (at
    most six, within three paragraphs) that holds one, and in it subjects before other mentions
    and a known gender match before an unknown one; "they" may also be a plural subject.
    When nothing fits, the speaker of a recent quote that fits, then the nearest person whatever
    the gender guess says (first names mislead: Kelly Ortberg is a man)."""
    pron = tok.lower_
    surface = tok.text
    if pron in ("i", "we", "you"):
        return _Speaker(surface, None, None, None, "pronoun")
    s_i = idx.sent_of[tok.i]
    para = idx.para_of(tok.idx)
    best = None
    fallback = None
    for back in range(0, 6):
        if s_i - back < 0:
            break
        sent = idx.sents[s_i - back]
        if idx.para_of(sent.start_char) < para - 2:
            break
        cands = []
        seen = set()
        stop = min(sent.end, tok.i)
        for t in idx.doc[max(sent.start, stop - CUE_WINDOW * 2) : stop]:
            if idx.in_quote(t.idx):
                continue
            m_i = idx.tok_mention[t.i]
            if m_i < 0:
                if pron in PRONOUNS_PL and t.tag_ in ("NNS", "NNPS") and t.dep_ in SUBJ_DEPS:
                    np_ = _noun_phrase(t)
                    cands.append((False, True, t.i, _Speaker(surface, np_.text, None, None, "pronoun")))
                elif t.dep_ in SUBJ_DEPS and (pron in PRONOUNS_IT or pron in PRONOUNS_PL):
                    nominal = _nominal_mention(t, idx)  # "The company has ..., where it said"
                    if nominal is not None and nominal.label == "ORG":
                        ent = idx.entities.get(nominal.entity_id)
                        name = ent.name if ent else nominal.text
                        cands.append(
                            (False, False, t.i, _Speaker(surface, name, nominal.entity_id, None, "pronoun", "ORG"))
                        )
                continue
            if m_i in seen:
                continue
            seen.add(m_i)
            m = idx.ents.mentions[m_i]
            ent = idx.entities.get(m.entity_id)
            label = ent.label if ent else m.label
            gender = ent.gender if ent else None
            head = t
            while idx.tok_mention[head.head.i] == m_i and head.head.i != head.i:
                head = head.head
            is_subj = head.dep_ in SUBJ_DEPS
            speaker = _Speaker(surface, ent.name if ent else m.text, m.entity_id, None, "pronoun", label)
            if not _gender_ok(pron, gender, label):
                if fallback is None and label == "PERSON" and _gender_ok(pron, None, label) and is_subj:
                    fallback = speaker
                continue
            second_choice = gender is None if label == "PERSON" else (pron in PRONOUNS_IT and label != "ORG")
            cands.append((not is_subj, second_choice, t.i, speaker))
        if cands:  # the nearest sentence with a fitting candidate; its subject first
            cands.sort(key=lambda c: (c[0], c[1], c[2]))
            best = cands[0]
            break
    if best is not None:
        return best[3]
    for q in prev[-1:-6:-1]:
        if q.speaker_entity_id:
            ent = idx.entities.get(q.speaker_entity_id)
            if ent and _gender_ok(pron, ent.gender, ent.label):
                return _Speaker(surface, ent.name, ent.entity_id, None, "pronoun", ent.label)
    if fallback is not None:
        return fallback
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
    """Trim punctuation and spaces off a reported clause, but keep the closing mark (and the
    punctuation inside it) of a partial quote that the clause ends with."""
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    full_end = end
    while end > start and (text[end - 1] in EDGE_PUNCT or text[end - 1] in ".!?"):
        end -= 1
    inner = text[start:end]
    opened = inner.count("“") - inner.count("”") + inner.count('"') % 2
    if opened > 0:
        for i in range(end, min(len(text), max(full_end, end) + 3)):
            if text[i] in CLOSE_MARKS or text[i] == '"':
                return start, i + 1
    return start, end


def _complement(cue: Token) -> Token | None:
    """The reported clause of a cue: its clausal complement (the one after it, when there are
    two), or a subject-bearing clause the parser hung on as an adverbial ("said after the
    convention he would not ...")."""
    comps = [c for c in cue.children if c.dep_ == "ccomp"]
    right = [c for c in comps if c.i > cue.i]
    if right:
        return right[0]
    if comps:
        return comps[0]
    # "told employees in a memo that ...": a that-clause the parser took for a relative clause
    for c in cue.rights:
        if c.dep_ not in ("prep", "dobj", "pobj", "npadvmod", "dative"):
            continue
        for d in c.subtree:
            if d.i - c.i > 12:
                break
            if d.dep_ in ("relcl", "acl") and any(g.dep_ == "mark" and g.lower_ == "that" for g in d.children):
                return d
    for c in cue.rights:
        if (
            c.dep_ in ("advcl", "parataxis")
            and c.pos_ in ("VERB", "AUX")
            and any(g.dep_ in ("nsubj", "nsubjpass") and g.i > cue.i for g in c.children)
            and not any(g.dep_ in ("mark", "advmod") and g.i < c.i for g in c.children)
        ):
            return c
    return None


def _complement_end(comp: Token) -> int:
    """Last token of a reported clause, cutting off a subject-less speech or attitude verb that
    the parser hung on it but that goes with the cue ("said the deal was legal and called ...")."""
    hi = comp.right_edge.i
    for c in comp.rights:
        if _is_conjoined_cue(c) or _is_reporting_clause(c):
            cut = c.left_edge.i
            for cc in comp.rights:
                if cc.dep_ == "cc" and cc.i < c.i:
                    cut = min(cut, cc.i) if cc.i > comp.i else cut
            hi = min(hi, cut - 1)
    return hi


def _is_reporting_clause(tok: Token) -> bool:
    """ ", arguing that ..." / ", and ... the mother replied": a new report, not part of the clause."""
    return tok.dep_ in ("advcl", "conj") and tok.pos_ == "VERB" and tok.lemma_.lower() in SPEECH_VERBS


def _enclosing_cue(tok: Token) -> Token | None:
    """The cue verb whose reported clause holds `tok` (a few steps up), if any."""
    head = tok.head
    for _ in range(4):
        if head.dep_ == "ccomp" and head.head.i != head.i and _is_cue(head.head):
            return head.head
        if head.head.i == head.i:
            return None
        head = head.head
    return None


def _is_conjoined_cue(tok: Token) -> bool:
    return (
        tok.dep_ == "conj"
        and tok.pos_ == "VERB"
        and tok.lemma_.lower() in SPEECH_VERBS | ATTITUDE_VERBS
        and not any(c.dep_ in SUBJ_DEPS for c in tok.children)
    )


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
        lo, hi = comp.left_edge.i, _complement_end(comp)
        if lo <= tok.i <= hi:
            continue
        lo, hi = _within_paragraph(idx, tok, lo, hi)
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
        named = _apposed_name(idx, a_hi)
        if named is not None:  # "according to the finance director, Maria Chen, ..."
            who, a_hi = named
        left = (sent.start, a_lo - 1)
        right = (a_hi + 1, sent.end - 1)
        lo, hi = max((left, right), key=lambda r: r[1] - r[0])
        lo, hi = _within_paragraph(idx, tok, lo, hi)
        if hi - lo < 2:
            continue
        start, end = _clip(text, doc[lo].idx, doc[hi].idx + len(doc[hi].text))
        if end - start < 3:
            continue
        drafts.append(_Draft(start, end, "indirect", cue=who, cue_lemma="according to"))
    return drafts


def _within_paragraph(idx: _Index, cue: Token, lo: int, hi: int) -> tuple[int, int]:
    """Token range lo..hi cut to the cue's paragraph (the parser may run a sentence over a break)."""
    p_start, p_end = idx.paras[idx.para_of(cue.idx)] if idx.paras else (0, len(idx.text))
    while lo <= hi and idx.doc[lo].idx < p_start:
        lo += 1
    while hi >= lo and idx.doc[hi].idx >= p_end:
        hi -= 1
    return lo, hi


def _looks_like_a_name(words: list[str]) -> bool:
    """“Face the Nation”, “Morning Joe”: a short title-cased span names a work, not speech."""
    small = {"the", "a", "an", "of", "and", "in", "on", "at", "for", "to", "is", "with", "by", "or"}
    content = [w for w in words if w.lower() not in small]
    return 0 < len(words) <= 6 and bool(content) and all(w[:1].isupper() or w[:1].isdigit() for w in content)


def _apposed_name(idx: _Index, i: int) -> tuple[Token, int] | None:
    """(name token, index of the closing comma) for ", <Person Name>," right after token i."""
    doc = idx.doc
    if i + 2 >= len(doc) or doc[i + 1].text != ",":
        return None
    m_i = idx.tok_mention[i + 2]
    if m_i < 0 or idx.ents.mentions[m_i].label != "PERSON" or idx.ents.mentions[m_i].start_char != doc[i + 2].idx:
        return None
    j = i + 2
    while j + 1 < len(doc) and idx.tok_mention[j + 1] == m_i:
        j += 1
    if j + 1 < len(doc) and doc[j + 1].text == ",":
        return doc[j], j + 1
    return None


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
    after = bisect.bisect_left(idx.tok_starts, m.close_end)
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
            if len(sent) > 14 or sent.start_char > m.close_end + 2:
                continue
        lo_i = max(sent.start, before - CUE_WINDOW)
        hi_i = min(sent.end, after + CUE_WINDOW)
        for t_i in range(lo_i, hi_i):
            if before < t_i < after:
                continue
            t = doc[t_i]
            if idx.para_of(t.idx) != para and not (m.runs_on and t.idx < m.start):
                continue
            if m.open_char <= t.idx < m.close_end or idx.in_quote(t.idx):
                continue
            if t.lower_ == "according":
                dist = min(abs(t.idx - m.close_end), abs(t.idx - m.open_char))
                cands.append((dist, t))
                continue
            if not _is_cue(t):
                continue
            comp = _complement(t)
            if comp is not None and not (comp.left_edge.idx <= m.start and comp.right_edge.idx >= m.end - 1):
                comp_quoted = idx.in_quote(comp.idx)
                if not comp_quoted:
                    continue
            dist = min(abs(t.idx - m.close_end), abs(t.idx - m.open_char))
            cands.append((dist, t))
    if not cands:
        verb = _colon_verb(m, idx, before)
        return (verb, verb.lemma_.lower()) if verb is not None else (None, None)
    cands.sort(key=lambda c: c[0])
    tok = cands[0][1]
    if tok.lower_ == "according":
        return tok, "according to"
    return tok, tok.lemma_.lower()


def _byline(m: _Marked, idx: _Index) -> _Speaker | None:
    """A name after a dash right after the quote: “...” ― Sonya Herridge."""
    dash = BYLINE.match(idx.text, m.close_end)
    if dash is None:
        return None
    pos = dash.end()
    m_i = bisect.bisect_left(idx.mention_starts, pos)
    if m_i < len(idx.ents.mentions) and idx.ents.mentions[m_i].start_char == pos:
        mention = idx.ents.mentions[m_i]
        if mention.label in ("PERSON", "ORG", "NORP", "GPE"):
            ent = idx.entities.get(mention.entity_id)
            return _Speaker(mention.text, ent.name if ent else mention.text, mention.entity_id, None, "byline")
    name = BYLINE_NAME.match(idx.text, pos)
    if name is None:
        return None
    return _Speaker(name.group().rstrip(".").strip(), None, None, None, "byline")


def _main_verb(verb: Token) -> Token:
    """'rejected the demands ... to end support for Maduro as “totally unacceptable”': the cue is
    "reject", not the subject-less infinitive "end" that the parser hangs the quote from."""
    for _ in range(3):
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        has_subject = any(c.dep_ in SUBJ_DEPS for c in verb.children)
        if not infinitive or has_subject or verb.dep_ not in ("advcl", "xcomp") or verb.head.pos_ != "VERB":
            break
        verb = verb.head
    return verb


def _colon_verb(m: _Marked, idx: _Index, before: int) -> Token | None:
    """'DeWine welcomed the announcement: “...”': the verb of the clause a colon hands over to
    the quote, whatever the verb."""
    doc = idx.doc
    if before < 0 or doc[before].text != ":" or idx.in_quote(doc[before].idx):
        return None
    verb = doc[before].head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or m.open_char <= verb.idx < m.close_end or _is_negated(verb):
        return None
    return verb


def _governing_verb(m: _Marked, idx: _Index) -> Token | None:
    """For a partial quote: the nearest verb outside the quote that its words hang from."""
    doc = idx.doc
    toks = idx.tokens_in(m.start, m.end)
    for t_i in toks:
        head = doc[t_i].head
        if m.open_char <= head.idx < m.close_end:
            continue
        for _ in range(6):
            if head.pos_ in ("VERB", "AUX") and not idx.in_quote(head.idx):
                return _main_verb(head)
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
    subj, method = _subject(cue, lambda t: idx.in_quote(t.idx))
    if subj is None or idx.in_quote(subj.idx):
        return None
    return _speaker_from_token(subj, idx, method, prev)


NO_ONE = _Speaker(None, None, None, None, "none")
SAME = _Speaker(None, None, None, None, "adjacency")


def _intervening_subject(idx: _Index, start: int, end: int, exclude: str | None) -> _Speaker | None:
    """Who comes in between two quotes (outside quotation marks): the last person or
    organisation other than `exclude` that is the subject of a sentence there, or the agent of
    one ("drew a response from Senator Ruiz"); `SAME` when the last such subject is the previous
    speaker; `NO_ONE` when a paragraph in between names another person in some other role (the
    quote is then nobody's); None when nobody comes in."""
    doc = idx.doc
    found = None
    other_person = False
    start_para = idx.para_of(start)
    first = idx.tokens_in(start, end)
    if len(first):  # skip the rest of the previous quote's own sentence ("..., Reed said.")
        start = max(start, idx.sents[idx.sent_of[first[0]]].end_char)
    between = idx.tokens_in(start, end)
    for t_i in between[-CUE_WINDOW * 3 :]:
        t = doc[t_i]
        if idx.in_quote(t.idx):
            continue
        m = idx.mention(t)
        if m is None and t.pos_ == "PROPN" and t.dep_ in SUBJ_DEPS and t.text[:1].isupper():
            found = _speaker_from_token(t, idx, "adjacency", []) or found  # a name the model missed
            continue
        if m is None or m.label not in ("PERSON", "ORG"):
            continue
        head = t
        while idx.mention(head.head) == m and head.head.i != head.i:
            head = head.head
        if head.dep_ in ("compound", "appos") and head.head.i != head.i:
            head = head.head  # "council member Ana Ruiz" / "the treasurer, Ana Ruiz"
        agent = head.dep_ == "pobj" and head.head.lower_ in ("from", "by") and m.label == "PERSON"
        if head.dep_ in SUBJ_DEPS or agent:
            if m.entity_id == exclude:  # the paragraph goes on about the same speaker
                found, other_person = SAME, False
            else:
                found = _entity_speaker(t, m, idx, "adjacency")
        elif m.label == "PERSON" and m.entity_id != exclude and idx.para_of(t.idx) != start_para:
            other_person = found is None
    if found is not None:
        return found
    return NO_ONE if other_person else None


def _attribute_marked(m: _Marked, idx: _Index, prev: list[Quote], cont: bool) -> _Draft | None:
    text = idx.text
    partial = _is_partial(text, m)
    words = re.findall(r"[^\W\d_][\w'’-]*", text[m.start : m.end])
    if not any(len(w) > 1 for w in words) or (partial and _looks_like_a_name(words)):
        return None  # numbers, ids, or the title of a show or a book
    kind = "mixed" if partial else "direct"
    draft = _Draft(m.start, m.end, kind, marked=m)
    # a continuation paragraph may carry its own cue too: '“... more,” she said.'
    byline = _byline(m, idx)
    if byline is not None:
        draft.speaker = byline
        return draft
    cue, lemma = _cue_for_marked(m, idx)
    if cue is not None:
        sp = _speaker_for_cue(cue, lemma, idx, prev)
        if sp is not None:
            draft.cue, draft.cue_lemma, draft.speaker = cue, lemma, sp
            return draft
    if partial:
        verb = _governing_verb(m, idx)
        if verb is not None and verb.lemma_.lower() not in NOT_CUES:
            subj, method = _subject(verb, lambda t: idx.in_quote(t.idx))
            if subj is not None and not idx.in_quote(subj.idx):
                sp = _speaker_from_token(subj, idx, method, prev)
                speechy = verb.lemma_.lower() in SPEECH_VERBS | ATTITUDE_VERBS
                if sp is not None and (
                    sp.label in ("PERSON", "ORG", "GPE", "NORP") or sp.method == "pronoun" or speechy
                ):
                    draft.cue, draft.cue_lemma, draft.speaker = verb, verb.lemma_.lower(), sp
                    return draft
    if partial and len(re.findall(r"\w+", text[m.start : m.end])) <= 3:
        return None  # a scare quote ("the so-called “deep state”"), not speech
    # no cue: the previous quote's speaker, when near and nobody else came in between
    last = next((q for q in reversed(prev) if q.speaker is not None or q.speaker_name is not None), None)
    if last is not None:
        last_para = idx.para_of(last.start_char)
        near = last_para in (m.paragraph, m.paragraph - 1)
        if cont or near or last_para == m.paragraph - 2:
            other = None if cont else _intervening_subject(idx, last.end_char, m.open_char, last.speaker_entity_id)
            if other is NO_ONE or (other is None and not near and not cont):
                draft.speaker = None
            elif other is not None and other is not SAME:
                draft.speaker = replace(other, surface=None, method="adjacency", name=other.name or other.surface)
            else:
                # nobody is written next to this quote: no surface speaker, the same person
                draft.speaker = _Speaker(
                    None, last.speaker_name or last.speaker, last.speaker_entity_id, last.speaker_title, "adjacency"
                )
            return draft
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
        inner = [i for i in near if d.start <= marked[i].open_char and marked[i].close_end <= d.end + 2]
        overlapping = [i for i in near if marked[i].open_char < d.end and marked[i].close_end > d.start]
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
    chain: list[int] = []  # paragraphs of one running quote that have no cue of their own yet
    for _, item in items:
        try:
            if isinstance(item, _Draft):
                if item.speaker is None and item.cue is not None:
                    item.speaker = _speaker_for_cue(item.cue, item.cue_lemma, idx, quotes)
                quotes.append(_finish(item, text))
                prev_runs_on, chain = False, []
                continue
            cont = prev_runs_on
            draft = _attribute_marked(item, idx, quotes, cont=cont)
            prev_runs_on = item.runs_on
            if draft is not None:
                quotes.append(_finish(draft, text))
                if item.runs_on or cont:
                    if quotes[-1].method in ("adjacency", "none"):
                        chain.append(len(quotes) - 1)
                    else:
                        _backfill(quotes, chain, quotes[-1])
                        chain = []
            if not item.runs_on:
                chain = []
        except Exception:  # noqa: BLE001
            log.exception("one quote failed; skipping it")
    return tuple(q for q in quotes if text[q.start_char : q.end_char] == q.text and q.text)


def _backfill(quotes: list[Quote], chain: list[int], attributed: Quote) -> None:
    """A quote running over several paragraphs whose speaker is named only in a later one:
    the earlier paragraphs get that speaker too."""
    for i in chain:
        quotes[i] = replace(
            quotes[i],
            speaker=None,
            speaker_name=attributed.speaker_name or attributed.speaker,
            speaker_entity_id=attributed.speaker_entity_id,
            speaker_title=attributed.speaker_title,
            cue=None,
            method="adjacency",
        )


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
