"""PNG pictures of samples and training curves (Pillow and matplotlib, no pyplot)."""

import math
import os

import numpy as np


def image_grid(images, ncols=None, pad=1):
    """Tile images in ``[-1, 1]`` into one uint8 picture.

    Args:
        images: ``(n, h, w, c)`` with c in {1, 3}, values in ``[-1, 1]``.
        ncols: tiles per row (default: a square-ish grid).
        pad: pixels of border between tiles.

    Returns:
        uint8 array ``(H, W)`` for grey images or ``(H, W, 3)``.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            f"expected images of shape (n, h, w, 1 or 3) with n >= 1, got {images.shape}"
        )
    n, h, w, c = images.shape
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    grid = np.zeros((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), dtype="uint8")
    pixels = np.clip((images + 1.0) * 127.5 + 0.5, 0, 255).astype("uint8")
    for i in range(n):
        r, col = divmod(i, ncols)
        y, x = pad + r * (h + pad), pad + col * (w + pad)
        grid[y : y + h, x : x + w] = pixels[i]
    return grid[..., 0] if c == 1 else grid


def save_image_grid(images, path, ncols=None, min_tile=48):
    """Write a grid of images in ``[-1, 1]`` as a PNG; small tiles are enlarged.

    Args:
        images: ``(n, h, w, c)`` in ``[-1, 1]``.
        path: where to write the PNG (parent folders are created).
        ncols: tiles per row.
        min_tile: tiles smaller than this many pixels are scaled up
            (nearest neighbour) so that 8x8 digits stay visible.

    Returns:
        ``path``.
    """
    from PIL import Image

    grid = image_grid(images, ncols=ncols)
    scale = max(1, math.ceil(min_tile / np.asarray(images).shape[1]))
    picture = Image.fromarray(grid)
    if scale > 1:
        picture = picture.resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST)
    _make_parent(path)
    picture.save(path, format="PNG")
    return path


def slerp(a, b, t):
    """Spherical interpolation from ``a`` to ``b`` (rows of Gaussian latents) at fractions ``t``.

    Gaussian latents live near a sphere of radius sqrt(latent_dim); a straight
    line between two of them passes through the low-norm middle the generator
    rarely saw, a great-circle arc does not (White 2016, "Sampling Generative
    Networks").

    Args:
        a, b: ``(rows, d)`` start and end points.
        t: ``(steps,)`` fractions in [0, 1].

    Returns:
        ``(rows, steps, d)``.
    """
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    t = np.asarray(t, "float64")[None, :, None]
    unit_a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    unit_b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    omega = np.arccos(np.clip(np.sum(unit_a * unit_b, -1), -1.0, 1.0))[:, None, None]
    sin = np.sin(omega)
    linear = (1 - t) * a[:, None] + t * b[:, None]
    arc = (np.sin((1 - t) * omega) * a[:, None] + np.sin(t * omega) * b[:, None]) / np.where(
        sin == 0, 1.0, sin)
    return np.where(sin < 1e-6, linear, arc).astype("float32")


def interpolation_images(model, rows=4, steps=8, seed=0, **codes):
    """Samples along spherical paths between random latents: ``rows * steps`` images.

    Each row walks from one Gaussian latent ``z`` to another in ``steps``
    samples; the row's other inputs (labels, codes) stay fixed: given ones
    apply to every row, the rest are drawn per row as ``generate`` draws them.

    Example:
        >>> save_image_grid(interpolation_images(model, rows=4, steps=8), "walk.png", ncols=8)
    """
    signature = model.signature()
    rng = np.random.default_rng(seed)
    start, end = rng.standard_normal((2, rows, model.latent_dim))
    z = slerp(start, end, np.linspace(0.0, 1.0, steps)).reshape(rows * steps, -1)
    fixed = signature.make_inputs(rows, rng, **codes)
    inputs = {port.keyword: np.repeat(values, steps, axis=0)
              for port, values in zip(signature.inputs, fixed) if port.name != "z"}
    return model.generate(z=z, **inputs)


def save_interpolation_grid(model, path, rows=4, steps=8, seed=0, **codes):
    """Write ``interpolation_images`` as a PNG grid, one path per row."""
    save_image_grid(interpolation_images(model, rows, steps, seed, **codes), path, ncols=steps)
    return path


def plot_history(history, path, title="Training losses", steps=None, xlabel="epoch"):
    """Plot every logged value against the epoch (or the step) and write a PNG.

    Args:
        history: ``keras.callbacks.History`` or its ``.history`` dict.
        path: where to write the PNG.
        title: the plot's title.
        steps: the x value of each entry (e.g. training steps); default
            1, 2, 3, ... (epochs).
        xlabel: the x axis's label.

    Returns:
        ``path``.
    """
    from matplotlib.figure import Figure

    logs = getattr(history, "history", history)
    if not logs:
        raise ValueError("expected a non-empty training history, got none")
    fig = Figure(figsize=(6, 3.5), dpi=100)
    ax = fig.add_subplot()
    for name, values in sorted(logs.items()):
        x = np.arange(1, len(values) + 1) if steps is None else np.asarray(steps)[: len(values)]
        ax.plot(x, values, label=name, marker="." if len(values) < 30 else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    _make_parent(path)
    fig.savefig(path, format="png")
    return path


def plot_points(points, path, modes=None, title="Samples"):
    """Scatter 2-D samples (and the true modes, if given) to a PNG."""
    from matplotlib.figure import Figure

    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"expected 2-D points of shape (n, 2), got {points.shape}")
    fig = Figure(figsize=(4.5, 4.5), dpi=100)
    ax = fig.add_subplot()
    ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, label="generated")
    if modes is not None:
        modes = np.asarray(modes)
        ax.scatter(modes[:, 0], modes[:, 1], s=30, c="red", marker="x", label="modes")
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.legend(loc="upper right")
    fig.tight_layout()
    _make_parent(path)
    fig.savefig(path, format="png")
    return path


def _make_parent(path):
    parent = os.path.dirname(os.fspath(path))
    if parent:
        os.makedirs(parent, exist_ok=True)
