"""The run report's aggregates (`report_documents`, `report_people`) in the flow: after every run
that adds, edits or removes documents, the report's figures from the aggregates equal those from
their definitions over the whole tables, and the aggregates equal a fresh run's; an output
published before them gains them whole at its next run. Real Prefect, spaCy, GX and Delta tables."""

from __future__ import annotations

import duckdb

from newsflow.schemas.tables import REPORT_TABLES
from newsflow.tasks import storage
from newsflow.tasks.report import has_people, queries, write_report
from newsflow.tasks.report.aggregates import document_rows, people_rows

from .support import table_contents, unpublish
from .test_register import write


def figures(output, aggregates: bool) -> dict[str, list[dict]]:
    """Every report query's rows for the published version, from the aggregates or from their
    definitions over the whole tables."""
    run_id = storage.published_version(output)
    with duckdb.connect() as connection:
        queries.register_report(connection, output, run_id, has_people(output, run_id), aggregates=aggregates)
        assert queries.has_aggregates(output, storage.read_manifest(output)) or not aggregates
        return {name: queries.run_report_query(connection, name) for name in queries.REPORT_QUERIES}


def test_the_aggregates_give_the_figures_of_the_whole_tables_after_adds_edits_and_removals(run_flow, tmp_path):
    out, folder = tmp_path / "out", tmp_path / "in"
    steps = [
        ["shelter.txt", "council.txt"],  # the first run
        ["shelter.txt", "council.txt", "budget.txt", "clinic.txt"],  # two more
        ["shelter.txt", "budget.txt", "clinic.txt"],  # council.txt removed: its document stays published
    ]
    for names in steps:
        run_flow(write(folder, names), out)
        assert figures(out, aggregates=True) == figures(out, aggregates=False)
    totals = figures(out, True)["totals"][0]
    assert (totals["documents"], totals["new_documents"]) == (4, 0)  # the last run added nothing

    (folder / "clinic.txt").write_text("Clinic opens\n\n“It took years,” Lena Ortiz said of the clinic.\n")
    summary = run_flow(folder, out)  # edited in place: Dr Raman's document and quotes go
    assert summary["updated"] == 1
    found = figures(out, aggregates=True)
    assert found == figures(out, aggregates=False)
    assert found["totals"][0]["new_documents"] == 1 and found["new_documents"][0]["source"] == "clinic.txt"
    assert "Priya Raman" not in {r["name"] for r in found["people_quoted_most"]}
    assert {"Lena Ortiz": 1} == {r["name"]: r["new_quotes"] for r in found["people_quoted_most"] if r["new_quotes"]}

    fresh = tmp_path / "fresh"
    write(tmp_path / "all", ["shelter.txt", "council.txt", "budget.txt"])
    (tmp_path / "all" / "clinic.txt").write_text((folder / "clinic.txt").read_text())
    run_flow(tmp_path / "all", fresh)
    mine, theirs = table_contents(out), table_contents(fresh)
    for name in REPORT_TABLES:  # run_id aside (the runs differ)
        assert mine[name] == theirs[name], name
        assert mine[name], name


def test_an_output_without_the_aggregates_gains_them_whole_at_its_next_run(run_flow, tmp_path):
    out, folder = tmp_path / "out", tmp_path / "in"
    run_flow(write(folder, ["shelter.txt", "council.txt"]), out)
    unpublish(out, *REPORT_TABLES)  # as a newsflow before the aggregates published it
    assert not queries.has_aggregates(out, storage.read_manifest(out))
    before = figures(out, aggregates=False)
    assert before["totals"][0]["quotes"] > 0
    page = write_report(out)  # the report of such an output reads the definitions
    assert "Okafor" in page.read_text()

    summary = run_flow(write(folder, ["shelter.txt", "council.txt", "budget.txt"]), out)
    assert summary["published"] and queries.has_aggregates(out, storage.read_manifest(out))
    assert figures(out, aggregates=True) == figures(out, aggregates=False)
    documents = storage.read_published(out, "report_documents").to_pylist()
    assert sorted(d["run_id"] is None for d in documents) == [False, True, True]  # published before: no run

    again = run_flow(folder, out)  # nothing new: nothing published, the aggregates as they were
    assert not again["published"]


def test_the_aggregates_of_some_rows_are_their_definitions():
    from datetime import UTC, datetime

    import pyarrow as pa

    documents = pa.table(
        {
            "doc_id": ["a", "b", "c"],
            "outlet": ["Gazette", None, "Gazette"],
            "published_at": pa.array(
                [datetime(2026, 3, 5, 23, 30, tzinfo=UTC), None, datetime(2026, 3, 2, tzinfo=UTC)],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    quotes = pa.table({"doc_id": ["a", "a", "b"], "speaker_name": ["Ann Vale", None, None]})
    rows = {r["doc_id"]: r for r in document_rows(documents, quotes, "r1").to_pylist()}
    assert {k: (str(r["week"]), r["n_quotes"], r["n_unknown_speaker"], r["run_id"]) for k, r in rows.items()} == {
        "a": ("2026-03-02", 2, 1, "r1"),  # Thursday 5 March: the week of Monday 2 March
        "b": ("None", 1, 1, "r1"),
        "c": ("2026-03-02", 0, 0, "r1"),
    }
    people = pa.table({"person_id": ["p1", "p2", "p3"], "gender": ["female", "male", "female"]})
    links = pa.table(
        {
            "person_key": ["vale", "vale", "okafor", "vale"],
            "person_id": ["p1", "p2", "p3", "p1"],
            "outlet": ["Gazette", "Gazette", "Gazette", "Gazette"],
            "n_quotes": pa.array([0, 1, 2, 3], pa.int32()),
        }
    )
    got = sorted(tuple(r.values()) for r in people_rows(people, links).to_pylist())
    assert got == [
        ("okafor", "Gazette", "female", 1, 1),
        ("vale", "Gazette", "female", 1, 1),
        ("vale", "Gazette", "male", 1, 1),
    ]
