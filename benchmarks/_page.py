"""What benchmark pages share: the title and provenance at the head of the page, the run
time at its tail, written as UTF-8 Markdown, the stored rows a page can be re-rendered
from, and a quiet estimator call with one of its constants switched (the `before` column
of a check)."""

from __future__ import annotations

import json
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable


def header(title: str, script: str, about: str) -> list[str]:
    """The first lines of a page: its title and the command that writes it (``nice python
    benchmarks/<script>``), then `about` (where the page's method is described)."""
    return [f"# {title}", "",
            f"Written by `nice python benchmarks/{script}`; rerun it to regenerate this page. "
            + about, ""]


def finish(out: Path, lines: list[str], elapsed: float) -> None:
    """Append the total run time to `lines` and write them to `out`."""
    lines += ["", f"Total run time {elapsed / 60:.1f} min.", ""]
    out.write_text("\n".join(lines), encoding="utf-8")


def run_and_write(run: Callable[[], Any], write: Callable[[Any, float], None],
                  out: Path) -> None:
    """``write(run(), seconds)``, then say where the page went."""
    t0 = time.time()
    rows = run()
    write(rows, time.time() - t0)
    print("wrote", out)


def stored_run(results: Path, render: bool, run: Callable[[], Any],
               save: bool) -> tuple[Any, float]:
    """``(rows, seconds)``: read from `results` (``render``: the page is re-rendered
    without a run), or from ``run()``, timed, and stored in `results` when `save`."""
    if render:
        d = json.loads(results.read_text())
        return d["res"], d["elapsed"]
    t0 = time.time()
    res = run()
    elapsed = time.time() - t0
    if save:
        results.write_text(json.dumps({"res": res, "elapsed": elapsed}))
    return res, elapsed


@contextmanager
def quiet_with(module: Any, name: str, value: Any):
    """Inside the block, ``module.name`` is `value` (restored after) and warnings are
    silenced: an estimator call with one check switched, e.g. ``value = math.inf``."""
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        setattr(module, name, saved)
