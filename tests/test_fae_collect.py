"""examples.fae.collect and examples.fae.figures never replace results with less (issue #10).

Every test works on copies in tmp_path: the repository's docs/ is only read.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from examples.fae import collect, figures  # noqa: E402
from examples.fae.atomic import write_atomically  # noqa: E402
from examples.fae.runs import (FINAL, TABLE1, TABLE1_LONG, TABLE1_PAPER,  # noqa: E402
                               TABLE2_PAPER, table2_run)

DOCS = Path(__file__).resolve().parent.parent / "docs"
CONFIG = {k: 0 for k in collect.CONFIG_KEYS}


def _snapshot(*dirs):
    """Path -> bytes of every file below `dirs`."""
    return {p: p.read_bytes() for d in dirs for p in sorted(Path(d).rglob("*")) if p.is_file()}


@pytest.fixture
def docs(tmp_path):
    """Copies of docs/results and docs/RESULTS.md (the committed results)."""
    out = tmp_path / "docs"
    shutil.copytree(DOCS / "results", out / "results")
    shutil.copy(DOCS / "RESULTS.md", out / "RESULTS.md")
    return out


@pytest.fixture
def fresh(tmp_path):
    """An empty results directory beside a copy of docs/RESULTS.md."""
    out = tmp_path / "fresh"
    (out / "results").mkdir(parents=True)
    shutil.copy(DOCS / "RESULTS.md", out / "RESULTS.md")
    return out


def _eval(k, n, mean, epoch=2):
    res = {"mean": mean, "se": 0.25, "n_images": n, "subset": f"random {n}", "wall_s": 1.0}
    return {"epoch": epoch, "k": k, "test_nll": res, "train_nll": dict(res, mean=mean - 3)}


def make_run(root: Path, name: str, rng, *, evals=(), fulltest=None, nll=(), enc=False):
    """A finished run as train/evaluate leave it, with made-up numbers.

    `evals`: K of the ``eval_k<K>.json`` files; `fulltest`: K of a whole-test-set
    evaluation in ``fulltest/``; `nll`: K of per-image NLL files; `enc`: two saved epochs
    of encodings.
    """
    run = root / name
    (run / "encodings").mkdir(parents=True)
    fs = {"fisher": 40.0, "entropy": -2.0, "entropy_power": 0.4, "nj_over_d": 4.0}
    (run / "metrics.jsonl").write_text("".join(json.dumps(
        {"epoch": e, "step": 10 * e, "train_elbo": -100.0 + e, "valid_elbo": -105.0 + e,
         "fs": fs, "epoch_s": 2.0}) + "\n" for e in (1, 2, 3)))
    (run / "config.json").write_text(json.dumps(CONFIG))
    for k in evals:
        (run / f"eval_k{k}.json").write_text(json.dumps(_eval(k, 40, 90 + rng.random())))
    for k in nll:
        np.save(run / f"nll_test_k{k}.npy", 90 + rng.standard_normal(40))
    if fulltest is not None:
        (run / "fulltest").mkdir()
        (run / "fulltest" / f"eval_k{fulltest}.json").write_text(
            json.dumps(_eval(fulltest, 80, 90 + rng.random())))
        np.save(run / "fulltest" / f"nll_test_k{fulltest}.npy", 90 + rng.standard_normal(80))
    if enc:
        for e in (1, 2):
            np.savez(run / "encodings" / f"epoch_{e:04d}.npz",
                     mu=rng.standard_normal((30, 3)).astype(np.float32),
                     logvar=(0.3 * rng.standard_normal((30, 3)) - 1).astype(np.float32))
    return run


def make_runs(root: Path, rng) -> Path:
    """Runs that give every section of collect at least one row."""
    for name, _, _ in TABLE1:
        make_run(root, name, rng, evals=(1000, 5000), nll=(1000,), enc=name == "t1_vae")
        make_run(root, "t1x_" + name[3:], rng, evals=(1000,), nll=(1000,))
    for f in TABLE2_PAPER:
        make_run(root, table2_run(f, "perdim"), rng, evals=(500,), nll=(500,))
    for name, _ in TABLE1_LONG:
        make_run(root, name, rng, evals=(5000,), nll=(5000,), fulltest=5000)
    for name, _ in FINAL:
        make_run(root, f"s1_{name}", rng, fulltest=5000)
        make_run(root, f"w10_{name}", rng, fulltest=5000)
    return root


def _collect(runs, docs, *extra):
    return collect.main(["--runs", str(runs), "--out", str(docs / "results"),
                         "--doc", str(docs / "RESULTS.md"), *extra])


def test_write_atomically_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "eval_k10.json"
    path.write_text("old")

    def fail(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, fail)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["eval_k10.json"]
    write_atomically(path, lambda tmp: tmp.write_text("new"))
    assert path.read_text() == "new" and len(list(tmp_path.iterdir())) == 1


# ----------------------------------------------------------------------------- collect
def test_collect_with_no_runs_leaves_every_file_alone(tmp_path, docs, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    before = _snapshot(docs)
    assert _collect(runs, docs, "--trajectories") == 1
    assert _snapshot(docs) == before
    out = capsys.readouterr().out
    for name in [*collect.SECTIONS, "trajectories"]:
        assert f"skipped {docs / 'results' / collect.FILES[name]}: nothing to write" in out
    assert "wrote" not in out


def test_collect_missing_runs_dir_is_an_error(tmp_path, docs):
    before = _snapshot(docs)
    with pytest.raises(SystemExit) as exc:
        _collect(tmp_path / "nowhere", docs)
    assert exc.value.code == 2 and _snapshot(docs) == before


def test_collect_writes_full_tables_and_then_refuses_partial_ones(tmp_path, fresh, capsys,
                                                                  rng):
    docs = fresh
    runs = make_runs(tmp_path / "runs", rng)
    assert _collect(runs, docs, "--trajectories") == 0
    out = capsys.readouterr().out
    res = docs / "results"
    t1 = json.loads((res / "table1.json").read_text())
    assert len(t1) == 2 * len(TABLE1) and all("test_nll" in r for r in t1)
    assert f"wrote {res / 'table1.json'} ({2 * len(TABLE1)} rows)" in out
    assert f"wrote {res / 'tables.md'}" in out
    traj = json.loads((res / "trajectories.json").read_text())
    assert list(traj) == ["t1_vae"] and [p["epoch"] for p in traj["t1_vae"]["points"]] == [1, 2]
    doc = (docs / "RESULTS.md").read_text()
    block = doc[doc.index("<!-- table1:start -->"):doc.index("<!-- table1:end -->")]
    # header, rule and one line a run
    assert sum(ln.startswith("|") for ln in block.splitlines()) == 2 + 2 * len(TABLE1)
    # a second pass over the same runs changes nothing
    full = _snapshot(docs)
    assert _collect(runs, docs, "--trajectories") == 0
    assert f"unchanged {res / 'table1.json'}" in capsys.readouterr().out
    assert _snapshot(docs) == full
    # a run goes missing and another loses its evaluation: those sections are kept whole,
    # the others are still written, and the exit status says something was not produced
    shutil.rmtree(runs / "t1_mae_m0")
    (runs / "t2_fae_f5_perdim" / "eval_k500.json").unlink()
    (runs / "t1_vae" / "encodings" / "epoch_0002.npz").unlink()
    assert _collect(runs, docs, "--trajectories") == 1
    out = capsys.readouterr().out
    assert f"skipped {res / 'table1.json'}: the runs under {runs} would drop 1 of its" in out
    assert "t1_mae_m0" in out
    assert f"skipped {res / 'table2.json'}: " in out and "remove results from 1 rows" in out
    assert f"skipped {res / 'trajectories.json'}: " in out
    assert f"unchanged {res / 'tables.md'} (the blocks of " in out   # = the kept blocks
    assert "kept blocks table1, table2, ksens" in out
    assert f"unchanged {res / 'table1_final.json'}" in out
    assert _snapshot(docs) == full
    # --force writes what the runs give
    assert _collect(runs, docs, "--force") == 0
    t1 = json.loads((res / "table1.json").read_text())
    assert len(t1) == 2 * len(TABLE1) - 1


def test_collect_only_some_sections(tmp_path, docs, fresh, capsys, rng):
    runs = tmp_path / "runs"
    make_run(runs, "t1y_vae", rng, evals=(5000,), fulltest=5000)
    make_run(runs, "t1y_fae_f20_perdim", rng, evals=(5000,), fulltest=5000)
    before = _snapshot(docs)
    # the committed final table has more seeds than these two runs: kept
    assert _collect(runs, docs, "--only", "final") == 1
    assert _snapshot(docs) == before
    assert "would drop" in capsys.readouterr().out
    new = fresh
    assert _collect(runs, new, "--only", "final", "long") == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in (new / "results").iterdir()) == ["table1_final.json",
                                                                   "table1_long.json"]
    assert "tables.md" not in out           # not asked for: --only leaves sections out
    rows = json.loads((new / "results" / "table1_final.json").read_text())["rows"]
    assert [r["run"] for r in rows] == ["t1y_vae", "t1y_fae_f20_perdim"]
    doc, old = (new / "RESULTS.md").read_text(), (docs / "RESULTS.md").read_text()
    assert doc != old
    for name in ("table1", "table2", "ksens", "warmup", "paired"):
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        assert doc[doc.index(start):doc.index(end)] == old[old.index(start):old.index(end)]


def test_collect_reports_a_missing_document(tmp_path, rng, capsys):
    runs = tmp_path / "runs"
    make_run(runs, "t1_vae", rng, evals=(1000,))
    assert collect.main(["--runs", str(runs), "--out", str(tmp_path / "res"), "--only",
                         "table1", "--doc", str(tmp_path / "missing.md")]) == 1
    assert "missing.md: no such file" in capsys.readouterr().out
    assert (tmp_path / "res" / "table1.json").exists()


def test_unreadable_existing_table_is_kept(tmp_path, rng, capsys):
    runs = tmp_path / "runs"
    make_run(runs, "t1_vae", rng, evals=(1000,))
    res = tmp_path / "res"
    res.mkdir()
    (res / "table1.json").write_text('{"not": "a list of rows"}')
    assert collect.main(["--runs", str(runs), "--out", str(res), "--only", "table1",
                         "--doc", ""]) == 1
    assert (res / "table1.json").read_text() == '{"not": "a list of rows"}'
    assert "not a table this version reads" in capsys.readouterr().out


# ----------------------------------------------------------------------------- figures
def _figures(runs, out, *extra):
    return figures.main(["--runs", str(runs), "--out", str(out), "--results",
                         str(out / "no-results"), *extra])


def _fake_checkpoints(runs, names):
    for name in names:
        torch.save({"epoch": 2}, runs / name / "selected.pt")


def test_fig1_needs_no_mnist_and_reports_only_what_it_wrote(tmp_path, rng, capsys, monkeypatch):
    monkeypatch.setenv("INFOPLANE_DATA_DIR", str(tmp_path / "no-data"))
    runs, out = tmp_path / "runs", tmp_path / "fig"
    runs.mkdir()
    assert _figures(runs, out, "--only", "fig1") == 1
    text = capsys.readouterr().out
    assert "skipped fig1: " in text and "wrote" not in text and "MNIST" not in text
    assert not (out / "fig1_fs_plane.png").exists()
    for name, _ in TABLE1_PAPER:
        make_run(runs, name, rng)
    _fake_checkpoints(runs, [n for n, _ in TABLE1_PAPER])
    assert _figures(runs, out, "--only", "fig1") == 0
    assert f"wrote {out / 'fig1_fs_plane.png'}" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["fig1_fs_plane.png"]
    # with a run missing, the existing (complete) figure is kept
    before = _snapshot(out)
    shutil.rmtree(runs / TABLE1_PAPER[0][0])
    assert _figures(runs, out, "--only", "fig1") == 1
    text = capsys.readouterr().out
    assert "skipped fig1: " in text and TABLE1_PAPER[0][0] in text and "wrote" not in text
    assert _snapshot(out) == before
    assert _figures(runs, out, "--only", "fig1", "--force") == 0
    assert _snapshot(out) != before


def test_figures_that_need_mnist_say_so(tmp_path, rng, capsys, monkeypatch):
    monkeypatch.setenv("INFOPLANE_DATA_DIR", str(tmp_path / "no-data"))
    runs, out = tmp_path / "runs", tmp_path / "fig"
    make_run(runs, "t1_fae_f0", rng)
    _fake_checkpoints(runs, ["t1_fae_f0"])
    assert _figures(runs, out, "--only", "fig3", "fig5") == 1
    text = capsys.readouterr().out
    assert "skipped fig3: needs binarized MNIST" in text and "no-data" in text
    assert "skipped fig5: no runs" in text and "wrote" not in text
