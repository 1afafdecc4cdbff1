"""Counters written off the request path: analytics (searches per query and day,
views per article and day) add to an in-process buffer, and a background thread
writes the buffer in one transaction every ``ANALYTICS_FLUSH_SECONDS``.

A request then pays a dictionary update under a lock, not an ``UPDATE``. Counts are
summed by key in memory (a hundred searches of one query are one ``UPDATE``), so the
database sees one write per key and interval, whatever the traffic.

What a crash may lose: the counts added since the last flush, at most
``ANALYTICS_FLUSH_SECONDS`` of them (a normal exit, including a gunicorn worker's
restart, flushes at exit through :mod:`atexit`; a ``SIGKILL``, an out-of-memory kill
or a power cut does not). These are statistics, not records: losing a couple of
seconds of them is the price of not writing on every request. A flush that fails
(the database away) keeps its counts for the next one.

Each process has its own buffer and thread (started on the first count, so a
gunicorn worker forked from a preloaded master starts its own). With
``ANALYTICS_FLUSH_SECONDS = 0`` (the tests' setting) every count is written at once,
in the caller's thread, as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Mapping

from django.conf import settings
from django.db import DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

# What a buffer's writer receives: each key with its summed counts.
Batch = Mapping[Hashable, Counter]


class BufferedCounts:
    """Counts by key, summed in memory and handed to ``write`` in one transaction
    per flush. ``write(batch)`` writes every key's counts (an ``UPDATE ... + n``,
    or an ``INSERT`` for a new key); it runs inside ``transaction.atomic``.

    ``seconds``: the flush interval; None reads ``ANALYTICS_FLUSH_SECONDS`` on each
    count (so a test can override it); 0 writes each count at once."""

    def __init__(
        self, name: str, write: Callable[[Batch], None], *, seconds: float | None = None
    ):
        self.name = name
        self._write = write
        self._seconds = seconds
        self._lock = threading.Lock()
        self._pending: dict[Hashable, Counter] = {}
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        _buffers.append(self)

    @property
    def seconds(self) -> float:
        if self._seconds is not None:
            return self._seconds
        return float(getattr(settings, "ANALYTICS_FLUSH_SECONDS", 2))

    def add(self, key: Hashable, **counts: int) -> None:
        """Count ``counts`` for ``key``: written at the next flush (at once when
        the interval is 0)."""
        if self.seconds <= 0:
            self._commit({key: Counter(counts)})
            return
        with self._lock:
            self._pending.setdefault(key, Counter()).update(counts)
            if self._pid != os.getpid():  # the first count, or a forked child
                self._start()

    def pending(self) -> dict[Hashable, Counter]:
        """A copy of what waits for the next flush."""
        with self._lock:
            return {key: Counter(counts) for key, counts in self._pending.items()}

    def flush(self) -> None:
        """Write what is buffered now, in one transaction; on a database error the
        counts stay buffered for the next flush."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            self._commit(batch)
        except DatabaseError:
            logger.exception("%s: counts kept for the next flush", self.name)
            with self._lock:
                for key, counts in batch.items():
                    self._pending.setdefault(key, Counter()).update(counts)

    def _commit(self, batch: Batch) -> None:
        with transaction.atomic():
            self._write(batch)

    def _start(self) -> None:
        # Under the lock: one thread per buffer and process.
        self._pid = os.getpid()
        self._thread = threading.Thread(
            target=self._run, name=f"counters-{self.name}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        interval, stop = self.seconds, threading.Event()
        while not stop.wait(interval):
            try:
                self.flush()
            except Exception:  # never let the thread die: the next flush retries
                logger.exception("%s: flush failed", self.name)
            finally:
                # This thread's own connection: not held between flushes.
                connections.close_all()


_buffers: list[BufferedCounts] = []


def flush_all() -> None:
    """Write every buffer of this process now (at exit, and for tests)."""
    for buffer in list(_buffers):
        buffer.flush()


def _forget_in_child() -> None:
    """A forked child starts empty: the parent writes its own counts, and its
    thread (and a lock it may have held) did not cross the fork."""
    for buffer in _buffers:
        buffer._lock = threading.Lock()
        buffer._pending = {}
        buffer._thread = None
        buffer._pid = None


os.register_at_fork(after_in_child=_forget_in_child)


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush_all()
    except Exception:  # pragma: no cover - the process is going anyway
        logger.exception("counters: flush at exit failed")
