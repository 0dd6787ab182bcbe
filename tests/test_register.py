"""The person registry in the flow: `people` and `person_entities` built over every published
document, validated by Great Expectations and published with the rest, equal after any sequence of
runs to a fresh run's, with ids that stay; real Prefect, spaCy, GX and Parquet."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from newsflow.schemas.tables import TABLES
from newsflow.tasks import storage
from newsflow.tasks.validate import run_validator

from .support import REPO, run_command, table_contents

ARTICLES = {
    "shelter.txt": "Shelter is full\n\nNadia Okafor runs the Eastside shelter. "
    "“We are full every night,” she said. Her deputy, Tom Reyes, agreed.\n",
    "council.txt": "Council backs shelter\n\nThe council voted on Monday. "
    "Ms Okafor said the vote would save lives. “It is a good day,” Mr Reyes said.\n",
    "budget.txt": "Budget talks\n\nSpokeswoman Ann Vale said the budget would pass. "
    "Nadia A. Okafor, who runs the shelter, said she hoped so.\n",
    "clinic.txt": "Clinic opens\n\nDr Priya Raman opened the clinic. “It took years,” Raman said. "
    "Tom Reyes said the shelter would send patients.\n",
}


def write(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        if old.name not in names:
            old.unlink()
    for name in names:
        (folder / name).write_text(ARTICLES[name])
    return folder


def registry(output: Path) -> dict[str, list[dict]]:
    def rows(name: str) -> list[dict]:
        return sorted(storage.read_published(output, name).to_pylist(), key=lambda r: (r.get("doc_id", ""), repr(r)))

    return {name: rows(name) for name in ("people", "person_entities")}


def person(output: Path, name: str) -> dict:
    """The one person named `name`, by their name or an alias."""
    (row,) = [p for p in registry(output)["people"] if name == p["name"] or name in p["aliases"]]
    return row


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, prefect_api):
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    base = tmp_path_factory.mktemp("fresh")
    newsflow(SettingsForm(input=write(base / "in", list(ARTICLES)), output=str(base / "out"), n_process=1))
    return base / "out"


def test_one_person_one_id_across_documents(fresh):
    okafor = person(fresh, "Nadia Okafor")
    assert okafor["n_documents"] == 3
    assert {okafor["name"], *okafor["aliases"]} == {"Nadia Okafor", "Okafor", "Nadia A. Okafor"}
    assert okafor["gender"] == "female" and okafor["gender_evidence"] in ("honorific", "pronoun")
    reyes = person(fresh, "Tom Reyes")
    assert reyes["n_documents"] == 3 and reyes["gender"] == "male"
    assert person(fresh, "Ann Vale")["gender_evidence"] == "role_noun"
    assert okafor["n_quotes"] >= 2
    links = registry(fresh)["person_entities"]
    entities = storage.read_published(fresh, "entities").to_pylist()
    persons = {(e["doc_id"], e["entity_id"]) for e in entities if e["label"] == "PERSON"}
    assert {(r["doc_id"], r["entity_id"]) for r in links} == persons


def test_incremental_runs_equal_a_fresh_run_and_ids_stay(fresh, run_flow, tmp_path):
    out = tmp_path / "out"
    run_flow(write(tmp_path / "in", ["shelter.txt", "council.txt"]), out)
    first = person(out, "Nadia Okafor")["person_id"]
    run_flow(write(tmp_path / "in", ["shelter.txt", "council.txt", "budget.txt"]), out)
    assert person(out, "Nadia Okafor")["person_id"] == first  # a new spelling: the same id
    run_flow(write(tmp_path / "in", list(ARTICLES)), out)
    assert table_contents(out) == table_contents(fresh)
    # An article edited in place replaces its earlier version: its people go with it.
    (tmp_path / "in" / "clinic.txt").write_text("Clinic opens\n\n“It took years,” Lena Ortiz said of the clinic.\n")
    run_flow(tmp_path / "in", out)
    assert not [p for p in registry(out)["people"] if "Raman" in p["name"]]
    reference = tmp_path / "reference"
    run_flow(tmp_path / "in", reference)
    assert registry(out) == registry(reference)
    assert person(out, "Nadia Okafor")["person_id"] == first


def test_gender_inference_off_then_on_again_without_new_documents(run_flow, tmp_path):
    out = tmp_path / "out"
    folder = write(tmp_path / "in", ["shelter.txt", "budget.txt"])
    summary = run_flow(folder, out, infer_gender=False)
    assert {p["gender"] for p in registry(out)["people"]} == {"unknown"}
    assert {p["gender_evidence"] for p in registry(out)["people"]} == {None}
    assert summary["people_quoted_new"]["women_share"] is None
    again = run_flow(folder, out)  # nothing new, but the registry differs: it is published
    assert again["new_documents"] == 0 and again["published"]
    assert person(out, "Nadia Okafor")["gender"] == "female"
    assert run_flow(folder, out)["published"] is False


def test_the_command_line_switch(tmp_path):
    folder = write(tmp_path / "in", ["clinic.txt"])
    done = subprocess.run(
        run_command(folder, tmp_path / "o", "--no-gender"),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert {p["gender"] for p in registry(tmp_path / "o")["people"]} == {"unknown"}


def test_validation_refuses_a_broken_registry(tmp_path):
    """Real GX suites: a person_id that is not in people, an entity that is not a PERSON, a gender
    outside the set and evidence without a gender all fail."""
    validator = run_validator(tmp_path, "r1")
    people = pa.Table.from_pylist(
        [
            {
                "person_id": "p1",
                "name": "Ann Vale",
                "aliases": [],
                "gender": "female",
                "gender_evidence": "role_noun",
                "n_documents": 1,
                "n_quotes": 0,
            },
            {
                "person_id": "p2",
                "name": "Tom Reyes",
                "aliases": [],
                "gender": "man",
                "gender_evidence": None,
                "n_documents": 1,
                "n_quotes": 0,
            },
            {
                "person_id": "p3",
                "name": "Ed Moss",
                "aliases": [],
                "gender": "unknown",
                "gender_evidence": "pronoun",
                "n_documents": 1,
                "n_quotes": 0,
            },
        ],
        schema=TABLES["people"],
    )
    links = pa.Table.from_pylist(
        [
            {"doc_id": "d1", "entity_id": "e1", "person_id": "p1"},
            {"doc_id": "d1", "entity_id": "e2", "person_id": "p9"},
            {"doc_id": "d1", "entity_id": "e3", "person_id": "p2"},
        ],
        schema=TABLES["person_entities"],
    )
    persons = pa.table({"doc_id": ["d1", "d1"], "entity_id": ["e1", "e2"]})
    assert not validator.validate("people", {"people": people, "person_entities": links}, persons=persons)
    failed = {(f.table, f.expectation, f.unexpected_count) for f in validator.report.failures}
    assert ("people", "expect_column_values_to_be_in_set", 1) in failed  # "man"
    descriptions = {f.description for f in validator.report.failures}
    assert "every person_entities.person_id is in people" in descriptions
    assert "every (doc_id, entity_id) is a PERSON entity of a published document" in descriptions
    assert "a gender other than unknown says its evidence, and unknown has none" in descriptions


def test_a_failed_registry_validation_publishes_nothing(fresh, tmp_path, run_flow, monkeypatch):
    """A registry that breaks its suite fails the run and leaves every published table as it was."""
    out = tmp_path / "out"
    shutil.copytree(fresh.parent / "in", tmp_path / "in")
    run_flow(tmp_path / "in", out)
    before = table_contents(out)
    (tmp_path / "in" / "extra.txt").write_text("Extra\n\n“We will see,” Lena Ortiz said of the plan.\n")
    from newsflow.tasks.people import registry

    real = registry.from_state  # what the run's registry update (and a rebuild) builds with

    def broken(*args, **kwargs):
        built = real(*args, **kwargs)
        ids = built.person_entities.column("person_id").to_pylist()
        ids[0] = "p_no_such_person"
        table = built.person_entities.set_column(2, "person_id", pa.array(ids, pa.string()))
        return type(built)(built.people, table)

    monkeypatch.setattr(registry, "from_state", broken)
    from newsflow.tasks.validate import ValidationFailed

    with pytest.raises(ValidationFailed, match="person_id is in people"):
        run_flow(tmp_path / "in", out)
    assert table_contents(out) == before


def test_rebuild_people_equals_the_incremental_registry_and_an_old_registry_is_rebuilt_once(fresh, run_flow, tmp_path):
    """`newsflow rebuild-people` (the command line) gives the tables the runs kept up to date; an
    output whose registry predates the state columns (three columns, as before issue 29) is rebuilt
    whole by its next run, and then updated in place."""
    out = tmp_path / "out"
    run_flow(write(tmp_path / "in", ["shelter.txt", "council.txt"]), out)
    run_flow(write(tmp_path / "in", ["shelter.txt", "council.txt", "budget.txt", "clinic.txt"]), out)
    kept = registry(out)
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.flows.cli", "rebuild-people", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["people"] == len(kept["people"])
    assert registry(out) == kept == registry(fresh)
    # The registry of an older newsflow: person_entities with its contract columns only.
    old = pa.Table.from_pylist(kept["person_entities"]).select(["doc_id", "entity_id", "person_id"])
    write_deltalake(str(out / "person_entities"), old, mode="overwrite", schema_mode="overwrite")
    manifest = storage.read_manifest(out)
    manifest["tables"]["person_entities"] = DeltaTable(str(out / "person_entities")).version()
    manifest.pop("registry")
    storage.tables.write_manifest(out, manifest["run_id"], manifest["tables"], manifest)
    assert not storage.has_columns(out, "person_entities", ["person_key"])
    summary = run_flow(write(tmp_path / "in", list(ARTICLES)), out)
    assert summary["published"]  # nothing new, but the registry is rebuilt with its state
    assert registry(out) == registry(fresh)
    assert storage.read_manifest(out)["registry"]["version"] >= 1
    assert run_flow(tmp_path / "in", out)["published"] is False


def test_the_share_of_women_quoted_comes_with_its_interval(fresh):
    from newsflow.tasks.nlp.metric.people import wilson_interval
    from newsflow.tasks.people import women_share

    tables = {name: storage.read_published(fresh, name) for name in ("people", "person_entities", "quotes")}
    found = women_share(tables["people"], tables["person_entities"], tables["quotes"])
    women, known = found["female"], found["female"] + found["male"]
    assert women >= 2 and known >= 3  # Nadia Okafor, Ann Vale; Tom Reyes
    low, high = wilson_interval(women, known)
    assert (found["women_share_low"], found["women_share_high"]) == (round(low, 4), round(high, 4))
    assert found["women_share_low"] < found["women_share"] < found["women_share_high"]
