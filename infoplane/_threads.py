"""One helper thread for work beside the caller's own (a sort's half, an FS point's
entropy half while its Fisher half runs).

The helper is used only where it can run in parallel: with two or more CPUs available
to this process, and when it is idle. Work it cannot take runs inline, in the caller's
thread, so calls from many threads at once (a dask worker pool) never queue behind one
another and a 1-CPU machine never pays for a thread. The work handed over must release
the GIL to gain anything (NumPy's sort, the project's Numba kernels).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

__all__ = ["beside", "helper_available"]

_lock = threading.Lock()
_free = threading.Semaphore(1)
_pool: ThreadPoolExecutor | None = None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                     # not on Linux
        return os.cpu_count() or 1


def helper_available() -> bool:
    """Whether this process may use a second CPU (the helper thread exists or can)."""
    return _cpus() >= 2


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="infoplane")
        return _pool


def beside(fn: Callable[..., Any], *args: Any) -> Future:
    """Run ``fn(*args)`` on the helper thread if it is idle and a second CPU is there,
    else now, in this thread. Either way the returned future holds the result (or the
    exception, raised by ``.result()``)."""
    if helper_available() and _free.acquire(blocking=False):
        def job():
            try:
                return fn(*args)
            finally:
                _free.release()
        try:
            return _executor().submit(job)
        except RuntimeError:                   # interpreter shutting down
            _free.release()
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except BaseException as exc:               # handed to .result(), as from the helper
        done.set_exception(exc)
    return done
