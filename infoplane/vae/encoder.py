"""Run a user's encoder over a data set and place it on the Fisher-Shannon plane."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Union

import torch
from torch import distributions as D

from ._checks import RngLike, check_bool, check_n_mc, check_positive_int, check_rng
from .distributions import _generic_posterior_fs, as_batch_of_vectors, diagonal_normal_params
from .posterior import PosteriorFS, posterior_fs

__all__ = ["fs_point"]

EncoderOutput = Union[tuple[torch.Tensor, torch.Tensor], D.Distribution]
Encoder = Callable[[Any], EncoderOutput]
DeviceLike = Union[torch.device, str, int, None]


def _resolve_device(encoder: object, data: object, device: DeviceLike) -> torch.device:
    if device is not None:
        try:
            return torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise TypeError(
                f"`device` must be None, a torch.device or a device string; got {device!r}."
            ) from exc
    if isinstance(encoder, torch.nn.Module):
        for p in encoder.parameters():
            return p.device
        for b in encoder.buffers():
            return b.device
    if isinstance(data, torch.Tensor):
        return data.device
    return torch.device("cpu")


def _batches(data: object, batch_size: int) -> tuple[Iterable[Any], int | None]:
    """Yield input batches from a tensor, a Dataset, a DataLoader or any iterable."""
    if isinstance(data, torch.Tensor):
        if data.ndim == 0 or data.shape[0] == 0:
            raise ValueError(
                f"`data` must be a non-empty batch of inputs; got shape {tuple(data.shape)}."
            )
        return data.split(batch_size), -(-data.shape[0] // batch_size)
    if isinstance(data, torch.utils.data.Dataset) and not isinstance(
        data, torch.utils.data.IterableDataset
    ):
        data = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False)
    try:
        it: Iterator[Any] = iter(data)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"`data` must be a Tensor, a Dataset, a DataLoader or an iterable of batches; got "
            f"{type(data).__name__}."
        ) from None
    try:
        total: int | None = len(data)  # type: ignore[arg-type]
    except TypeError:
        total = None
    return it, total


def _inputs(batch: Any) -> Any:
    """The model input of a batch: the batch itself, or the first element of (x, y, ...)."""
    if isinstance(batch, (tuple, list)):
        if not batch:
            raise ValueError("`data` yielded an empty tuple as a batch.")
        batch = batch[0]
    if isinstance(batch, dict):
        raise TypeError(
            "`data` yielded a dict; pass a DataLoader yielding tensors or (x, y) tuples."
        )
    return batch


def fs_point(
    encoder: Encoder,
    data: torch.Tensor | torch.utils.data.Dataset | Iterable[Any],
    *,
    batch_size: int = 256,
    device: DeviceLike = None,
    progress: bool = True,
    n_mc: int = 10_000,
    n_samples: int = 1000,
    chunk_size: int = 2**20,
    aggregate: bool = True,
    rng: RngLike = None,
) -> PosteriorFS:
    r"""FS-plane coordinates of an encoder over a data set.

    Calls ``encoder(x)`` on every batch under ``torch.no_grad()`` and collects its
    posteriors, then computes :func:`~infoplane.vae.posterior_fs` (diagonal Gaussians,
    exact) or :func:`~infoplane.vae.distribution_fs` (any other distribution).

    Parameters
    ----------
    encoder : callable
        ``encoder(x)`` returns ``(mu, logvar)`` of shape (batch, d) or a
        ``torch.distributions.Distribution`` with one posterior per row. Put the model in
        eval mode first if it has dropout or batch norm: it is called as is.
    data : Tensor, Dataset, DataLoader or iterable
        Inputs; batches that are tuples/lists ``(x, y, ...)`` use their first element.
    batch_size : int
        Batch size when `data` is a tensor or a Dataset (a DataLoader keeps its own).
    device : torch.device, str or None
        Where batches are sent before the call. ``None``: the encoder's parameter device
        if it is an ``nn.Module`` with parameters, else the device of `data`, else CPU.
    progress : bool
        tqdm progress bars over the batches and the Monte Carlo blocks.
    n_mc, chunk_size, aggregate, rng : int, int, bool, None or int or Generator
        As in :func:`~infoplane.vae.posterior_fs`.
    n_samples : int
        Per-posterior draws for non-Gaussian posteriors (see
        :func:`~infoplane.vae.distribution_fs`).

    Returns
    -------
    PosteriorFS

    Raises
    ------
    TypeError
        A non-callable `encoder` or one returning neither (mu, logvar) nor a supported
        Distribution; unusable `data`; non-bool `progress`/`aggregate`; a bad `rng` or
        `device`.
    ValueError
        Empty data, inconsistent encoder outputs, bad `batch_size`/`n_mc`/`n_samples`/
        `chunk_size`, and everything :func:`~infoplane.vae.posterior_fs` rejects. The
        options are checked before the encoder runs.

    Examples
    --------
    >>> import torch
    >>> from infoplane.vae import fs_point
    >>> enc = torch.nn.Linear(3, 4)
    >>> def encoder(x):
    ...     h = enc(x)
    ...     return h[:, :2], h[:, 2:]          # (mu, logvar)
    >>> x = torch.randn(64, 3, generator=torch.Generator().manual_seed(0))
    >>> res = fs_point(encoder, x, batch_size=16, progress=False, n_mc=500, rng=0)
    >>> res.n_data, res.dim
    (64, 2)
    """
    batch_size = check_positive_int("batch_size", batch_size)
    n_mc = check_n_mc(n_mc)
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    chunk_size = check_positive_int("chunk_size", chunk_size)
    progress = check_bool("progress", progress)
    aggregate = check_bool("aggregate", aggregate)
    rng = check_rng(rng)
    if not callable(encoder):
        raise TypeError(f"`encoder` must be callable; got {type(encoder).__name__}.")
    dev = _resolve_device(encoder, data, device)
    batches, total = _batches(data, batch_size)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, total=total, desc="encoding", unit="batch")
    mus: list[Any] = []
    logvars: list[Any] = []
    dists: list[D.Distribution] = []
    with torch.no_grad():
        for batch in batches:
            x = _inputs(batch)
            if isinstance(x, torch.Tensor):
                x = x.to(dev, non_blocking=True)
            out = encoder(x)
            if isinstance(out, D.Distribution):
                dd = as_batch_of_vectors(out)
                params = diagonal_normal_params(dd)
                if params is not None:
                    mus.append(params[0])
                    logvars.append(params[1])
                else:
                    dists.append(dd)
            elif isinstance(out, (tuple, list)) and len(out) == 2:
                mus.append(out[0])
                logvars.append(out[1])
            else:
                raise TypeError(
                    "`encoder` must return (mu, logvar) or a torch.distributions.Distribution; "
                    f"got {type(out).__name__}"
                    + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
                    + "."
                )
    if mus and dists:
        raise TypeError("`encoder` returned diagonal Gaussians for some batches and other "
                        "distributions for others.")
    if not mus and not dists:
        raise ValueError("`data` yielded no batches (empty data set).")
    if dists:
        return _generic_posterior_fs(
            dists, n_samples=n_samples, n_mc=n_mc, chunk_size=chunk_size, aggregate=aggregate,
            rng=rng, progress=progress,
        )
    for i, (mu, lv) in enumerate(zip(mus, logvars)):
        if not (isinstance(mu, torch.Tensor) and isinstance(lv, torch.Tensor)):
            raise TypeError(f"`encoder` must return tensors (mu, logvar); batch {i} gave "
                            f"{type(mu).__name__}, {type(lv).__name__}.")
        if mu.ndim != 2 or mu.shape != lv.shape or mu.shape[1] != mus[0].shape[1]:
            raise ValueError(
                f"`encoder` outputs must be (mu, logvar) of equal shape (batch, d) with the same "
                f"d in every batch; batch {i} gave {tuple(mu.shape)} and {tuple(lv.shape)}."
            )
    return posterior_fs(
        torch.cat(mus), torch.cat(logvars), n_mc=n_mc, chunk_size=chunk_size,
        aggregate=aggregate, rng=rng, progress=progress,
    )
