"""The schemas are the one source of truth, and importing them costs no Great Expectations."""

import subprocess
import sys

from newsflow.schemas.tables import TABLES, record_row
from newsflow.tasks.records import Document


def test_importing_the_suites_does_not_import_great_expectations():
    code = (
        "import sys, newsflow.schemas.expectations as e; "
        "print('great_expectations' in sys.modules, sorted(e.CHECK_COLUMNS) == sorted(e.TABLES))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_building_the_suites_imports_great_expectations_then():
    from newsflow.schemas.expectations import suites

    assert set(suites()) == set(TABLES)


def test_a_record_row_takes_the_schema_columns_and_leaves_other_fields_out():
    row = record_row("documents", Document("d1", "a.txt", None, "Text here.", 2), pipeline_version="v")
    assert list(row) == TABLES["documents"].names and row["pipeline_version"] == "v"
