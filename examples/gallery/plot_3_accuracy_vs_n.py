"""
Estimator accuracy against the sample size
==========================================

How close the sample estimates of J and N come to the closed forms as n grows, for a
smooth law (Gaussian), a heavy-tailed one (Student-t, 5 degrees of freedom) and one with a
cusp (Laplace). Solid lines: the root-mean-square relative error over 12 seeds; dashed:
the mean reported relative standard error. For an unbiased estimate with an honest error
bar the two agree (up to the noise of 12 seeds). At the Laplace cusp the kernel smoothing
leaves a bias that, at moderate n, is larger than the reported error (user guide:
:doc:`/guide/boundaries`).

A small version of ``benchmarks/accuracy_1d.py`` (full tables: :doc:`/benchmarks_1d`).
"""

import matplotlib.pyplot as plt
import numpy as np

import infoplane as ip

laws = {
    "Gaussian": (ip.Gaussian(0.0, 1.0), lambda rng, n: rng.standard_normal(n)),
    "Student-t ν=5": (ip.StudentT(5.0), lambda rng, n: rng.standard_t(5, size=n)),
    "Laplace": (ip.Laplace(0.0, 1.0), lambda rng, n: rng.laplace(size=n)),
}
sizes = [250, 1000, 4000, 16000]
seeds = range(12)

# %%
# Each estimate runs with its own seed; the standard error of J is the default one (the
# delta method in the bin counts; a 100-replicate bootstrap below 200 samples).

results = {}
for name, (law, draw) in laws.items():
    truth = ip.fs_point(law)
    rows = []
    for n in sizes:
        err_j, err_n, se_j, se_n = [], [], [], []
        for s in seeds:
            x = draw(np.random.default_rng(s), n)
            p = ip.fs_point(x, rng=s)
            err_j.append(p.fisher.value / truth.fisher.value - 1)
            err_n.append(p.entropy_power.value / truth.entropy_power.value - 1)
            se_j.append(p.fisher.stderr / truth.fisher.value)
            se_n.append(p.entropy_power.stderr / truth.entropy_power.value)
        rms_j, rms_n = np.sqrt(np.mean(np.square(err_j))), np.sqrt(np.mean(np.square(err_n)))
        rows.append([rms_j, np.mean(se_j), rms_n, np.mean(se_n)])
    results[name] = np.array(rows)
    print(f"{name}, J: rms relative error {np.round(results[name][:, 0], 3)}\n"
          f"    mean relative stderr {np.round(results[name][:, 1], 3)}")

# %%
# Both axes are logarithmic; the grey line falls as n^(-1/2).

fig, axes = plt.subplots(1, 2, figsize=(9, 4.6), sharey=True, layout="constrained")
for ax, col, what in ((axes[0], 0, "J (Fisher information)"), (axes[1], 2, "N (entropy power)")):
    for i, (name, rows) in enumerate(results.items()):
        ax.plot(sizes, rows[:, col], "o-", color=f"C{i}", label=f"{name}: error")
        ax.plot(sizes, rows[:, col + 1], "--", color=f"C{i}", alpha=0.7,
                label=f"{name}: reported stderr")
    ref = 0.25 * (np.array(sizes) / sizes[0]) ** -0.5
    ax.plot(sizes, ref, color="0.6", lw=3, alpha=0.4, label="∝ n^(-1/2)")
    ax.set(xscale="log", yscale="log", xlabel="sample size n", title=what)
    ax.grid(True, which="both", alpha=0.3)
axes[0].set_ylabel("relative error")
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8)
plt.show()
