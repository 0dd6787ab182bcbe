"""The first-name statistic's cache (`newsflow.tasks.people.name_data`): the real nomquamgender
data, parsed once into an Arrow file, read back equal; a cache folder that cannot be written
falls back to parsing."""

from __future__ import annotations

import pytest

from newsflow.tasks.people import name_data


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_CACHE_DIR", str(tmp_path / "cache"))
    name_data.all_name_records.cache_clear()
    yield tmp_path / "cache"
    name_data.all_name_records.cache_clear()


def test_the_cache_holds_what_the_json_says(cache):
    parsed = name_data._parse(name_data.name_data_path())
    first = name_data.name_records(100)
    assert list(cache.glob("nomquamgender-*.arrow")), "the first read writes the cache"
    assert not list(cache.glob("*.tmp")), "no temporary file is left"
    name_data.all_name_records.cache_clear()
    again = name_data.name_records(100)  # from the cache this time
    assert again == first == {n: r for n, r in parsed.items() if r[0] >= 100}
    assert len(again) > 50_000
    counts, share = again["mary"]
    assert counts >= 100 and share > 0.9
    assert again["john"][1] < 0.1
    assert all(name.replace("-", "").isalpha() for name in again)


def test_a_damaged_cache_is_made_again(cache):
    name_data.name_records(100)
    (path,) = cache.glob("nomquamgender-*.arrow")
    path.write_bytes(b"not arrow")
    name_data.all_name_records.cache_clear()
    assert name_data.name_records(100)["mary"][1] > 0.9
    assert path.read_bytes()[:6] == b"ARROW1", "the cache is written again, whole"


def test_an_unwritable_cache_folder_falls_back_to_parsing(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEWSFLOW_CACHE_DIR", str(blocker / "cache"))
    name_data.all_name_records.cache_clear()
    try:
        records = name_data.name_records(100)
    finally:
        name_data.all_name_records.cache_clear()
    assert records["mary"][1] > 0.9
    assert "NEWSFLOW_CACHE_DIR" in caplog.text
