"""Fails when the libraries' modules import each other in a circle, at any level.

import-linter's `acyclic_siblings` contract (pyproject.toml) sees circles between the sibling
modules of a package; a circle through a package's `__init__` and one of its own modules
(`quotes` -> `quotes.component` -> `scorer` -> `rows` -> `quotes`) it does not see. This looks at
every module on its own, function-level imports included (grimp reads them too).

usage: python tools/import_cycles.py  (run by `make lint`)
"""

from __future__ import annotations

import sys

import grimp

LIBRARIES = ("newsflow.tasks.clean", "newsflow.tasks.nlp", "newsflow.tasks.people", "newsflow.tasks.storage")


def in_libraries(module: str) -> bool:
    return any(module == lib or module.startswith(lib + ".") for lib in LIBRARIES)


def circles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """One circle per pair of library modules that reach each other, shortest first."""
    found, seen = [], set()
    for module in sorted(m for m in graph.modules if in_libraries(m)):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if not in_libraries(imported) or frozenset((module, imported)) in seen:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                seen.add(frozenset((module, imported)))
                found.append((module, *back))
    return sorted(found, key=len)


def main() -> int:
    # No cache: a cached module whose file changed within the same clock tick would be read stale.
    graph = grimp.build_graph(*{lib.rsplit(".", 1)[0] for lib in LIBRARIES}, "newsflow.schemas", cache_dir=None)
    found = circles(graph)
    for circle in found:
        print("import circle: " + " -> ".join(circle), file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
