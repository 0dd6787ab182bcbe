"""Gold sets as the metric reads them: one JSON file per document, keyed by document name.

A gold set names its documents either by file name ("a.txt": a flat set, the whole input folder
is scored) or by a path relative to the input folder ("business/001.txt": only the named files
are processed and scored, see `document_paths`). The format: docs/quality.md.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath


def load_gold(gold_dir: Path, *overlays: Path) -> dict[str, dict]:
    """Gold files by document name; `gold_dir` is a set's folder or its `gold/` folder. Each
    folder of `overlays` holds files for some of the same documents whose keys are added to
    theirs (e.g. `sources_female` for a set kept elsewhere, read-only); an overlay file for a
    document the set does not have is an error."""
    out: dict[str, dict] = {}
    for i, folder in enumerate((gold_dir, *overlays)):
        folder = Path(folder)
        if (folder / "gold").is_dir():
            folder = folder / "gold"
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            name = data.get("document") or path.stem + ".txt"
            if i == 0:
                out[name] = data
            elif name in out:
                out[name] = out[name] | {k: v for k, v in data.items() if k != "document"}
            else:
                raise ValueError(f"{path}: overlay for {name!r}, which {gold_dir} has no gold file for")
    return out


def doc_key(name: str) -> str:
    """A document's key: its path without the extension ("a.txt" -> "a", "business/001.txt" ->
    "business/001"), so that predictions keyed by file name or stem meet their gold file, and
    documents of different folders stay apart."""
    path = PurePosixPath(name)
    return str(path.with_suffix("")) if path.suffix else str(path)


def document_paths(gold: dict[str, dict]) -> list[str] | None:
    """The gold's documents as paths relative to the input folder when the gold names them so
    (a name with a folder in it, e.g. "business/001.txt"): only those files are to be processed
    and scored. None for a flat set (plain file names: the whole input folder is the set)."""
    names = sorted(gold)
    if not any("/" in name for name in names):
        return None
    for name in names:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name:
            raise ValueError(f"gold document {name!r} is not a path relative to the input folder")
    return names
