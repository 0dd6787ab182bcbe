"""The check columns the tables' suites expect to be true (`schemas/expectations.py`): a span slices
back to its text, an id names a row of the table it points into, dates come in order. Computed
over Arrow columns where a table is large (mentions, quotes, entities: no per-row Python), so
`newsflow.tasks.validate` hands Great Expectations one boolean column per check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newsflow.schemas.tables import FUTURE_SLACK_DAYS


def _code_points(strings: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """All the strings as one array of Unicode code points, and where each starts (Python's string
    offsets are code points, as spaCy's are); one encode for the whole column, no per-row work."""
    strings = pc.fill_null(strings, "")
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks() if strings.num_chunks else pa.array([], pa.string())
    lengths = pc.utf8_length(strings).to_numpy(zero_copy_only=False).astype(np.int64)
    # The UTF-8 bytes of every string, back to back, straight from the Arrow buffers.
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(strings.buffers()[1], dtype=width)[strings.offset : strings.offset + len(strings) + 1]
    data = strings.buffers()[2]
    raw = data.to_pybytes()[offsets[0] : offsets[-1]] if data is not None and len(strings) else b""
    points = np.frombuffer(raw.decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    return points, np.concatenate([[0], np.cumsum(lengths)])


def _slices_back(
    doc_index: np.ndarray,
    known: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    inside: np.ndarray,
    span_texts: pa.ChunkedArray,
    texts: pa.ChunkedArray,
) -> np.ndarray:
    """text[start:end] == span text for every row, compared code point by code point in numpy."""
    doc_points, doc_offsets = _code_points(texts)
    span_points, span_offsets = _code_points(span_texts)
    span_lengths = np.diff(span_offsets)
    ok = known & inside & (ends - starts == span_lengths)
    lengths = np.where(ok, span_lengths, 0)
    # For every code point of every comparable span: its place in the span texts and in its document.
    row = np.repeat(np.arange(len(lengths)), lengths)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    in_spans = span_offsets[row] + within
    in_docs = doc_offsets[doc_index[row]] + starts[row] + within
    differs = np.bincount(row, weights=doc_points[in_docs] != span_points[in_spans], minlength=len(ok))
    return ok & (differs == 0)


def check_columns(
    name: str,
    table: pa.Table,
    documents: pa.Table | None = None,
    entity_ids: pa.Table | None = None,
    doc_ids: set[str] | None = None,
    people: pa.Table | None = None,
    persons: pa.Table | None = None,
) -> pd.DataFrame:
    """The table as a frame plus the boolean check columns its suite expects to be true, computed
    over Arrow columns where the table is large (mentions, quotes, entities: no per-row Python).
    For `sources`, `doc_ids` are the documents the output holds once the run is published; for
    `person_entities`, `people` is the people table staged with it and `persons` the PERSON rows
    of `entities` the output holds once the run is published."""
    frame = table.to_pandas()
    if name == "people":
        unknown = frame["gender"] == "unknown"
        frame["evidence_fits_gender"] = (unknown == frame["gender_evidence"].isna()).tolist()
        frame["published_in_order"] = [
            pd.isna(a) or pd.isna(b) or a <= b
            for a, b in zip(frame["first_published"], frame["last_published"], strict=True)
        ]
        return frame
    if name == "person_entities":
        frame["person_known"] = pc.is_in(table.column("person_id"), value_set=people.column("person_id")).to_numpy(
            zero_copy_only=False
        )
        frame["is_person_entity"] = pc.is_in(_pair_keys(table), value_set=_pair_keys(persons)).to_numpy(
            zero_copy_only=False
        )
        return frame
    if name == "documents":
        latest = pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=FUTURE_SLACK_DAYS)
        frame["published_in_time"] = [pd.isna(t) or t <= latest for t in frame["published_at"]]
        return frame
    if name == "sources":
        frame["doc_known"] = [pd.isna(d) or d in doc_ids for d in frame["doc_id"]]
        frame["names_its_document"] = [
            s == "rejected" or not pd.isna(d) for s, d in zip(frame["status"], frame["doc_id"], strict=True)
        ]
        frame["seen_in_order"] = (frame["first_seen"] <= frame["last_seen"]).tolist()
        return frame
    if name not in ("mentions", "quotes", "entities"):
        return frame
    found = pc.index_in(table.column("doc_id"), value_set=documents.column("doc_id"))
    known = found.is_valid().to_numpy(zero_copy_only=False)
    frame["doc_known"] = known
    if name == "entities":
        return frame
    doc_index = pc.fill_null(found, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    doc_lengths = pc.utf8_length(documents.column("text")).to_numpy(zero_copy_only=False).astype(np.int64)
    starts = table.column("start_char").to_numpy().astype(np.int64)
    ends = table.column("end_char").to_numpy().astype(np.int64)
    length = doc_lengths[doc_index] if len(doc_lengths) else np.zeros(len(starts), dtype=np.int64)
    inside = known & (starts >= 0) & (starts <= ends) & (ends <= length)
    frame["inside_document"] = inside
    frame["slices_back"] = _slices_back(
        doc_index, known, starts, ends, inside, table.column("text"), documents.column("text")
    )
    pairs = _pair_keys(entity_ids)
    if name == "mentions":
        frame["entity_known"] = pc.is_in(_pair_keys(table), value_set=pairs).to_numpy(zero_copy_only=False)
    else:
        speaker = table.column("speaker_entity_id")
        keys = _pair_keys(table.select(["doc_id"]).append_column("entity_id", speaker))
        known_speaker = pc.or_kleene(pc.is_null(speaker), pc.is_in(keys, value_set=pairs))
        frame["speaker_entity_known"] = pc.fill_null(known_speaker, False).to_numpy(zero_copy_only=False)
        quote_keys = pc.binary_join_element_wise(table.column("doc_id"), table.column("quote_id"), "\x1f")
        statement_keys = pc.binary_join_element_wise(table.column("doc_id"), table.column("statement_id"), "\x1f")
        known_statement = pc.is_in(statement_keys, value_set=quote_keys)
        frame["statement_known"] = pc.fill_null(known_statement, False).to_numpy(zero_copy_only=False)
    return frame


def _pair_keys(table: pa.Table) -> pa.ChunkedArray:
    """`doc_id` and `entity_id` as one string per row (null when the entity_id is null)."""
    return pc.binary_join_element_wise(table.column("doc_id"), table.column("entity_id"), "\x1f")
