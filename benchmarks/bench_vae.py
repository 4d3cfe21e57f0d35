"""Benchmarks of infoplane.vae; writes docs/vae_benchmarks.md.

    python benchmarks/bench_vae.py [--threads 2] [--repeats 5] [--quick]

1. posterior_fs for d = 40, M = 10 000 encodings, n_mc = 10 000 (target <= 10 s on 2 CPU
   cores), median over repeats, float64 (default) and float32.
2. Peak RSS of posterior_fs at two chunk sizes, each in a fresh subprocess
   (resource.getrusage ru_maxrss after the call minus before it).
3. Overhead of the FAE penalty on a training step of the paper's MLP VAE (encoder and
   decoder of 5 fully-connected layers of 300, latent 40, Bernoulli decoder, batch 100,
   Adam): plain and penalised steps alternate in blocks in one process; medians and ratio.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

# On a shared machine OpenMP threads that spin-wait for a descheduled sibling burn the
# core; PASSIVE makes them sleep (measured here: a 2-thread VAE step went from ~450 ms to
# ~50 ms wall under load). Must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from infoplane.vae import fisher_penalty, posterior_fs  # noqa: E402


def encodings(m: int, d: int, dtype=torch.float64, seed: int = 0):
    """VAE-like encodings: half the units active (spread means, narrow posteriors)."""
    g = torch.Generator().manual_seed(seed)
    active = torch.arange(d) < d // 2
    mu = torch.randn(m, d, generator=g, dtype=torch.float64) * torch.where(active, 1.0, 0.05)
    lv = torch.where(active, math.log(0.05), -0.05) + 0.3 * torch.randn(
        m, d, generator=g, dtype=torch.float64
    )
    return mu.to(dtype), lv.to(dtype)


def bench_posterior(repeats: int, m: int, n_mc: int, d: int = 40):
    rows = []
    for dtype in (torch.float64, torch.float32):
        mu, lv = encodings(m, d)
        posterior_fs(mu[:200], lv[:200], n_mc=300, rng=0)  # warm-up
        times, cpu = [], []
        for rep in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            with warnings.catch_warnings():  # float32 AccuracyWarning is expected here
                warnings.simplefilter("ignore")
                res = posterior_fs(mu, lv, n_mc=n_mc, rng=rep, dtype=dtype)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        rows.append({
            "median_cpu_s": statistics.median(cpu),
            "dtype": str(dtype).replace("torch.", ""),
            "median_s": statistics.median(times),
            "min_s": min(times),
            "max_s": max(times),
            "mi": res.mi,
            "mi_stderr": res.mutual_information.stderr,
        })
    return rows


_RSS_CHILD = r"""
import json, resource, sys, torch
sys.path.insert(0, {root!r})
torch.set_num_threads({threads})
from benchmarks.bench_vae import encodings
from infoplane.vae import posterior_fs

def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1])  # kB

mu, lv = encodings({m}, 40)
posterior_fs(mu[:50], lv[:50], n_mc=300, rng=0)         # load everything first
with open("/proc/self/clear_refs", "w") as fh:           # reset the peak (VmHWM) to now
    fh.write("5")
before = status("VmRSS:")
ru_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
posterior_fs(mu, lv, n_mc={n_mc}, rng=0, chunk_size={chunk})
print(json.dumps({{"rss_before_kib": before, "hwm_after_kib": status("VmHWM:"),
                   "ru_maxrss_before_kib": ru_before,
                   "ru_maxrss_after_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def bench_rss(threads: int, m: int, n_mc: int, chunks=(2**18, 2**22)):
    rows = []
    for chunk in chunks:
        code = _RSS_CHILD.format(root=ROOT, threads=threads, m=m, n_mc=n_mc, chunk=chunk)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append({
            "chunk_size": chunk,
            "block_mib_f64": chunk * 8 / 2**20,
            "extra_peak_mib": (r["hwm_after_kib"] - r["rss_before_kib"]) / 1024,
            "peak_rss_mib": r["ru_maxrss_after_kib"] / 1024,
        })
    return rows


def mlp(sizes, final_act=False):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2 or final_act:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class MLPVAE(torch.nn.Module):
    """The paper's architecture: 5 fully-connected layers of 300, latent 40 (benchmark only)."""

    def __init__(self, x_dim=784, hidden=300, n_layers=5, latent=40):
        super().__init__()
        self.enc = mlp([x_dim] + [hidden] * n_layers, final_act=True)
        self.head = torch.nn.Linear(hidden, 2 * latent)
        self.dec = mlp([latent] + [hidden] * n_layers + [x_dim])
        self.latent = latent

    def loss(self, x, penalty: bool):
        mu, logvar = self.head(self.enc(x)).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.dec(z)
        rec = torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = 0.5 * (mu * mu + torch.exp(logvar) - logvar - 1.0).sum()
        loss = (rec + kl) / x.shape[0]
        if penalty:  # FAE: λ|J(z|x) - F| with F = 20 per dimension, λ = 1
            loss = loss + fisher_penalty(logvar, 20.0, weight=1.0, per_dim=True)
        return loss


def bench_penalty(rounds: int, steps: int):
    torch.manual_seed(0)
    model = MLPVAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = (torch.rand(100, 784) < 0.2).float()  # synthetic binarised batch (timing only)

    def step(penalty):
        opt.zero_grad(set_to_none=True)
        model.loss(x, penalty).backward()
        opt.step()

    for _ in range(10):  # warm-up
        step(False)
        step(True)
    per = {False: [], True: []}
    cpu = {False: [], True: []}
    for r in range(rounds):
        order = (False, True) if r % 2 == 0 else (True, False)
        for pen in order:
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(steps):
                step(pen)
            per[pen].append((time.perf_counter() - t0) / steps)
            cpu[pen].append((time.process_time() - c0) / steps)
    plain = statistics.median(per[False])
    fae = statistics.median(per[True])
    # paired per-round ratios are less sensitive to load drifting between rounds
    ratios = [b / a for a, b in zip(per[False], per[True])]
    return {
        "plain_cpu_ms": statistics.median(cpu[False]) * 1e3,
        "fae_cpu_ms": statistics.median(cpu[True]) * 1e3,
        "cpu_ratio": statistics.median(cpu[True]) / statistics.median(cpu[False]),
        "plain_ms": plain * 1e3,
        "fae_ms": fae * 1e3,
        "plain_steps_per_s": 1 / plain,
        "fae_steps_per_s": 1 / fae,
        "ratio_of_medians": fae / plain,
        "median_paired_ratio": statistics.median(ratios),
        "rounds": rounds,
        "steps_per_round": steps,
    }


def bench_penalty_alone(repeats: int = 2000):
    """Cost of the penalty's forward+backward on a (100, 40) logvar, for scale."""
    lv = torch.randn(100, 40, requires_grad=True)
    for _ in range(100):
        fisher_penalty(lv, 20.0, per_dim=True).backward()
    t0 = time.perf_counter()
    for _ in range(repeats):
        fisher_penalty(lv, 20.0, per_dim=True).backward()
    return (time.perf_counter() - t0) / repeats * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="small sizes, for CI smoke runs")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "vae_benchmarks.md"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    load0 = os.getloadavg()[0]
    m = n_mc = 1000 if args.quick else 10_000
    rounds, steps = (3, 5) if args.quick else (11, 30)

    post = bench_posterior(args.repeats, m, n_mc)
    rss = bench_rss(args.threads, m, n_mc)
    pen = bench_penalty(rounds, steps)
    pen_us = bench_penalty_alone()

    cmd = "python benchmarks/bench_vae.py " + " ".join(sys.argv[1:])
    lines = [
        "# infoplane.vae benchmarks",
        "",
        f"Produced by `{cmd.strip()}` (do not edit by hand).",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"torch {torch.__version__}, torch threads = {torch.get_num_threads()}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, "
        f"1-min load average {load0:.1f} at start and {os.getloadavg()[0]:.1f} at the end, "
        f"Python {platform.python_version()}. Timings are wall-clock medians; the machine may "
        "have been shared with other jobs, so compare the ratios measured within one run.",
        "",
        f"## posterior_fs: d = 40, M = {m} encodings, n_mc = {n_mc} (target <= 10 s on 2 cores)",
        "",
        "| dtype | median wall s | min s | max s | median CPU s (all threads) | I(X;Z) nats "
        "| stderr |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in post:
        lines.append(f"| {r['dtype']} | {r['median_s']:.2f} | {r['min_s']:.2f} "
                     f"| {r['max_s']:.2f} | {r['median_cpu_s']:.2f} | {r['mi']:.4f} "
                     f"| {r['mi_stderr']:.2g} |")
    lines += [
        "",
        f"Over {args.repeats} repeats (different Monte Carlo seeds). float64 is the default "
        "(float32 loses accuracy for narrow posteriors; see the posterior_fs Notes).",
        "",
        "## Peak memory of posterior_fs versus chunk_size (float64)",
        "",
        "Each in a fresh subprocess: the peak RSS during the call (VmHWM, reset just before it via "
        "/proc/self/clear_refs) minus the RSS before it, with inputs allocated and torch loaded; "
        "last column: the process's ru_maxrss (resource.getrusage).",
        "",
        "| chunk_size | one block (MiB) | extra peak RSS (MiB) | process peak RSS (MiB) |",
        "| --- | --- | --- | --- |",
    ]
    for r in rss:
        lines.append(f"| {r['chunk_size']} | {r['block_mib_f64']:.1f} "
                     f"| {r['extra_peak_mib']:.1f} | {r['peak_rss_mib']:.0f} |")
    lines += [
        "",
        "## FAE penalty overhead on a training step (target <= 10%)",
        "",
        "MLP VAE of the paper (encoder and decoder: 5 fully-connected layers of 300, latent 40, "
        "Bernoulli decoder), batch 100, Adam, synthetic binary 784-dim batch; penalty "
        "`fisher_penalty(logvar, 20.0, per_dim=True)`. Plain and penalised blocks of "
        f"{pen['steps_per_round']} steps alternate over {pen['rounds']} rounds.",
        "",
        "| | wall ms/step (median) | steps/s | CPU ms/step (median) |",
        "| --- | --- | --- | --- |",
        f"| plain VAE | {pen['plain_ms']:.2f} | {pen['plain_steps_per_s']:.1f} | "
        f"{pen['plain_cpu_ms']:.2f} |",
        f"| with FAE penalty | {pen['fae_ms']:.2f} | {pen['fae_steps_per_s']:.1f} | "
        f"{pen['fae_cpu_ms']:.2f} |",
        "",
        f"Wall-clock ratio of medians: {pen['ratio_of_medians']:.3f} "
        f"(overhead {100 * (pen['ratio_of_medians'] - 1):+.1f}%); median of paired per-round "
        f"ratios: {pen['median_paired_ratio']:.3f}; "
        f"CPU-time ratio of medians: {pen['cpu_ratio']:.3f} "
        "(less sensitive to other jobs on the machine). The penalty alone (forward + backward on a "
        f"(100, 40) logvar) takes {pen_us:.0f} µs.",
        "",
    ]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
