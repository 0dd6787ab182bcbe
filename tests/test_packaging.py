"""What the package ships: every package folder of the design card's layout is installed."""

import tomllib

from .support import REPO

MAPPED = {"flows": "newsflow.flows", "tasks": "newsflow.tasks", "schemas": "newsflow.schemas"}


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join([MAPPED[top], *init.parent.relative_to(REPO / top).parts])
        for top in MAPPED
        for init in (REPO / top).rglob("__init__.py")
    }
    assert found == listed, f"add to (or remove from) pyproject.toml's packages: {sorted(found ^ listed)}"
