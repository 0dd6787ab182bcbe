"""The first-name statistic's cache (`newsflow.tasks.people.name_data`): the real nomquamgender
data, parsed once into an Arrow file, read back equal; a cache folder that cannot be written
falls back to parsing."""

from __future__ import annotations

import os

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


def test_the_calibrated_genders_are_computed_once_then_read_without_scipy(cache):
    """`gender.first_name_genders` and `first_name_shares` come from tables derived once and kept
    beside the records: a later process reads them (milliseconds) and imports no scipy; a damaged
    one is computed again; what they hold is what the computation gives."""
    import subprocess
    import sys

    from newsflow.tasks.people import gender

    computed = gender._genders_table()
    gender.first_name_genders.cache_clear()
    try:
        first = gender.first_name_genders()
    finally:
        gender.first_name_genders.cache_clear()
    (path,) = cache.glob("first-name-genders-*.arrow")
    assert dict(zip(computed["name"].to_pylist(), computed["gender"].to_pylist(), strict=True)) == dict(first)
    assert first["andrea"] == "female" and first["john"] == "male" and "kim" not in first
    code = (
        "import sys\n"
        "from newsflow.tasks.people import gender\n"
        "genders, shares = gender.first_name_genders(), gender.first_name_shares()\n"
        "print(len(genders), len(shares), 'scipy' in sys.modules)\n"
    )
    env = {**os.environ, "NEWSFLOW_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(len(first)), str(len(gender._shares_table())), "False"]
    path.write_bytes(b"not arrow")
    try:
        assert gender.first_name_genders()["mary"] == "female"
    finally:
        gender.first_name_genders.cache_clear()
    assert path.read_bytes()[:6] == b"ARROW1", "made again, whole"
