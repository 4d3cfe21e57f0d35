"""Every user mistake ends in ``infoplane: error: ...`` naming the argument, exit status 2,
no traceback -- and, for bad paths and options, before any estimate is computed."""

import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import infoplane as ip
from infoplane.cli import main

ROOT = Path(__file__).resolve().parents[1]


class _Computed(Exception):
    """Raised by the patched estimator: the command computed before it checked its input."""


class _OpensFile:
    """Unpickling this object creates a file: proof that a pickle was loaded."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def files(tmp_path):
    """Bad input files in tmp_path (and one good CSV); returns tmp_path."""
    d = tmp_path
    (d / "good.csv").write_text("a,b\n" + "".join(f"{i},{i * i % 7}\n" for i in range(40)))
    (d / "empty.csv").write_bytes(b"")
    (d / "comments.csv").write_text("# nothing here\n\n   \n")
    (d / "header_only.csv").write_text("a,b\n")
    (d / "ragged.csv").write_text("a,b\n1,2\n3\n")
    (d / "text.csv").write_text("a,b\n1,2\n3,x\n4,5\n")
    (d / "bom.csv").write_bytes("temp\n1\n2\n3\n".encode("utf-8-sig"))
    (d / "utf16.csv").write_bytes("a\n1\n2\n".encode("utf-16"))
    (d / "nan.csv").write_text("v\n" + "".join(f"{i}\n" for i in range(30)) + "nan\n")
    np.savez(d / "two.npz", x=np.arange(20.0), y=np.ones(20))
    (d / "truncated.npz").write_bytes((d / "two.npz").read_bytes()[:60])
    with zipfile.ZipFile(d / "book.xlsx", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    (d / "notnpz.npz").write_text("a\n1\n")
    (d / "header.npy").write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': <broken")
    (d / "text.npy").write_text("1,2,3\n")
    marker = d / "UNPICKLED"
    evil = np.array([_OpensFile(marker)], dtype=object)
    (d / "pickle.npy").write_bytes(pickle.dumps(_OpensFile(marker)))
    np.save(d / "object.npy", evil, allow_pickle=True)
    np.savez(d / "object.npz", evil=evil)
    np.save(d / "full.npy", np.arange(12.0).reshape(6, 2))
    (d / "truncated.npy").write_bytes((d / "full.npy").read_bytes()[:-8])
    np.save(d / "cube.npy", np.zeros((2, 2, 2)))
    np.save(d / "strings.npy", np.array(["a", "b"]))
    (d / "figs").mkdir()
    return d


@pytest.fixture
def no_computation(monkeypatch):
    """Make any estimate fail loudly, so a case passes only if it fails before computing."""
    def boom(*args, **kwargs):
        raise _Computed("an FS point was computed before the input was checked")

    monkeypatch.setattr(ip, "fs_point", boom)


CASES = [
    # (id, argv with {d} = folder of the files, fragments the message must contain)
    ("missing file", ["point", "{d}/missing.csv"], ["argument path", "does not exist"]),
    ("directory", ["point", "{d}"], ["argument path", "is a directory"]),
    ("empty file", ["point", "{d}/empty.csv"], ["argument path", "is empty"]),
    ("only comments", ["point", "{d}/comments.csv"], ["argument path", "holds no data"]),
    ("header only", ["point", "{d}/header_only.csv"], ["argument path", "no data rows"]),
    ("ragged rows", ["point", "{d}/ragged.csv"], ["argument path", "line 3", "1 fields"]),
    ("text cell in column", ["point", "{d}/text.csv", "-c", "b"],
     ["column 'b'", "line 3", "'x'", "--column"]),
    ("text cell, every column", ["point", "{d}/text.csv"], ["column 'b'", "not numeric"]),
    ("text cell in 2nd column", ["point", "{d}/text.csv", "-c", "a", "-c", "b"],
     ["column 'b'", "not numeric"]),
    ("BOM csv, unknown column", ["point", "{d}/bom.csv", "-c", "nope"],
     ["argument --column", "'nope'", "['temp']"]),
    ("column index out of range", ["point", "{d}/good.csv", "-c", "7"],
     ["argument --column", "out of range"]),
    ("UTF-16 csv", ["point", "{d}/utf16.csv"], ["argument path", "not UTF-8", "0xff"]),
    ("NaN without omit", ["point", "{d}/nan.csv"], ["column 'v'", "--nan-policy omit"]),
    ("npz needs --key", ["point", "{d}/two.npz"], ["argument --key", "keys: ['x', 'y']"]),
    ("npz unknown key", ["point", "{d}/two.npz", "--key", "z"],
     ["argument --key", "'z'", "keys: ['x', 'y']"]),
    ("--key on a csv", ["point", "{d}/good.csv", "--key", "x"], ["argument --key", ".npz"]),
    ("truncated npz", ["point", "{d}/truncated.npz"], ["argument path", "damaged .npz"]),
    ("xlsx workbook", ["point", "{d}/book.xlsx"], ["argument path", "export the sheet as CSV"]),
    (".npz name, text inside", ["point", "{d}/notnpz.npz"], ["argument path", "not a NumPy .npz"]),
    ("corrupt npy header", ["point", "{d}/header.npy"], ["argument path", "header is damaged"]),
    ("text named .npy", ["point", "{d}/text.npy"], ["argument path", "magic string"]),
    ("pickle named .npy", ["point", "{d}/pickle.npy"], ["argument path", "magic string"]),
    ("object npy", ["point", "{d}/object.npy"], ["argument path", "Python objects", "never"]),
    ("object array in npz", ["point", "{d}/object.npz"],
     ["argument path", "'evil'", "Python objects"]),
    ("truncated npy", ["point", "{d}/truncated.npy"], ["argument path", "truncated"]),
    ("3-D npy", ["point", "{d}/cube.npy"], ["argument path", "(2, 2, 2)"]),
    ("string npy", ["point", "{d}/strings.npy"], ["argument path", "numeric"]),
    ("--seed -1", ["point", "{d}/good.csv", "--seed", "-1"], ["argument --seed", ">= 0"]),
    ("--seed text", ["point", "{d}/good.csv", "--seed", "abc"], ["argument --seed"]),
    ("--method for samples", ["point", "{d}/good.csv", "--method", "quadrature"],
     ["argument --method", "'quadrature'"]),
    ("--method knn (not for J)", ["point", "{d}/good.csv", "--method", "knn"],
     ["argument --method", "--fisher-method takes one of auto, kde"]),
    ("spacing is 1-D only", ["point", "{d}/good.csv", "--joint", "--entropy-method", "spacing"],
     ["argument --entropy-method", "2-D"]),
    ("--nan-policy bogus", ["point", "{d}/good.csv", "--nan-policy", "drop"],
     ["argument --nan-policy"]),
    ("unknown option", ["point", "{d}/good.csv", "--bogus"], ["--bogus"]),
    ("tour --n-samples 0", ["tour", "--n-samples", "0", "--no-plot"], ["argument --n-samples"]),
    ("tour --n-samples 9", ["tour", "--n-samples", "9"], ["argument --n-samples", ">= 10"]),
    ("tour --seed -1", ["tour", "--seed", "-1", "--no-plot"], ["argument --seed"]),
    ("tour --out missing dir", ["tour", "--out", "{d}/missing_dir/x.png"],
     ["argument --out", "missing_dir", "does not exist"]),
    ("tour --out .txt", ["tour", "--out", "{d}/x.txt"], ["argument --out", "'.txt'", ".png"]),
    ("tour --out no extension", ["tour", "--out", "{d}/plane"],
     ["argument --out", "no extension"]),
    ("tour --out a directory", ["tour", "--out", "{d}/figs"], ["argument --out", "directory"]),
    ("tour --out with --no-plot", ["tour", "--out", "{d}/x.png", "--no-plot"],
     ["argument --no-plot", "--out"]),
    ("no sub-command", [], ["required"]),
    ("unknown sub-command", ["plot"], ["invalid choice", "'plot'"]),
]


@pytest.mark.parametrize("argv, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(argv, fragments, files, no_computation, monkeypatch, capsys):
    monkeypatch.chdir(files)  # a default output would land among the files, and be seen
    before = sorted(p.name for p in files.iterdir())
    rc = main([a.format(d=files) for a in argv])
    out, err = capsys.readouterr()
    assert rc == 2, err
    assert "Traceback" not in out + err
    message = err.strip().splitlines()[-1]
    assert message.startswith("infoplane: error: "), err
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    # never numpy's advice to unpickle, never a raw decode error
    assert "allow_pickle" not in message and "codec" not in message, message
    assert "\ufeff" not in message
    # nothing written, and no pickle was loaded
    assert sorted(p.name for p in files.iterdir()) == before
    assert not (files / "UNPICKLED").exists()


def test_constant_column_is_a_point_mass_with_its_reason(tmp_path, capsys):
    # a constant column is a point mass: H = -inf, J = inf, with the reason printed once
    p = tmp_path / "const.csv"
    p.write_text("c\n" + "2.5\n" * 50)
    assert main(["point", str(p)]) == 0
    out, err = capsys.readouterr()
    assert "-inf" in out and "note: c: `x` is constant" in out
    assert err.count("infoplane: warning: column 'c': `x` is constant") == 1
    assert "Traceback" not in err


def test_data_the_estimators_cannot_use(tmp_path, capsys):
    p = tmp_path / "ties.csv"
    p.write_text("c\n" + "".join(f"{v}\n" for v in [1.0, 2.0] * 40))
    assert main(["point", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infoplane: error: column 'c': ") and "ties" in err
    assert "Traceback" not in err


def test_interrupt_is_exit_130_without_traceback(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ip, "fs_point", interrupted)
    p = tmp_path / "v.csv"
    p.write_text("v\n" + "".join(f"{i}\n" for i in range(20)))
    assert main(["point", str(p)]) == 130
    assert capsys.readouterr().err == "infoplane: interrupted\n"


def test_help_exits_zero(capsys):
    assert main(["point", "--help"]) == 0
    assert "--nan-policy" in capsys.readouterr().out


def test_version_subprocess():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    res = subprocess.run([sys.executable, "-m", "infoplane", "--version"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"infoplane {ip.__version__}"
    assert res.stderr == ""


def test_closed_pipe_is_not_a_traceback():
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "infoplane", "tour", "--no-plot", "--n-samples", "10"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader goes away (as `| head` does), usually before any output
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) in (0, 141), err
    assert "Traceback" not in err and "Exception ignored" not in err, err
