"""
The FS plane of common laws
===========================

Where well-known laws sit on the Fisher–Shannon plane, from their closed forms, and where
samples of three of them land, with ±1 standard-error bars. Every law lies on or above the
Gaussian bound N·J = 1 (Stam's inequality); the dashed lines N·J = K are where a law of
fixed shape moves when it is rescaled.
"""

import matplotlib.pyplot as plt
import numpy as np

import infoplane as ip
from infoplane.plot import fs_plane, point_style

laws = {
    "Gaussian": ip.Gaussian(0.0, 1.0),
    "Laplace": ip.Laplace(0.0, 1.0),
    "logistic": ip.Logistic(0.0, 1.0),
    "Student-t ν=3": ip.StudentT(3.0),
    "Cauchy": ip.Cauchy(0.0, 1.0),
    "GenGauss β=4": ip.GeneralizedGaussian(4.0),
    "gamma k=4": ip.Gamma(4.0),
    "mixture ±2": ip.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5]),
}
points = {name: ip.fs_point(law) for name, law in laws.items()}

# %%
# The closed forms (the mixture has none: adaptive quadrature) and their products N·J:

for name, p in points.items():
    print(f"{name:14s} N = {p.entropy_power.value:6.3f}  J = {p.fisher.value:6.3f}  "
          f"N·J = {p.product.value:5.3f}  ({p.product.method})")

# %%
# Samples of three laws (n = 3000) next to their exact points, as hollow markers of the
# same colour. The sample points carry the bootstrap (J) and analytic (H) standard errors
# as error bars. The Laplace sample falls below its exact point: the kernel smooths the
# cusp of the Laplace density, which biases J low (user guide: :doc:`/guide/boundaries`).

rng = np.random.default_rng(0)
samples = {
    "Gaussian": rng.standard_normal(3000),
    "Laplace": rng.laplace(size=3000),
    "Cauchy": rng.standard_cauchy(3000),
}
styles = {}
for law, x in samples.items():
    name = f"{law}, n=3000"
    points[name] = ip.fs_point(x, rng=0)
    # point_style(i): the colour and marker fs_plane gives the i-th point
    style = point_style(list(laws).index(law))
    styles[name] = {**style, "mfc": "white", "mec": style["color"], "annotate": False,
                    "legend": True}
ax = fs_plane(points, curves=(1, 2, 5), styles=styles,
              title="Common laws on the Fisher–Shannon plane")
ax.figure.set_size_inches(8, 6)
plt.show()
