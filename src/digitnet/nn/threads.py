"""Threads for a multi-threaded step: how many to use, the pool that runs them, and the sum
that batch norm's copies share.

NumPy releases Python's lock (the GIL) inside its loops and matrix products, so threads of one
process can compute side by side. Each thread runs its matrix products on one BLAS thread: a BLAS
that runs threads of its own spins while it waits for a core, which on a busy machine costs far
more than the core (docs/speed.md measures it). Our threads wait by sleeping (a lock), never by
spinning, so another program's load slows a step down in proportion. A step that is not split
(dense layers only, or too little work: parallel.DataParallel.threads_for) runs on one of our
threads, and its products on the BLAS's threads.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from ..checks import integer

# The variables with which a user caps the threads of NumPy's libraries: digitnet's default
# thread count respects the smallest one set.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def default_threads() -> int:
    """The thread count when none is given: the available cores, capped by a positive
    OMP_NUM_THREADS, OPENBLAS_NUM_THREADS or MKL_NUM_THREADS of the user's; one thread when
    other programs keep every core busy right now (busy_elsewhere)."""
    caps = [available_cores()]
    for name in THREAD_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            caps.append(int(value))
    if busy_elsewhere() >= caps[0]:
        caps.append(1)
    return min(caps)


def busy_elsewhere(reads: int = 3) -> int:
    """How many threads of other programs are running at this instant: Linux's count of
    runnable threads (/proc/loadavg) less this process's own (a BLAS's spinning threads among
    them), the fewest of a few reads (0 where the system does not say). Unlike the load
    average, it sees a load that started a second ago."""
    counts = []
    try:
        for _ in range(reads):
            with open("/proc/loadavg") as file:
                running = int(file.read().split()[3].split("/")[0])
            counts.append(running - _running_here())
    except (OSError, ValueError, IndexError):
        return 0
    return max(min(counts), 0)


def _running_here() -> int:
    """This process's threads that are running or runnable (state R in /proc/self/task)."""
    running = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as file:
                running += file.read().rpartition(")")[2].split()[0] == "R"
        except OSError:  # the thread ended meanwhile
            continue
    return max(running, 1)  # at least the one reading


def thread_count(threads: int | None) -> int:
    """`threads` checked (a positive integer), or default_threads() for None."""
    return default_threads() if threads is None else integer("threads", threads)


_blas: tuple[int, object] | None = None  # (len(sys.modules) then, threadpoolctl's controller)
_blas_lock = threading.Lock()


@contextlib.contextmanager
def blas_threads(threads: int) -> Iterator[None]:
    """Run the block with every BLAS library loaded on `threads` threads, then restore them.
    The libraries are looked up again whenever Python has imported more modules since (SciPy's
    BLAS comes with scipy.linalg, say), not at every call: a look-up takes milliseconds."""
    global _blas
    from threadpoolctl import ThreadpoolController

    with _blas_lock:
        if _blas is None or _blas[0] != len(sys.modules):
            _blas = (len(sys.modules), ThreadpoolController())
        controller = _blas[1]
    with controller.limit(limits=threads, user_api="blas"):  # type: ignore[attr-defined]
        yield


def one_blas_thread() -> contextlib.AbstractContextManager[None]:
    """blas_threads(1): each of our threads runs its own matrix products."""
    return blas_threads(1)


class WorkerPool:
    """`workers` threads that run parts of a step beside the calling thread.

    run(tasks) gives tasks[1:] to as many workers, runs tasks[0] itself, and returns when all
    are done; an exception in any of them is raised again in the caller. Between steps the workers
    sleep on a queue. One step at a time: run() holds a lock, so two threads that share the pool
    (the live page's training and its predictions) take turns.
    """

    def __init__(self, workers: int) -> None:
        self._inboxes: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in range(workers)]
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        for inbox in self._inboxes:
            threading.Thread(target=_serve, args=(inbox, self._done), daemon=True).start()

    def run(self, tasks: Sequence[Callable[[], None]]) -> None:
        """Run every task, tasks[0] on this thread; raise the first exception any raised."""
        assert 1 <= len(tasks) <= len(self._inboxes) + 1, "at most one task per thread"
        errors: list[BaseException] = []
        settings = np.geterr()  # the caller's floating-point error handling, for every thread
        with self._lock:
            for inbox, task in zip(self._inboxes, tasks[1:]):
                inbox.put((task, settings))
            try:
                tasks[0]()
            except BaseException as error:  # re-raised below, after the workers are done
                errors.append(error)
            for _ in tasks[1:]:
                failure = self._done.get()
                if failure is not None:
                    errors.append(failure)
        if errors:
            raise _first_cause(errors)

    def close(self) -> None:
        """Stop the worker threads (they end after their current task)."""
        for inbox in self._inboxes:
            inbox.put(None)


def _serve(inbox: queue.SimpleQueue, done: queue.SimpleQueue) -> None:
    """A worker's life: take a task, run it under the caller's error settings, report."""
    while (item := inbox.get()) is not None:
        task, settings = item
        try:
            with np.errstate(**settings):
                task()
            done.put(None)
        except BaseException as error:  # handed to the caller, which raises it
            done.put(error)


def _first_cause(errors: list[BaseException]) -> BaseException:
    """The error to raise: the first that is not a broken barrier (which only says that
    another thread failed while this one waited for it)."""
    real = [error for error in errors if not isinstance(error, threading.BrokenBarrierError)]
    return (real or errors)[0]


class AllReduce:
    """A sum over the threads of a step: each thread gives its part and gets the total.

    The parts are added in thread order, so every thread (and every run with as many threads)
    gets the same bits. abort() wakes the threads that wait when one of them failed.
    """

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.rows = 0  # the whole batch's number of examples, set by each step
        self._parts: list[np.ndarray | None] = [None] * parties
        self._barrier = threading.Barrier(parties)

    def sum(self, index: int, part: np.ndarray) -> np.ndarray:
        """The sum of every thread's `part`; thread `index` gives this one."""
        self._parts[index] = part
        self._barrier.wait()  # every part is in
        total = self._parts[0].copy()  # type: ignore[union-attr]
        for other in self._parts[1:]:
            total += other
        self._barrier.wait()  # every thread has read the parts: they may change again
        return total

    def abort(self) -> None:
        """Wake every thread waiting in sum() with a BrokenBarrierError."""
        self._barrier.abort()

    def reset(self) -> None:
        """Make the sum usable again after an abort."""
        if self._barrier.broken:
            self._barrier.reset()
