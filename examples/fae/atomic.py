"""Replace a file atomically: write a temporary file beside it, then rename it over it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary path beside `path`, then move it onto `path`.

    A reader sees the old file or the new one, never a half-written one; if `write` fails,
    `path` is untouched and the temporary file is removed. The temporary file is hidden
    and ends in ``.tmp`` (``.eval_k5000.json.tmp``), so a copy left by a killed process
    matches no pattern such as ``eval_k*.json``; writers that infer a format from the
    suffix must be told it.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    """:func:`write_atomically` for a text file."""
    write_atomically(path, lambda tmp: tmp.write_text(text))
