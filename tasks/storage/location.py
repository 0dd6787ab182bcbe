"""Where an output lives: a local folder or an object-store URI (`s3://`, `gs://`, `az://`), one
code path for both. Objects are read and written through `obstore` (the object_store crate that
delta-rs uses too); object-store settings come from the standard environment variables
(`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`,
and their GCS and Azure equivalents), never from newsflow's own settings, so nothing secret is
logged or written to an artifact.

Every write is announced as the audit event `newsflow.storage` (operation, URL) before it is
made: the crash tests kill a run at the n-th of them (`sys.addaudithook`).
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import obstore
import pyarrow as pa
import pyarrow.parquet as pq
from obstore.exceptions import AlreadyExistsError, BaseError, NotFoundError
from obstore.store import LocalStore, from_url

REMOTE_SCHEMES = ("s3", "s3a", "gs", "az", "abfs", "abfss")
# A request that cannot be answered fails in seconds, not after object_store's three minutes of retries.
CLIENT = {"connect_timeout": "5s", "timeout": "120s"}
RETRY = {"max_retries": 3, "retry_timeout": timedelta(seconds=30)}


class OutputError(RuntimeError):
    """The output location cannot be used (unreachable, refused, missing, someone else's)."""


def url_of(where: str | os.PathLike) -> str:
    """The output's canonical form: an absolute local path, or a URI without a trailing slash."""
    text = os.fspath(where)
    if text.startswith("file://"):
        text = text[len("file://") :]
    if "://" not in text:
        return str(Path(text).absolute())
    scheme = text.split("://", 1)[0].lower()
    if scheme not in REMOTE_SCHEMES:
        raise OutputError(f"output {text}: {scheme}:// is not supported: use a local folder, s3://, gs:// or az://")
    return text.rstrip("/")


def is_remote(url: str) -> bool:
    return "://" in url


def join(url: str, *parts: str) -> str:
    return "/".join([url.rstrip("/"), *(p.strip("/") for p in parts)])


def audit(operation: str, url: str) -> None:
    sys.audit("newsflow.storage", operation, url)


@functools.lru_cache(maxsize=256)
def store(url: str):
    """The object store rooted at `url` (cached: one client per location)."""
    if not is_remote(url):
        return LocalStore(url, mkdir=True)
    client = dict(CLIENT)  # given client options replace those of the environment: keep its AWS_ALLOW_HTTP
    if os.environ.get("AWS_ALLOW_HTTP", "").lower() in ("1", "true", "yes"):
        client["allow_http"] = True
    return from_url(url, client_options=client, retry_config=RETRY)


def put(base: str, key: str, data: bytes, create: bool = False) -> None:
    """Write `base/key` whole (atomic on every store); with `create`, only if it does not exist
    (AlreadyExistsError otherwise)."""
    audit("put", join(base, key))
    obstore.put(store(base), key, data, mode="create" if create else "overwrite")


def get(base: str, key: str) -> bytes | None:
    try:
        return bytes(obstore.get(store(base), key).bytes())
    except (NotFoundError, FileNotFoundError):
        return None


def keys(base: str, prefix: str = "") -> list[str]:
    """The keys under `base/prefix`, sorted (relative to `base`)."""
    if not is_remote(base) and not Path(base, prefix).exists():
        return []
    found = obstore.list(store(base), prefix=prefix or None).collect()
    return sorted(m["path"] for m in found)


def delete(base: str, key: str) -> None:
    audit("delete", join(base, key))
    try:
        obstore.delete(store(base), key)
    except (NotFoundError, FileNotFoundError):
        pass


def delete_tree(base: str, prefix: str) -> None:
    """Remove everything under `base/prefix`."""
    audit("delete", join(base, prefix))
    if not is_remote(base):
        shutil.rmtree(Path(base, prefix), ignore_errors=True)
        return
    found = keys(base, prefix)
    for start in range(0, len(found), 1000):
        obstore.delete(store(base), found[start : start + 1000])


def put_parquet(base: str, key: str, table: pa.Table, schema: pa.Schema) -> str:
    """One Parquet object (zstd) with the table's fixed schema."""
    sink = pa.BufferOutputStream()
    pq.write_table(table.cast(schema), sink, compression="zstd")
    put(base, key, sink.getvalue().to_pybytes())
    return join(base, key)


def get_parquet(base: str, key: str, schema: pa.Schema, columns: list[str] | None = None) -> pa.Table | None:
    data = get(base, key)
    if data is None:
        return None
    return pq.read_table(pa.BufferReader(data), columns=columns, schema=schema)


def artifacts_folder(url: str) -> Path:
    """Where the run's local files (the run report, the Data Docs, Dask's scratch) go: in the
    output folder itself, or for an object-store output under `NEWSFLOW_ARTIFACTS` (default
    `./newsflow-artifacts`), one folder per bucket and prefix."""
    if not is_remote(url):
        return Path(url)
    base = Path(os.environ.get("NEWSFLOW_ARTIFACTS") or "newsflow-artifacts").absolute()
    scheme, rest = url.split("://", 1)
    return base / scheme / rest


def explain(url: str, error: BaseException) -> str:
    """One line a person can act on, for an object-store error."""
    text = " ".join(str(error).split())
    lowered = text.lower()
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT") or "the default endpoint"
    refused = ("invalidaccesskeyid", "signaturedoesnotmatch", "accessdenied", "403 forbidden", "401 unauthorized")
    if any(s in lowered for s in refused):
        return (
            f"output {url}: the object store refused the credentials: check AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or the store's own credential variables)"
        )
    if "nosuchbucket" in lowered or "specified bucket does not exist" in lowered:
        return f"output {url}: the bucket does not exist: create it, or fix --output"
    if isinstance(error, BaseError) and any(
        s in lowered for s in ("connect", "dns", "timed out", "timeout", "error sending request", "connection refused")
    ):
        return f"output {url}: cannot reach the object store at {endpoint}: check AWS_ENDPOINT_URL and the network"
    return f"output {url}: {type(error).__name__}: {text[:300]}"


__all__ = [
    "AlreadyExistsError",
    "OutputError",
    "artifacts_folder",
    "delete",
    "delete_tree",
    "explain",
    "get",
    "get_parquet",
    "is_remote",
    "join",
    "keys",
    "put",
    "put_parquet",
    "store",
    "url_of",
]
