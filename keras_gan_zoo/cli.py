"""The ``keras-gan-zoo`` command line.

    keras-gan-zoo quickstart [--variant gan|wgan_gp] [--epochs N] [--out DIR]
    keras-gan-zoo export MODEL.keras --format onnx|saved_model --out PATH [--direction b_to_a]

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


def _load_model(path):
    """A variant (or a generator) from a ``.keras`` file, with Keras' safe mode on."""
    if not os.path.isfile(path):
        raise SystemExit(f"error: no model file at {path}; expected a .keras file saved by model.save")
    if not path.endswith(".keras"):
        raise SystemExit(f"error: expected a .keras file (saved by model.save), got {path}")
    import keras

    import keras_gan_zoo  # noqa: F401  registers the variants for deserialisation

    return keras.saving.load_model(path)


def _export(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    out = args.out or os.path.splitext(args.model)[0] + (
        ".onnx" if args.format == "onnx" else "_saved_model")
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
    exp.add_argument("model", help="a .keras file saved by model.save")
    exp.add_argument("--format", choices=["onnx", "saved_model"], default="onnx")
    exp.add_argument("--out", help="file (onnx) or folder (saved_model) to write "
                     "(default: beside the model)")
    exp.add_argument("--direction", choices=["a_to_b", "b_to_a"],
                     help="for a CycleGAN: which generator (default a_to_b)")
    exp.add_argument("--opset", type=_positive_int, help="ONNX opset (default: tf2onnx's)")
    exp.add_argument("--overwrite", action="store_true", help="replace an existing output")
    exp.set_defaults(run=_export)
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
