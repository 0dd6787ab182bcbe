"""Speakers: who a cue's subject, an "according to" or a dash after a quote names, resolved to an
entity (also through appositions, titles, definite noun phrases and pronouns), and who comes in
between two quotes for a quote with no cue of its own."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from spacy.tokens import Token

from newsflow.tasks.nlp.entities import Mention
from newsflow.tasks.nlp.quotes.cues import SUBJ_DEPS, inverted_object, subject_of, swallowed_subject
from newsflow.tasks.nlp.quotes.index import CUE_WINDOW, DocIndex
from newsflow.tasks.nlp.quotes.marks import Marked
from newsflow.tasks.nlp.quotes.phrases import (
    common_noun,
    definite,
    lede_person,
    nominal_mention,
    noun_phrase,
    person_noun,
    role_person,
    salient_person,
)
from newsflow.tasks.nlp.quotes.pronouns import SPEAKER_PRONOUNS, resolve_pronoun
from newsflow.tasks.nlp.quotes.records import Quote, Speaker

RELATIVE_PRONOUNS = {"who", "which", "that"}
WH_WORDS = {"who", "whom", "whose", "which", "what", "whoever", "whatever", "that"}
POSSESSIVE_PRONOUNS = {"his", "her", "their", "its"}
NOT_AGENTS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LAW", "LANGUAGE"}


# A name after a dash right after a quote (the `method` value "byline" in the quotes table).
DASH = re.compile(r"[ \t\u00a0]*(?:[―—–]+|--| - )[ \t\u00a0]*")
DASHED_NAME = re.compile(r"[A-Z][\w.'’-]*(?:[ \t\u00a0]+(?:[A-Z][\w.'’-]*|de|van|von|la|del|da)){0,4}")


NO_ONE = Speaker(None, None, None, None, "none")
SAME = Speaker(None, None, None, None, "adjacency")


def speaker_title_of(tok: Token, mention: Mention, idx: DocIndex) -> str | None:
    """Words before the name in the subject ("Russian Foreign Ministry spokeswoman") or an
    apposition ("the head of the committee")."""
    doc = tok.doc
    np_ = noun_phrase(tok)
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


def entity_speaker(tok: Token, mention: Mention, idx: DocIndex, method: str) -> Speaker:
    ent = idx.entities.get(mention.entity_id)
    return Speaker(
        surface=mention.text,
        name=ent.name if ent else mention.text,
        entity_id=mention.entity_id,
        title=speaker_title_of(tok, mention, idx),
        method=method,
        label=ent.label if ent else mention.label,
        start=mention.start_char,
    )


def interrogative(tok: Token) -> bool:
    """Rule `no-wh-speaker`: "Who said ...?", "Which official told ...?", "That said, ...": an
    interrogative (or demonstrative "that") subject, or one a wh-word determines, is nobody; a
    relative pronoun with its antecedent ("Smith, who said") is Smith."""
    if tok.lower_ in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl" and tok.head.head.i != tok.head.i:
        return False
    if tok.lower_ in WH_WORDS:
        return True
    return any(c.dep_ == "det" and c.lower_ in ("which", "what", "whose") for c in tok.children)


def speaker_from_token(tok: Token, idx: DocIndex, method: str, prev: list[Quote]) -> Speaker | None:
    if tok.lower_ in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl" and tok.head.head.i != tok.head.i:
        antecedent = speaker_from_token(tok.head.head, idx, method, prev)  # "Smith, who said ..."
        return replace(antecedent, surface=tok.text, start=tok.idx) if antecedent else None
    if interrogative(tok):
        return None
    if tok.lower_ in SPEAKER_PRONOUNS:
        return resolve_pronoun(tok, idx, prev)
    mention = idx.mention(tok)
    if tok.pos_ == "PROPN" and (mention is None or mention.label in NOT_AGENTS):
        person = named_person(tok, idx)  # "Mr Thoday said" with "Thoday" missed or taken for a date
        if person is not None:
            ent = idx.entities[person]
            np_ = noun_phrase(tok)
            return Speaker(np_.text, ent.name, ent.entity_id, None, method, "PERSON", np_.start_char)
    if mention is not None and mention.label in ("PERCENT", "CARDINAL") and tok.dep_ in SUBJ_DEPS:
        group = share_of_people(tok)
        if group is not None:  # rule `poll-share-speaks`: "60 percent of voters said"
            return Speaker(group.text, group.text, None, None, method, None, group.start_char)
    if mention is not None and mention.label in NOT_AGENTS:
        return None  # "12:15 p.m. said" is a parse error, not a speaker ("Mr Thoday": entities make him a person)
    if mention is not None and mention.label != "PERSON":
        person = described_person(tok, mention, idx)  # "The Bishop of Durham, Tom Wright, said"
        if person is not None:
            return replace(
                entity_speaker(person[0], person[1], idx, method), surface=mention.text, start=mention.start_char
            )
    if mention is not None and mention.label == "NORP" and tok.tag_ in ("NNP", "NN") and definite(tok):
        # rule `partisan-description`: "the Republican said" is a person the text is about
        person = salient_person(tok, idx)
        if person is not None:
            np_ = noun_phrase(tok)
            return replace(entity_speaker(tok, person, idx, method), surface=np_.text, start=np_.start_char, title=None)
    if mention is not None and mention.label in ("PERSON", "ORG", "GPE", "NORP"):
        return entity_speaker(tok, mention, idx, method)
    for c in tok.children:  # "the spokeswoman, Maria Zakharova," / "spokeswoman Maria Zakharova"
        if c.dep_ in ("appos", "compound"):
            m = idx.mention(c)
            if m is not None and m.label == "PERSON":
                ent = idx.entities.get(m.entity_id)
                np_ = noun_phrase(tok)
                title_words = [t for t in np_ if t.dep_ not in ("det", "poss", "case") and idx.tok_mention[t.i] < 0]
                title = " ".join(t.text for t in title_words) or None
                return Speaker(m.text, ent.name if ent else m.text, m.entity_id, title, method, "PERSON", m.start_char)
    if mention is not None:
        return entity_speaker(tok, mention, idx, method)
    np_ = noun_phrase(tok)
    issuer = issuer_of(tok, idx)
    if issuer is not None:  # "she released a statement saying": hers
        sp = speaker_from_token(issuer, idx, method, prev)
        if sp is not None:
            return sp
    if tok.lower_ in idx.lex.utterance_nouns:  # "Ivana Trump's brief said", "his message said": their words
        owner = next((t for t in np_ if t.dep_ == "poss"), None)  # also "Mr Campbell's e-mail" (on "e")
        if owner is not None and owner.lower_ in POSSESSIVE_PRONOUNS:
            sp = resolve_pronoun(owner, idx, prev)
            if sp.entity_id is not None:
                return replace(sp, surface=np_.text, start=np_.start_char, method=method)
        elif owner is not None and idx.mention(owner) is not None:
            if idx.mention(owner).label in ("PERSON", "ORG", "GPE", "NORP"):
                sp = entity_speaker(owner, idx.mention(owner), idx, method)
                return replace(sp, surface=np_.text, title=None, start=np_.start_char)
    person = described_person(tok, None, idx)
    if person is not None:  # "the play's organiser in Uganda, Sarah Mukasa, told"
        return replace(entity_speaker(person[0], person[1], idx, method), surface=np_.text, start=np_.start_char)
    surface = np_.text
    name = eid = label = None
    m = nominal_mention(tok, idx)
    if m is None and common_noun(tok, idx) and person_noun(tok, idx):
        # "Liam Neeson has held a dinner. The actor said"; "..., a clergyman has said." in the lede
        # (an office, "the minister", needs its evidence: a role_words match, above)
        descriptive = definite(tok) and (tok.lower_.rsplit("-", 1)[-1] not in idx.lex.titles or epithet(tok))
        m = (salient_person(tok, idx) if descriptive else None) or lede_person(tok, idx)
    if m is None and definite(tok) and common_noun(tok, idx):
        m = described_before(tok, idx, prev)
    if m is not None:
        ent = idx.entities.get(m.entity_id)
        name, eid, label = (ent.name if ent else m.text), m.entity_id, m.label
    if tok.lower_ in ("these", "those") and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].head.i == tok.i:
        # rule `those-described`: "those surveyed said", "those polled": the people described
        described = tok.doc[tok.i + 1]
        if described.dep_ in ("acl", "relcl", "amod") and described.pos_ == "VERB":
            phrase = tok.doc[tok.i : described.i + 1]
            return Speaker(phrase.text, phrase.text, None, None, method, None, phrase.start_char)
    if idx.tok_mention[tok.i] < 0 and not tok.is_alpha or tok.lower_ in ("this", "that", "these", "those"):
        return None
    return Speaker(surface, name or surface, eid, None, method, label, np_.start_char)


def described_before(tok: Token, idx: DocIndex, prev: list[Quote]) -> Mention | None:
    """Rule `description-chain`: "the senator said" after "the independent Vermont senator said",
    which the text tied to Bernie Sanders: a definite description whose head word ends the
    written speaker of an earlier quote of the document resolved to a person is that person
    (the latest such quote); None when none is, or the latest is no person."""
    word = tok.lower_
    for q in reversed(prev):
        if q.speaker is None or q.speaker_start is None or q.speaker_start >= tok.idx:
            continue
        words = q.speaker.lower().split()
        if len(words) < 2 or words[-1] != word or words[0] not in ("the", "this", "that"):
            continue
        ent = idx.entities.get(q.speaker_entity_id) if q.speaker_entity_id else None
        if ent is None or ent.label != "PERSON":
            return None
        before = [m for m in idx.ents.mentions if m.entity_id == ent.entity_id and m.start_char < tok.idx]
        return before[-1] if before else None
    return None


def epithet(tok: Token) -> bool:
    """Rule `salient-description`: "the independent Vermont senator", "the Democratic
    presidential candidate": an office with words that describe its holder is a description of
    the person the text is about (as "the actor" is), while a bare office ("the senator", "the
    minister") needs a holder written with that title."""
    return any(c.dep_ in ("amod", "compound") and c.i < tok.i and c.is_alpha for c in tok.children)


def issuer_of(tok: Token, idx: DocIndex) -> Token | None:
    """Rule `statement-issuer`: "she released a statement saying ...", "the campaign sent an
    email saying ...", "the paper ran a piece that noted ...": a statement (an utterance noun)
    that is the object of a verb speaks for that verb's subject. None otherwise."""
    word = tok.lower_
    if word not in idx.lex.utterance_nouns and tok.lemma_.lower() not in idx.lex.utterance_nouns:
        return None
    if tok.dep_ != "dobj" or tok.head.pos_ != "VERB" or any(c.dep_ == "poss" for c in tok.children):
        return None
    subj = next((c for c in tok.head.children if c.dep_ in ("nsubj",) and not idx.in_quote(c.idx)), None)
    if subj is None and tok.head.dep_ in ("conj", "relcl", "advcl", "xcomp"):
        subj, _ = subject_of(tok.head, idx.lex, lambda t: idx.in_quote(t.idx))
    return subj


def share_of_people(tok: Token):
    """ "60 percent of voters", "Two in three", "Nine in 10 registered voters": a share of a
    group as the subject of a cue (a poll's answer) is that group speaking; the words of the
    subject up to the cue, or None when they hold no plural noun or number of people."""
    doc = tok.doc
    lo = tok.left_edge.i
    hi = tok.right_edge.i
    words = doc[lo : hi + 1]
    if len(words) > 12 or any(t.pos_ == "VERB" for t in words):
        return None
    shares = any(t.lower_ in ("percent", "%", "in", "of", "out") for t in words)
    return words if shares or tok.tag_ == "CD" and tok.dep_ in SUBJ_DEPS else None


def named_person(tok: Token, idx: DocIndex) -> str | None:
    """The entity id of the one person of the document whose name ends with this capitalised
    surname, for a name the model missed or mislabelled ("Jon Thoday ... Mr Thoday said" with
    "Thoday" taken for a date); None when no person or several have that surname."""
    if not tok.text[:1].isupper() or not tok.is_alpha:
        return None
    found = {e.entity_id for e in idx.ents.entities if e.label == "PERSON" and e.name.split()[-1] == tok.text}
    return found.pop() if len(found) == 1 else None


def described_person(tok: Token, mention: Mention | None, idx: DocIndex) -> tuple[Token, Mention] | None:
    """The person a subject that is not a person's name stands for, on evidence in the text: a
    name in apposition ("The Bishop of Durham, the Rt Rev Tom Wright, said"; also when the parse
    hangs it on a place or organisation inside the phrase: "the play's organiser in Uganda, Sarah
    Mukasa, told"), or, for a title the model took for an organisation ("the Bishop said"), the
    last person written with that title."""
    for t in tok.subtree:
        if t.dep_ != "appos" or t.i < tok.i:
            continue
        m = idx.mention(t)
        anchor = idx.mention(t.head)
        if m is None or m.label != "PERSON" or (anchor is not None and anchor.label == "PERSON"):
            continue
        if t.head.i == tok.i or anchor is not None and anchor.label in ("GPE", "LOC", "ORG", "FAC", "NORP"):
            return t, m
    if mention is not None and mention.label in ("ORG", "FAC", "NORP", "WORK_OF_ART"):
        first = idx.doc[idx.tokens_in(mention.start_char, mention.end_char)[0]]
        if first.lower_ in idx.lex.titles:
            m = role_person(first.lower_, tok, idx)
            if m is not None:
                return idx.doc[idx.tokens_in(m.start_char, m.end_char)[-1]], m
    return None


def speaker_for_cue(cue: Token, lemma: str | None, idx: DocIndex, prev: list[Quote]) -> Speaker | None:
    if lemma == "according to":
        who = cue
        if cue.lower_ == "according":
            to = next((c for c in cue.children if c.lower_ == "to"), None)
            who = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if who is None:
            return None
        sp = speaker_from_token(who, idx, "according_to", prev)
        return replace(sp, method="according_to") if sp and sp.method != "pronoun" else sp
    subj, method = subject_of(cue, idx.lex, lambda t: idx.in_quote(t.idx))
    if subj is None and method == "none":
        subj, method = inverted_object(cue, idx) or swallowed_subject(cue, idx), "cue"
    if subj is None or idx.in_quote(subj.idx):
        return None
    return speaker_from_token(subj, idx, method, prev)


def dash_attribution(m: Marked, idx: DocIndex) -> Speaker | None:
    """A name after a dash right after the quote: “...” ― Sonya Herridge."""
    dash = DASH.match(idx.text, m.close_end)
    if dash is None:
        return None
    pos = dash.end()
    m_i = bisect.bisect_left(idx.mention_starts, pos)
    if m_i < len(idx.ents.mentions) and idx.ents.mentions[m_i].start_char == pos:
        mention = idx.ents.mentions[m_i]
        if mention.label in ("PERSON", "ORG", "NORP", "GPE"):
            ent = idx.entities.get(mention.entity_id)
            name = ent.name if ent else mention.text
            return Speaker(mention.text, name, mention.entity_id, None, "byline", start=mention.start_char)
    name = DASHED_NAME.match(idx.text, pos)
    if name is None:
        return None
    return Speaker(name.group().rstrip(".").strip(), None, None, None, "byline", start=pos)


def intervening_subject(idx: DocIndex, start: int, end: int, exclude: str | None) -> Speaker | None:
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
            found = speaker_from_token(t, idx, "adjacency", []) or found  # a name the model missed
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
                found = entity_speaker(t, m, idx, "adjacency")
        elif m.label == "PERSON" and m.entity_id != exclude and idx.para_of(t.idx) != start_para:
            other_person = found is None
    if found is not None:
        return found
    return NO_ONE if other_person else None
