"""One run at a time per output, on any store: a lease kept as numbered records.

A lease is the newest of `_newsflow/lease/<n>.json`. Each record is written with a conditional put
that fails when the object exists ("create": `If-None-Match: *` on S3, a no-clobber link on local
disk), so of two runs that try to take generation n+1, exactly one succeeds. The holder renews by
writing the next generation every `RENEW` seconds; a record whose holder stopped renewing expires
after `TTL` seconds, and a record left by a process that is gone from this same machine is stale at
once, so a run killed with SIGKILL does not block the next one on its machine. A holder that finds
its next generation already taken has lost the lease and publishes nothing.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from newsflow.tasks.storage.location import AlreadyExistsError, audit, delete, get, keys, put

PREFIX = "_newsflow/lease/"
TTL = 120.0
RENEW = 15.0
KEEP = 4  # generations kept behind the newest (the rest are removed by the holder)


class OutputLocked(RuntimeError):
    pass


class LeaseLost(RuntimeError):
    pass


def _key(generation: int) -> str:
    return f"{PREFIX}{generation:012d}.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free(record: dict, now: float) -> bool:
    """Whether a lease record no longer holds the output."""
    if record.get("released") or record.get("expires", 0) < now:
        return True
    return record.get("host") == socket.gethostname() and not _alive(int(record.get("pid", 0)))


def holder(record: dict) -> str:
    here = record.get("host") == socket.gethostname()
    return f"pid {record.get('pid')}" + ("" if here else f" on {record.get('host')}")


def newest(root: str) -> tuple[int, dict | None]:
    found = [k for k in keys(root, PREFIX) if k.endswith(".json")]
    if not found:
        return 0, None
    generation = int(found[-1][len(PREFIX) : -len(".json")])
    data = get(root, found[-1])
    return generation, json.loads(data) if data else {"released": True}


@dataclass
class Lease:
    root: str
    owner: str
    timeout: float = 0.0
    generation: int = 0
    lost: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _record(self, released: bool = False) -> bytes:
        return json.dumps(
            {
                "owner": self.owner,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "expires": time.time() + TTL,
                "released": released,
            }
        ).encode()

    def acquire(self) -> Lease:
        deadline = time.monotonic() + self.timeout
        while True:
            generation, record = newest(self.root)
            if record is None or _free(record, time.time()):
                try:
                    put(self.root, _key(generation + 1), self._record(), create=True)
                except AlreadyExistsError:
                    continue  # another run took it first: look again
                self.generation = generation + 1
                break
            audit("wait", self.root)  # the crash tests mark the moment a second run waits
            if time.monotonic() >= deadline:
                raise OutputLocked(
                    f"another newsflow run ({holder(record)}) is writing to {self.root}: wait for it to finish, "
                    "or pass --lock-timeout SECONDS to wait"
                )
            time.sleep(0.5)
        self._thread = threading.Thread(target=self._renew_loop, name="newsflow-lease", daemon=True)
        self._thread.start()
        for old in keys(self.root, PREFIX)[:-KEEP]:
            delete(self.root, old)
        return self

    def _next(self, released: bool = False) -> None:
        try:
            put(self.root, _key(self.generation + 1), self._record(released), create=True)
        except AlreadyExistsError:
            self.lost = True
            raise LeaseLost(
                f"the lease on {self.root} expired and another run took it: this run publishes nothing"
            ) from None
        self.generation += 1
        if self.generation > KEEP + 1:  # the records behind stay few, however long the run
            delete(self.root, _key(self.generation - KEEP - 1))

    def _renew_loop(self) -> None:
        while not self._stop.wait(RENEW):
            try:
                self._next()
            except LeaseLost:
                return
            except Exception:  # a failed renewal is retried; the lease lasts TTL
                continue

    def check(self) -> None:
        """Raise unless the lease is still this run's (called before every commit)."""
        if self.lost:
            raise LeaseLost(f"the lease on {self.root} expired and another run took it: this run publishes nothing")

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if not self.lost:
            try:
                self._next(released=True)
            except LeaseLost:
                pass

    def __enter__(self) -> Lease:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
