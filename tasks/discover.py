"""The flow's first step, discover: the run's input files, and a reject for every other entry
(hidden files and folders, symlinks out of the input, pipes, devices, unreadable folders)."""

from __future__ import annotations

import os
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.tasks.ingest import file_reject
from newsflow.tasks.records import Reject


def _why_not_a_file(path: Path, real_root: Path) -> str | None:
    """Why `path` (a directory entry under the root) is not an input file, or None if it is one."""
    if path.name.startswith("."):
        return (
            "hidden file (its name starts with a dot, like .DS_Store or an editor's backup): not read; "
            "rename it without the dot if it is an article"
        )
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            return "broken symlink: its target does not exist; remove the link or restore the file"
        except (OSError, RuntimeError):
            return "symlink loop: the link points (through other links) back to itself; remove it"
        if not target.is_relative_to(real_root):
            return f"symlink points outside the input folder ({target}); it is not followed: copy the file in instead"
    if not path.is_file():
        return (
            "not a regular file (a named pipe, socket or device): newsflow reads article files only; "
            "remove it from the input folder"
        )
    return None


def _why_not_searched(folder: Path) -> str | None:
    if folder.is_symlink():
        return "symlinked folder not followed: copy or move its files into the input folder instead"
    if folder.name.startswith("."):
        return "hidden folder (its name starts with a dot): not searched; move the articles out of it"
    return None


def _walk_error(root: Path, rejects: list[Reject]):
    def record(exc: OSError) -> None:
        rel = Path(os.path.relpath(exc.filename, root)).as_posix() if exc.filename else "."
        rejects.append(
            file_reject(rel, f"cannot list the folder: {exc.strerror or exc}; check its permissions", stage="discover")
        )

    return record


def discover(root: Path, skip: Path | None = None) -> tuple[list[str], list[Reject]]:
    """Every regular file under `root` (recursively, sorted), as paths relative to `root`, and a
    `Reject` for every other entry: hidden files and folders, symlinks that point outside the
    root (never followed), symlinked folders, pipes, sockets and devices, unreadable folders.
    `root` exists (the settings check it) and may be a single file; its relative path is then its
    name. The folder `skip` (the
    output folder, when it lies inside the input) is passed over: its tables, state and Data
    Docs are newsflow's own, not articles.
    """
    root = Path(root)
    if root.is_file():
        return [root.name], []
    real_root = root.resolve()
    real_skip = Path(skip).resolve() if skip is not None else None
    files: list[str] = []
    rejects: list[Reject] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=_walk_error(root, rejects), followlinks=False):
        here = Path(dirpath)
        searched = []
        for name in sorted(dirnames):
            if real_skip is not None and (here / name).resolve() == real_skip:
                continue
            problem = _why_not_searched(here / name)
            if problem is None:
                searched.append(name)
            else:
                rejects.append(file_reject((here / name).relative_to(root).as_posix(), problem, stage="discover"))
        dirnames[:] = searched
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            problem = _why_not_a_file(path, real_root)
            if problem is None:
                files.append(rel)
            else:
                rejects.append(file_reject(rel, problem, stage="discover"))
    return sorted(files), rejects


@task(name="discover", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_task(root: str, skip: str | None = None) -> tuple[list[str], list[Reject]]:
    return discover(Path(root), Path(skip) if skip else None)
