"""The ``point`` sub-command: FS point of columns of a CSV or NPY file.

Examples
--------
``infoplane point data.csv --column temperature --json``
``infoplane point x.npy --column 0 --column 2``
``infoplane point x.npy --joint`` (all columns as one d-D sample)
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path

import numpy as np

__all__ = ["add_arguments", "run", "read_table"]


def add_arguments(p):
    p.add_argument("path", help="CSV (header row optional) or .npy file")
    p.add_argument(
        "--column", "-c", action="append", default=None, metavar="NAME|INDEX",
        help="column to analyse (repeatable); default: every column",
    )
    p.add_argument("--joint", action="store_true",
                   help="treat the selected columns as one multivariate sample")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--method", default="auto", help="method for both quantities (default auto)")
    p.add_argument("--entropy-method", default=None, help="entropy method (e.g. knn, spacing)")
    p.add_argument("--fisher-method", default=None, help="Fisher-information method (e.g. kde)")
    p.add_argument("--nan-policy", choices=("raise", "omit"), default="raise",
                   help="rows with NaN/inf: raise (default) or omit them")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.set_defaults(func=run)


def _parse_float(s: str) -> float:
    s = s.strip()
    if s == "" or s.lower() in ("na", "nan", "null", "none"):
        return math.nan
    return float(s)


def read_table(path) -> tuple[list[str], np.ndarray]:
    """Read a CSV (header optional, delimiter sniffed) or .npy file -> (names, 2-D array).

    Raises
    ------
    ValueError
        Unreadable file, ragged rows, non-numeric cells or an array with ndim > 2.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"`path` does not exist: {str(path)!r}.")
    if path.suffix.lower() == ".npy":
        a = np.load(path, allow_pickle=False)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ValueError(f"the array in {path.name!r} must be 1-D or 2-D; got shape {a.shape}.")
        return [str(i) for i in range(a.shape[1])], np.asarray(a, dtype=float)
    text = path.read_text()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise ValueError(f"{path.name!r} contains no data.")
    sample = "\n".join(lines[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t ")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delim, skipinitialspace=True)
    rows = [[c.strip() for c in r] for r in reader]
    if delim == " ":
        rows = [[c for c in r if c != ""] for r in rows]
    header = None
    try:
        [_parse_float(c) for c in rows[0]]
    except ValueError:
        header, rows = rows[0], rows[1:]
    width = len(header) if header is not None else len(rows[0])
    data = np.empty((len(rows), width))
    for i, r in enumerate(rows):
        if len(r) != width:
            raise ValueError(
                f"{path.name!r}: row {i + 1 + (header is not None)} has {len(r)} fields; "
                f"expected {width}."
            )
        try:
            data[i] = [_parse_float(c) for c in r]
        except ValueError:
            raise ValueError(
                f"{path.name!r}: row {i + 1 + (header is not None)} is not numeric: {r!r}."
            ) from None
    names = header if header is not None else [str(i) for i in range(width)]
    return names, data


def _select(names: list[str], spec: list[str] | None) -> list[int]:
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
            raise ValueError(f"`--column` {s!r} is not a column name; names: {names}.") from None
        if not -len(names) <= i < len(names):
            raise ValueError(f"`--column` index {i} is out of range for {len(names)} columns.")
        out.append(i % len(names))
    return out


def _est_dict(e) -> dict:
    lo, hi = e.interval()
    return {"value": e.value, "stderr": e.stderr, "ci95": [lo, hi], "method": e.method}


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


def run(args) -> int:
    import infoplane as ip

    try:
        names, data = read_table(args.path)
        cols = _select(names, args.column)
        groups = [cols] if args.joint else [[c] for c in cols]
        results = []
        for g in groups:
            label = "+".join(names[c] for c in g)
            x = data[:, g] if len(g) > 1 else data[:, g[0]]
            p = ip.fs_point(
                x, method=args.method, entropy_method=args.entropy_method,
                fisher_method=args.fisher_method, rng=args.seed, nan_policy=args.nan_policy,
            )
            results.append((label, p))
    except (ValueError, TypeError, OSError) as exc:
        print(f"infoplane point: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([_point_dict(n, p) for n, p in results], indent=2))
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
    return 0
