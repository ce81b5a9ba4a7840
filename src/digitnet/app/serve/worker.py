"""The one thread that may touch the live page's network, and the jobs other threads hand it.

Requests run on the HTTP server's threads; anything that reads or changes the network (a training
run, a teach, a save) is a Job that the worker runs, one at a time. A training run is itself a
job, which runs the jobs that arrive meanwhile between two of its steps (serve_pending).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from .errors import Busy

JOB_SECONDS = 300  # a request waits at most this long for the worker


class Job:
    """A function to run on the worker thread, and its result (or error) for the request."""

    def __init__(self, function: Callable[[], Any]) -> None:
        self.function, self.done = function, threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancelled = False  # the request gave up waiting: do not run it

    def run(self) -> None:
        """Run the function (unless cancelled); keep what it returned or raised."""
        if self.cancelled:
            return
        try:
            self.result = self.function()
        except Exception as error:  # handed to the waiting request, which reports it
            self.error = error
        finally:
            self.done.set()


class Worker:
    """A daemon thread running submitted jobs in order. `cond` is shared with whoever else
    waits on the worker's thread (a paused run wakes up when a job arrives)."""

    def __init__(self, cond: threading.Condition) -> None:
        self.cond = cond
        self.jobs: deque[Job] = deque()
        threading.Thread(target=self._work, name="digitnet-worker", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(lambda: bool(self.jobs))
                job = self.jobs.popleft()
            job.run()

    def serve_pending(self) -> bool:
        """On the worker, inside a job (a run): run the jobs waiting; True if there were any."""
        with self.cond:
            jobs = list(self.jobs)
            self.jobs.clear()
        for job in jobs:
            job.run()
        return bool(jobs)

    def submit(self, function: Callable[[], Any], wait: bool = True) -> Any:
        """Run `function` on the worker; with `wait`, return its result (or raise its error)."""
        job = Job(function)
        with self.cond:
            self.jobs.append(job)
            self.cond.notify_all()  # the idle worker, or a paused run, wakes up for it
        if not wait:
            return None
        if not job.done.wait(JOB_SECONDS):
            with self.cond:
                if self.jobs.count(job):  # not started yet: it never will be
                    job.cancelled = True
                    raise Busy(f"the network was busy for {JOB_SECONDS} s; try again")
            job.done.wait()  # started meanwhile: its answer is near
        if job.error is not None:
            raise job.error
        return job.result
