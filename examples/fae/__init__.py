"""Fisher Auto-Encoder examples: VAE, FAE and MAE on binarized MNIST and 8×8 digits.

Thin scripts on top of :mod:`infoplane.vae`, with their data loaders in :mod:`.data`:

* ``python -m examples.fae.train``     train one model (metrics, checkpoints, encodings)
* ``python -m examples.fae.evaluate``  IWAE-bound NLL of a trained run
* ``python -m examples.fae.queue``     a resumable queue of runs (train, then evaluate)
* ``python -m examples.fae.collect``   JSON results and Markdown tables from finished runs
* ``python -m examples.fae.figures``   PNG figures from finished runs
* ``python -m examples.fae.trajectory`` aggregate FS trajectories and the N·J = const test
* ``python -m examples.fae.pseudolabel`` the pseudo-labelled reversed-MNIST training set
"""
