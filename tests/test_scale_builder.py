"""The scale benchmark's builder (benchmarks/scale_build.py) at a tiny size: 3 replicas of a seed
of 3 real documents, read back as Delta tables, and a real run over the built input that finds
every built document already published."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from benchmarks.scale_build import Seed, build, write_seed_input
from newsflow.schemas.tables import TABLES
from newsflow.tasks.storage import read_manifest, read_published, table_url

REPO = Path(__file__).resolve().parent.parent
ARTICLES = {
    "budget.txt": (
        "Budget row deepens\n\nChancellor Gordon Brown said on Tuesday that the plan was fully funded. "
        "\u201cWe will not borrow more,\u201d Mr Brown told reporters in London. Shadow chancellor Oliver "
        "Letwin rejected the claim. \u201cThe figures do not add up,\u201d Letwin said. Brown later said "
        "the Treasury would publish its forecasts in March.\n"
    ),
    "clinic.txt": (
        "Clinic opens in Leeds\n\nHealth minister Rosie Winterton opened the new clinic on Friday. "
        "\u201cThis is a great day for patients in the city,\u201d she said. Local doctor Sarah Jones said "
        "waiting lists would fall by a third. \u201cWe have waited years for this,\u201d Jones added.\n"
    ),
}


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory, prefect_api) -> Path:
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    corpus = tmp_path_factory.mktemp("corpus")
    for seed in (REPO / "seeds").glob("*.txt"):
        shutil.copy(seed, corpus / seed.name)
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    folder = tmp_path_factory.mktemp("seed")
    assert write_seed_input(corpus, folder / "input", per_file=2) == 3
    newsflow(SettingsForm(input=folder / "input", output=str(folder / "output"), n_process=1))
    return folder


def test_built_output_reads_back_and_a_run_over_its_input_publishes_nothing_new(seed_folder, tmp_path, run_flow):
    seed = Seed.load(seed_folder)
    assert seed.size == 3
    built = build(seed, 8, tmp_path / "input", tmp_path / "output", batch_documents=3, log=lambda _: None)
    out = str(tmp_path / "output")
    assert read_manifest(out) is not None
    docs = read_published(out, "documents")
    assert docs.num_rows == built.rows["documents"] == 8
    assert len(set(docs.column("doc_id").to_pylist())) == 8
    # the inputs: one file of records, one sources row per record with its line's hash and size
    lines = (tmp_path / "input" / "part-00000.jsonl").read_bytes().splitlines(keepends=True)
    assert len(lines) == 8
    sources = {r["source"]: r for r in read_published(out, "sources").to_pylist()}
    for number, line in enumerate(lines, 1):
        row = sources[f"part-00000.jsonl#{number}"]
        assert (row["sha256"], row["bytes"], row["status"]) == (hashlib.sha256(line).hexdigest(), len(line), "document")
    # rows of every document table, offsets still slicing back into the copied text
    text = dict(zip(docs.column("doc_id").to_pylist(), docs.column("text").to_pylist(), strict=True))
    mentions = read_published(out, "mentions").to_pylist()
    assert len(mentions) == 3 * len(seed.rows["mentions"]) - len(
        [m for m in seed.rows["mentions"].to_pylist() if m["_seed"] == 2]
    )
    assert all(text[m["doc_id"]][m["start_char"] : m["end_char"]] == m["text"] for m in mentions)
    # person names: one mapping per replica, no surname shared between replicas
    entities = read_published(out, "entities")
    persons = entities.filter(pc.equal(entities.column("label"), "PERSON")).to_pylist()
    urls = dict(zip(docs.column("doc_id").to_pylist(), docs.column("url").to_pylist(), strict=True))
    replica_of = {d: int(url.rsplit("/", 1)[1]) // 3 for d, url in urls.items()}
    assert {json.loads(line)["url"] for line in lines} == set(urls.values())
    surnames = {}
    for e in persons:
        surnames.setdefault(e["name"].split()[-1], set()).add(replica_of[e["doc_id"]])
    assert len(surnames) > 3 and all(len(replicas) == 1 for replicas in surnames.values())
    seed_names = set(seed.rows["entities"].column("name").to_pylist())
    assert not {e["name"] for e in persons} & seed_names
    # the registry: every PERSON entity is a person; one mapping per replica keeps a person together
    links = read_published(out, "person_entities")
    assert links.num_rows == len(persons)
    people = read_published(out, "people")
    assert people.num_rows == len(set(links.column("person_id").to_pylist())) >= 3
    for name in TABLES:
        assert len(DeltaTable(table_url(out, name)).file_uris()) <= 4
    # a real run over the built input: everything is already published, nothing changes
    summary = run_flow(tmp_path / "input", tmp_path / "output")
    assert summary["new_documents"] == 0
    assert summary["already_published"] == 8
    assert not summary["published"]  # the registry and the report's aggregates, built as a run keeps them
    assert read_published(out, "report_documents").num_rows == 8
    assert read_published(out, "report_people").num_rows >= 3
    assert read_published(out, "documents").num_rows == 8
