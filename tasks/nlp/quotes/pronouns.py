"""Pronoun speakers: he/she/they/it resolved to the most salient earlier entity that fits."""

from __future__ import annotations

from spacy.tokens import Token

from newsflow.tasks.nlp.quotes.cues import SUBJ_DEPS
from newsflow.tasks.nlp.quotes.index import CUE_WINDOW, DocIndex
from newsflow.tasks.nlp.quotes.phrases import nominal_mention, noun_phrase
from newsflow.tasks.nlp.quotes.records import Quote, Speaker

# Reporting verbs whose participle, head of an adverbial clause, reports the main subject's speech.
PRONOUNS_F = {"she", "her"}
PRONOUNS_M = {"he", "him"}
PRONOUNS_PL = {"they", "them"}
PRONOUNS_IT = {"it"}
POSSESSIVE_TO_SUBJECT = {"his": "he", "her": "she", "their": "they", "its": "it"}
SPEAKER_PRONOUNS = PRONOUNS_F | PRONOUNS_M | PRONOUNS_PL | PRONOUNS_IT | {"i", "we", "you"}


def gender_fits(pron: str, ent_gender: str | None, label: str) -> bool:
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


def resolve_pronoun(tok: Token, idx: DocIndex, prev: list[Quote]) -> Speaker:
    """he/she/they/it -> the most salient earlier entity that fits: the nearest sentence back (at
    most six, within three paragraphs) that holds one, and in it subjects before other mentions
    and a known gender match before an unknown one; "they" may also be a plural subject.
    When nothing fits, the speaker of a recent quote that fits, then the nearest person whatever
    the gender guess says (first names mislead: Kelly Ortberg is a man)."""
    pron = POSSESSIVE_TO_SUBJECT.get(tok.lower_, tok.lower_)  # "his message said": he
    surface = tok.text
    if pron in ("i", "we", "you"):
        return Speaker(surface, None, None, None, "pronoun", start=tok.idx)
    s_i = idx.sent_of[tok.i]
    para = idx.para_of(tok.idx)
    # where an earlier quote's speaker is written, resolved: "He said X. He said Y." is one
    # person, and "..., according to the Bishop. "...," he said." is the Bishop
    chained = {q.speaker_start: q for q in prev[-1:-9:-1] if q.speaker_entity_id and q.speaker_start is not None}
    best = None
    fallback = None
    # rule `pronoun-after-fronted-adjunct`: "At a conference hosted by Gordon Brown, he said":
    # the subject of the main clause after a fronted phrase is the topic of the sentences
    # before, never a name inside that phrase
    main_subject = tok.dep_ in SUBJ_DEPS and tok.head.dep_ == "ROOT" and tok.i > tok.sent.start + 2
    for back in range(1 if main_subject else 0, 6):
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
            if t.idx in chained and t.i != tok.i and (m_i < 0 or idx.ents.mentions[m_i].label != "PERSON"):
                q = chained[t.idx]
                ent = idx.entities.get(q.speaker_entity_id)
                if ent is not None and gender_fits(pron, ent.gender, ent.label):
                    speaker = Speaker(surface, ent.name, ent.entity_id, None, "pronoun", ent.label, tok.idx)
                    cands.append((False, ent.gender is None, t.i, speaker))  # a speaker: as salient as a subject
                if m_i >= 0:
                    seen.add(m_i)
                continue
            if m_i < 0:
                if pron in PRONOUNS_PL and t.tag_ in ("NNS", "NNPS") and t.dep_ in SUBJ_DEPS:
                    np_ = noun_phrase(t)
                    cands.append((False, True, t.i, Speaker(surface, np_.text, None, None, "pronoun", start=tok.idx)))
                elif t.dep_ in SUBJ_DEPS and pron in (PRONOUNS_F | PRONOUNS_M) and t.pos_ == "NOUN":
                    # rule `pronoun-to-description`: "The prime minister toured ... He insisted":
                    # the description the sentence is about, when the text ties it to a person
                    nominal = nominal_mention(t, idx)
                    ent = idx.entities.get(nominal.entity_id) if nominal is not None else None
                    if ent is not None and ent.label == "PERSON" and gender_fits(pron, ent.gender, "PERSON"):
                        speaker = Speaker(surface, ent.name, ent.entity_id, None, "pronoun", "PERSON", tok.idx)
                        cands.append((0 if t.head.dep_ == "ROOT" else 1, ent.gender is None, t.i, speaker))
                elif t.dep_ in SUBJ_DEPS and (pron in PRONOUNS_IT or pron in PRONOUNS_PL):
                    nominal = nominal_mention(t, idx)  # "The company has ..., where it said"
                    if nominal is not None and nominal.label == "ORG":
                        ent = idx.entities.get(nominal.entity_id)
                        name = ent.name if ent else nominal.text
                        speaker = Speaker(surface, name, nominal.entity_id, None, "pronoun", "ORG", tok.idx)
                        cands.append((False, False, t.i, speaker))
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
            speaker = Speaker(surface, ent.name if ent else m.text, m.entity_id, None, "pronoun", label, tok.idx)
            if not gender_fits(pron, gender, label):
                if fallback is None and label == "PERSON" and gender_fits(pron, None, label) and is_subj:
                    fallback = speaker
                continue
            second_choice = gender is None if label == "PERSON" else (pron in PRONOUNS_IT and label != "ORG")
            # the main clause's subject before a subject inside a clause ("Greene believes Gatlin will ...")
            rank = 2 if not is_subj else 0 if head.head.dep_ == "ROOT" else 1
            cands.append((rank, second_choice, t.i, speaker))
        if cands:  # the nearest sentence with a fitting candidate; its subject first
            cands.sort(key=lambda c: (c[0], c[1], c[2]))
            best = cands[0]
            break
    if best is not None:
        return best[3]
    for q in prev[-1:-6:-1]:
        if q.speaker_entity_id:
            ent = idx.entities.get(q.speaker_entity_id)
            if ent and gender_fits(pron, ent.gender, ent.label):
                return Speaker(surface, ent.name, ent.entity_id, None, "pronoun", ent.label, tok.idx)
    if fallback is not None:
        return fallback
    return Speaker(surface, None, None, None, "pronoun", start=tok.idx)
