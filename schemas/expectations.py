"""Great Expectations suites, one per table, kept beside the Arrow schemas they go with.

Each expectation's description says what it protects. Checks that span tables or need the
document text (a span slicing back to its text, a doc_id known in `documents`) are computed by
`newsflow.tasks.validate.check_columns` into boolean columns that the suites then expect to be true.
GX takes seconds to import, so it is imported when the suites are built, not with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsflow.schemas.tables import (
    ENTITY_LABELS,
    GENDER_EVIDENCE,
    GENDERS,
    PIPELINE_VERSION,
    QUOTE_TYPES,
    REJECT_STAGES,
    SOURCE_STATUSES,
    TABLES,
    URL_PATTERN,
)

# The boolean columns `newsflow.tasks.validate.check_columns` adds to each table before validation.
CHECK_COLUMNS = {
    "documents": ["published_in_time"],
    "mentions": ["inside_document", "slices_back", "doc_known", "entity_known"],
    "entities": ["doc_known"],
    "quotes": ["inside_document", "slices_back", "doc_known", "speaker_entity_known", "statement_known"],
    "rejects": [],
    "sources": ["doc_known", "names_its_document", "seen_in_order"],
    "people": ["evidence_fits_gender", "published_in_order"],
    "person_entities": ["person_known", "is_person_entity"],
    "report_documents": [],
    "report_people": [],
}

if TYPE_CHECKING:
    import great_expectations.expectations as gxe


def _columns(table: str) -> gxe.ExpectTableColumnsToMatchSet:
    import great_expectations.expectations as gxe

    return gxe.ExpectTableColumnsToMatchSet(
        column_set=TABLES[table].names + CHECK_COLUMNS[table],
        exact_match=True,
        description=f"{table} has exactly the schema's columns",
    )


def _not_null(table: str, *columns: str) -> list:
    import great_expectations.expectations as gxe

    return [gxe.ExpectColumnValuesToNotBeNull(column=c, description=f"every {table} row has a {c}") for c in columns]


def _true(column: str, description: str) -> gxe.ExpectColumnValuesToBeInSet:
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], description=description)


def _spans(table: str) -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="start_char", min_value=0, description=f"{table} offsets are not negative"
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="end_char", column_B="start_char", or_equal=False, description=f"every {table} span is non-empty"
        ),
        _true("inside_document", f"every {table} span lies inside its document's text"),
        _true("slices_back", f"every {table} span slices back to its text: text[start_char:end_char] == text"),
        _true("doc_known", f"every {table} row's doc_id is in documents"),
    ]


def suites(pipeline_version: str | None = None) -> dict[str, list]:
    """Table name → its expectations; rows must come from `pipeline_version` (default: this
    package's `PIPELINE_VERSION`)."""
    import great_expectations.expectations as gxe

    return {
        "documents": [
            _columns("documents"),
            *_not_null("documents", "doc_id", "source", "text", "n_words"),
            gxe.ExpectColumnValuesToBeUnique(column="doc_id", description="one row per document"),
            gxe.ExpectColumnValueLengthsToBeBetween(
                column="text", min_value=1, description="no document has an empty text"
            ),
            gxe.ExpectColumnValuesToBeBetween(column="n_words", min_value=1, description="every document has words"),
            gxe.ExpectColumnValuesToMatchRegex(
                column="url", regex=URL_PATTERN, description="a document's url, when known, is an absolute http(s) URL"
            ),
            _true("published_in_time", "no document is published later than the run plus one day"),
            gxe.ExpectColumnValuesToBeInSet(
                column="pipeline_version",
                value_set=[pipeline_version or PIPELINE_VERSION],
                description="rows come from this pipeline version",
            ),
        ],
        "mentions": [
            _columns("mentions"),
            *_not_null("mentions", "doc_id", "entity_id", "label"),
            gxe.ExpectColumnValuesToBeInSet(
                column="label", value_set=list(ENTITY_LABELS), description="mention labels are OntoNotes labels"
            ),
            *_spans("mentions"),
            _true("entity_known", "every mention's entity_id is in entities"),
        ],
        "entities": [
            _columns("entities"),
            *_not_null("entities", "doc_id", "entity_id", "name", "label"),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["doc_id", "entity_id"], description="one row per entity per document"
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="label", value_set=list(ENTITY_LABELS), description="entity labels are OntoNotes labels"
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="n_mentions", min_value=1, description="every entity has at least one mention"
            ),
            _true("doc_known", "every entities row's doc_id is in documents"),
        ],
        "quotes": [
            _columns("quotes"),
            *_not_null("quotes", "doc_id", "quote_id", "type", "text", "statement_id"),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["doc_id", "quote_id"], description="quote ids are unique within a document"
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="type", value_set=list(QUOTE_TYPES), description="quote types are direct, indirect or mixed"
            ),
            *_spans("quotes"),
            _true("speaker_entity_known", "every speaker_entity_id is an entity of the same document"),
            _true("statement_known", "every statement_id is a quote_id of the same document"),
        ],
        "rejects": [
            _columns("rejects"),
            *_not_null("rejects", "doc_id", "source", "stage", "reason"),
            gxe.ExpectColumnValuesToBeInSet(
                column="stage", value_set=list(REJECT_STAGES), description="reject stages are known"
            ),
            gxe.ExpectColumnValueLengthsToBeBetween(
                column="reason", min_value=10, description="every reject says why, in words"
            ),
            gxe.ExpectColumnValuesToBeUnique(column="source", description="one reject per input file"),
        ],
        "sources": [
            _columns("sources"),
            *_not_null("sources", "source", "status", "first_seen", "last_seen"),
            gxe.ExpectColumnValuesToBeUnique(column="source", description="one row per input file"),
            gxe.ExpectColumnValuesToBeInSet(
                column="status",
                value_set=list(SOURCE_STATUSES),
                description="every input file is a document, a duplicate or rejected",
            ),
            _true("doc_known", "every doc_id a source stands for is in documents"),
            _true("names_its_document", "every document or duplicate names the document it stands for"),
            gxe.ExpectColumnValuesToMatchRegex(
                column="sha256", regex="^[0-9a-f]{64}$", description="sha256 is a SHA-256 hex digest, when read"
            ),
            gxe.ExpectColumnValuesToBeBetween(column="bytes", min_value=0, description="sizes are not negative"),
            _true("seen_in_order", "no file is last seen before it is first seen"),
        ],
        "people": [
            _columns("people"),
            *_not_null("people", "person_id", "name", "gender", "n_documents", "n_quotes"),
            gxe.ExpectColumnValuesToBeUnique(column="person_id", description="one row per person"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="name", min_value=1, description="every person has a name"),
            gxe.ExpectColumnValuesToBeInSet(
                column="gender", value_set=list(GENDERS), description="gender is female, male or unknown"
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="gender_evidence",
                value_set=list(GENDER_EVIDENCE),
                description="gender_evidence, when given, is honorific, pronoun, role_noun, coreference or first_name",
            ),
            _true("evidence_fits_gender", "a gender other than unknown says its evidence, and unknown has none"),
            gxe.ExpectColumnValuesToBeBetween(
                column="n_documents", min_value=1, description="every person is named in a published document"
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="n_quotes", min_value=0, description="quote counts are not negative"
            ),
            _true("published_in_order", "no person is last published before first published"),
        ],
        "person_entities": [
            _columns("person_entities"),
            *_not_null("person_entities", "doc_id", "entity_id", "person_id"),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["doc_id", "entity_id"], description="each PERSON entity is one person"
            ),
            _true("person_known", "every person_entities.person_id is in people"),
            _true("is_person_entity", "every (doc_id, entity_id) is a PERSON entity of a published document"),
        ],
        "report_documents": [
            _columns("report_documents"),
            *_not_null("report_documents", "doc_id", "n_quotes", "n_unknown_speaker"),
            gxe.ExpectColumnValuesToBeUnique(column="doc_id", description="one report row per document"),
            gxe.ExpectColumnValuesToBeBetween(
                column="n_unknown_speaker", min_value=0, description="counts of quotes are not negative"
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="n_quotes",
                column_B="n_unknown_speaker",
                or_equal=True,
                description="a document has no more quotes with an unknown speaker than quotes",
            ),
        ],
        "report_people": [
            _columns("report_people"),
            *_not_null("report_people", "person_key", "named", "quoted"),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["person_key", "outlet", "gender"],
                description="one report row per name partition, outlet and gender",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="quoted", min_value=0, description="counts of people are not negative"
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="named",
                column_B="quoted",
                or_equal=True,
                description="no outlet quotes more people than it names",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="gender", value_set=list(GENDERS), description="gender is female, male or unknown"
            ),
        ],
    }
