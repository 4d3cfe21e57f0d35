"""The tail every benchmark page shares: its run time, written as UTF-8 Markdown."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable


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
