"""Differentiable augmentation of what the discriminator sees (DiffAugment and ADA).

A discriminator trained on a few hundred images memorises them, and its
feedback to the generator becomes meaningless. Augmenting *every* image the
discriminator judges, real and generated, in both updates, with transforms the
generator's gradient can pass through, keeps it from memorising without
teaching the generator to make augmented images (Zhao et al. 2020, Karras et
al. 2020).

Both functions are pure: they take the images, a tensor ``u`` of uniform
random numbers in ``[0, 1)`` (``(batch, DRAWS[name])``, one row per example)
and, for ADA, the probability ``p``. The models draw ``u`` for the global batch
from their stateless streams and give each replica its rows, so an example
meets the same augmentation on one replica or many. Every operation is a
gather, a multiply or an add, so the gradient is exact (no approximate
gradient of an image-warping kernel).

* ``diffaugment`` - Zhao et al. 2020, "Differentiable Augmentation for
  Data-Efficient GAN Training": colour (brightness, saturation, contrast),
  translation by up to 1/8 of the image (zeros shifted in) and cutout of a
  square half the image's side, every one on every image.
* ``ada`` - Karras et al. 2020, "Training Generative Adversarial Networks
  with Limited Data": the "bgc" pipeline (x-flip, 90-degree rotations, integer
  translation, isotropic scaling, rotation, anisotropic scaling, fractional
  translation; brightness, contrast, luma flip, hue rotation, saturation),
  each applied to an image with probability ``p``. The geometric transforms
  are composed into one matrix per image and applied once, with bilinear
  sampling and reflection at the borders (the paper upsamples with a wavelet
  filter first; this is the simpler, cheaper form). The model adjusts ``p``
  during training so that the discriminator's overfitting heuristic
  ``r_t = E[sign(D(real))]`` stays near a target (0.6).

Images are ``(batch, height, width, channels)`` in ``[-1, 1]``, one or three
channels (the colour transforms that need three channels are skipped for one).
"""

import math

import tensorflow as tf

__all__ = ["AUGMENTS", "DRAWS", "ada", "augment", "diffaugment"]

#: The augmentations a model's ``augment=`` takes.
AUGMENTS = ("diffaugment", "ada")

#: Uniform random numbers each augmentation reads per image.
DRAWS = {"diffaugment": 7, "ada": 28}


def _normal(u, std):
    """N(0, std^2) from uniforms (inverse CDF), kept finite at u = 0."""
    return std * math.sqrt(2.0) * tf.math.erfinv(2.0 * tf.clip_by_value(u, 1e-6, 1 - 1e-6) - 1.0)


def _randint(u, low, high):
    """Integers in ``[low, high)`` from uniforms."""
    low, high = tf.cast(low, tf.float32), tf.cast(high, tf.float32)
    return tf.cast(tf.floor(low + u * (high - low)), tf.int32)


def _shift(images, dy, dx):
    """Shift each image by integer ``(dy, dx)`` (per image), zeros shifted in."""
    shape = tf.shape(images)
    h, w = shape[1], shape[2]
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])
    rows = tf.clip_by_value(tf.range(h)[None, :] - dy[:, None] + 1, 0, h + 1)
    cols = tf.clip_by_value(tf.range(w)[None, :] - dx[:, None] + 1, 0, w + 1)
    out = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(out, cols, axis=2, batch_dims=1)


def diffaugment(images, u):
    """DiffAugment's ``color,translation,cutout`` policy (Zhao et al. 2020).

    Args:
        images: ``(n, h, w, c)`` float32 in ``[-1, 1]``.
        u: ``(n, 7)`` uniforms in ``[0, 1)``.

    Returns:
        The augmented images (same shape and dtype).
    """
    x = tf.convert_to_tensor(images)
    h, w = tf.shape(x)[1], tf.shape(x)[2]
    col = lambda i: tf.reshape(u[:, i], [-1, 1, 1, 1])  # noqa: E731
    # colour: brightness +-0.5, saturation x [0, 2], contrast x [0.5, 1.5]
    x = x + (col(0) - 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (col(1) * 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    x = (x - mean) * (col(2) + 0.5) + mean
    # translation by up to 1/8 of the side (rounded), zeros shifted in
    sy = tf.cast(tf.cast(h, tf.float32) * 0.125 + 0.5, tf.int32)
    sx = tf.cast(tf.cast(w, tf.float32) * 0.125 + 0.5, tf.int32)
    x = _shift(x, _randint(u[:, 3], -sy, sy + 1), _randint(u[:, 4], -sx, sx + 1))
    # cutout: a square of half the side, anywhere (partly outside allowed)
    ch = tf.cast(tf.cast(h, tf.float32) * 0.5 + 0.5, tf.int32)
    cw = tf.cast(tf.cast(w, tf.float32) * 0.5 + 0.5, tf.int32)
    cy = _randint(u[:, 5], 0, h + (1 - ch % 2)) - ch // 2
    cx = _randint(u[:, 6], 0, w + (1 - cw % 2)) - cw // 2
    rows = tf.range(h)[None, :]
    cols = tf.range(w)[None, :]
    inside_r = (rows >= cy[:, None]) & (rows < (cy + ch)[:, None])  # (n, h)
    inside_c = (cols >= cx[:, None]) & (cols < (cx + cw)[:, None])  # (n, w)
    mask = 1.0 - tf.cast(inside_r[:, :, None] & inside_c[:, None, :], x.dtype)
    return x * mask[..., None]


# --------------------------------------------------------------------- ADA
def _gate(u, p, value, identity):
    """``value`` where the image's gate ``u < p``, else ``identity``."""
    return tf.where(u < p, value, identity)


def _matrices(rows):
    return tf.reshape(tf.stack(rows, axis=1), [-1, 3, 3])


def _translate(tx, ty):
    one, zero = tf.ones_like(tx), tf.zeros_like(tx)
    return _matrices([one, zero, tx, zero, one, ty, zero, zero, one])


def _scale(sx, sy):
    one, zero = tf.ones_like(sx), tf.zeros_like(sx)
    return _matrices([sx, zero, zero, zero, sy, zero, zero, zero, one])


def _rotate(theta):
    c, s = tf.cos(theta), tf.sin(theta)
    one, zero = tf.ones_like(theta), tf.zeros_like(theta)
    return _matrices([c, -s, zero, s, c, zero, zero, zero, one])


def _reflect(coord, size):
    """Reflect coordinates into ``[0, size - 1]`` (mirror at the border pixels' centres)."""
    size = tf.cast(size, tf.float32)
    period = tf.maximum(2.0 * (size - 1.0), 1.0)
    coord = tf.math.floormod(coord, period)
    return tf.where(coord > size - 1.0, period - coord, coord)


def _warp(images, matrix):
    """Sample ``images`` at ``matrix @ (x, y, 1)`` for every output pixel (bilinear, reflected).

    Coordinates are in pixels from the image's centre; ``matrix`` maps an
    output pixel to where it is read in the input.
    """
    shape = tf.shape(images)
    n, h, w, c = shape[0], shape[1], shape[2], shape[3]
    hf, wf = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
    ys, xs = tf.meshgrid(tf.range(hf) - (hf - 1) / 2, tf.range(wf) - (wf - 1) / 2, indexing="ij")
    grid = tf.stack([tf.reshape(xs, [-1]), tf.reshape(ys, [-1]), tf.ones([h * w])], 0)  # (3, hw)
    src = tf.einsum("nij,jk->nik", matrix, grid)                                      # (n, 3, hw)
    x = _reflect(src[:, 0] + (wf - 1) / 2, w)
    y = _reflect(src[:, 1] + (hf - 1) / 2, h)
    x0, y0 = tf.floor(x), tf.floor(y)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    x0 = tf.cast(x0, tf.int32)
    y0 = tf.cast(y0, tf.int32)
    x1, y1 = tf.minimum(x0 + 1, w - 1), tf.minimum(y0 + 1, h - 1)
    flat = tf.reshape(images, [n, h * w, c])
    read = lambda yy, xx: tf.gather(flat, yy * w + xx, axis=1, batch_dims=1)  # noqa: E731
    top = read(y0, x0) * (1 - fx) + read(y0, x1) * fx
    bottom = read(y1, x0) * (1 - fx) + read(y1, x1) * fx
    return tf.reshape(top * (1 - fy) + bottom * fy, shape)


def ada(images, u, p):
    """ADA's "bgc" augmentations, each applied to an image with probability ``p``.

    Args:
        images: ``(n, h, w, c)`` float32 in ``[-1, 1]``, ``c`` in {1, 3}.
        u: ``(n, 28)`` uniforms in ``[0, 1)``.
        p: scalar probability in ``[0, 1]``.

    Returns:
        The augmented images. With ``p = 0`` they are the input, exactly.
    """
    x = tf.convert_to_tensor(images)
    p = tf.cast(p, tf.float32)
    h, w = tf.cast(tf.shape(x)[1], tf.float32), tf.cast(tf.shape(x)[2], tf.float32)
    zero, one = tf.zeros_like(u[:, 0]), tf.ones_like(u[:, 0])
    p_rot = 1.0 - tf.sqrt(1.0 - p)  # two rotations: each at this rate gives p overall

    m = tf.eye(3, batch_shape=[tf.shape(x)[0]])
    # blit: x-flip, 90-degree rotations, integer translation (up to 1/8)
    flip = _gate(u[:, 0], p, 1.0 - 2.0 * tf.floor(u[:, 1] * 2), one)
    m = m @ _scale(flip, one)
    quarter = _gate(u[:, 2], p, tf.floor(u[:, 3] * 4), zero)
    m = m @ _rotate(quarter * (math.pi / 2))
    tx = _gate(u[:, 4], p, tf.round((u[:, 5] * 2 - 1) * 0.125 * w), zero)
    ty = _gate(u[:, 4], p, tf.round((u[:, 6] * 2 - 1) * 0.125 * h), zero)
    m = m @ _translate(tx, ty)
    # geometric: isotropic scale, rotation, anisotropic scale, rotation, fractional translation
    s = _gate(u[:, 7], p, tf.pow(2.0, _normal(u[:, 8], 0.2)), one)
    m = m @ _scale(s, s)
    m = m @ _rotate(_gate(u[:, 9], p_rot, (u[:, 10] * 2 - 1) * math.pi, zero))
    a = _gate(u[:, 11], p, tf.pow(2.0, _normal(u[:, 12], 0.2)), one)
    m = m @ _scale(a, 1.0 / a)
    m = m @ _rotate(_gate(u[:, 13], p_rot, (u[:, 14] * 2 - 1) * math.pi, zero))
    fx = _gate(u[:, 15], p, _normal(u[:, 16], 0.125) * w, zero)
    fy = _gate(u[:, 15], p, _normal(u[:, 17], 0.125) * h, zero)
    m = m @ _translate(fx, fy)
    identity = tf.reduce_all(tf.abs(m - tf.eye(3)) < 1e-6, axis=[1, 2])
    warped = _warp(x, m)
    x = tf.where(identity[:, None, None, None], x, warped)  # untouched images stay exact

    # colour: brightness, contrast, luma flip, hue rotation, saturation
    col = lambda v: tf.reshape(v, [-1, 1, 1, 1])  # noqa: E731
    gates = [18, 20, 22, 24, 26] if x.shape[-1] == 3 else [18, 20]
    colour_on = tf.reduce_any(tf.stack([u[:, i] < p for i in gates], 1), axis=1)
    before = x
    x = x + col(_gate(u[:, 18], p, _normal(u[:, 19], 0.2), zero))
    contrast = _gate(u[:, 20], p, tf.pow(2.0, _normal(u[:, 21], 0.5)), one)
    if x.shape[-1] == 3:
        luma = tf.constant([1.0, 1.0, 1.0]) / math.sqrt(3.0)
        mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)
        x = (x - mean) * col(contrast) + mean
        v = tf.tensordot(x, luma, 1)[..., None] * luma              # luma component
        chroma = x - v
        # luma flip: v -> -v
        flip = _gate(u[:, 22], p, 1.0 - 2.0 * tf.floor(u[:, 23] * 2), one)
        v = v * col(flip)
        # hue rotation: rotate the chroma about the luma axis
        theta = col(_gate(u[:, 24], p, (u[:, 25] * 2 - 1) * math.pi, zero))
        cross = tf.linalg.cross(tf.broadcast_to(luma, tf.shape(chroma)), chroma)
        chroma = chroma * tf.cos(theta) + cross * tf.sin(theta)
        # saturation: scale the chroma
        chroma = chroma * col(_gate(u[:, 26], p, tf.pow(2.0, _normal(u[:, 27], 1.0)), one))
        x = v + chroma
    else:
        mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
        x = (x - mean) * col(contrast) + mean
    return tf.where(colour_on[:, None, None, None], x, before)  # untouched images stay exact


def augment(name, images, u, p=None):
    """Apply the augmentation ``name`` (one of ``AUGMENTS``) with uniforms ``u``."""
    if name == "diffaugment":
        return diffaugment(images, u)
    if name == "ada":
        return ada(images, u, p)
    raise ValueError(f"unknown augmentation {name!r}; expected one of {', '.join(AUGMENTS)}")
