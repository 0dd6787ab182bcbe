"""The settings' flags, made from the settings model (`newsflow.tasks.config.Settings`): one flag
per setting, `--<name-with-dashes> VALUE`, or a switch for a true/false setting (`--rehash`,
`--no-numpy-ops`; `--no-gender` for `infer_gender`), each with its help, default and
`NEWSFLOW_*` variable. A flag not given is None: the variable, else the default, applies."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsflow.tasks.config import SETTINGS, cli_of, default_text, env_name, kind_of

PRECEDENCE = (
    "Every setting is a flag, a NEWSFLOW_* environment variable and a field of the flow's `settings` "
    "parameter (docs/operations.md): a flag overrides its variable, which overrides the default."
)


def flag_of(name: str) -> str:
    """The setting's flag: its own spelling, `--no-<name>` for a setting that is on by default,
    else `--<name>` (dashes for underscores)."""
    own = cli_of(name).flag
    if own:
        return own
    dashed = name.replace("_", "-")
    on = kind_of(name) is bool and SETTINGS[name].get_default(call_default_factory=True)
    return f"--no-{dashed}" if on else f"--{dashed}"


def _help(name: str) -> str:
    description = SETTINGS[name].description
    if kind_of(name) is bool:
        on = SETTINGS[name].get_default(call_default_factory=True)
        description = f"turns {name} off (on: {description})" if on else f"turns {name} on: {description}"
    return f"{description} (default: {default_text(name)}; {env_name(name)})".replace("%", "%%")


def add_setting_flags(parser: argparse.ArgumentParser, names: Iterable[str] = SETTINGS) -> None:
    """A flag for each setting of `names` (all by default)."""
    for name in names:
        kind = kind_of(name)
        if kind is bool:
            on = bool(SETTINGS[name].get_default(call_default_factory=True))
            parser.add_argument(flag_of(name), dest=name, action="store_const", const=not on, help=_help(name))
            continue
        parser.add_argument(
            flag_of(name),
            dest=name,
            type=str if kind is Path else kind,
            choices=cli_of(name).choices,
            metavar=cli_of(name).metavar,
            help=_help(name),
        )


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given as flags (the others: NEWSFLOW_*, or defaults)."""
    return {name: getattr(args, name) for name in SETTINGS if getattr(args, name, None) is not None}
