"""The settings table of docs/operations.md, made from the settings model:
`python -m newsflow.flows.cli.settings_table docs/operations.md` rewrites it; a test fails when
the doc's table differs."""

from __future__ import annotations

from pathlib import Path

from newsflow.flows.cli.flags import flag_of
from newsflow.tasks.config import SETTINGS, default_text, env_name

# The settings table of docs/operations.md lies between these lines, as `settings_table` renders it.
TABLE_START = "<!-- settings table: made by `python -m newsflow.flows.cli.settings_table docs/operations.md` -->"
TABLE_END = "<!-- end of the settings table -->"


def settings_table() -> str:
    """Every setting as a row of a markdown table: name, flag, variable, default, meaning."""
    lines = ["| setting | flag | variable | default | meaning |", "| --- | --- | --- | --- | --- |"]
    for name, field in SETTINGS.items():
        cells = (f"`{name}`", f"`{flag_of(name)}`", f"`{env_name(name)}`", default_text(name), field.description)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def with_settings_table(doc: str) -> str:
    """`doc` with the text between its table markers replaced by `settings_table()`."""
    start, end = doc.index(TABLE_START) + len(TABLE_START), doc.index(TABLE_END)
    return f"{doc[:start]}\n{settings_table()}\n{doc[end:]}"


if __name__ == "__main__":  # python -m newsflow.flows.cli.settings_table docs/operations.md: rewrite its table
    import sys

    doc = Path(sys.argv[1])
    doc.write_text(with_settings_table(doc.read_text(encoding="utf-8")), encoding="utf-8")
