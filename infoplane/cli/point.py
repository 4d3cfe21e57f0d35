"""``infoplane point``: the FS point of columns of a CSV, ``.npy`` or ``.npz`` file.

Examples
--------
- ``infoplane point data.csv --column temperature --json``
- ``infoplane point x.npy --column 0 --column 2``
- ``infoplane point x.npy --joint`` (all columns as one d-D sample)
- ``infoplane point arrays.npz --key signal``

Input files
-----------
CSV
    UTF-8 text (a byte-order mark, as Excel writes it, is dropped); the delimiter
    (``,``, ``;``, tab or space) is sniffed; lines starting with ``#`` are skipped. The
    first row is a header when one of its cells is not a number. Empty cells and
    ``NA``/``NaN``/``null``/``None`` are missing values (see ``--nan-policy``). Only the
    selected columns must be numeric.
.npy
    A real numeric 1-D or 2-D array (columns are named ``0``, ``1``, ...). Object arrays
    are refused: they would need unpickling, and this command never loads pickled data.
.npz
    An archive of such arrays (``numpy.savez``); with several arrays, ``--key NAME``
    chooses one.

The file's contents decide its format (the ``.npy`` magic string, a ZIP archive, or text);
an ``.npy``/``.npz`` name on a file of another kind is an error.

JSON output writes non-finite numbers as the strings ``"inf"``, ``"-inf"`` and ``"nan"``
(standard JSON has no such numbers); ``reason`` says why a value is infinite or undefined.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from ._common import UsageError, int_at_least

__all__ = ["add_arguments", "run", "read_table", "select_columns", "Table"]

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a ZIP archive (local header, empty archive)
_MISSING = ("", "na", "nan", "null", "none")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``point`` options to `p` and set ``run`` as its handler."""
    p.add_argument("path", help="CSV (header row optional), .npy or .npz file")
    p.add_argument(
        "--column", "-c", action="append", default=None, metavar="NAME|INDEX",
        help="column to analyse (repeatable); default: every column",
    )
    p.add_argument("--key", default=None, metavar="NAME",
                   help="array of an .npz file to read (needed when it holds several)")
    p.add_argument("--joint", action="store_true",
                   help="treat the selected columns as one multivariate sample")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--method", default="auto",
                   help="method for both quantities (default auto)")
    p.add_argument("--entropy-method", default=None,
                   help="entropy method: auto, knn, or spacing (1-D only)")
    p.add_argument("--fisher-method", default=None, help="Fisher-information method: auto, kde")
    p.add_argument("--nan-policy", choices=("raise", "omit"), default="raise",
                   help="rows with NaN/inf or missing cells: raise (default) or omit them")
    p.add_argument("--seed", type=int_at_least(0), default=0,
                   help="seed of the random draws (jitter; a bootstrap error where one is "
                        "asked for), an integer >= 0 (default 0)")
    p.set_defaults(run=run)


# ----------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class Table:
    """Columns read from a file.

    Parameters
    ----------
    names : list of str
        Column names (the header, or ``"0"``, ``"1"``, ... without one).
    columns : list of numpy.ndarray
        One float array per column; NaN for missing cells and for cells that are not
        numbers (those are listed in `problems`).
    problems : dict
        Column index -> why that column is not numeric (raised when it is used).
    rows : list of str
        Where each row comes from, for messages (``"line 7"`` of a CSV, ``"row 6"`` of an
        array).
    """

    names: list[str]
    columns: list[np.ndarray]
    problems: dict[int, str] = field(default_factory=dict)
    rows: list[str] = field(default_factory=list)

    def column(self, i: int) -> np.ndarray:
        """The float values of column `i`; :class:`UsageError` if it holds text."""
        if i in self.problems:
            raise UsageError(self.problems[i])
        return self.columns[i]


def _check_path(path: Path) -> bytes:
    """The first bytes of `path`, after checking that it is a non-empty readable file."""
    shown = repr(str(path))
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:
        raise UsageError(f"argument path: {shown} cannot be read: {exc.strerror or exc}.") from None
    if not exists:
        raise UsageError(f"argument path: {shown} does not exist; give a CSV, .npy or .npz "
                         f"file (relative paths start at {str(Path.cwd())!r}).")
    if is_dir:
        raise UsageError(f"argument path: {shown} is a directory; give a CSV, .npy or .npz "
                         "file inside it.")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise UsageError(f"argument path: {shown} cannot be read: {exc.strerror or exc}.") from None
    if not head:
        raise UsageError(f"argument path: {shown} is empty; it holds no data.")
    return head


def _read_npy(f, label: str) -> np.ndarray:
    """A real numeric 1-D/2-D array from an open .npy stream, without ever unpickling."""
    damaged = (f"{label} is not a readable .npy file: its header is damaged. Re-save the "
               "array with numpy.save(path, array).")
    try:
        version = npy_format.read_magic(f)
        read_header = {(1, 0): npy_format.read_array_header_1_0,
                       (2, 0): npy_format.read_array_header_2_0}.get(version)
        if read_header is not None:
            shape, fortran, dtype = read_header(f)
    except Exception:  # numpy parses untrusted header bytes; any failure means damage
        raise UsageError(damaged) from None
    if version == (3, 0):  # only written for structured dtypes with non-Latin-1 field names
        raise UsageError(f"{label} uses .npy format 3.0 (structured arrays); save a plain "
                         "numeric array with numpy.save(path, array).")
    if read_header is None:
        raise UsageError(damaged)
    if dtype.hasobject:
        raise UsageError(
            f"{label} holds Python objects (dtype {dtype}); reading them would mean "
            "unpickling, which this command never does. Save a numeric array instead: "
            "numpy.save(path, numpy.asarray(x, dtype=float))."
        )
    if dtype.kind not in "biuf" or dtype.fields is not None:
        raise UsageError(f"{label} holds dtype {dtype}; a real numeric array is needed "
                         "(integers, floats or booleans).")
    if any(n < 0 for n in shape):
        raise UsageError(damaged)
    if len(shape) not in (1, 2):
        raise UsageError(f"{label} has shape {shape}; a 1-D array (one column) or a 2-D "
                         "array (samples x columns) is needed.")
    count = math.prod(shape)
    data = f.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise UsageError(f"{label} is truncated: its header announces shape {shape} of "
                         f"{dtype}, but only {len(data)} of {count * dtype.itemsize} data "
                         "bytes are there. Re-save it with numpy.save(path, array).")
    a = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return np.asarray(a, dtype=float)


def _read_npz(path: Path, key: str | None, label: str) -> tuple[np.ndarray, str]:
    """The array `key` of an .npz archive (the only one when `key` is None)."""
    try:
        with zipfile.ZipFile(path) as zf:
            keys = [n[:-4] for n in zf.namelist() if n.endswith(".npy")]
            if not keys:
                raise UsageError(
                    f"argument path: {label} is a ZIP archive without .npy arrays (an Excel "
                    ".xlsx workbook is a ZIP archive too); export the sheet as CSV, or save "
                    "arrays with numpy.savez."
                )
            if key is None:
                if len(keys) > 1:
                    raise UsageError(f"argument --key: {label} holds {len(keys)} arrays; "
                                     f"choose one with --key NAME; keys: {keys}.")
                key = keys[0]
            elif key not in keys:
                raise UsageError(f"argument --key: {key!r} is not an array of {label}; "
                                 f"keys: {keys}.")
            with zf.open(key + ".npy") as f:
                return _read_npy(f, f"argument path: array {key!r} of {label}"), key
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise UsageError(f"argument path: {label} is a damaged .npz (ZIP) archive ({exc}); "
                         "re-save it with numpy.savez.") from None


def _parse_float(s: str) -> float:
    s = s.strip()
    if s.lower() in _MISSING:
        return math.nan
    return float(s)


def _is_number(s: str) -> bool:
    try:
        _parse_float(s)
    except ValueError:
        return False
    return True


def _read_csv(path: Path, label: str) -> Table:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"argument path: {label} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
            f"offset {exc.start}); save it as CSV UTF-8, or give a NumPy file the .npy/.npz "
            "extension it should have."
        ) from None
    if "\0" in text:
        raise UsageError(f"argument path: {label} holds NUL bytes, so it is not a CSV text "
                         "file; export the data as CSV, or save it with numpy.save.")
    lines = [(no, ln) for no, ln in enumerate(text.splitlines(), start=1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise UsageError(f"argument path: {label} holds no data (only blank or # lines).")
    try:
        delim = csv.Sniffer().sniff("\n".join(ln for _, ln in lines[:20]),
                                    delimiters=",;\t ").delimiter
    except csv.Error:
        delim = ","
    rows = []
    for no, ln in lines:
        cells = [c.strip() for c in next(csv.reader(io.StringIO(ln), delimiter=delim,
                                                    skipinitialspace=True))]
        if delim == " ":
            cells = [c for c in cells if c != ""]
        rows.append((no, cells))
    header = None
    if not all(_is_number(c) for c in rows[0][1]):
        header, rows = rows[0][1], rows[1:]
    if not rows:
        raise UsageError(f"argument path: {label} has a header ({header}) but no data rows.")
    width = len(header) if header is not None else len(rows[0][1])
    for no, cells in rows:
        if len(cells) != width:
            raise UsageError(
                f"argument path: {label}, line {no}, has {len(cells)} fields; expected "
                f"{width}{' like the header' if header is not None else ''} "
                f"(delimiter {delim!r})."
            )
    names = header if header is not None else [str(i) for i in range(width)]
    columns: list = []
    problems: dict = {}
    for j in range(width):
        values = np.empty(len(rows))
        for i, (no, cells) in enumerate(rows):
            try:
                values[i] = _parse_float(cells[j])
            except ValueError:
                values[i] = math.nan
                problems.setdefault(j, (
                    f"column {names[j]!r} of {label} is not numeric: line {no} holds "
                    f"{cells[j]!r}; choose numeric columns with --column NAME, or fix the cell."
                ))
        columns.append(values)
    return Table(names, columns, problems, [f"line {no}" for no, _ in rows])


def read_table(path, *, key: str | None = None) -> Table:
    """Read a CSV, ``.npy`` or ``.npz`` file into a :class:`Table`.

    Parameters
    ----------
    path : str or path-like
    key : str, optional
        Array of an ``.npz`` file; required when it holds several arrays.

    Returns
    -------
    Table

    Raises
    ------
    UsageError
        Missing, empty, unreadable or damaged file; a pickled (object) array; a CSV that
        is not UTF-8 or has ragged rows; `key` absent from the archive, or given for a
        file that is not an ``.npz``. The message names the argument and what to do.
    """
    path = Path(path)
    label = repr(str(path))
    head = _check_path(path)
    suffix = path.suffix.lower()
    is_npy, is_zip = head.startswith(_NPY_MAGIC), head.startswith(_ZIP_MAGICS)
    if suffix == ".npy" and not is_npy:
        raise UsageError(f"argument path: {label} is not a NumPy .npy file (it lacks the "
                         ".npy magic string); save arrays with numpy.save, or rename a CSV "
                         "to .csv.")
    if suffix == ".npz" and not is_zip:
        raise UsageError(f"argument path: {label} is not a NumPy .npz archive (it is not a "
                         "ZIP file); save arrays with numpy.savez.")
    if key is not None and not is_zip:
        raise UsageError(f"argument --key: applies to .npz archives only; {label} is "
                         f"{'an .npy file' if is_npy else 'a CSV file'}. Drop --key.")
    if is_zip:
        a, key = _read_npz(path, key, label)
        label = f"array {key!r} of {label}"
    elif is_npy:
        try:
            with open(path, "rb") as f:
                a = _read_npy(f, f"argument path: {label}")
        except OSError as exc:
            raise UsageError(f"argument path: {label} cannot be read: "
                             f"{exc.strerror or exc}.") from None
    else:
        return _read_csv(path, label)
    if a.ndim == 1:
        a = a[:, None]
    if a.shape[1] == 0:
        raise UsageError(f"argument path: {label} holds an array of shape {a.shape}, with no "
                         "columns.")
    return Table([str(i) for i in range(a.shape[1])], [a[:, j] for j in range(a.shape[1])],
                 {}, [f"row {i}" for i in range(a.shape[0])])


def select_columns(names: list[str], spec: list[str] | None) -> list[int]:
    """Indices of the columns named (or numbered) in `spec`; all columns when it is empty.

    Raises
    ------
    UsageError
        A name that is not a column and not an index in range.
    """
    if not spec:
        return list(range(len(names)))
    out = []
    for s in spec:
        if s in names:
            out.append(names.index(s))
            continue
        try:
            i = int(s)
        except ValueError:
            raise UsageError(f"argument --column: {s!r} is not a column name; "
                             f"names: {names}.") from None
        if not -len(names) <= i < len(names):
            raise UsageError(f"argument --column: index {i} is out of range for "
                             f"{len(names)} columns (names: {names}).")
        out.append(i % len(names))
    return out


# --------------------------------------------------------------------- checks and output
def _check_methods(args, dim: int) -> None:
    """Refuse method names the sample estimators for `dim` dimensions do not have."""
    from .. import _registry as reg

    kind = "samples-1d" if dim == 1 else "samples-nd"
    where = "1-D samples" if dim == 1 else f"{dim}-D samples (--joint)"
    for own, value, allowed in (
        ("--entropy-method", args.entropy_method, reg.method_names("entropy", kind)),
        ("--fisher-method", args.fisher_method, reg.method_names("fisher", kind)),
    ):
        opt, value = (own, value) if value is not None else ("--method", args.method)
        if value not in allowed:
            raise UsageError(f"argument {opt}: {value!r} is not a method for {where}; "
                             f"{own} takes one of {', '.join(allowed)}.")


def _check_finite(table: Table, label: str, x: np.ndarray, nan_policy: str) -> None:
    bad = ~np.isfinite(x) if x.ndim == 1 else ~np.isfinite(x).all(axis=1)
    n_bad = int(bad.sum())
    if n_bad and nan_policy == "raise":
        first = table.rows[int(np.argmax(bad))] if table.rows else "a row"
        raise UsageError(
            f"column {label!r} must be finite: {n_bad} rows hold missing values, NaN or inf "
            f"(the first at {first}); pass --nan-policy omit to drop them."
        )
    if x.shape[0] - n_bad < 2:
        raise UsageError(f"column {label!r} has {x.shape[0] - n_bad} usable rows; at least "
                         "2 are needed (more for useful estimates).")


def _json_number(v: float):
    return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def _est_dict(e) -> dict:
    lo, hi = e.interval()
    return {"value": _json_number(e.value), "stderr": _json_number(e.stderr),
            "ci95": [_json_number(lo), _json_number(hi)], "method": e.method,
            "reason": e.reason}


def _point_dict(name, p) -> dict:
    return {
        "column": name,
        "n_samples": p.fisher.n_samples,
        "dim": p.dim,
        "entropy": _est_dict(p.entropy),
        "entropy_power": _est_dict(p.entropy_power),
        "fisher": _est_dict(p.fisher),
        "product": _est_dict(p.product),
    }


def _fmt(e) -> str:
    return f"{e.value:.6g} ± {e.stderr:.2g}"


def run(args: argparse.Namespace) -> int:
    """Run ``infoplane point``: read and check everything, then estimate and print.

    Returns
    -------
    int
        0; input mistakes raise :class:`UsageError` before any estimate is computed.
    """
    import infoplane as ip

    table = read_table(args.path, key=args.key)
    cols = select_columns(table.names, args.column)
    groups = [cols] if args.joint else [[c] for c in cols]
    jobs = []
    for g in groups:
        label = "+".join(table.names[c] for c in g)
        x = (np.column_stack([table.column(c) for c in g]) if len(g) > 1
             else table.column(g[0]))
        _check_methods(args, len(g))
        _check_finite(table, label, x, args.nan_policy)
        jobs.append((label, x))
    results = []
    for label, x in jobs:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                p = ip.fs_point(
                    x, method=args.method, entropy_method=args.entropy_method,
                    fisher_method=args.fisher_method, rng=args.seed,
                    nan_policy=args.nan_policy,
                )
            except (ValueError, TypeError) as exc:  # data the estimators cannot use
                raise UsageError(f"column {label!r}: {exc}") from None
        for msg in dict.fromkeys(str(w.message) for w in caught):  # once each, in order
            print(f"infoplane: warning: column {label!r}: {msg}", file=sys.stderr)
        results.append((label, p))
    if args.json:
        print(json.dumps([_point_dict(n, p) for n, p in results], indent=2, allow_nan=False))
        return 0
    head = ("column", "n", "H (nats)", "N", "J", "N·J/d", "methods (H, J)")
    rows = [
        (n, str(p.fisher.n_samples), _fmt(p.entropy), _fmt(p.entropy_power), _fmt(p.fisher),
         _fmt(p.product), f"{p.entropy.method}, {p.fisher.method}")
        for n, p in results
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for n, p in results:   # why a value is infinite or undefined
        for reason in dict.fromkeys(e.reason for e in (p.entropy, p.fisher, p.product)
                                    if e.reason):
            print(f"note: {n}: {reason}")
    return 0
