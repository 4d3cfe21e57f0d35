"""examples.fae.queue: finished runs are skipped, locks respected, interrupted runs resumed.

The `smoke` queue trains tiny models on the embedded 8×8 digits in subprocesses (a few
seconds a run); every run directory is under tmp_path.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")

from examples.fae import queue  # noqa: E402
from examples.fae import train as fae_train  # noqa: E402
from examples.fae.runs import read_metrics  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SMOKE_VAE = next(j for j in queue.QUEUES["smoke"] if j.name == "smoke_vae")


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)          # the workers start `python -m examples.fae.train` here
    d = tmp_path / "runs"
    d.mkdir()
    return d


def _work(runs, log_path):
    """One worker pass over smoke_vae; returns its exit status and what it logged."""
    with open(log_path, "w") as log:
        rc = queue.work("smoke", runs, only=["smoke_vae"], log=log)
    return rc, Path(log_path).read_text()


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()                          # reaped: no process has this pid any more
    return p.pid


def test_acquire_takes_over_a_dead_owners_lock(tmp_path):
    lock = tmp_path / "r.lock"
    lock.write_text(f"{_dead_pid()} 2000-01-01T00:00:00\n")
    assert queue.acquire(lock)
    assert int(lock.read_text().split()[0]) == os.getpid()
    assert not queue.acquire(lock)    # now held by a live process (this one)


def test_lock_of_a_live_worker_is_left_alone(runs, tmp_path):
    lock = runs / "smoke_vae.lock"
    lock.write_text(f"{os.getpid()} 2000-01-01T00:00:00\n")
    before = lock.read_bytes()
    rc, log = _work(runs, tmp_path / "log")
    assert rc == 0 and log == ""                 # nothing was started
    assert not (runs / "smoke_vae").exists()
    assert lock.read_bytes() == before
    st = queue.job_state(runs, SMOKE_VAE)
    assert st["state"] == "new" and st["locked_by"] == os.getpid()


def test_dead_lock_taken_over_and_finished_run_not_redone(runs, tmp_path):
    (runs / "smoke_vae.lock").write_text(f"{_dead_pid()} 2000-01-01T00:00:00\n")
    rc, log = _work(runs, tmp_path / "log1")
    assert rc == 0, log
    assert "examples.fae.train" in log and "examples.fae.evaluate" in log
    st = queue.job_state(runs, SMOKE_VAE)
    assert st["state"] == "finished" and st["locked_by"] is None
    assert not (runs / "smoke_vae.lock").exists()
    run = runs / "smoke_vae"
    assert [r["epoch"] for r in read_metrics(run)] == [1, 2]
    files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in run.rglob("*") if p.is_file()}
    rc, log = _work(runs, tmp_path / "log2")
    assert rc == 0 and log == ""                 # neither training nor evaluation started
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in run.rglob("*") if p.is_file()} == files


def test_interrupted_run_resumes_from_last_checkpoint(runs, tmp_path):
    # the run as a worker killed during epoch 2 leaves it: last.pt and metrics of epoch 1,
    # no status.json, no evaluation (trained here in-process, as the worker would)
    args = list(SMOKE_VAE.args)
    args[args.index("--epochs") + 1] = "1"
    run = runs / "smoke_vae"
    fae_train.main(args + ["--run-dir", str(run), "--threads", "1", "--no-progress"])
    (run / "status.json").unlink()
    assert not queue.eval_path(run, SMOKE_VAE).exists()
    # mark the epoch-1 line: a resumed run keeps it as it is, a restarted one rewrites it
    (row,) = read_metrics(run)
    (run / "metrics.jsonl").write_text(json.dumps(dict(row, marker="kept")) + "\n")
    assert queue.job_state(runs, SMOKE_VAE)["state"] == "training"
    rc, log = _work(runs, tmp_path / "log2")
    assert rc == 0, log
    rows = read_metrics(run)
    assert [r["epoch"] for r in rows] == [1, 2] and rows[0]["marker"] == "kept"
    assert "] epoch 2 " in log and "] epoch 1 " not in log
    status = json.loads((run / "status.json").read_text())
    assert status["epochs_run"] == 2 and status["stopped"] == "max-epochs"
    assert queue.job_state(runs, SMOKE_VAE)["state"] == "finished"
