"""A helper thread for work beside the caller's own (a sort's half, an FS point's entropy
half while its Fisher half runs).

A helper is used only where it can run in parallel: with two or more CPUs available to
this process, and when no other helper is running. Work it cannot take runs inline, in
the caller's thread, so calls from many threads at once (a dask worker pool) never queue
behind one another and a 1-CPU machine never pays for a thread. Each job gets a thread of
its own that ends with it (starting one costs about 0.1 ms; jobs are sent here only when
they take milliseconds), so no thread outlives a call: nothing is left running for a
later ``fork`` to copy. The work handed over must release the GIL to gain anything
(NumPy's sort, the project's Numba kernels).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from typing import Any, Callable

__all__ = ["beside", "in_helper", "helper_available", "parallel_allowed"]

_free = threading.Semaphore(1)
_forked = False


def _after_fork_in_child() -> None:
    # a child forked while a helper ran has no helper, but would inherit its taken slot
    global _free, _forked
    _free = threading.Semaphore(1)
    _forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                     # not on Linux
        return os.cpu_count() or 1


def parallel_allowed() -> bool:
    """Whether Numba's parallel (``prange``) kernels may run in this process: not in a
    child forked from it (a multiprocessing pool on Linux). Numba's OpenMP pool (GNU
    libgomp, its usual threading layer) kills a forked child that starts a parallel
    region ("fork() called from a process already using GNU OpenMP"), which hangs the
    pool; and a pool's worker has its core already. Forked children use the serial
    kernels, with the same results."""
    return not _forked


def helper_available() -> bool:
    """Whether this process may use a second CPU for a helper thread."""
    return _cpus() >= 2


def _call(fn: Callable[..., Any], args: tuple) -> tuple[Any, BaseException | None]:
    try:
        return fn(*args), None
    except BaseException as exc:               # handed to .result(), as from a pool
        return None, exc


def _publish(done: Future, outcome: tuple[Any, BaseException | None]) -> None:
    result, exc = outcome
    if exc is None:
        done.set_result(result)
    else:
        done.set_exception(exc)


def in_helper(fn: Callable[..., Any], *args: Any) -> Future | None:
    """Start ``fn(*args)`` in a helper thread if a second CPU is there and no other helper
    is running, and return its future (``.result()`` gives the result or raises the
    exception); ``None``, having run nothing, otherwise."""
    slot = _free
    if not (helper_available() and slot.acquire(blocking=False)):
        return None
    done: Future = Future()

    def job():
        try:
            outcome = _call(fn, args)
        finally:
            slot.release()                     # free before the result is out: a caller
        _publish(done, outcome)                # that has it may start the next job at once
    try:
        threading.Thread(target=job, name="infoplane-helper", daemon=True).start()
    except RuntimeError:                       # no thread can start (shutdown, limits)
        slot.release()
        return None
    return done


def beside(fn: Callable[..., Any], *args: Any) -> Future:
    """Run ``fn(*args)`` in a helper thread (:func:`in_helper`) if one is free, else now,
    in this thread. Either way the returned future holds the result (or the exception,
    raised by ``.result()``)."""
    done = in_helper(fn, *args)
    if done is None:
        done = Future()
        _publish(done, _call(fn, args))
    return done
