#!/usr/bin/env python
"""Run an ONNX generator exported by keras-gan-zoo, without TensorFlow.

Needs only ``onnxruntime``, ``numpy`` and ``Pillow`` (``pip install
onnxruntime numpy pillow``); this file is self-contained, copy it where the
model is deployed. The ONNX file's metadata (``keras_gan_zoo`` in
``metadata_props``) says which inputs the generator takes.

    # sample 64 images from a GAN / WGAN-GP generator
    python onnx_generate.py generator.onnx -n 64 --seed 0 -o grid.png
    # a conditional generator: one class, or every class in turn if omitted
    python onnx_generate.py cgan.onnx -n 64 --label 3 -o threes.png
    # an InfoGAN generator: fix the categorical and continuous codes
    python onnx_generate.py infogan.onnx -n 10 --categorical 7 --continuous 0.5,-1 -o sevens.png
    # a CycleGAN direction: translate one image or a folder of images
    python onnx_generate.py mnist_to_usps.onnx --input digits/ -o translated.png

Writes a PNG grid (for CycleGAN: sources on one row, translations below) and,
with ``--npy``, the raw float32 outputs in [-1, 1].
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def load(path):
    """An onnxruntime session and the keras-gan-zoo metadata record of ``path``."""
    if not os.path.isfile(path):
        raise SystemExit(f"error: no ONNX file at {path}")
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    props = session.get_modelmeta().custom_metadata_map
    if "keras_gan_zoo" not in props:
        raise SystemExit(
            f"error: {path} has no keras_gan_zoo metadata; export it with keras_gan_zoo.export.to_onnx"
        )
    return session, json.loads(props["keras_gan_zoo"])


def latent_inputs(meta, n, seed, label=None, categorical=None, continuous=None):
    """The ``{name: array}`` feed of a noise-driven generator."""
    rng = np.random.default_rng(seed)
    feed = {}
    for spec in meta["inputs"]:
        name = spec["name"]
        if name == "z":
            feed["z"] = rng.standard_normal((n,) + tuple(spec["shape"][1:])).astype("float32")
        elif name in ("label", "categorical"):
            count = meta["num_classes" if name == "label" else "num_categories"]
            value = label if name == "label" else categorical
            codes = np.arange(n) % count if value is None else np.full(n, value)
            if codes.min() < 0 or codes.max() >= count:
                raise SystemExit(f"error: --{name} must be in 0..{count - 1}, got {value}")
            feed[name] = codes.astype("int32")
        elif name == "continuous":
            size = meta["num_continuous"]
            if continuous is None:
                feed[name] = rng.uniform(-1, 1, (n, size)).astype("float32")
            else:
                values = np.asarray(continuous, dtype="float32")
                if values.shape != (size,):
                    raise SystemExit(f"error: --continuous needs {size} comma-separated values, "
                                     f"got {len(values)}")
                feed[name] = np.tile(values, (n, 1))
    return feed


def read_images(source, channels, size):
    """Images from a file or a folder as ``(n, h, w, channels)`` in [-1, 1]."""
    if os.path.isdir(source):
        paths = sorted(os.path.join(source, f) for f in os.listdir(source)
                       if f.lower().endswith(IMAGE_SUFFIXES))
    elif os.path.isfile(source):
        paths = [source]
    else:
        raise SystemExit(f"error: --input {source} is neither an image file nor a folder")
    if not paths:
        raise SystemExit(f"error: no images ({', '.join(IMAGE_SUFFIXES)}) in {source}")
    images = []
    for path in paths:
        with Image.open(path) as picture:
            picture = picture.convert("L" if channels == 1 else "RGB").resize(size, Image.BILINEAR)
            pixels = np.asarray(picture, dtype="float32").reshape(size[1], size[0], channels)
        images.append(pixels / 127.5 - 1.0)
    return np.stack(images)


def grid(images, ncols):
    """Tile images in [-1, 1] into one uint8 picture with 1-pixel borders."""
    n, h, w, c = images.shape
    nrows = math.ceil(n / ncols)
    out = np.zeros((nrows * (h + 1) + 1, ncols * (w + 1) + 1, c), dtype="uint8")
    pixels = np.clip((images + 1.0) * 127.5 + 0.5, 0, 255).astype("uint8")
    for i in range(n):
        r, col = divmod(i, ncols)
        out[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + col * (w + 1):1 + col * (w + 1) + w] = pixels[i]
    return out[..., 0] if c == 1 else out


def save_grid(images, path, ncols, min_tile=48):
    picture = grid(images, ncols)
    scale = max(1, math.ceil(min_tile / images.shape[1]))
    image = Image.fromarray(picture)
    if scale > 1:
        image = image.resize((picture.shape[1] * scale, picture.shape[0] * scale), Image.NEAREST)
    image.save(path, format="PNG")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="an .onnx file written by keras_gan_zoo.export")
    parser.add_argument("-n", type=int, default=64, help="samples to draw")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", type=int, help="class for a conditional generator")
    parser.add_argument("--categorical", type=int, help="InfoGAN categorical code")
    parser.add_argument("--continuous", help="InfoGAN continuous codes, e.g. 0.5,-1")
    parser.add_argument("--input", help="image file or folder, for a CycleGAN direction")
    parser.add_argument("--size", type=int, help="resize inputs to this square size "
                        "(default: the size the model was trained at)")
    parser.add_argument("-o", "--out", default="generated.png", help="PNG grid to write")
    parser.add_argument("--npy", help="also save the raw outputs to this .npy file")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = parser.parse_args(argv)

    for path in filter(None, (args.out, args.npy)):
        if os.path.exists(path) and not args.overwrite:
            raise SystemExit(f"error: {path} exists; choose another name or pass --overwrite")
    session, meta = load(args.model)
    output = meta["outputs"][0]["name"]
    if output == "translated":
        if not args.input:
            raise SystemExit("error: this model translates images: pass --input IMAGE_OR_FOLDER")
        channels = meta["inputs"][0]["shape"][-1]
        size = args.size or meta["trained_image_shape"][0]
        source = read_images(args.input, channels, (size, size))
        result = session.run([output], {"image": source})[0]
        if source.shape[-1] != result.shape[-1]:  # show grey sources beside colour outputs
            source = np.repeat(source, 3, -1) if source.shape[-1] == 1 else source.mean(-1, keepdims=True)
        ncols = min(len(source), 16)
        pad = -len(source) % ncols
        blank = np.full((pad,) + result.shape[1:], -1.0, dtype="float32")
        source, shown = np.concatenate([source, blank]), np.concatenate([result, blank])
        rows = [part[i:i + ncols] for i in range(0, len(source), ncols) for part in (source, shown)]
        save_grid(np.concatenate(rows), args.out, ncols)
    else:
        if args.input:
            raise SystemExit(f"error: --input is for image-to-image models; this is a {meta['variant']} generator")
        if args.n < 1:
            raise SystemExit(f"error: -n must be a positive number of samples, got {args.n}")
        continuous = None if args.continuous is None else [float(v) for v in args.continuous.split(",")]
        feed = latent_inputs(meta, args.n, args.seed, args.label, args.categorical, continuous)
        names = {spec["name"] for spec in meta["inputs"]}
        for flag, name in (("--label", "label"), ("--categorical", "categorical"), ("--continuous", "continuous")):
            if getattr(args, name) is not None and name not in names:
                raise SystemExit(f"error: {flag} does not apply to this {meta['variant']} generator")
        result = session.run([output], feed)[0]
        if result.ndim == 4:
            save_grid(result, args.out, ncols=math.ceil(math.sqrt(len(result))))
        elif not args.npy:
            raise SystemExit(f"error: the generator makes vectors of shape {result.shape[1:]}, "
                             "not images; pass --npy FILE to save them")
    if args.npy:
        np.save(args.npy, result)
    written = [p for p in (args.out if result.ndim == 4 else None, args.npy) if p]
    kind = "translations" if output == "translated" else "samples"
    print(f"wrote {', '.join(written)} ({len(result)} {kind}, {meta['variant']} generator)")


if __name__ == "__main__":
    sys.exit(main())
