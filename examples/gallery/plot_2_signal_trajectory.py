"""
A sliding-window FS trajectory of a signal
==========================================

:func:`infoplane.fs_trajectory` computes the FS point of a 1-D series over sliding
windows. Here the noise of a signal changes law twice — Gaussian, then Laplace, then
Student-t with 3 degrees of freedom, then Gaussian again, all with unit variance — and the
trajectory moves off the Gaussian bound and back. The variance alone would not see it.

The FS point describes the values in a window, not their order: for a signal with
memory, apply it to the residuals of a model (here the noise is white).
"""

import matplotlib.pyplot as plt
import numpy as np

import infoplane as ip
from infoplane.plot import fs_plane

rng = np.random.default_rng(0)
n = 3000
regimes = [
    ("Gaussian", rng.standard_normal(n)),
    ("Laplace", rng.laplace(size=n) / np.sqrt(2.0)),
    ("Student-t ν=3", rng.standard_t(3, size=n) / np.sqrt(3.0)),
    ("Gaussian", rng.standard_normal(n)),
]
signal = np.concatenate([x for _, x in regimes])

# %%
# Windows of 1500 samples, shifted by 750 (half-overlapping). One generator drives every
# window's bootstrap, so the seed fixes the whole trajectory.

traj = ip.fs_trajectory(signal, window=1500, step=750, rng=0, label="sliding window")
for t, p in zip(traj.steps, traj.points):
    print(f"centre {t:7.1f}: N·J = {p.product.value:5.2f} ± {p.product.stderr:4.2f}")

# %%
# Top: the signal, its regimes and the Stam product of each window (±1 standard error)
# against the window centre. Bottom: the same windows on the plane, coloured by time,
# with the exact points of the three unit-variance laws.

fig = plt.figure(figsize=(8, 9), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.5])
ax1, ax2 = top.subplots(2, 1, sharex=True)
ax1.plot(signal, lw=0.3, color="0.3")
ax1.set_ylabel("signal")
for i, (name, _) in enumerate(regimes):
    ax1.axvspan(i * n, (i + 1) * n, color=f"C{i}", alpha=0.08, lw=0)
    ax1.text((i + 0.5) * n, ax1.get_ylim()[1] * 0.85, name, ha="center", fontsize=8)
ax2.errorbar(traj.steps, traj.product, [p.product.stderr for p in traj.points], fmt="o-",
             ms=4, capsize=2)
ax2.axhline(1.0, color="k", lw=1)
ax2.set_ylabel("N·J (window)")
ax2.set_xlabel("sample index (window centre)")

exact = {
    "Gaussian": ip.fs_point(ip.Gaussian(0.0, 1.0)),
    "Laplace": ip.fs_point(ip.Laplace(0.0, 1.0 / np.sqrt(2.0))),
    "Student-t ν=3": ip.fs_point(ip.StudentT(3.0, 0.0, 1.0 / np.sqrt(3.0))),
}
ax3 = bottom.subplots()
fs_plane({**exact, "windows": traj}, ax=ax3, colorbar_label="window centre")
plt.show()
