"""The `people` and `person_entities` tables from the tables of all the published documents.

`build_registry(entities, quotes, documents)` is a plain function of Arrow tables: the same
documents give the same tables, whatever runs published them (the flow calls it on the tables as
they will be once the run publishes).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from newsflow.schemas.tables import PEOPLE, PERSON_ENTITIES
from newsflow.tasks.nlp.lexicon import Lexicon, load_lexicon
from newsflow.tasks.people.gender import decide
from newsflow.tasks.people.identity import DocContext, Person, PersonEntity, cluster_people

ENTITY_COLUMNS = ["doc_id", "entity_id", "name", "label", "gender_cues"]
QUOTE_COLUMNS = ["doc_id", "speaker_entity_id"]
DOCUMENT_COLUMNS = ["doc_id", "outlet", "published_at"]


@dataclass(frozen=True)
class Registry:
    people: pa.Table
    person_entities: pa.Table


def _display_name(person: Person) -> str:
    """The fullest form: of the names with a first name and a surname, the one most documents give
    (then the longest, then the first in order); a one-word name only when there is no other."""
    names = person.names()
    candidates = [
        name
        for node in person.nodes
        if node.form is not None and node.form.full
        for name in {e.name for e in node.entities}
    ] or list(names)
    return min(candidates, key=lambda name: (-names[name], -len(name.split()), -len(name), name))


def build_registry(
    entities: pa.Table,
    quotes: pa.Table,
    documents: pa.Table,
    *,
    infer_gender: bool = True,
    lex: Lexicon | None = None,
) -> Registry:
    """People across the documents: `entities` (its PERSON rows are used), `quotes` (for
    `n_quotes`) and `documents` (outlet and date) of every published document."""
    lex = lex or load_lexicon()
    persons = entities.filter(pc.equal(entities.column("label"), "PERSON")).select(ENTITY_COLUMNS[:3] + ["gender_cues"])
    rows = persons.to_pylist()
    context = {
        d["doc_id"]: DocContext(d["outlet"], d["published_at"]) for d in documents.select(DOCUMENT_COLUMNS).to_pylist()
    }
    people = cluster_people(
        (PersonEntity(r["doc_id"], r["entity_id"], r["name"], tuple(r["gender_cues"] or ())) for r in rows),
        context,
        lex,
    )
    spoken = Counter(
        (q["doc_id"], q["speaker_entity_id"])
        for q in quotes.select(QUOTE_COLUMNS).to_pylist()
        if q["speaker_entity_id"]
    )
    people_rows, links = [], []
    for person in people:
        ents = person.entities
        docs = person.docs
        dates = [context[d].published_at for d in docs if d in context and context[d].published_at is not None]
        name = _display_name(person)
        gender, evidence = decide((c for e in ents for c in e.cues), person.first_name, infer_gender)
        people_rows.append(
            {
                "person_id": person.person_id,
                "name": name,
                "aliases": sorted({e.name for e in ents} - {name}),
                "gender": gender,
                "gender_evidence": evidence,
                "n_documents": len(docs),
                "n_quotes": sum(spoken[(e.doc_id, e.entity_id)] for e in ents),
                "first_published": min(dates) if dates else None,
                "last_published": max(dates) if dates else None,
            }
        )
        links += [{"doc_id": e.doc_id, "entity_id": e.entity_id, "person_id": person.person_id} for e in ents]
    links.sort(key=lambda r: (r["doc_id"], r["entity_id"]))
    return Registry(
        pa.Table.from_pylist(people_rows, schema=PEOPLE), pa.Table.from_pylist(links, schema=PERSON_ENTITIES)
    )


def women_share(people: pa.Table, person_entities: pa.Table, quotes: pa.Table) -> dict:
    """Among the people quoted in `quotes` (per document, each person once): how many are women,
    men and unknown, and the share of women among those whose gender is known (None if none)."""
    person_of = {(r["doc_id"], r["entity_id"]): r["person_id"] for r in person_entities.to_pylist()}
    gender = dict(zip(people.column("person_id").to_pylist(), people.column("gender").to_pylist(), strict=True))
    quoted = defaultdict(set)
    for q in quotes.select(QUOTE_COLUMNS).to_pylist():
        pid = person_of.get((q["doc_id"], q["speaker_entity_id"]))
        if pid is not None:
            quoted[q["doc_id"]].add(pid)
    counts = Counter(gender[p] for ps in quoted.values() for p in ps)
    known = counts["female"] + counts["male"]
    return {
        "female": counts["female"],
        "male": counts["male"],
        "unknown": counts["unknown"],
        "women_share": round(counts["female"] / known, 4) if known else None,
    }
