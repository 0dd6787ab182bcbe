"""The incremental person registry equals a full rebuild after any sequence of runs (issue 29): a
property test over random sequences of documents added, edited (replaced by new content) and
removed, their PERSON entities drawn from names built to merge and split people (variants of one
name, middle initials that tell two apart, nicknames, hypocorisms, one-word names, surname
particles, names without parts), with outlets and dates that let a one-word name join or not.

`update_registry` runs on the published tables as the flow gives it them (look-ups by partition,
by document and by person id); the published tables are then updated as the publish would
(the dropped keys' rows replaced by the staged ones) and compared with `build_registry` over the
documents as they are now. Plain functions over Arrow tables, no spaCy: milliseconds a step.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.schemas.tables import PEOPLE, PERSON_ENTITIES
from newsflow.tasks.nlp.lexicon import load_lexicon
from newsflow.tasks.people.identity import person_key
from newsflow.tasks.people.registry import build_registry, registry_state, update_registry

NAMES = [
    "John Smith",
    "John A. Smith",
    "John B. Smith",
    'John "Johnny" Smith',
    "Johnny Smith",
    "Jon Smith Jr.",
    "Mary Smith",
    "Mary Ann Smith",
    "Smith",
    "Bill Clinton",
    "William Clinton",
    "Hillary Clinton",
    "Clinton",
    "Joe Biden",
    "Joseph R. Biden Jr.",
    "Biden",
    "Bill de Blasio",
    "de Blasio",
    "Blasio",
    "George W. Bush",
    "George H. W. Bush",
    "George Bush",
    "Bush",
    "Madonna",
    "Ann Vale",
    "Vale",
    "...",
]
CUES = ["honorific:male", "honorific:female", "pronoun:female", "pronoun:male", "role_noun:female"]
DATES = [None, datetime(2019, 1, 5, tzinfo=UTC), datetime(2019, 6, 1, tzinfo=UTC), datetime(2023, 3, 9, tzinfo=UTC)]

entity = st.fixed_dictionaries(
    {"name": st.sampled_from(NAMES), "cues": st.lists(st.sampled_from(CUES), max_size=2), "quotes": st.integers(0, 2)}
)
document = st.fixed_dictionaries(
    {
        "outlet": st.sampled_from([None, "Daily", "Herald"]),
        "published_at": st.sampled_from(DATES),
        "entities": st.lists(entity, min_size=1, max_size=4),
    }
)
# A step: add a document, replace one (edited in place: new content, new id) or remove one; the
# index picks which published document, modulo their number.
step = st.one_of(
    st.tuples(st.just("add"), document),
    st.tuples(st.just("edit"), st.integers(0, 50), document),
    st.tuples(st.just("remove"), st.integers(0, 50)),
    st.tuples(st.just("batch"), st.lists(document, min_size=2, max_size=5), st.integers(0, 50)),
)


def tables(docs: dict[str, dict]) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The entities, quotes and documents tables of `docs` (doc_id → document)."""
    entities, quotes, documents = [], [], []
    for doc_id, doc in docs.items():
        documents.append({"doc_id": doc_id, "outlet": doc["outlet"], "published_at": doc["published_at"]})
        for i, e in enumerate(doc["entities"]):
            entity_id = f"{doc_id}-e{i}"
            entities.append(
                {
                    "doc_id": doc_id,
                    "entity_id": entity_id,
                    "name": e["name"],
                    "label": "PERSON",
                    "gender_cues": e["cues"],
                }
            )
            quotes += [{"doc_id": doc_id, "speaker_entity_id": entity_id}] * e["quotes"]
        entities.append(
            {"doc_id": doc_id, "entity_id": f"{doc_id}-org", "name": "Acme", "label": "ORG", "gender_cues": []}
        )
    entity_schema = pa.schema(
        [
            ("doc_id", pa.string()),
            ("entity_id", pa.string()),
            ("name", pa.string()),
            ("label", pa.string()),
            ("gender_cues", pa.list_(pa.string())),
        ]
    )
    return (
        pa.Table.from_pylist(entities, schema=entity_schema),
        pa.Table.from_pylist(quotes, schema=pa.schema([("doc_id", pa.string()), ("speaker_entity_id", pa.string())])),
        pa.Table.from_pylist(
            documents,
            schema=pa.schema(
                [("doc_id", pa.string()), ("outlet", pa.string()), ("published_at", pa.timestamp("us", tz="UTC"))]
            ),
        ),
    )


def _in(table: pa.Table, column: str, values) -> pa.Array:
    return pc.is_in(table.column(column), value_set=pa.array(sorted(values), pa.string()))


class Published:
    """The registry tables as published, updated as `storage.publish` updates them."""

    def __init__(self) -> None:
        self.people = PEOPLE.empty_table()
        self.links = PERSON_ENTITIES.empty_table()

    def run(self, docs_after: dict[str, dict], added: list[str], gone: set[str], lex) -> None:
        update = update_registry(
            registry_state(*tables({d: docs_after[d] for d in added}), lex),
            gone,
            lambda keys: self.links.filter(_in(self.links, "person_key", keys)),
            lambda docs: set(self.links.filter(_in(self.links, "doc_id", docs)).column("person_key").to_pylist()),
            lambda ids: self.people.filter(_in(self.people, "person_id", ids)),
            lex=lex,
        )
        if not update.changed:
            return
        dropped_people = update.person_ids | set(update.people.column("person_id").to_pylist())
        self.people = pa.concat_tables(
            [self.people.filter(pc.invert(_in(self.people, "person_id", dropped_people))), update.people]
        )
        self.links = pa.concat_tables(
            [self.links.filter(pc.invert(_in(self.links, "person_key", update.keys))), update.person_entities]
        )


def rows(table: pa.Table) -> list[dict]:
    return sorted(table.to_pylist(), key=repr)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=12))
def test_the_incremental_registry_equals_a_full_rebuild_after_any_sequence_of_runs(steps):
    lex = load_lexicon()
    docs: dict[str, dict] = {}
    published = Published()
    counter = iter(range(10_000))
    for op, *args in steps:
        added, gone = [], set()
        if op in ("add", "batch"):
            for doc in [args[0]] if op == "add" else args[0]:
                doc_id = f"d{next(counter)}"
                docs[doc_id] = doc
                added.append(doc_id)
        if op in ("edit", "remove", "batch") and docs:
            index = args[0] if op != "batch" else args[1]
            victim = sorted(set(docs) - set(added) or docs)[index % len(set(docs) - set(added) or docs)]
            if victim not in added:
                gone.add(victim)
                del docs[victim]
                if op == "edit":
                    doc_id = f"d{next(counter)}"
                    docs[doc_id] = args[1]
                    added.append(doc_id)
        published.run(docs, added, gone, lex)
        full = build_registry(*tables(docs), lex=lex)
        assert rows(published.people) == rows(full.people)
        assert rows(published.links) == rows(full.person_entities)
    # Nor does the order of the rows matter (a Delta table's read order is its files').
    entities, quotes, documents = tables(docs)
    backwards = build_registry(
        entities.take(pa.array(range(entities.num_rows - 1, -1, -1), pa.int64())), quotes, documents, lex=lex
    )
    assert rows(backwards.people) == rows(published.people)


def test_a_partition_is_the_last_word_of_the_surname():
    lex = load_lexicon()
    assert person_key("Bill de Blasio", lex) == person_key("Blasio", lex) == "blasio"
    assert person_key("Joseph R. Biden Jr.", lex) == person_key("Joe Biden", lex) == "biden"
    assert person_key("José Núñez", lex) == "nunez"
    assert person_key("...", lex) == "..."
