"""Entity clustering: spaCy's named entities grouped into one entity per real-world referent.

`extract_entities(doc, lexicon)` returns the document's mentions and entities; the
`newsflow_entities` component (component.py) writes them onto the `Doc`. See the package
docstring for what is and is not handled.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

import numpy
from spacy.attrs import LOWER, POS
from spacy.strings import get_string_id
from spacy.symbols import PROPN
from spacy.tokens import Doc, Span, Token

from newsflow.schemas.tables import ENTITY_LABELS
from newsflow.tasks.credits import credit_like_spans
from newsflow.tasks.entities.evidence import (
    HONORIFICS,
    NOT_A_NAME,
    author_bio,
    never_a_person,
    person_cue,
    person_evidence,
    place_context,
    place_names,
    role_apposition,
    span_label,
    thing_label,
)
from newsflow.tasks.entities.names import (
    OPEN_QUOTES,
    core,
    extend_name,
    name_segments,
    shared_surname_first_name,
    surname,
)
from newsflow.tasks.lexicon import Lexicon


@dataclass(frozen=True)
class Mention:
    start_char: int
    end_char: int
    text: str
    label: str
    entity_id: str


@dataclass(frozen=True)
class Entity:
    entity_id: str
    name: str
    label: str
    n_mentions: int
    gender: str | None = None  # "f", "m" or None (PERSON only)


@dataclass(frozen=True)
class DocEntities:
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()


# Labels the small model gives a lone surname by mistake ("Zakharova" ORG, "Jean-Pierre"
# WORK_OF_ART); not GPE/LOC, where "Jordan" or "Washington" is more likely a place.
SURNAME_LABELS = {"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "EVENT", "LAW"}
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def entity_id(label: str, name: str) -> str:
    """Content-derived id: the same (label, canonical name) gets the same id in every document."""
    return "e_" + _sha(f"{label}|{name}")


@dataclass
class _Raw:
    start_char: int
    end_char: int
    text: str
    label: str
    words: tuple[str, ...]  # name words, lower-cased, titles removed
    token_start: int
    token_end: int
    cluster: int = -1
    title: str = ""  # the lower-cased word written just before the name ("mr", "president")
    name: str = ""  # the canonical name when the text alone does not give it ("Sarah" -> "Sarah Rogers")
    thing: str = ""  # the label a class noun gives it ("oil giant Petrovia" -> ORG), see `thing_label`


def _trim(span: Span, lex: Lexicon) -> Span | None:
    """The span without a leading determiner/title, trailing possessive or punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        doc[start].lower_ in ("the", "a", "an")
        or doc[start].is_punct
        or doc[start].is_space
        or (span.label_ == "PERSON" and doc[start].lower_.rstrip(".") in lex.titles and end - start > 1)
    ):
        start += 1
    while end > start and (
        doc[end - 1].lower_ in ("'s", "’s", "'", "’") or doc[end - 1].is_punct or doc[end - 1].is_space
    ):
        if doc[end - 1].text in (".",) and end - start == 1:
            break
        end -= 1
    if end <= start:
        return None
    return Span(doc, start, end, label=span.label_)


def _words(span: Span, lex: Lexicon) -> tuple[str, ...]:
    """Lower-cased name words split on spaces ("Jean-Pierre" is one word), titles dropped."""
    words = [w.strip(".,;:()[]\"'’“”").replace("’", "'") for w in span.text.lower().split()]
    words = [w for w in words if w and any(c.isalnum() for c in w)]
    while len(words) > 1 and words[0].rstrip(".") in lex.titles:
        words = words[1:]
    return tuple(words)


def _alias(text: str, lex: Lexicon) -> str | None:
    key = " ".join(text.lower().split())
    if key.startswith("the "):
        key = key[4:]
    return lex.canonical_alias.get(key)


def _collect(doc: Doc, lex: Lexicon, credits: list[tuple[int, int]], bio: tuple[int, int] | None) -> list[_Raw]:
    raws: list[_Raw] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS or taken.intersection(range(ent.start, ent.end)):
            continue
        if NOT_A_NAME.search(ent.text) or (ent.label_ == "PERSON" and never_a_person(ent.text)):
            continue  # "Twitter @pamkey", "#MeToo": never a name
        span = _trim(ent, lex)
        if span is None:
            continue
        if any(cs <= span.start_char < ce for cs, ce in credits):
            continue
        if span.label_ in NAME_LABELS and not any(ch.isupper() for ch in span.text):
            continue  # "china shop": names are capitalised
        thing = thing_label(ent, lex)
        if span.label_ != "PERSON":
            raws.append(_raw(span, span.label_, lex))
            raws[-1].thing = thing
            continue
        if bio is not None and bio[0] <= span.start_char < bio[1]:
            continue
        for s, e in name_segments(span, lex):
            s, e = extend_name(doc, s, e, lex, taken)
            name = Span(doc, s, e, label="PERSON")
            taken.update(range(s, e))
            raw = _raw(name, span_label(name, _words(name, lex), lex), lex)
            raw.thing = thing
            raws.append(raw)
            two_words = raw.label == "PERSON" and len(raw.words) >= 2  # "Richard and Judy" share none
            shared = shared_surname_first_name(doc, s, lex) if two_words else None
            if shared is not None and _name_alone(raws, shared):
                raws[-2].words, raws[-2].name = (
                    raws[-2].words + (raw.words[-1],),
                    f"{raws[-2].text} {name.text.split()[-1]}",
                )
            elif shared is not None and not taken.intersection(range(*shared)):
                first = Span(doc, *shared, label="PERSON")  # "Sarah" of "Sarah and Timothy Rogers"
                words = _words(first, lex) + (raw.words[-1],)
                raws.append(_raw(first, "PERSON", lex, words, f"{first.text} {name.text.split()[-1]}"))
                taken.update(range(*shared))
    raws.sort(key=lambda r: r.start_char)
    return _repair_labels(doc, [r for r in raws if not any(cs <= r.start_char < ce for cs, ce in credits)], lex)


def _name_alone(raws: list[_Raw], tokens: tuple[int, int]) -> bool:
    """The model found "Sarah" of "Sarah and Timothy Rogers" as a name of its own."""
    return len(raws) >= 2 and (raws[-2].token_start, raws[-2].token_end) == tokens and len(raws[-2].words) == 1


def _raw(span: Span, label: str, lex: Lexicon, words: tuple[str, ...] | None = None, name: str = "") -> _Raw:
    doc = span.doc
    title = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
    words = words or _words(span, lex)
    if label != "PERSON" and _looks_like_person(span, words, lex):
        label = "PERSON"
    return _Raw(span.start_char, span.end_char, span.text, label, words, span.start, span.end, title=title, name=name)


def _looks_like_person(span: Span, words: tuple[str, ...], lex: Lexicon) -> bool:
    """An ORG/GPE/... span the model got wrong: "Marcus Bell" (a common first name and one or
    two more capitalised words), a name followed by ", who", or one to three capitalised words
    with a person's title, honorific or role apposition and no place or organisation head."""
    if span.label_ not in NAME_LABELS or not words or _alias(span.text, lex):
        return False
    if len(words) > 3 or not all(w[:1].isupper() or w.lower() in lex.name_particles for w in span.text.split()):
        return False
    if words[-1] in lex.org_heads or words[-1] in lex.place_heads or span.text.lower() in place_names():
        return False
    first_name = words[0] in lex.female_names or words[0] in lex.male_names
    if 2 <= len(words) and first_name:
        return True
    if person_cue(span, lex):
        return True
    head = span.root
    return span.label_ != "NORP" and any(
        c.dep_ == "relcl" and any(g.lower_ == "who" for g in c.children) for c in head.children
    )


def _repair_labels(doc: Doc, raws: list[_Raw], lex: Lexicon) -> list[_Raw]:
    """Labels decided from the whole document: a full name whose surname the document writes as
    a person is a person ("Neera Tanden" ORG, "Ms. Tanden"); a one-word PERSON that the document
    writes as the start of an organisation ("Hofstra" / "Hofstra University"), or a gazetteer
    place in a place's context ("in Ferguson"), is no person unless something says it is."""
    spans = [Span(doc, r.token_start, r.token_end, label=r.label) for r in raws]
    cued = {surname(r.words, lex) for r, sp in zip(raws, spans, strict=True) if r.words and person_evidence(sp, lex)}
    full = {surname(r.words, lex) for r in raws if r.label == "PERSON" and len(core(r.words, lex)) >= 2}
    single_people = {r.words[0] for r in raws if r.label == "PERSON" and len(r.words) == 1}
    org_starts = {r.words[0] for r in raws if r.label in ("ORG", "FAC") and len(r.words) >= 2}
    org_starts |= {r.words[0] for r in raws if r.label == "ORG" and len(r.words) == 1}
    evidenced = {r.words for r, sp in zip(raws, spans, strict=True) if person_evidence(sp, lex)}
    # a company or a book "says" too: only a title, honorific or role keeps a classed name a person
    titled = {r.words for r, sp in zip(raws, spans, strict=True) if person_cue(sp, lex)}
    things = {r.words: r.thing for r in raws if r.thing and r.words not in titled}
    for r in raws:
        if r.label == "PERSON" and r.words in things:
            r.label = things[r.words]  # "the film Lucy Fairweather", then "Lucy Fairweather" alone
    for r, sp in zip(raws, spans, strict=True):
        if not r.words:
            continue
        last = surname(r.words, lex)
        if r.label == "PERSON" and last not in cued and last not in full:
            if len(r.words) == 1 and r.words[0] in org_starts and r.words[0] not in lex.well_known:
                r.label = "ORG"
            elif r.text.lower() in place_names() and place_context(sp):
                r.label = "GPE"
        elif r.label in NAME_LABELS - {"PERSON"} and len(core(r.words, lex)) >= 2 and last in single_people | cued:
            if r.words in things:
                continue
            if _looks_like_a_name(sp, r.words, lex):
                r.label = "PERSON"
        elif r.label in ("ORG", "NORP") and len(r.words) == 1 and r.words[0] in lex.well_known:
            r.label = "PERSON"
    _label_from_conjuncts(doc, raws, evidenced, lex)
    return raws


def _label_from_conjuncts(doc: Doc, raws: list[_Raw], evidenced: set[tuple[str, ...]], lex: Lexicon) -> None:
    """A list holds one kind of thing: a PERSON with no evidence of its own ("Penwarren" of
    "Leeds, Exeter and Penwarren"; "Windows Messenger" of "Windows Messenger and QTX Messenger")
    takes the label most of the other names of its list have, when none of them is a person."""
    by_token = {}
    for r in raws:
        for i in range(r.token_start, r.token_end):
            by_token[i] = r
    for r in raws:
        if r.label != "PERSON" or not r.words or r.words in evidenced or r.words[0] in lex.male_names:
            continue
        if r.words[0] in lex.female_names:
            continue
        others = _conjuncts(doc, r, by_token)
        if not others or any(o.label == "PERSON" for o in others):
            continue
        label, n = Counter(o.label for o in others).most_common(1)[0]
        # one other name of one word may be the model's mistake too ("Clinton or Trump" PRODUCT)
        sure = n >= 2 or any(len(o.words) >= 2 or o.thing or o.label in ("GPE", "LOC") for o in others)
        if sure and 2 * n > len(others) and label in NAME_LABELS - {"PERSON", "NORP"}:
            r.label = label


def _conjuncts(doc: Doc, r: _Raw, by_token: dict[int, _Raw]) -> list[_Raw]:
    """The other names of the coordination the name is in ("A, B and C")."""
    root = Span(doc, r.token_start, r.token_end).root
    first = root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    group, todo = [], [first]
    while todo:
        tok = todo.pop()
        group.append(tok)
        todo.extend(c for c in tok.children if c.dep_ == "conj")
    out = []
    for tok in group:
        other = by_token.get(tok.i)
        if other is not None and other is not r and other not in out:
            out.append(other)
    return out


def _looks_like_a_name(span: Span, words: tuple[str, ...], lex: Lexicon) -> bool:
    return (
        len(words) <= 4
        and all(w[:1].isupper() or w.lower() in lex.name_particles for w in span.text.split())
        and words[-1] not in lex.org_heads
        and words[-1] not in lex.place_heads
        and not _alias(span.text, lex)
    )


def _add_missed_surnames(doc: Doc, raws: list[_Raw], credits: list[tuple[int, int]]) -> list[_Raw]:
    """Capitalised tokens equal to a known person's surname that no entity covers (proper nouns,
    and nouns: the parser takes "Trump" for the word "trump")."""
    surnames = {r.words[-1] for r in raws if r.label == "PERSON" and len(r.words) >= 2}
    if not surnames:
        return raws
    covered = set()
    for r in raws:
        covered.update(range(r.token_start, r.token_end))
    added = []
    hashes = [get_string_id(s) for s in surnames]
    for i in numpy.flatnonzero(numpy.isin(doc.to_array(LOWER), hashes)).tolist():  # written as a surname
        tok = doc[i]
        if tok.i in covered or tok.pos_ not in ("PROPN", "NOUN") or not tok.text[:1].isupper():
            continue
        if tok.lower_ in surnames and not any(cs <= tok.idx < ce for cs, ce in credits):
            added.append(_Raw(tok.idx, tok.idx + len(tok.text), tok.text, "PERSON", (tok.lower_,), tok.i, tok.i + 1))
    return sorted(raws + added, key=lambda r: r.start_char)


def _add_missed_names(
    doc: Doc, raws: list[_Raw], lex: Lexicon, credits: list[tuple[int, int]], bio: tuple[int, int] | None
) -> list[_Raw]:
    """Names the model missed or took for a date or a number, made certain by an honorific before
    them ("Mr Monday") or a role in apposition ("Ann Vale, a campaign spokeswoman"; "the
    shadow minister, Ann Vale,"): one to three capitalised proper nouns no name covers."""
    covered = set()
    for r in raws:
        if r.label in NAME_LABELS:
            covered.update(range(r.token_start, r.token_end))
    if bio is not None:
        credits = [*credits, bio]
    bare = [False] * len(doc)
    for i in numpy.flatnonzero(doc.to_array(POS) == PROPN).tolist():  # it takes a proper noun
        bare[i] = _bare_name_word(doc[i], covered, lex)
    runs, i = [], 0
    while i < len(doc):
        j = i
        while j < len(doc) and j - i < 3 and bare[j]:
            j += 1
        if j > i and not any(cs <= doc[i].idx < ce for cs, ce in credits):
            runs.append(Span(doc, i, j, label="PERSON"))
        i = max(j, i + 1)
    added, surnames = [], set()
    for span in runs:
        before = doc[span.start - 1] if span.start > 0 else None
        if before is None or before.lower_ in ("the", "a", "an"):
            continue  # "The Phantom Menace", "the Daily Post": no name of a person
        quoted = span.start > 1 and doc[span.start - 2].text in OPEN_QUOTES  # a nickname: “Miss Crumpet”
        honorific = before.lower_.rstrip(".") in HONORIFICS and not quoted
        if honorific or (len(span) >= 2 and role_apposition(span, lex)):
            added.append(span)
            surnames.add(span[-1].lower_)
    first_names = lex.female_names | lex.male_names
    firsts = {r.token_start: r for r in raws if r.label == "PERSON" and len(r.words) == 1 and r.words[0] in first_names}
    for span in runs:  # "producer Tom Monday" when the article writes "Mr Monday" too
        if span in added or span[-1].lower_ not in surnames:
            continue
        if len(span) >= 2 and span[0].lower_ in first_names:
            added.append(span)
        elif len(span) == 1 and span.start - 1 in firsts:  # the model found "Jon" alone
            added.append(Span(doc, span.start - 1, span.end, label="PERSON"))
    added = [_Raw(sp.start_char, sp.end_char, sp.text, "PERSON", _words(sp, lex), sp.start, sp.end) for sp in added]
    if not added:
        return raws
    kept = [r for r in raws if not any(r.token_start < a.token_end and a.token_start < r.token_end for a in added)]
    return sorted(kept + added, key=lambda r: r.start_char)


def _bare_name_word(tok: Token, covered: set[int], lex: Lexicon) -> bool:
    """A capitalised proper noun no name covers, not a title ("Vice President")."""
    return (
        tok.i not in covered
        and tok.pos_ == "PROPN"
        and tok.is_alpha
        and tok.text[:1].isupper()
        and not tok.is_upper
        and tok.lower_ not in lex.titles
    )


def _cluster(raws: list[_Raw], lex: Lexicon) -> list[list[_Raw]]:
    """Group mentions: aliases, exact names, and short person names joined to full names."""
    clusters: list[list[_Raw]] = []
    by_key: dict[tuple, int] = {}
    full_people = [r for r in raws if len(r.words) >= 2 and r.label == "PERSON"]
    # full person names: one cluster per distinct name; "Hillary Clinton" joins "Hillary Rodham Clinton"
    for r in sorted(full_people, key=lambda r: -len(r.words)):
        key = ("P", r.words)
        if key not in by_key:
            for other_key, idx in by_key.items():
                if other_key[0] == "P" and _same_person(r.words, other_key[1], lex):
                    by_key[key] = idx
                    break
            else:
                by_key[key] = len(clusters)
                clusters.append([])
        r.cluster = by_key[key]
    person_full: dict[str, list[_Raw]] = {}
    for r in full_people:
        person_full.setdefault(surname(r.words, lex), []).append(r)
    first_names: dict[str, set[int]] = {}
    for r in full_people:
        first_names.setdefault(r.words[0], set()).add(r.cluster)

    for r in raws:
        if r.cluster >= 0:
            continue
        alias = _alias(r.text, lex)
        if alias:
            key = ("A", alias)
        elif len(r.words) == 1 and r.label in SURNAME_LABELS and (r.words[0] in person_full):
            nearest = _nearest(r, person_full[r.words[0]], lex)
            if nearest is not None:
                r.cluster = nearest
                continue
            key = ("P", r.words)
        elif (
            len(r.words) == 1
            and r.label == "PERSON"
            and r.words[0] in first_names
            and len(first_names[r.words[0]]) == 1
        ):
            r.cluster = next(iter(first_names[r.words[0]]))
            continue
        elif len(r.words) >= 2 and r.label == "PERSON":
            key = ("P", r.words)
        else:
            key = (r.label if r.label not in NAME_LABELS else "N", r.words)
        if key not in by_key:
            by_key[key] = len(clusters)
            clusters.append([])
        r.cluster = by_key[key]
    for r in raws:
        clusters[r.cluster].append(r)
    return [c for c in clusters if c]


def _same_person(short: tuple[str, ...], long: tuple[str, ...], lex: Lexicon) -> bool:
    """ "Hillary Clinton" / "Hillary Rodham Clinton" (first and surname), "Peña Nieto" / "Enrique
    Peña Nieto" (a compound surname), "Bobby Scott" / 'Robert C. "Bobby" Scott' (a nickname)."""
    short, long = core(short, lex), core(long, lex)
    if short[-1] != long[-1]:
        return False
    if short[0] == long[0] or long[-len(short) :] == short:
        return True
    return len(short) == 2 and short[0] in long[1:-1]


def _nearest(r: _Raw, fulls: list[_Raw], lex: Lexicon) -> int | None:
    """The cluster of the full name nearest before a surname (after it when none is before),
    skipping full names whose first name contradicts a "Mr."/"Mrs." written before the surname."""
    if r.title in ("mr", "sir", "president"):
        fulls = [f for f in fulls if f.words[0] not in lex.female_names]
    elif r.title in ("mrs", "ms", "miss"):
        fulls = [f for f in fulls if f.words[0] not in lex.male_names]
    if not fulls:
        return None
    before = [f for f in fulls if f.start_char < r.start_char]
    if before:
        return max(before, key=lambda f: f.start_char).cluster
    return min(fulls, key=lambda f: f.start_char).cluster


def _canonical(cluster: list[_Raw], lex: Lexicon) -> tuple[str, str]:
    """(name, label) of a cluster."""
    for r in cluster:
        alias = _alias(r.text, lex)
        if alias:
            return alias, lex.alias_labels.get(alias, Counter(x.label for x in cluster).most_common(1)[0][0])
    best = max(cluster, key=lambda r: (len(r.words), -r.start_char))
    name = best.name or _clean_name(best.text, lex)
    if " ".join(best.words) in lex.known_labels:
        return name, lex.known_labels[" ".join(best.words)]
    if best.label == "PERSON" and len(best.words) >= 2:
        return name, "PERSON"
    votes = Counter(r.label for r in cluster)
    label = max(votes, key=lambda lab: (votes[lab], lab == "PERSON", lab))
    return name, label


def _clean_name(text: str, lex: Lexicon) -> str:
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in lex.titles:
        words = words[1:]
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def _gender(doc: Doc, cluster: list[_Raw], lex: Lexicon) -> str | None:
    f = m = 0
    for r in cluster:
        first = r.words[0] if len(r.words) >= 2 else None
        if first in lex.female_names:
            f += 2
        elif first in lex.male_names:
            m += 2
        lo = max(0, r.token_start - 4)
        context = [t.lower_.rstrip(".") for t in doc[lo : r.token_start]]
        head = doc[r.token_end - 1]
        context += [c.lower_ for c in head.children if c.dep_ == "appos"]
        context += [t.lower_.rstrip(".") for t in doc[r.token_start : r.token_end]][:1]
        f += sum(1 for w in context if w in lex.female_cues)
        m += sum(1 for w in context if w in lex.male_cues)
    if f > m:
        return "f"
    if m > f:
        return "m"
    return None


def extract_entities(doc: Doc, lex: Lexicon) -> DocEntities:
    """Cluster the document's named entities into mentions of canonical entities."""
    text = doc.text  # Doc.text joins every token: once per document
    credits = credit_like_spans(text)
    bio = author_bio(doc, text)
    raws = _collect(doc, lex, credits, bio)
    raws = _add_missed_surnames(doc, _add_missed_names(doc, raws, lex, credits, bio), credits)
    if not raws:
        return DocEntities()
    mentions: list[Mention] = []
    entities: list[Entity] = []
    seen: dict[str, int] = {}
    for cluster in _cluster(raws, lex):
        name, label = _canonical(cluster, lex)
        if label not in ENTITY_LABELS:
            label = cluster[0].label
        eid = entity_id(label, name)
        gender = _gender(doc, cluster, lex) if label == "PERSON" else None
        if eid in seen:  # two clusters that resolve to the same name are one entity
            old = entities[seen[eid]]
            entities[seen[eid]] = Entity(eid, name, label, old.n_mentions + len(cluster), old.gender)
        else:
            seen[eid] = len(entities)
            entities.append(Entity(eid, name, label, len(cluster), gender))
        for r in cluster:
            mentions.append(Mention(r.start_char, r.end_char, r.text, label, eid))
    mentions.sort(key=lambda m: (m.start_char, m.end_char))
    return DocEntities(tuple(mentions), tuple(entities))
