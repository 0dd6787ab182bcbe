"""Entity clustering: spaCy's named entities grouped into one entity per real-world referent.

The `newsflow_entities` component runs inside `nlp.pipe` (so in spaCy's worker processes) and
leaves plain results on `doc._.nf_entities` (a `DocEntities` as lists of strs and ints, since
spaCy sends docs back from its workers through msgpack; `doc_entities(doc)` reads them). `entity_rows` turns them
into rows of the `mentions` and `entities` tables.

Handled:
- surnames and first names joined to the full name used elsewhere in the document
  ("Zakharova" -> "Maria Zakharova"); a surname shared by two people ("Bob Jones", "Tom Jones")
  goes to the nearest full name written before it (after it, when none is before);
- surname mentions the model missed altogether are added when a full name makes them certain;
- known aliases of countries and bodies ("U.S.", "United States", "America");
- leading "the", trailing possessive "'s" and titles ("President", "Sen.") trimmed from names;
- the label repaired from the cluster: a cluster whose fullest name is a PERSON is a PERSON,
  otherwise the majority label wins (the small model calls "Zakharova" an ORG);
- photo credit and caption-credit lines ("(Yuri Cortez / AFP/Getty Images)") are ignored;
- a gender guess per PERSON (titles, role nouns, common first names) for pronoun resolution.

- a short list of surnames that in the news mean one person (`WELL_KNOWN`: "Trump" -> "Donald
  Trump") names a person whose full name the document never writes; "Mr."/"Mrs." before a
  surname keeps it off a full name whose first name is of the other gender.

Not handled: nominal coreference ("the spokeswoman" -> Maria Zakharova; the quotes component
does some of it for speakers), world knowledge beyond `WELL_KNOWN`, cross-document
disambiguation (the same name is the same entity id everywhere), and entities the model does not
find at all.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from dataclasses import astuple, dataclass

from newsflow.schemas.tables import ENTITIES, ENTITY_LABELS, MENTIONS
from spacy.language import Language
from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

if not Doc.has_extension("nf_entities"):
    Doc.set_extension("nf_entities", default=None)


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

    def to_data(self) -> dict:
        """Plain lists of strs and ints: spaCy's multiprocessing sends `Doc` extensions through
        msgpack, which takes no dataclasses."""
        return {
            "mentions": [list(astuple(m)) for m in self.mentions],
            "entities": [list(astuple(e)) for e in self.entities],
        }

    @classmethod
    def from_data(cls, data: dict) -> DocEntities:
        return cls(
            tuple(Mention(*m) for m in data.get("mentions", ())),
            tuple(Entity(*e) for e in data.get("entities", ())),
        )


# Canonical names for aliases, keyed by the lower-cased name without a leading "the".
ALIASES = {
    **dict.fromkeys(
        ["u.s.", "u.s", "us", "usa", "u.s.a.", "united states", "united states of america", "america"],
        "United States",
    ),
    **dict.fromkeys(["u.k.", "uk", "britain", "great britain", "united kingdom"], "United Kingdom"),
    **dict.fromkeys(["u.n.", "un", "united nations"], "United Nations"),
    **dict.fromkeys(["e.u.", "eu", "european union"], "European Union"),
    **dict.fromkeys(["ussr", "u.s.s.r.", "soviet union"], "Soviet Union"),
}
ALIAS_LABEL = {"United States": "GPE", "United Kingdom": "GPE", "Soviet Union": "GPE"}

# Surnames that in news nearly always mean one person, for documents that never write the full
# name ("President Trump"). Only unambiguous ones: no "Clinton", "Bush", "Johnson", "Harris".
WELL_KNOWN = {
    "trump": "Donald Trump", "obama": "Barack Obama", "biden": "Joe Biden", "putin": "Vladimir Putin",
    "merkel": "Angela Merkel", "macron": "Emmanuel Macron", "zelensky": "Volodymyr Zelensky",
    "zelenskyy": "Volodymyr Zelensky", "erdogan": "Recep Tayyip Erdogan", "netanyahu": "Benjamin Netanyahu",
    "maduro": "Nicolas Maduro", "guaido": "Juan Guaido", "modi": "Narendra Modi", "lavrov": "Sergei Lavrov",
    "pelosi": "Nancy Pelosi", "mcconnell": "Mitch McConnell", "pence": "Mike Pence", "pompeo": "Mike Pompeo",
    "blinken": "Antony Blinken", "assad": "Bashar al-Assad", "khamenei": "Ali Khamenei", "sunak": "Rishi Sunak",
    "starmer": "Keir Starmer", "trudeau": "Justin Trudeau", "orban": "Viktor Orban", "xi": "Xi Jinping",
    "guterres": "Antonio Guterres",
}  # fmt: skip
# Names the small model often gets the type of wrong ("Twitter" as a PERSON).
KNOWN_LABELS = {
    "twitter": "ORG", "facebook": "ORG", "instagram": "ORG", "youtube": "ORG", "google": "ORG",
    "tiktok": "ORG", "reddit": "ORG", "whatsapp": "ORG", "telegram": "ORG", "brexit": "EVENT",
}  # fmt: skip
TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "vice", "prime", "minister", "sen", "senator", "rep", "representative",
    "gov", "governor", "mayor", "gen", "general", "col", "lt", "capt", "sgt", "adm", "judge",
    "justice", "rev", "pope", "king", "queen", "prince", "princess", "secretary", "speaker",
    "chancellor", "coach", "chairman", "chairwoman", "ambassador", "attorney", "candidate",
    "leader", "nominee", "sheriff", "chief", "officer", "detective", "st", "saint", "superintendent",
    "commissioner", "councilman", "councilwoman", "councillor", "councilor", "director", "spokesman",
    "spokeswoman", "spokesperson", "chair", "chairperson", "executive", "deputy", "assemblyman",
    "assemblywoman", "congressman", "congresswoman", "delegate", "mr.", "trooper",
}  # fmt: skip
# Labels the small model gives a lone surname by mistake ("Zakharova" ORG, "Jean-Pierre"
# WORK_OF_ART); not GPE/LOC, where "Jordan" or "Washington" is more likely a place.
SURNAME_LABELS = {"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "EVENT", "LAW"}
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
FEMALE_CUES = {
    "mrs", "ms", "miss", "madam", "madame", "dame", "lady", "queen", "princess", "spokeswoman",
    "congresswoman", "chairwoman", "businesswoman", "councilwoman", "actress", "wife", "mother",
    "daughter", "sister", "widow", "grandmother", "aunt", "niece", "girl", "woman", "girlfriend",
    "waitress", "heiress", "duchess", "countess", "empress", "first lady", "sportswoman",
}  # fmt: skip
MALE_CUES = {
    "mr", "sir", "lord", "king", "prince", "spokesman", "congressman", "chairman", "businessman",
    "councilman", "actor", "husband", "father", "son", "brother", "widower", "grandfather",
    "uncle", "nephew", "boy", "man", "boyfriend", "duke", "count", "emperor", "sportsman",
}  # fmt: skip
FEMALE_NAMES = set(
    """mary maria marie anna anne ann angela angelina hillary hilary nancy elizabeth liz betsy
    kamala theresa teresa marine michelle melania ivanka chelsea sarah sara susan jane janet
    jennifer jessica karen kate katherine catherine kathy  kellyanne laura linda lisa
    margaret patricia barbara sandra donna carol ruth sharon deborah debbie rachel rebecca
    emily emma olivia sophia julia julie christine christina nicole stephanie heather amy amanda
    melissa michele diane dianne  tulsi nikki elise ilhan alexandria rashida ayanna pramila
    jill joan joanne judith judy gina gloria helen irene jacqueline lucy megan monica natalie
    paula rosa sonia sonya tara tina valerie victoria wendy yulia maria huma
    condoleezza madeleine samantha loretta sally debra ursula christine frederica dilma cristina
    jacinda yoshiko ana lauren ellen betty dorothy shirley virginia kristen kirsten tammy
    marsha mazie lisa susana gretchen stacey stacy""".split()
)
MALE_NAMES = set(
    """john james robert michael william david richard joseph thomas charles christopher daniel
    matthew anthony mark donald paul steven steve andrew kenneth joshua kevin brian george
    edward ronald timothy jason jeffrey ryan jacob gary nicholas nicolas eric jonathan stephen
    larry justin scott brandon benjamin samuel frank gregory raymond alexander patrick jack
    dennis jerry tyler aaron jose adam henry nathan douglas zachary peter kyle walter ethan
    jeremy harold keith christian roger noah gerald carl  sean austin arthur lawrence
     dylan bryan joe  billy bruce albert  gabriel  alan juan wayne roy
    ralph randy eugene vincent russell elijah louis bobby philip johnny barack bill mike mitch
    chuck ted marco rand bernie vladimir sergei sergey dmitry konstantin viktor boris emmanuel
    francois angelo xi shinzo narendra recep benjamin bibi hassan ali mohammed muhammad ahmed
    tim jeb ben chris newt rudy rudolph reince sean jared eric hunter beau
    pete cory corey jim jimmy tom tony rick ron paul nigel jeremy boris david
    vladimir rex jeff rod reince stephen steve corey bob robert harry hugh""".split()
)


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def entity_id(label: str, name: str) -> str:
    """Content-derived id: the same (label, canonical name) gets the same id in every document."""
    return "e_" + _sha(f"{label}|{name}")


CREDIT_LINE = re.compile(
    r"(getty images|\bap photo\b|\bphoto(graph)?s?\b|\bcredit\b|/\s*(ap|afp|reuters|epa|getty)\b|"
    r"\(\s*[^()]{0,80}/[^()]{0,80}\)\s*$)",
    re.IGNORECASE,
)


def _credit_spans(text: str) -> list[tuple[int, int]]:
    """Char ranges of short lines that look like photo credits or captions with credits."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if stripped and len(stripped) <= 160 and CREDIT_LINE.search(stripped):
            if not stripped.endswith((".", "?", "!", "”", '"')) or stripped.startswith("("):
                spans.append((pos, end))
        pos = end + 1
    return spans


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


def _trim(span: Span) -> Span | None:
    """The span without a leading determiner/title, trailing possessive or punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        doc[start].lower_ in ("the", "a", "an")
        or doc[start].is_punct
        or doc[start].is_space
        or (span.label_ == "PERSON" and doc[start].lower_.rstrip(".") in TITLES and end - start > 1)
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


def _words(span: Span) -> tuple[str, ...]:
    """Lower-cased name words split on spaces ("Jean-Pierre" is one word), titles dropped."""
    words = [w.strip(".,;:()[]\"'’“”").replace("’", "'") for w in span.text.lower().split()]
    words = [w for w in words if w and any(c.isalnum() for c in w)]
    while len(words) > 1 and words[0].rstrip(".") in TITLES:
        words = words[1:]
    return tuple(words)


def _alias(text: str) -> str | None:
    key = re.sub(r"\s+", " ", text.strip().lower())
    if key.startswith("the "):
        key = key[4:]
    return ALIASES.get(key)


def _collect(doc: Doc) -> list[_Raw]:
    credits = _credit_spans(doc.text)
    raws: list[_Raw] = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        span = _trim(ent)
        if span is None:
            continue
        start, end = span.start_char, span.end_char
        if any(cs <= start < ce for cs, ce in credits):
            continue
        if span.label_ in NAME_LABELS and not any(ch.isupper() for ch in span.text):
            continue  # "china shop": names are capitalised
        title = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
        words = _words(span)
        label = "PERSON" if _looks_like_person(span, words) else span.label_
        raws.append(_Raw(start, end, span.text, label, words, span.start, span.end, title=title))
    return raws


def _looks_like_person(span: Span, words: tuple[str, ...]) -> bool:
    """An ORG/GPE/... span the model got wrong: "Marcus Bell" (a common first name and one or
    two more capitalised words), or a name followed by ", who"."""
    if span.label_ == "PERSON" or span.label_ not in NAME_LABELS:
        return span.label_ == "PERSON"
    if 2 <= len(words) <= 3 and words[0] in FEMALE_NAMES | MALE_NAMES and span.text[:1].isupper():
        return all(w[:1].isupper() for w in span.text.split())
    head = span.root
    return any(c.dep_ == "relcl" and any(g.lower_ == "who" for g in c.children) for c in head.children)


def _add_missed_surnames(doc: Doc, raws: list[_Raw]) -> list[_Raw]:
    """Proper-noun tokens equal to a known person's surname that no entity covers."""
    surnames = {r.words[-1] for r in raws if r.label == "PERSON" and len(r.words) >= 2}
    if not surnames:
        return raws
    covered = set()
    for r in raws:
        covered.update(range(r.token_start, r.token_end))
    credits = _credit_spans(doc.text)
    added = []
    for tok in doc:
        if tok.i in covered or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            continue
        if tok.lower_ in surnames and not any(cs <= tok.idx < ce for cs, ce in credits):
            added.append(_Raw(tok.idx, tok.idx + len(tok.text), tok.text, "PERSON", (tok.lower_,), tok.i, tok.i + 1))
    return sorted(raws + added, key=lambda r: r.start_char)


def _cluster(raws: list[_Raw]) -> list[list[_Raw]]:
    """Group mentions: aliases, exact names, and short person names joined to full names."""
    clusters: list[list[_Raw]] = []
    by_key: dict[tuple, int] = {}
    full_people = [r for r in raws if len(r.words) >= 2 and r.label == "PERSON"]
    # full person names: one cluster per distinct name; "Hillary Clinton" joins "Hillary Rodham Clinton"
    for r in sorted(full_people, key=lambda r: -len(r.words)):
        key = ("P", r.words)
        if key not in by_key:
            for other_key, idx in by_key.items():
                ow = other_key[1]
                if other_key[0] == "P" and ow[0] == r.words[0] and ow[-1] == r.words[-1]:
                    by_key[key] = idx
                    break
            else:
                by_key[key] = len(clusters)
                clusters.append([])
        r.cluster = by_key[key]
    person_full = {}
    for r in full_people:
        person_full.setdefault(r.words[-1], []).append(r)
    first_names: dict[str, set[int]] = {}
    for r in full_people:
        first_names.setdefault(r.words[0], set()).add(r.cluster)

    for r in raws:
        if r.cluster >= 0:
            continue
        alias = _alias(r.text)
        if alias:
            key = ("A", alias)
        elif len(r.words) == 1 and r.label in SURNAME_LABELS and (r.words[0] in person_full):
            nearest = _nearest(r, person_full[r.words[0]])
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


def _nearest(r: _Raw, fulls: list[_Raw]) -> int | None:
    """The cluster of the full name nearest before a surname (after it when none is before),
    skipping full names whose first name contradicts a "Mr."/"Mrs." written before the surname."""
    if r.title in ("mr", "sir", "president"):
        fulls = [f for f in fulls if f.words[0] not in FEMALE_NAMES]
    elif r.title in ("mrs", "ms", "miss"):
        fulls = [f for f in fulls if f.words[0] not in MALE_NAMES]
    if not fulls:
        return None
    before = [f for f in fulls if f.start_char < r.start_char]
    if before:
        return max(before, key=lambda f: f.start_char).cluster
    return min(fulls, key=lambda f: f.start_char).cluster


def _canonical(cluster: list[_Raw]) -> tuple[str, str]:
    """(name, label) of a cluster."""
    for r in cluster:
        alias = _alias(r.text)
        if alias:
            return alias, ALIAS_LABEL.get(alias, Counter(x.label for x in cluster).most_common(1)[0][0])
    best = max(cluster, key=lambda r: (len(r.words), -r.start_char))
    name = _clean_name(best.text)
    if len(best.words) == 1 and best.words[0] in WELL_KNOWN and best.label in ("PERSON", "ORG"):
        return WELL_KNOWN[best.words[0]], "PERSON"
    if " ".join(best.words) in KNOWN_LABELS:
        return name, KNOWN_LABELS[" ".join(best.words)]
    if best.label == "PERSON" and len(best.words) >= 2:
        return name, "PERSON"
    votes = Counter(r.label for r in cluster)
    label = max(votes, key=lambda lab: (votes[lab], lab == "PERSON", lab))
    return name, label


def _clean_name(text: str) -> str:
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def _gender(doc: Doc, cluster: list[_Raw]) -> str | None:
    f = m = 0
    for r in cluster:
        first = r.words[0] if len(r.words) >= 2 else None
        if first in FEMALE_NAMES:
            f += 2
        elif first in MALE_NAMES:
            m += 2
        lo = max(0, r.token_start - 4)
        context = [t.lower_.rstrip(".") for t in doc[lo : r.token_start]]
        head = doc[r.token_end - 1]
        context += [c.lower_ for c in head.children if c.dep_ == "appos"]
        context += [t.lower_.rstrip(".") for t in doc[r.token_start : r.token_end]][:1]
        f += sum(1 for w in context if w in FEMALE_CUES)
        m += sum(1 for w in context if w in MALE_CUES)
    if f > m:
        return "f"
    if m > f:
        return "m"
    return None


def extract_entities(doc: Doc) -> DocEntities:
    """Cluster the document's named entities. Never raises: a failure gives no entities."""
    try:
        raws = _add_missed_surnames(doc, _collect(doc))
        if not raws:
            return DocEntities()
        mentions: list[Mention] = []
        entities: list[Entity] = []
        seen: dict[str, int] = {}
        for cluster in _cluster(raws):
            name, label = _canonical(cluster)
            if label not in ENTITY_LABELS:
                label = cluster[0].label
            eid = entity_id(label, name)
            gender = _gender(doc, cluster) if label == "PERSON" else None
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
    except Exception:  # noqa: BLE001 - one bad document must not stop the batch
        log.exception("entity clustering failed; document gets no entities")
        return DocEntities()


class EntityClusterer:
    """spaCy component: `doc._.nf_entities` = the document's clustered entities."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.nf_entities = extract_entities(doc).to_data()
        return doc


@Language.factory("newsflow_entities")
def make_entity_clusterer(nlp: Language, name: str) -> EntityClusterer:
    return EntityClusterer(nlp, name)


def doc_entities(doc: Doc) -> DocEntities:
    """The component's result, computed now when the component did not run."""
    data = doc._.nf_entities
    if isinstance(data, dict):
        try:
            return DocEntities.from_data(data)
        except (TypeError, ValueError):
            log.warning("unreadable doc._.nf_entities; clustering again")
    result = extract_entities(doc)
    doc._.nf_entities = result.to_data()
    return result


def entity_rows(doc_id: str, doc: Doc) -> tuple[list[dict], list[dict]]:
    """Rows of the `mentions` and `entities` tables for one document."""
    result = doc_entities(doc)
    mention_cols = MENTIONS.names
    entity_cols = ENTITIES.names
    mentions = []
    for m in result.mentions:
        row = {"doc_id": doc_id, "start_char": m.start_char, "end_char": m.end_char, "text": m.text,
               "label": m.label, "entity_id": m.entity_id}  # fmt: skip
        mentions.append({c: row[c] for c in mention_cols})
    entities = []
    for e in result.entities:
        row = {"doc_id": doc_id, "entity_id": e.entity_id, "name": e.name, "label": e.label,
               "n_mentions": e.n_mentions}  # fmt: skip
        entities.append({c: row[c] for c in entity_cols})
    return mentions, entities
