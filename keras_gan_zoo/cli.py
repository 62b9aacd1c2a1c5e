"""The ``keras-gan-zoo`` command line.

    keras-gan-zoo quickstart [--variant gan|wgan_gp] [--epochs N] [--out DIR]
    keras-gan-zoo export MODEL.keras --format onnx|saved_model --out PATH [--direction b_to_a]
    keras-gan-zoo evaluate MODEL.keras --metric fid|kid|precision_recall|modes --data DATA [-n N]
    keras-gan-zoo train gan|wgan_gp|conditional_gan|infogan --data DATA --out DIR [--resume]
    keras-gan-zoo list
    keras-gan-zoo sample NAME -n 64 --seed 0 -o grid.png [--label 3 | --categorical 2 | --input DIR]

MODEL is a .keras file or a zoo name everywhere.

The command line only wires the library together; everything it does is a
few lines of the Python API.
"""

import argparse
import os
import sys
import time

QUICKSTART_FILES = ("samples.png", "losses.png", "model.keras")


def _quickstart(args):
    files = {name: os.path.join(args.out, name) for name in QUICKSTART_FILES}
    existing = [p for p in files.values() if os.path.exists(p)]
    if existing and not args.overwrite:
        raise SystemExit(
            f"error: {', '.join(existing)} already exist; choose another --out "
            "or pass --overwrite"
        )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    import keras_gan_zoo as kgz

    keras.utils.set_random_seed(args.seed)
    images = kgz.data.digits()
    model = kgz.VARIANTS[args.variant].for_shape(images.shape[1:], latent_dim=args.latent_dim)
    model.compile()
    print(
        f"Training {type(model).__name__} (DCGAN networks, latent {model.latent_dim}) on the "
        f"{len(images)} bundled 8x8 digits for {args.epochs} epochs..."
    )
    start = time.perf_counter()
    history = model.fit(
        images,
        batch_size=args.batch_size,
        epochs=args.epochs,
        shuffle=True,
        verbose=args.verbose,
        callbacks=[kgz.callbacks.LossPlot(files["losses.png"])],
    )
    seconds = time.perf_counter() - start
    kgz.visualize.save_image_grid(model.generate(64, seed=0), files["samples.png"], ncols=8)
    model.save(files["model.keras"])
    final = ", ".join(f"{k} {v[-1]:.3f}" for k, v in history.history.items())
    print(f"Trained in {seconds:.0f} s ({final}).")
    for name, path in files.items():
        print(f"  {name:<12} {os.path.abspath(path)}")


def _load_model(spec):
    """A variant from a ``.keras`` file (Keras' safe mode on) or a zoo preset name/directory."""
    import keras

    import keras_gan_zoo  # noqa: F401  registers the variants for deserialisation
    from keras_gan_zoo import zoo

    if spec.endswith(".keras"):
        if not os.path.isfile(spec):
            raise SystemExit(f"error: no model file at {spec}; expected a .keras file saved by "
                             "model.save, or a zoo name (keras-gan-zoo list)")
        try:
            return keras.saving.load_model(spec)  # safe_mode: refuses code (Lambda layers)
        except ValueError as error:
            raise SystemExit(f"error: cannot load {spec}: {error}") from None
        except (OSError, KeyError) as error:  # zip or HDF5 damage
            raise SystemExit(f"error: {spec} is not a readable .keras file (truncated or "
                             f"corrupted?): {error}") from None
    try:
        return zoo.load(spec)
    except zoo.PresetError as error:
        raise SystemExit(f"error: {error}") from None


def _export(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    stem = os.path.splitext(args.model)[0] if args.model.endswith(".keras") else os.path.basename(
        os.path.normpath(args.model))
    out = args.out or stem + (".onnx" if args.format == "onnx" else "_saved_model")
    if os.path.lexists(out) and not args.overwrite:
        raise SystemExit(f"error: {out} already exists; choose another --out or pass --overwrite")
    from keras_gan_zoo import export

    model = _load_model(args.model)
    options = {"overwrite": args.overwrite, "direction": args.direction}
    if args.opset is not None:
        if args.format != "onnx":
            raise SystemExit("error: --opset applies to --format onnx only")
        options["opset"] = args.opset
    try:
        result = export.export(model, out, format=args.format, **options)
    except (export.ExportError, export.ExportVerificationError) as error:
        raise SystemExit(f"error: {error}") from None
    diffs = ", ".join(f"batch {b}: {d:.2g}" for b, d in result.max_abs_diff.items())
    inputs = ", ".join(f"{i['name']} {i['shape']}" for i in result.metadata["inputs"])
    print(f"wrote {result.path} ({result.format}, {result.metadata['variant']}; inputs {inputs}; "
          f"max |{result.format} - keras| {diffs})")


def _real_images(spec, shape):
    """Real images named by ``--data``: an .npy file, an MNIST folder, usps.h5, or an image folder."""
    import numpy as np

    from keras_gan_zoo import data

    if spec.endswith(".npy"):
        if not os.path.isfile(spec):
            raise SystemExit(f"error: no file {spec}")
        return np.load(spec)
    if spec.endswith(".h5"):
        return data.to_arrays(data.usps(spec, "test", size=shape[0]))[0]
    if not os.path.isdir(spec):
        raise SystemExit(
            f"error: --data {spec}: expected a .npy file of images in [-1, 1], a folder of MNIST "
            "IDX files, usps.h5, a folder of images, or ring8 / grid25 / stacked_mnist for "
            "--metric modes"
        )
    if any(name.startswith("t10k-images") for name in os.listdir(spec)):
        return data.to_arrays(data.mnist(spec, split="test", size=shape[0]))[0]
    return data.to_arrays(data.image_folder(spec, size=shape[0], channels=shape[-1], labels=None))


def _evaluate(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.json and os.path.exists(args.json) and not args.overwrite:
        raise SystemExit(f"error: {args.json} already exists; choose another --json or pass --overwrite")
    model = _load_model(args.model)
    import json

    import numpy as np

    from keras_gan_zoo import CycleGAN, data, metrics

    if isinstance(model, CycleGAN) or not hasattr(model, "generate"):
        raise SystemExit(
            f"error: evaluate samples a generator with model.generate; {type(model).__name__} "
            "has none (a CycleGAN translates: compare translated images in Python)"
        )
    fake = model.generate(args.n, seed=args.seed)
    if args.metric == "modes":
        if args.data in ("ring8", "grid25"):
            means, std = data.toy_modes(args.data)
            result = metrics.mode_coverage(fake, means, std)
            keys = ("modes", "num_modes", "high_quality", "reverse_kl")
        elif args.data == "stacked_mnist":
            result = metrics.stacked_mnist_modes(fake)
            keys = ("modes", "num_modes", "reverse_kl")
        else:
            raise SystemExit("error: --metric modes takes --data ring8, grid25 or stacked_mnist")
        values = {k: result[k] for k in keys}
    else:
        real = _real_images(args.data, model.example_shape)
        if real.ndim != 4:
            raise SystemExit(f"error: --data gave an array of shape {real.shape}; expected images "
                             "(n, h, w, c) in [-1, 1]")
        real = real[: args.n]
        options = {"extractor": args.extractor, "inception_weights": args.inception_weights}
        real_f = metrics.features(real, **options)
        fake_f = metrics.features(fake, **options)
        values = metrics.distances.compare(args.metric, real_f, fake_f)
        values.update(real_samples=len(real), extractor=args.extractor)
    values.update(generated_samples=args.n, seed=args.seed, model=args.model, data=args.data)
    for key, value in values.items():
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"{key:>18}: {shown}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: (v.item() if isinstance(v, np.generic) else v) for k, v in values.items()},
                      f, indent=2)


def _training_data(spec, variant):
    """``(x, y)`` arrays for ``train --data``: digits, ring8/grid25, .npy, MNIST IDX or image folder."""
    import numpy as np

    from keras_gan_zoo import data

    if spec == "digits":
        return data.digits(return_labels=True)
    if spec in data.TOY_SETS:
        return data.toy(spec, n=20000, seed=0), None
    if spec.endswith(".npy"):
        if not os.path.isfile(spec):
            raise SystemExit(f"error: no file {spec}")
        return np.load(spec), None
    if not os.path.isdir(spec):
        raise SystemExit(
            f"error: --data {spec}: expected digits, ring8, grid25, a .npy file of examples, a "
            "folder of MNIST IDX files or a folder of images (one subfolder per class)"
        )
    if any(name.startswith("t10k-images") for name in os.listdir(spec)):
        return data.to_arrays(data.mnist(spec, split="train"))
    return data.to_arrays(data.image_folder(spec, size=32, channels=3))


def _train(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    import keras_gan_zoo as kgz
    from keras_gan_zoo.training import CHECKPOINT, NonFiniteLossError, fit_resumable

    checkpoint = os.path.join(args.out, CHECKPOINT)
    if os.path.exists(checkpoint) and not args.resume:
        raise SystemExit(f"error: {checkpoint} exists: pass --resume to continue that run, or "
                         "choose another --out")
    for name in ("model.keras", "samples.png"):
        if os.path.exists(os.path.join(args.out, name)) and not args.resume:
            raise SystemExit(f"error: {os.path.join(args.out, name)} exists; choose another --out")
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(args.seed)
    x, y = _training_data(args.data, args.variant)
    if args.variant != "conditional_gan":
        y = None
    elif y is None:
        raise SystemExit(f"error: a conditional GAN needs labels; --data {args.data} has none")
    cls = kgz.VARIANTS[args.variant]
    kwargs = {"num_classes": int(y.max()) + 1} if args.variant == "conditional_gan" else {}
    if args.variant == "infogan":
        model = cls.for_shape(x.shape[1:], seed=args.seed)
    else:
        model = cls.for_shape(x.shape[1:], latent_dim=args.latent_dim, seed=args.seed, **kwargs)
    model.compile()
    try:
        model, _ = fit_resumable(model, x, y, directory=args.out, epochs=args.epochs,
                                 batch_size=args.batch_size, seed=args.seed, resume=args.resume,
                                 checkpoint_steps=args.checkpoint_steps, verbose=args.verbose)
    except NonFiniteLossError as error:
        raise SystemExit(f"error: {error} ({checkpoint})") from None
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    model.save(os.path.join(args.out, "model.keras"))
    if len(model.example_shape) == 3:
        kgz.visualize.save_image_grid(model.generate(64, seed=0), os.path.join(args.out, "samples.png"))
    print(f"trained {type(model).__name__} to step {int(model.generator_optimizer.iterations)}: "
          f"{os.path.join(args.out, 'model.keras')}")


def _list(args):
    from keras_gan_zoo import zoo

    entries = zoo.list()
    if not entries:
        print("no bundled presets")
        return
    width = max(len(e["name"]) for e in entries)
    print(f"{'name':<{width}}  {'variant':<15} {'size':>7}  headline  (data)")
    for e in entries:
        print(f"{e['name']:<{width}}  {e['variant']:<15} {e['size_mb']:>5.1f}MB  {e['headline']}  "
              f"({e['data']})")


def _sample(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for path in filter(None, (args.out, args.npy)):
        if os.path.exists(path) and not args.overwrite:
            raise SystemExit(f"error: {path} already exists; choose another name or pass --overwrite")
    import numpy as np

    from keras_gan_zoo import ConditionalGAN, CycleGAN, InfoGAN, visualize

    model = _load_model(args.model)
    given = {flag: getattr(args, flag) for flag in ("label", "categorical", "continuous", "input")
             if getattr(args, flag) is not None}
    if args.deskew:
        given["deskew"] = True
    allowed = {ConditionalGAN: {"label"}, InfoGAN: {"categorical", "continuous"},
               CycleGAN: {"input", "deskew"}}.get(type(model), set())
    wrong = sorted(set(given) - allowed)
    if wrong:
        raise SystemExit(f"error: --{wrong[0]} does not apply to a {type(model).__name__}")
    try:
        if isinstance(model, CycleGAN):
            if "input" not in given:
                raise SystemExit("error: a CycleGAN translates images: pass --input IMAGE_OR_FOLDER")
            source = _read_inputs(args.input, model.image_shape_a if args.direction == "a_to_b"
                                  else model.image_shape_b)
            if args.deskew:
                from keras_gan_zoo.data import deskew

                source = deskew(source)
            result = model.translate(source, args.direction)
            shown = np.concatenate([_as_channels(source, result.shape[-1]), result])
            visualize.save_image_grid(shown, args.out, ncols=len(source))
        else:
            options = {}
            if "label" in given:
                options["labels"] = args.label
            if "categorical" in given:
                options["categorical"] = args.categorical
            if "continuous" in given:
                options["continuous"] = [float(v) for v in args.continuous.split(",")]
            result = model.generate(args.n, seed=args.seed, **options)
            if result.ndim == 4:
                visualize.save_image_grid(result, args.out)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    if args.npy:
        np.save(args.npy, result)
    print(f"wrote {args.out} ({len(result)} images from {args.model})")


def _read_inputs(source, shape):
    """Images of a file or folder, resized to ``shape`` (h, w, c), in [-1, 1]."""
    import numpy as np
    from PIL import Image

    paths = ([os.path.join(source, f) for f in sorted(os.listdir(source))
              if f.lower().endswith((".png", ".jpg", ".jpeg", ".bmp"))]
             if os.path.isdir(source) else [source])
    if not paths or not all(os.path.isfile(p) for p in paths):
        raise SystemExit(f"error: --input {source}: expected an image file or a folder of images")
    images = []
    for path in paths:
        with Image.open(path) as picture:
            picture = picture.convert("L" if shape[-1] == 1 else "RGB").resize((shape[1], shape[0]))
            images.append(np.asarray(picture, "float32").reshape(shape) / 127.5 - 1)
    return np.stack(images)


def _as_channels(images, channels):
    import numpy as np

    if images.shape[-1] == channels:
        return images
    return np.repeat(images, channels, -1) if images.shape[-1] == 1 else images.mean(-1, keepdims=True)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-gan-zoo",
        description="Train, sample and inspect GANs built on Keras 3.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    quick = commands.add_parser(
        "quickstart",
        help="train a small GAN on the bundled digits and write PNG samples and losses",
    )
    quick.add_argument("--variant", choices=["gan", "wgan_gp"], default="gan")
    quick.add_argument("--epochs", type=_positive_int, default=100)
    quick.add_argument("--batch-size", type=_positive_int, default=64)
    quick.add_argument("--latent-dim", type=_positive_int, default=32)
    quick.add_argument("--seed", type=int, default=0)
    quick.add_argument("--out", default="quickstart_out", help="output folder")
    quick.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    quick.add_argument("--verbose", type=int, choices=[0, 1, 2], default=1,
                       help="Keras fit verbosity: 1 = progress bar")
    quick.set_defaults(run=_quickstart)

    exp = commands.add_parser(
        "export",
        help="export a saved model's generator to ONNX or a SavedModel, verified against Keras",
    )
    exp.add_argument("model", help="a .keras file saved by model.save, or a zoo name")
    exp.add_argument("--format", choices=["onnx", "saved_model"], default="onnx")
    exp.add_argument("--out", help="file (onnx) or folder (saved_model) to write "
                     "(default: beside the model)")
    exp.add_argument("--direction", choices=["a_to_b", "b_to_a"],
                     help="for a CycleGAN: which generator (default a_to_b)")
    exp.add_argument("--opset", type=_positive_int, help="ONNX opset (default: tf2onnx's)")
    exp.add_argument("--overwrite", action="store_true", help="replace an existing output")
    exp.set_defaults(run=_export)

    ev = commands.add_parser(
        "evaluate",
        help="measure a saved model: Fréchet / kernel distance, precision and recall, or modes",
    )
    ev.add_argument("model", help="a .keras file saved by model.save, or a zoo name")
    ev.add_argument("--metric", required=True, choices=["fid", "kid", "precision_recall", "modes"])
    ev.add_argument("--data", required=True,
                    help="real images: .npy, MNIST IDX folder, usps.h5 or an image folder; "
                    "for --metric modes: ring8, grid25 or stacked_mnist")
    ev.add_argument("-n", type=_positive_int, default=10000, help="generated (and at most real) samples")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--extractor", choices=["digits", "inception"], default="digits",
                    help="features: the bundled digit classifier or Inception-v3")
    ev.add_argument("--inception-weights", help="Inception-v3 no-top weights file (no download)")
    ev.add_argument("--json", help="also write the figures to this JSON file")
    ev.add_argument("--overwrite", action="store_true", help="replace an existing --json file")
    ev.set_defaults(run=_evaluate)

    tr = commands.add_parser(
        "train", help="train a variant with a checkpoint every epoch; --resume continues exactly")
    tr.add_argument("variant", choices=["gan", "wgan_gp", "conditional_gan", "infogan"])
    tr.add_argument("--data", required=True,
                    help="digits (bundled), ring8, grid25, a .npy of examples in [-1, 1], a "
                    "folder of MNIST IDX files, or a folder of images")
    tr.add_argument("--out", required=True, help="run folder (checkpoint.keras, model.keras)")
    tr.add_argument("--epochs", type=_positive_int, default=20)
    tr.add_argument("--batch-size", type=_positive_int, default=64)
    tr.add_argument("--latent-dim", type=_positive_int, default=64)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--checkpoint-steps", type=_positive_int,
                    help="also checkpoint every this many steps")
    tr.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.keras")
    tr.add_argument("--verbose", type=int, choices=[0, 1, 2], default=1)
    tr.set_defaults(run=_train)

    ls = commands.add_parser("list", help="the pretrained zoo entries and their headline numbers")
    ls.set_defaults(run=_list)

    sm = commands.add_parser("sample", help="write a PNG grid of samples (or translations) "
                             "of a zoo entry or a .keras model")
    sm.add_argument("model", help="zoo name (keras-gan-zoo list) or a .keras file")
    sm.add_argument("-n", type=_positive_int, default=64, help="samples")
    sm.add_argument("--seed", type=int, default=0)
    sm.add_argument("--label", type=int, help="class, for a conditional GAN")
    sm.add_argument("--categorical", type=int, help="categorical code, for an InfoGAN")
    sm.add_argument("--continuous", help="continuous codes, e.g. 0.5,-1, for an InfoGAN")
    sm.add_argument("--input", help="image file or folder, for a CycleGAN")
    sm.add_argument("--direction", choices=["a_to_b", "b_to_a"], default="a_to_b",
                    help="CycleGAN direction")
    sm.add_argument("--deskew", action="store_true",
                    help="shear grey --input digits upright first (kgz.data.deskew), as "
                         "cyclegan_mnist_usps was trained on MNIST")
    sm.add_argument("-o", "--out", default="samples.png", help="PNG grid to write")
    sm.add_argument("--npy", help="also save the raw images in [-1, 1] to this .npy file")
    sm.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    sm.set_defaults(run=_sample)
    return parser


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def main(argv=None):
    """Entry point of the ``keras-gan-zoo`` console script."""
    args = build_parser().parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
