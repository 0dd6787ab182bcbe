"""Settings: flags override NEWSFLOW_* variables override defaults; the input is checked here, once."""

from pathlib import Path

import pytest

from newsflow.tasks.config import load_settings


def test_flags_override_the_environment_which_overrides_the_defaults(tmp_path: Path):
    env = {"NEWSFLOW_CHUNK_SIZE": "50", "NEWSFLOW_LOCK_TIMEOUT": "2.5", "NEWSFLOW_MODEL": "from-env"}
    settings = load_settings(env=env, input=tmp_path, model="from-flag")
    assert (settings.chunk_size, settings.lock_timeout, settings.model) == (50, 2.5, "from-flag")
    assert load_settings(env={}, input=tmp_path, lock_timeout=7).lock_timeout == 7.0
    assert load_settings(env={}, input=tmp_path).batch_size == 64


def test_paths_are_absolute_and_a_missing_input_says_what_to_do(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    settings = load_settings(env={}, input="in", output="out")
    assert settings.input == tmp_path / "in" and settings.output == str(tmp_path / "out")
    with pytest.raises(FileNotFoundError) as missing:
        load_settings(env={}, input="missing")
    assert str(missing.value) == "input missing does not exist: pass an existing file or folder with --input"
