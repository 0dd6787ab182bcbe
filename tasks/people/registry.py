"""The `people` and `person_entities` tables from the tables of all the published documents.

`build_registry(entities, quotes, documents)` is a plain function of Arrow tables: the same
documents give the same tables, whatever runs published them. It goes in two steps:
`registry_state` (one row per PERSON entity with all the registry needs of its document: name,
gender cues, quotes, outlet, date, and its partition `person_key`), then `from_state`. The state
rows are kept in `person_entities`, so a run updates the registry with `update_registry`: it
re-clusters only the partitions its new and removed documents touch, from their state rows alone,
and gives exactly what `build_registry` gives for them (`identity.person_key` says why).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from newsflow.schemas.tables import PEOPLE, PERSON_ENTITIES
from newsflow.tasks.nlp.lexicon import Lexicon, load_lexicon
from newsflow.tasks.nlp.metric.people import wilson_interval
from newsflow.tasks.people.gender import decide
from newsflow.tasks.people.identity import DocContext, Person, PersonEntity, cluster_people, person_key

ENTITY_COLUMNS = ["doc_id", "entity_id", "name", "label", "gender_cues"]
QUOTE_COLUMNS = ["doc_id", "speaker_entity_id"]
DOCUMENT_COLUMNS = ["doc_id", "outlet", "published_at"]
# The registry's state of one PERSON entity: person_entities less `person_id`.
STATE = pa.schema([f for f in PERSON_ENTITIES if f.name != "person_id"])
# What says a person's rows changed: person_entities compared on these, people on all its columns.
LINK_COLUMNS = ["doc_id", "entity_id", "person_id"]


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


def registry_state(entities: pa.Table, quotes: pa.Table, documents: pa.Table, lex: Lexicon | None = None) -> pa.Table:
    """One row per PERSON row of `entities` (schema `STATE`): its name and gender cues, the quotes
    of `quotes` attributed to it, its document's outlet and date from `documents`, its partition."""
    lex = lex or load_lexicon()
    persons = entities.filter(pc.equal(entities.column("label"), "PERSON")).select(ENTITY_COLUMNS[:3] + ["gender_cues"])
    spoken = Counter(
        (q["doc_id"], q["speaker_entity_id"])
        for q in quotes.select(QUOTE_COLUMNS).to_pylist()
        if q["speaker_entity_id"]
    )
    context = {d["doc_id"]: d for d in documents.select(DOCUMENT_COLUMNS).to_pylist()}
    keys: dict[str, str] = {}
    rows = []
    for r in persons.to_pylist():
        if r["name"] not in keys:
            keys[r["name"]] = person_key(r["name"], lex)
        doc = context.get(r["doc_id"], {})
        rows.append(
            r
            | {
                "gender_cues": list(r["gender_cues"] or ()),
                "person_key": keys[r["name"]],
                "n_quotes": spoken[(r["doc_id"], r["entity_id"])],
                "outlet": doc.get("outlet"),
                "published_at": doc.get("published_at"),
            }
        )
    return pa.Table.from_pylist(rows, schema=STATE)


def from_state(state: pa.Table, *, infer_gender: bool = True, lex: Lexicon | None = None) -> Registry:
    """The people of the PERSON entities of `state` (`registry_state` rows), and their links."""
    lex = lex or load_lexicon()
    rows = state.select(STATE.names).to_pylist()
    context = {r["doc_id"]: DocContext(r["outlet"], r["published_at"]) for r in rows}
    by_entity = {(r["doc_id"], r["entity_id"]): r for r in rows}
    people = cluster_people(
        (PersonEntity(r["doc_id"], r["entity_id"], r["name"], tuple(r["gender_cues"] or ())) for r in rows),
        context,
        lex,
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
                "n_quotes": sum(by_entity[(e.doc_id, e.entity_id)]["n_quotes"] for e in ents),
                "first_published": min(dates) if dates else None,
                "last_published": max(dates) if dates else None,
            }
        )
        links += [by_entity[(e.doc_id, e.entity_id)] | {"person_id": person.person_id} for e in ents]
    links.sort(key=lambda r: (r["doc_id"], r["entity_id"]))
    return Registry(
        pa.Table.from_pylist(people_rows, schema=PEOPLE), pa.Table.from_pylist(links, schema=PERSON_ENTITIES)
    )


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
    return from_state(registry_state(entities, quotes, documents, lex), infer_gender=infer_gender, lex=lex)


@dataclass(frozen=True)
class RegistryUpdate:
    """What a run changes in the registry: the rows of the partitions `keys` (all of them,
    restaged) and the people they replace (`person_ids`, published people of those partitions)."""

    people: pa.Table
    person_entities: pa.Table
    keys: set[str]
    person_ids: set[str]
    changed: bool  # whether any of those rows differ from the published ones


def _sorted(table: pa.Table, columns: list[str]) -> pa.Table:
    plain = [c for c in columns if not pa.types.is_list(table.schema.field(c).type)]
    return table.select(columns).sort_by([(c, "ascending") for c in plain])


def update_registry(
    new_state: pa.Table,
    gone: Collection[str],
    state_of_keys: Callable[[set[str]], pa.Table],
    keys_of_documents: Callable[[set[str]], set[str]],
    people_of_ids: Callable[[set[str]], pa.Table],
    *,
    infer_gender: bool = True,
    lex: Lexicon | None = None,
) -> RegistryUpdate:
    """The registry after a run that adds the PERSON entities `new_state` (`registry_state` rows of
    its new documents) and removes the published documents `gone` (replaced or dropped), from the
    published registry as three look-ups: `state_of_keys(keys)`, the published person_entities
    rows of those partitions; `keys_of_documents(doc_ids)`, the partitions of those documents'
    published rows; `people_of_ids(ids)`, the published people rows of those ids."""
    gone = set(gone)
    keys = set(new_state.column("person_key").to_pylist()) | (keys_of_documents(gone) if gone else set())
    old = state_of_keys(keys) if keys else PERSON_ENTITIES.empty_table()
    kept = old.filter(pc.invert(pc.is_in(old.column("doc_id"), value_set=pa.array(sorted(gone), pa.string()))))
    state = pa.concat_tables([kept.select(STATE.names).cast(STATE), new_state.select(STATE.names).cast(STATE)])
    registry = from_state(state, infer_gender=infer_gender, lex=lex)
    ids = set(old.column("person_id").to_pylist())
    old_people = people_of_ids(ids) if ids else PEOPLE.empty_table()
    changed = not (
        _sorted(old_people.cast(PEOPLE), PEOPLE.names).equals(_sorted(registry.people, PEOPLE.names))
        and _sorted(old.cast(PERSON_ENTITIES), PERSON_ENTITIES.names).equals(
            _sorted(registry.person_entities, PERSON_ENTITIES.names)
        )
    )
    return RegistryUpdate(registry.people, registry.person_entities, keys, ids, changed)


def women_share(people: pa.Table, person_entities: pa.Table, quotes: pa.Table) -> dict:
    """Among the people quoted in `quotes` (per document, each person once): how many are women,
    men and unknown, and the share of women among those whose gender is known (None if none) with
    its 95% Wilson interval (`women_share_low`, `women_share_high`)."""
    person_of = {(r["doc_id"], r["entity_id"]): r["person_id"] for r in person_entities.to_pylist()}
    gender = dict(zip(people.column("person_id").to_pylist(), people.column("gender").to_pylist(), strict=True))
    quoted = defaultdict(set)
    for q in quotes.select(QUOTE_COLUMNS).to_pylist():
        pid = person_of.get((q["doc_id"], q["speaker_entity_id"]))
        if pid is not None:
            quoted[q["doc_id"]].add(pid)
    counts = Counter(gender.get(p, "unknown") for ps in quoted.values() for p in ps)  # validation catches a stray id
    known = counts["female"] + counts["male"]
    low, high = wilson_interval(counts["female"], known) or (None, None)
    return {
        "female": counts["female"],
        "male": counts["male"],
        "unknown": counts["unknown"],
        "women_share": round(counts["female"] / known, 4) if known else None,
        "women_share_low": round(low, 4) if low is not None else None,
        "women_share_high": round(high, 4) if high is not None else None,
    }
