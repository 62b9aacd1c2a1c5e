"""The ``keras-gan-zoo`` command line.

    keras-gan-zoo quickstart [--variant gan|wgan_gp] [--epochs N] [--out DIR]
    keras-gan-zoo train VARIANT --data DATA --out DIR [--size N --channels C] [--resume]
                        [--augment ada|diffaugment] [--ema 0.999] [--loss hinge] [--tensorboard]
    keras-gan-zoo sample NAME -n 64 --seed 0 -o grid.png [--label 3 | --categorical 2 |
                         --input DIR | --interpolate 8]
    keras-gan-zoo evaluate MODEL --metric fid|kid|precision_recall|density_coverage|modes --data DATA [-n N]
    keras-gan-zoo export MODEL --format onnx|saved_model|litert|openvino --out PATH
                         [--direction b_to_a] [--quantize float16|int8 [--reference DATA]]
    keras-gan-zoo list
    keras-gan-zoo download cgan_mnist           # (or all) into the cache, to load offline
    keras-gan-zoo upload my_gan hf://me/my_gan  # share a preset saved with kgz.zoo.save

MODEL is a .keras file or a preset handle everywhere (a zoo name, a preset
folder, a .tar.gz/.zip, hf://owner/repo[@revision]; and, for ``sample`` and
``evaluate``, an exported generator: ``.onnx``, ``.tflite``, OpenVINO ``.xml``
or a SavedModel folder, run by its own runtime); DATA is read by
``keras_gan_zoo.data.load``. The command line only wires the library
together: it asks each model what it takes and gives (its signature) and
never what type it is. Errors print one line (``error: ...``) and exit with
status 2; ``--debug`` shows the traceback.
"""

import argparse
import os
import sys
import time

QUICKSTART_FILES = ("samples.png", "losses.png", "model.keras")


class CLIError(Exception):
    """A problem the user can fix: printed as one line, exit status 2."""


def _quiet():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _free(*paths, overwrite=False, hint="choose another name or pass --overwrite"):
    """The one output-path guard: refuse to replace what a user has, unless told to."""
    existing = [p for p in paths if p and os.path.lexists(p)]
    if existing and not overwrite:
        raise CLIError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                       f"{hint}")


# ----------------------------------------------------------------- quickstart
def _quickstart(args):
    files = {name: os.path.join(args.out, name) for name in QUICKSTART_FILES}
    _free(*files.values(), overwrite=args.overwrite, hint="choose another --out or pass --overwrite")
    _quiet()
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


# ---------------------------------------------------------------- loading
def _load_model(spec):
    """A variant from a ``.keras`` file (Keras' safe mode on) or a zoo preset name/directory,
    or an exported generator (``.onnx``, ``.tflite``, OpenVINO ``.xml``, SavedModel folder)
    run by its own runtime."""
    import keras

    import keras_gan_zoo  # noqa: F401  registers the variants for deserialisation
    from keras_gan_zoo import export, zoo

    if export.is_export(spec):
        try:
            return export.load(spec)
        except export.ExportError as error:
            raise CLIError(str(error)) from error

    if spec.endswith(".keras"):
        if not os.path.isfile(spec):
            raise CLIError(f"no model file at {spec}; expected a .keras file saved by "
                           "model.save, or a zoo name (keras-gan-zoo list)")
        try:
            return keras.saving.load_model(spec)  # safe_mode: refuses code (Lambda layers)
        except ValueError as error:
            raise CLIError(f"cannot load {spec}: {str(error).splitlines()[0][:500]}") from error
        except (OSError, KeyError) as error:  # zip or HDF5 damage
            raise CLIError(f"{spec} is not a readable .keras file (truncated or corrupted?): "
                           f"{error}") from error
    return zoo.load(spec)


def _data(spec, flag="--data", **kwargs):
    from keras_gan_zoo import data

    try:
        return data.load(spec, **kwargs)
    except FileNotFoundError as error:
        raise CLIError(f"{flag} {spec}: {error}") from error


# ------------------------------------------------------------------ export
def _export(args):
    _quiet()
    stem = os.path.splitext(args.model)[0] if args.model.endswith(".keras") else os.path.basename(
        os.path.normpath(args.model))
    from keras_gan_zoo import export

    suffix = f"_{args.quantize}" if args.quantize else ""
    out = args.out or stem + suffix + (export.ENDINGS[args.format] or "_saved_model")
    weights = os.path.splitext(out)[0] + ".bin" if args.format == "openvino" else None
    _free(out, weights, overwrite=args.overwrite, hint="choose another --out or pass --overwrite")
    for flag in ("opset", "quantize"):
        if getattr(args, flag) is not None and args.format != "onnx":
            raise CLIError(f"--{flag} applies to --format onnx only")
    if args.calibration and args.quantize != "int8":
        raise CLIError("--calibration applies to --quantize int8 only")
    if args.reference and not args.quantize:
        raise CLIError("--reference measures a quantized file against its model: pass "
                       "--quantize float16 or int8 too")

    model = _load_model(args.model)
    options = {"overwrite": args.overwrite, "direction": args.direction}
    if args.opset is not None:
        options["opset"] = args.opset
    if args.quantize:
        options["quantize"] = args.quantize
    signature = model.signature(args.direction)
    if args.reference and signature.kind != "sampler":
        raise CLIError(f"--reference compares samples; a {type(model).__name__} translates "
                       "images: measure its file with kgz.metrics.export_quality(model, file, "
                       "real, sources=images) in Python")
    if args.calibration:
        if signature.kind == "sampler":
            raise CLIError(f"a {type(model).__name__} is calibrated on its own drawn inputs; "
                           "--calibration (source images) applies to translation models")
        options["calibration"] = _read_inputs(args.calibration, model.source_shape(args.direction),
                                              flag="--calibration")
    real = None
    if args.reference:  # read before anything is written
        shape = signature.output.shape
        real, _ = _data(args.reference, "--reference", size=shape[0], channels=shape[-1],
                        split="test")
    try:
        result = export.export(model, out, format=args.format, **options)
    except export.ExportError as error:
        message = str(error)
        if "calibration=" in message and signature.kind != "sampler":
            message += " (on the command line: --calibration IMAGE_FOLDER)"
        raise CLIError(message) from error
    diffs = ", ".join(f"batch {b}: {d:.2g}" for b, d in result.max_abs_diff.items())
    if result.quantize:
        diffs += "; mean " + ", ".join(f"{d:.2g}" for d in result.mean_abs_diff.values())
    inputs = ", ".join(f"{i['name']} {i['shape']}" for i in result.metadata["inputs"])
    kind = f"{result.quantize} {result.format}" if result.quantize else result.format
    size = os.path.getsize(result.path) / 1e6 if os.path.isfile(result.path) else None
    print(f"wrote {result.path} ({kind}, {result.metadata['variant']}; inputs {inputs}"
          + (f"; {size:.2f} MB" if size is not None else "")
          + f"; max |{result.format} - keras| {diffs})")
    if real is not None:
        _report_quality(model, result.path, real, args)


def _report_quality(model, path, real, args):
    """Measure a quantized file's samples against ``--reference`` and warn past the threshold."""
    import warnings

    from keras_gan_zoo import metrics

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", metrics.ExportQualityWarning)
        quality = metrics.export_quality(model, path, real[: args.n], n=args.n, seed=0)
    print(f"quality on {quality['samples']} samples ({quality['extractor']} features, "
          f"{args.reference} held out): Fréchet distance {quality['fid_export']:.4g} for the "
          f"file, {quality['fid_model']:.4g} for the model ({quality['fid_change']:+.1%})")
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)


# ---------------------------------------------------------------- evaluate
def _evaluate(args):
    _quiet()
    _free(args.json, overwrite=args.overwrite, hint="choose another --json or pass --overwrite")
    model = _load_model(args.model)
    import json

    import numpy as np

    from keras_gan_zoo import metrics

    if model.kind != "sampler":
        raise CLIError(f"evaluate samples a generator with model.generate; a "
                       f"{type(model).__name__} translates images (compare translated images "
                       "in Python with kgz.metrics.evaluate)")
    if args.metric == "modes":
        metrics.registry.check("modes", args.data)
        values = metrics.evaluate("modes", model.generate(args.n, seed=args.seed), args.data)
    else:
        shape = model.signature().output.shape
        if len(shape) != 3:
            raise CLIError(f"--metric {args.metric} compares images; this model makes vectors of "
                           f"shape {shape} (use --metric modes)")
        source = _open(args.data, args, size=shape[0], split="test", channels=shape[-1])
        if len(source.shape) != 3:
            raise CLIError(f"--data gave examples of shape {source.shape}; expected images "
                           "(h, w, c) in [-1, 1]")
        from keras_gan_zoo.metrics.features import extractor_for

        try:
            extractor = extractor_for(shape[-1], args.extractor)
        except ValueError as error:  # "--extractor NAME does not read ..."
            raise CLIError(f"--{error}") from error
        # both sides a batch at a time: memory does not grow with -n or the data set
        real = metrics.stream_features(source.batches(256, shuffle=False, drop_remainder=False),
                                       extractor, args.inception_weights, total=args.n)
        fake = metrics.generated_features(model, args.n, seed=args.seed, extractor=extractor,
                                          inception_weights=args.inception_weights)
        values = metrics.evaluate(args.metric, fake, real_features=real, extractor=extractor,
                                  inception_weights=args.inception_weights)
        values.update(real_samples=len(real), extractor=extractor)
    values.update(generated_samples=args.n, seed=args.seed, model=args.model, data=args.data)
    for key, value in values.items():
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"{key:>18}: {shown}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: (v.item() if isinstance(v, np.generic) else v) for k, v in values.items()},
                      f, indent=2)


# ------------------------------------------------------------------- train
def _open(spec, args, flag="--data", labels=None, size=None, channels=None, split="train"):
    """A streaming source for ``spec`` with the image flags of ``train`` / ``evaluate``."""
    from keras_gan_zoo.data import stream

    try:
        return stream.open_source(
            spec, size=size if size is not None else getattr(args, "size", None),
            channels=channels or getattr(args, "channels", None),
            crop=getattr(args, "crop", "center"), mirror=getattr(args, "mirror", False),
            background=getattr(args, "background", "white"),
            labels=labels or getattr(args, "labels", "auto"), split=split,
            skip_bad=getattr(args, "skip_bad", False))
    except FileNotFoundError as error:
        raise CLIError(f"{flag} {spec}: {error}") from error
    except ValueError as error:
        message = str(error)
        raise CLIError(message if spec in message else f"{flag} {spec}: {message}") from error


def _training_source(args, cls):
    """The source the variant trains on: examples (and labels), or ``(a, b)`` images.

    The variant says what it takes (its ``takes``); the
    flags say where the two sets are: ``--data A --data-b B`` (paired: matched
    by file name), or side-by-side images in ``--data`` (A left, B right).
    """
    from keras_gan_zoo.data import stream

    if not cls.takes.pairs:
        if args.data_b:
            raise CLIError(f"--data-b is for translation variants; {args.variant} trains on one "
                           "set of examples (--data)")
        return _open(args.data, args)
    paired = cls.takes.kind == "paired"
    try:
        if args.data_b:
            a = _open(args.data, args, labels="none")
            b = _open(args.data_b, args, "--data-b", labels="none")
            if paired:
                a, b = stream.match_by_name(a, b)
        else:
            a, b = stream.side_by_side(_open(args.data, args, labels="none",
                                             size=args.size or stream.probe_height(args.data)))
        if args.reverse:
            a, b = b, a
        return stream.PairSource(a, b, paired=paired)
    except ValueError as error:
        raise CLIError(str(error)) from error


def _train(args):
    import keras

    previous = keras.mixed_precision.global_policy()
    try:
        _train_run(args)
    finally:  # the run's precision is the run's (a caller in the same process keeps its own)
        keras.mixed_precision.set_global_policy(previous)


def _train_run(args):
    _quiet()
    from keras_gan_zoo.training import CHECKPOINT

    checkpoint = os.path.join(args.out, CHECKPOINT)
    run_files = [os.path.join(args.out, name) for name in
                 ("model.keras", "samples.png", "history.csv", "steps.csv", "losses.png", "samples",
                  "tensorboard")]
    if not args.resume:
        _free(checkpoint, *run_files,
              hint="pass --resume to continue that run, or choose another --out")
    import tensorflow as tf

    from keras_gan_zoo import runtime

    try:  # before any TensorFlow op: a multi-worker strategy or a split CPU needs a fresh runtime
        strategy, where = runtime.choose_strategy(args.devices)
        gpus = len(tf.config.get_visible_devices("GPU"))
        policy, why = runtime.choose_precision(args.precision, gpus=gpus)
    except ValueError as error:
        raise CLIError(str(error)) from error
    import keras

    import keras_gan_zoo as kgz
    from keras_gan_zoo.training import (Interrupted, NonFiniteLossError, fit_resumable,
                                        steps_per_execution_for)

    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(args.seed)
    replicas = strategy.num_replicas_in_sync
    cls = kgz.VARIANTS[args.variant]
    recipe = _recipe(args, cls, kgz.VARIANTS)
    source = _training_source(args, cls)
    batch_size, batch_why = _batch_size(args, cls, source)
    if batch_size % replicas:
        raise CLIError(f"the batch size {batch_size}{batch_why or ' (--batch-size)'} does not "
                       f"divide among {replicas} replicas; the batch size is global: pass "
                       f"--batch-size, a multiple of {replicas}")
    options = {"seed": args.seed, **(recipe.options if recipe else {})}
    if args.latent_dim is not None:
        options["latent_dim"] = args.latent_dim
    for flag in ("augment", "ema", "loss", "divergence"):  # the variant says if it takes them
        if getattr(args, flag) is not None:
            options[flag] = getattr(args, flag)
    for key, value in _settings(args.set).items():  # a dict adds to the recipe's dict
        known = options.get(key)
        options[key] = {**known, **value} if isinstance(known, dict) and isinstance(
            value, dict) else value
    keras.mixed_precision.set_global_policy(policy)
    with strategy.scope():
        if args.init_from:
            model = _load_model(args.init_from)
            if getattr(model, "variant_name", None) != args.variant:
                raise CLIError(f"--init-from {args.init_from} is a "
                               f"{getattr(model, 'variant_name', type(model).__name__)}; "
                               f"train {getattr(model, 'variant_name', '...')} to fine-tune it")
            # its layers keep the precision they were saved with
            policy, why = "as saved", f"the layers of {args.init_from} keep their own"
        else:
            try:
                model = cls.for_data(source, **options)
            except (TypeError, ValueError) as error:
                raise CLIError(str(error)) from error
        model.compile(steps_per_execution=args.steps_per_execution,
                      **(recipe.optimizers() if recipe else {}))
    source = model.training_source(source)  # what the variant reads: one image repeated...
    if args.epochs is None:
        args.epochs = model.default_epochs or 20
    steps_per_epoch = source.steps_per_epoch(batch_size)
    total = args.epochs * steps_per_epoch
    print(f"keras-gan-zoo train {args.variant}" + (f" (from {args.init_from})" if args.init_from
                                                     else ""))
    kernels = ("; TensorFlow's oneDNN kernels" if runtime.onednn_enabled() else
               "; TensorFlow's Eigen kernels" + (" (TF_ENABLE_ONEDNN_OPTS=0)" if os.environ.get(
                   "TF_ENABLE_ONEDNN_OPTS") in ("0", "false") else ""))
    print(f"  devices    {where}" + ("" if gpus else kernels))
    if recipe:
        print(f"  recipe     {args.recipe}: {recipe.summary}")
    print(f"  precision  {policy}: {why}")
    print(f"  data       {source.describe()}")
    if hasattr(source, "options"):
        print(f"  images     {source.shape[0]}x{source.shape[1]}, {source.options.describe()}")
    print(f"  steps      {steps_per_epoch:,} per epoch of batch {batch_size}{batch_why} ("
          f"{batch_size // replicas} per replica), {args.epochs} "
          f"epoch{'s' if args.epochs != 1 else ''} = {total:,} steps, "
          f"{steps_per_execution_for(args.steps_per_execution, steps_per_epoch)} per execution")
    print(f"  run        {args.out} (checkpoint every epoch"
          + (f" and every {args.checkpoint_steps} steps" if args.checkpoint_steps else "")
          + "; Ctrl-C saves the current step)", flush=True)
    callbacks = _run_callbacks(args, model, source)
    run_info = {"precision": policy, "variant": args.variant}
    try:
        with strategy.scope():
            model, _ = fit_resumable(model, source, directory=args.out, epochs=args.epochs,
                                     batch_size=batch_size, seed=args.seed,
                                     resume=args.resume, checkpoint_steps=args.checkpoint_steps,
                                     verbose=args.verbose, callbacks=callbacks, run_info=run_info)
    except Interrupted as stop:
        again = " ".join(sys.argv[1:] if "--resume" in sys.argv else [*sys.argv[1:], "--resume"])
        print(f"\ninterrupted at step {stop.step:,} of {total:,}: checkpoint written to "
              f"{stop.checkpoint}\ncontinue with: keras-gan-zoo {again}", file=sys.stderr)
        raise SystemExit(130) from None
    except NonFiniteLossError as error:
        raise CLIError(f"{error} ({checkpoint})") from error
    except ValueError as error:
        if getattr(error, "path", None) and os.path.exists(checkpoint):
            # an unreadable image met mid-run: a checkpoint of the step was written first
            raise CLIError(f"{error}; the run's checkpoint is in {checkpoint}: continue with "
                           "--resume --skip-bad") from error
        raise
    bad = getattr(source, "bad", None)
    if bad:
        print(f"skipped {len(bad)} unreadable file(s) (--skip-bad), e.g. "
              f"{source.path(sorted(bad)[0])}")
    model.save(os.path.join(args.out, "model.keras"))
    grid = _final_grid(model, callbacks)
    if grid is not None:
        kgz.visualize.save_image_grid(grid[0], os.path.join(args.out, "samples.png"),
                                      ncols=grid[1])
    print(f"trained {type(model).__name__} to step {int(model.generator_optimizer.iterations):,}: "
          f"{os.path.join(args.out, 'model.keras')}")


def _recipe(args, cls, variants):
    """The variant's recipe ``--recipe`` names (or ``None``), checked against what it has."""
    if not args.recipe:
        return None
    recipes = cls.recipes()
    if args.recipe not in recipes:
        having = [name for name, other in variants.items() if other.recipes()]
        raise CLIError(
            f"--recipe {args.recipe}: {args.variant} has "
            + (f"the recipes {', '.join(recipes)}" if recipes else
               f"no recipes (variants with recipes: {', '.join(having) or 'none'})"))
    if args.init_from:
        raise CLIError(f"--recipe {args.recipe} builds new networks and --init-from starts from "
                       "trained ones; pass one of them")
    return recipes[args.recipe]


def _batch_size(args, cls, source):
    """``(batch size, why)``: --batch-size, a resumed run's, or the variant's default for the size."""
    import json

    if args.batch_size is not None:
        return args.batch_size, ""
    from keras_gan_zoo.training import CHECKPOINT

    run_file = os.path.join(args.out, "run.json")
    if args.resume and os.path.exists(os.path.join(args.out, CHECKPOINT)) and \
            os.path.exists(run_file):
        try:
            with open(run_file) as f:
                saved = json.load(f).get("batch_size")
        except (OSError, ValueError, AttributeError) as error:
            raise CLIError(f"{run_file} cannot be read ({error}); pass --batch-size with "
                           "the batch size the run was started with") from None
        if saved:
            return int(saved), " (the resumed run's)"
    shape = tuple(source.shape)
    where = f" at {shape[0]}x{shape[1]}" if len(shape) == 3 else ""
    return cls.default_batch_size(shape), f" (the default{where}; --batch-size to change)"


def _settings(pairs):
    """``--set KEY=VALUE`` pairs as keyword arguments (values read as JSON where they parse)."""
    import json

    options = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise CLIError(f"--set {pair}: expected KEY=VALUE, e.g. --set palette=facades")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    return options


def _final_grid(model, callbacks):
    from keras_gan_zoo.callbacks import SampleGrid

    for callback in callbacks:
        if isinstance(callback, SampleGrid):
            callback.set_model(model)
            return callback.images()
    return None


def _run_callbacks(args, model, source):
    """What a run folder gets: the history per epoch, the losses per step and their plot,
    a sample grid every epoch."""
    import keras

    from keras_gan_zoo.callbacks import SampleGrid, StepLog

    os.makedirs(args.out, exist_ok=True)
    callbacks = [keras.callbacks.CSVLogger(os.path.join(args.out, "history.csv"), append=True),
                 StepLog(os.path.join(args.out, "steps.csv"), os.path.join(args.out, "losses.png"),
                         every=args.log_steps)]
    tensorboard = os.path.join(args.out, "tensorboard") if args.tensorboard else None
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(tensorboard, write_graph=False))
    grid = os.path.join(args.out, "samples", "epoch_{epoch:03d}.png")
    if model.kind == "translator":  # the first A images, translated, every epoch
        inputs = source.a.arrays(8)
        callbacks.append(SampleGrid(grid, inputs=inputs[0] if isinstance(inputs, tuple) else inputs,
                                    tensorboard=tensorboard))
    elif len(model.signature().output.shape) == 3:
        callbacks.append(SampleGrid(grid, n=64, seed=0, tensorboard=tensorboard))
    return callbacks


# ----------------------------------------------------------------- prepare
def _prepare(args):
    _quiet()
    from keras_gan_zoo.data.prepare import prepare

    try:
        manifest = prepare(args.source, args.out, args.size, channels=args.channels,
                           crop=args.crop, background=args.background, labels=args.labels,
                           shards=args.shards, overwrite=args.overwrite, verbose=args.verbose)
    except FileExistsError as error:
        raise CLIError(str(error)) from error
    except FileNotFoundError as error:
        raise CLIError(f"{args.source}: {error}") from error
    classes = f", {manifest['classes']} classes" if manifest["classes"] else ""
    print(f"wrote {args.out}: {manifest['count']:,} images of {manifest['resolution']}x"
          f"{manifest['resolution']}x{manifest['channels']}{classes} in {manifest['seconds']:.0f} s")
    for why, count in manifest["ignored"].items():
        print(f"  not read: {count} {why}")
    if manifest["skipped"]:
        print(f"  skipped {manifest['skipped_count']} unreadable file(s):", file=sys.stderr)
        for entry in manifest["skipped"]:
            print(f"    {entry['file']}: {entry['reason']}", file=sys.stderr)


# -------------------------------------------------------------------- list
def _list(args):
    from keras_gan_zoo import zoo

    entries = zoo.list()
    if not entries:
        print("the zoo's index is empty")
        return
    width = max(len(e["name"]) for e in entries)
    print(f"{'name':<{width}}  {'variant':<15} {'size':>7}  {'cached':<6}  headline  (task)")
    for e in entries:
        print(f"{e['name']:<{width}}  {e['variant']:<15} {e['size_mb']:>5.1f}MB  "
              f"{'yes' if e['cached'] else 'no':<6}  {e['headline']}  ({e['task']})")
    print(f"\ncache: {zoo.cache.cache_dir()}  (KERAS_GAN_ZOO_CACHE)\nsource: {zoo.cache.source()}"
          "  (KERAS_GAN_ZOO_SOURCE)" + ("\ndownloads are off (offline)" if zoo.cache.offline()
                                        else ""))


def _export_specs():
    from keras_gan_zoo.zoo import exports

    return exports.specs()


def _download(args):
    import keras

    from keras_gan_zoo import zoo

    names = zoo.index.names() if args.names == ["all"] else args.names
    for name in names:
        if args.format:
            path = zoo.export_path(name, *zoo.exports.parse(args.format), direction=args.direction,
                                   sha256=args.sha256)
            print(f"{name} {args.format}{' ' + args.direction if args.direction else ''}: {path}")
            continue
        if name.startswith(("hf://", "http://", "https://")) or not zoo.NAME.match(name):
            print(f"{name}: {zoo.resolve(name, sha256=args.sha256)}")
            continue
        entry = zoo.index.find(name)
        if zoo.cached(name):
            print(f"{name}: cached")
            continue
        total = sum(f["bytes"] for f in entry["files"].values())
        bar = keras.utils.Progbar(total, unit_name="B", verbose=args.verbose)
        done = [0]

        def progress(n):
            done[0] += n
            bar.update(done[0])

        folder = zoo.download(name, progress=progress)
        print(f"{name}: {folder}")


def _upload(args):
    from keras_gan_zoo import zoo

    url = zoo.upload(args.folder, args.handle, message=args.message, private=args.private)
    print(f"uploaded {args.folder} to {args.handle}: {url}")


# ------------------------------------------------------------------ sample
def _code_flags(signature, extra, model):
    """The sample flags that set the generator's codes, read from its ports: ``--NAME VALUE``
    for each code input (``--label`` of a conditional model, ``--categorical`` and
    ``--continuous`` of an InfoGAN, ``--text`` of a text-to-image model); an integer for a
    categorical port, the text itself for a text port, comma-separated numbers for the
    others. Returns ``{generate keyword: value}``."""
    ports = {p.name: p for p in signature.codes}
    parser = argparse.ArgumentParser(prog="keras-gan-zoo sample", add_help=False)
    for name, port in ports.items():
        parser.add_argument(f"--{name}", type=int if port.kind == "categorical" else str)
    known, unknown = parser.parse_known_args(extra)
    if unknown:
        flag = next((u for u in unknown if u.startswith("--")), unknown[0]).split("=")[0]
        takes = ", ".join(f"--{name}" for name in ports)
        raise CLIError(f"{flag} does not apply to a {type(model).__name__}"
                       + (f" (it takes {takes})" if takes else " (it takes noise only)"))
    return {ports[name].keyword: (value if ports[name].kind in ("categorical", "text") else
                                  _floats(value, name))
            for name, value in vars(known).items() if value is not None}


def _sample(args):
    _quiet()
    _free(args.out, args.npy, overwrite=args.overwrite)
    import numpy as np

    from keras_gan_zoo import visualize

    model = _load_model(args.model)
    signature = model.signature(args.direction)
    given = {flag for flag in ("input", "deskew", "interpolate", "truncation")
             if getattr(args, flag) not in (None, False)}
    codes = [a.split("=")[0].lstrip("-") for a in args.codes if a.startswith("--")]
    if signature.kind == "translator":
        # a translator takes no noise, codes or truncation
        wrong = sorted(given - {"input", "deskew"}) + codes
        if wrong:
            raise CLIError(f"--{wrong[0]} does not apply to a {type(model).__name__}, "
                           "which translates images: pass --input IMAGE_OR_FOLDER")
        if "input" not in given:
            raise CLIError(f"a {type(model).__name__} translates images: pass --input "
                           "IMAGE_OR_FOLDER")
        shape = model.source_shape(args.direction)
        if shape is None:
            raise CLIError(f"this {type(model).__name__} translates inputs no image file holds "
                           f"({signature.inputs[0].meaning}); translate them in Python")
        source = _read_inputs(args.input, shape)
        if args.deskew:
            from keras_gan_zoo.data import deskew

            source = deskew(source)
        noise = {"seed": args.seed} if any(p.kind == "normal" for p in signature.inputs) else {}
        result = model.translate(source, signature.info["direction"], **noise)
        shown = np.concatenate([_as_channels(source, result.shape[-1]), result])
        visualize.save_image_grid(shown, args.out, ncols=len(source))
    else:
        wrong = sorted(f for f in given if f in ("input", "deskew"))
        if wrong:
            takes = ", ".join(f"--{p.name}" for p in signature.codes)
            raise CLIError(f"--{wrong[0]} does not apply to a {type(model).__name__}"
                           + (f" (it takes {takes})" if takes else " (it takes noise only)"))
        options = _code_flags(signature, args.codes, model)
        if args.interpolate:
            result = visualize.interpolation_images(model, rows=max(1, args.n // args.interpolate),
                                                    steps=args.interpolate, seed=args.seed,
                                                    **options)
            ncols = args.interpolate
        else:
            result = model.generate(args.n, seed=args.seed, truncation=args.truncation, **options)
            ncols = None
        if result.ndim == 4:
            visualize.save_image_grid(result, args.out, ncols=ncols)
    if args.npy:
        np.save(args.npy, result)
    print(f"wrote {args.out} ({len(result)} images from {args.model})")


def _floats(text, flag):
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise CLIError(f"--{flag} {text}: expected comma-separated numbers, e.g. 0.5,-1") from None


def _read_inputs(source, shape, flag="--input"):
    """Images of a file or folder, resized to ``shape`` (h, w, c), in [-1, 1]."""
    import numpy as np
    from PIL import Image

    paths = ([os.path.join(source, f) for f in sorted(os.listdir(source))
              if f.lower().endswith((".png", ".jpg", ".jpeg", ".bmp"))]
             if os.path.isdir(source) else [source])
    if not paths or not all(os.path.isfile(p) for p in paths):
        raise CLIError(f"{flag} {source}: expected an image file or a folder of images")
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


# ------------------------------------------------------------------ parser
def build_parser():
    from keras_gan_zoo.models import VARIANTS  # light: no TensorFlow op runs
    from keras_gan_zoo.metrics.registry import METRICS
    from keras_gan_zoo.augment import AUGMENTS
    from keras_gan_zoo.losses import DIVERGENCES, NAMES as LOSSES
    from keras_gan_zoo.metrics.features import EXTRACTORS
    from keras_gan_zoo import export

    parser = argparse.ArgumentParser(
        prog="keras-gan-zoo",
        description="Train, sample and inspect GANs built on Keras 3.",
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
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
        help="export a saved model's generator ("
             + ", ".join(f.title for f in export.REGISTRY.values())
             + "), verified against Keras",
    )
    exp.add_argument("model", help="a .keras file saved by model.save, or a zoo name")
    exp.add_argument("--format", choices=export.FORMATS, default="onnx")
    exp.add_argument("--out", help="file (.onnx, .tflite, OpenVINO .xml with its .bin) or "
                     "folder (saved_model) to write (default: beside the model)")
    exp.add_argument("--direction", help="for a translation model: which generator "
                     "(a CycleGAN's a_to_b or b_to_a; default the first)")
    exp.add_argument("--opset", type=_positive_int, help="ONNX opset (default: tf2onnx's)")
    exp.add_argument("--quantize", choices=export.QUANTIZE,
                     help="ONNX only: float16 weights and compute, or int8 (static, QDQ) "
                          "calibrated on the generator's own inputs")
    exp.add_argument("--calibration", help="for --quantize int8 of a translation model: an "
                     "image file or folder of source images to calibrate on")
    exp.add_argument("--reference", help="real images (as evaluate's --data): measure the "
                     "quantized file's Fréchet distance against the model's and warn if it is "
                     "more than 5%% worse")
    exp.add_argument("-n", type=_positive_int, default=2000,
                     help="samples (and at most real images) for --reference")
    exp.add_argument("--overwrite", action="store_true", help="replace an existing output")
    exp.set_defaults(run=_export)

    ev = commands.add_parser(
        "evaluate",
        help="measure a saved model: Fréchet / kernel distance, precision and recall, or modes",
    )
    ev.add_argument("model", help="a .keras file saved by model.save, or a zoo name")
    ev.add_argument("--metric", required=True, choices=list(METRICS))
    ev.add_argument("--data", required=True,
                    help="real images (as for train; MNIST and USPS use their held-out split), "
                    "or for --metric modes: ring8, grid25 or stacked_mnist")
    ev.add_argument("-n", type=_positive_int, default=10000, help="generated (and at most real) samples")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--extractor", choices=["auto", *EXTRACTORS], default="auto",
                    help="features: the bundled digit classifier (grey digits), the bundled "
                         "facades segmenter (colour photos) or Inception-v3; auto picks by "
                         "the images' channels")
    ev.add_argument("--inception-weights", help="Inception-v3 no-top weights file (no download)")
    ev.add_argument("--json", help="also write the figures to this JSON file")
    ev.add_argument("--overwrite", action="store_true", help="replace an existing --json file")
    ev.set_defaults(run=_evaluate)

    tr = commands.add_parser(
        "train", help="train a variant on any data set, streamed from disk; a checkpoint every "
        "epoch and on Ctrl-C; --resume continues exactly")
    tr.add_argument("variant", choices=list(VARIANTS))
    tr.add_argument("--data", required=True, help="the training data: " + _sources())
    tr.add_argument("--data-b", help="translation variants: the B images (a folder, zip, ...); "
                    "paired variants match A and B by file name. Without it, --data holds "
                    "side-by-side pairs (A left, B right; the pix2pix facades layout)")
    tr.add_argument("--reverse", action="store_true",
                    help="translation variants: swap A and B (e.g. right half -> left half)")
    tr.add_argument("--out", required=True, help="run folder (checkpoint.keras, model.keras)")
    _image_flags(tr)
    tr.add_argument("--labels", default="auto",
                    help="folders: auto (a labels.csv / labels.json if present, else subfolders "
                         "as classes when every image is in one), folders, none, or the path of "
                         "a labels file (rows 'file,class')")
    tr.add_argument("--skip-bad", action="store_true",
                    help="skip image files that cannot be decoded (counted and reported) instead "
                         "of stopping at the first one")
    tr.add_argument("--epochs", type=_positive_int,
                    help="passes over the data (default 20; a variant with an epoch of its own "
                         "says: SinGAN's is a scale, and it trains one of each)")
    tr.add_argument("--batch-size", type=_positive_int,
                    help="the global batch size (divided among replicas and workers); default: "
                         "64 up to 64x64 pixels, 32 up to 128x128, 16 above")
    tr.add_argument("--recipe", metavar="NAME",
                    help="a variant's named settings (networks, loss, optimizers, augmentation), "
                         "which --loss, --augment, --ema and --set override: "
                         + _recipe_help(VARIANTS))
    tr.add_argument("--latent-dim", type=_positive_int,
                    help="noise size (default: the variant's)")
    tr.add_argument("--loss", choices=list(LOSSES),
                    help="the GAN loss (default: the variant's)")
    tr.add_argument("--divergence", choices=list(DIVERGENCES),
                    help="with --loss f_divergence: the f-divergence f-GAN minimises")
    tr.add_argument("--augment", choices=list(AUGMENTS),
                    help="differentiable augmentation of what the discriminator sees, for small "
                         "data sets: diffaugment, or ada (adaptive)")
    tr.add_argument("--ema", type=_decay, metavar="DECAY",
                    help="keep a moving average of the generator (e.g. 0.999) and sample from it")
    tr.add_argument("--set", action="append", metavar="KEY=VALUE",
                    help="a variant's own option, passed to its constructor (repeatable), e.g. "
                         "--set palette=facades (gaugan), --set l1_weight=50 (pix2pix)")
    tr.add_argument("--init-from", metavar="MODEL",
                    help="start from a zoo entry or a .keras file of the same variant "
                         "(fine-tuning; the optimizers start afresh)")
    tr.add_argument("--precision", default="auto", choices=["auto", "float32", "bfloat16",
                                                            "float16"],
                    help="auto: mixed float16 on a GPU, mixed bfloat16 on a CPU with native "
                         "bfloat16 (AMX or AVX512-BF16), float32 otherwise")
    tr.add_argument("--devices", default="auto",
                    help="auto (the workers of TF_CONFIG, else every visible GPU, else the CPU), "
                         "cpu, cpu:N (the CPU as N replicas), gpu, or gpu:0,1")
    tr.add_argument("--steps-per-execution", type=_positive_int, default=4,
                    help="training steps per call into TensorFlow (fewer Python round trips)")
    tr.add_argument("--log-steps", type=_positive_int, default=10,
                    help="write the losses to steps.csv (and the plot) every this many steps")
    tr.add_argument("--tensorboard", action="store_true",
                    help="also log the losses and sample grids to OUT/tensorboard")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--checkpoint-steps", type=_positive_int,
                    help="also checkpoint every this many steps")
    tr.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.keras")
    tr.add_argument("--verbose", type=int, choices=[0, 1, 2], default=1,
                    help="1: one progress bar for the run with its time left; 2: a line per "
                         "epoch; 0: quiet")
    tr.set_defaults(run=_train)

    pr = commands.add_parser(
        "prepare", help="decode, crop and resize a data set once into a .zip (or TFRecord "
        "shards) that train reads without decoding large files again")
    pr.add_argument("source", help="a folder of images (any layout train reads), a zip or "
                    "TFRecords")
    pr.add_argument("--size", type=_positive_int, required=True,
                    help="side of the square images to write")
    pr.add_argument("--out", required=True, help="NAME.zip, or a new folder with --shards")
    pr.add_argument("--shards", type=_positive_int,
                    help="write this many TFRecord files into --out (a folder) instead of a zip")
    pr.add_argument("--channels", type=int, choices=[1, 3], help="1 (grey) or 3 (RGB, default)")
    pr.add_argument("--crop", choices=["center", "none"], default="center",
                    help="non-square images: the centred square, or none (resize; aspect not kept)")
    pr.add_argument("--background", default="white",
                    help="colour transparent pixels are composited on: white, black, grey or R,G,B")
    pr.add_argument("--labels", default="auto", help="as train's --labels")
    pr.add_argument("--overwrite", action="store_true",
                    help="replace an existing --out (once the new one is complete)")
    pr.add_argument("--verbose", type=int, choices=[0, 1], default=1)
    pr.set_defaults(run=_prepare)

    ls = commands.add_parser("list", help="the pretrained zoo entries, their headline numbers "
                             "and whether they are cached (works offline)")
    ls.set_defaults(run=_list)

    dl = commands.add_parser("download", help="fetch zoo entries into the cache, so that they "
                             "load offline")
    dl.add_argument("names", nargs="+", metavar="NAME",
                    help="zoo names, all, or handles (hf://owner/repo, an https:// URL)")
    dl.add_argument("--sha256", help="the SHA-256 of an https:// archive")
    dl.add_argument("--format", metavar="SPEC", choices=_export_specs(),
                    help="only the verified export a deployer runs, e.g. onnx, onnx-int8, "
                         "litert (fetched if the entry carries it, else exported here); "
                         f"one of {', '.join(_export_specs())}")
    dl.add_argument("--direction", help="the generator of a translator with two (a_to_b)")
    dl.add_argument("--verbose", type=int, choices=[0, 1], default=1)
    dl.set_defaults(run=_download)

    up = commands.add_parser("upload", help="push a preset folder (kgz.zoo.save) to the "
                             "Hugging Face Hub")
    up.add_argument("folder", help="a preset folder written by kgz.zoo.save")
    up.add_argument("handle", help="hf://owner/repo (created if needed)")
    up.add_argument("--message", help="the commit message")
    up.add_argument("--private", action="store_true", help="create the repository private")
    up.set_defaults(run=_upload)

    sm = commands.add_parser(
        "sample", help="write a PNG grid of samples (or translations) of a zoo entry or a "
        ".keras model",
        epilog="A sampler's codes are flags named as its generator's inputs: --label N for a "
               "conditional model, --categorical N and --continuous 0.5,-1 for an InfoGAN, "
               "--text 'red heart' for a text-to-image model (a flag the model does not take gets an error that lists those it takes).")
    sm.add_argument("model", help="zoo name (keras-gan-zoo list) or a .keras file")
    sm.add_argument("-n", type=_positive_int, default=64, help="samples")
    sm.add_argument("--seed", type=int, default=0)
    sm.add_argument("--interpolate", type=_positive_int, metavar="STEPS",
                    help="rows of STEPS samples walking the latent space between two random "
                         "points (spherical interpolation); n // STEPS rows")
    sm.add_argument("--truncation", type=float, metavar="PSI",
                    help="redraw noise entries with |z| > PSI (truncation trick)")
    sm.add_argument("--input", help="image file or folder, for a translation model")
    sm.add_argument("--direction", help="translation direction (default the model's first, "
                    "e.g. a_to_b)")
    sm.add_argument("--deskew", action="store_true",
                    help="shear grey --input digits upright first (kgz.data.deskew), as "
                         "cyclegan_mnist_usps was trained on MNIST")
    sm.add_argument("-o", "--out", default="samples.png", help="PNG grid to write")
    sm.add_argument("--npy", help="also save the raw images in [-1, 1] to this .npy file")
    sm.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    sm.set_defaults(run=_sample)
    return parser


def _image_flags(parser):
    """The flags that say how image files become examples (train, evaluate, prepare)."""
    parser.add_argument("--size", type=_positive_int,
                        help="side of the square examples (required for image files that are "
                             "not all square and of one size)")
    parser.add_argument("--channels", type=int, choices=[1, 3],
                        help="1 (grey) or 3 (RGB) for image files (default 3)")
    parser.add_argument("--crop", choices=["center", "random", "none"], default="center",
                        help="non-square images: the centred square, a random square (new each "
                             "epoch), or none (resize; the aspect is not kept)")
    parser.add_argument("--mirror", action="store_true",
                        help="random left-right flips (a new draw each epoch)")
    parser.add_argument("--background", default="white",
                        help="colour that transparent pixels are composited on: white, black, "
                             "grey or R,G,B")


def _recipe_help(variants):
    listed = [f"{variant} --recipe {name} ({recipe.summary})" for variant, cls in variants.items()
              for name, recipe in cls.recipes().items()]
    return "; ".join(listed) or "none yet"


def _sources():
    from keras_gan_zoo.data.reader import SOURCES

    return SOURCES


def _decay(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a decay between 0 and 1 such as 0.999, "
                                         f"got {text!r}")
    return value


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
    argv = sys.argv[1:] if argv is None else list(argv)
    _quiet()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "run", None) is not _sample:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.codes = extra  # a sampler's code flags, named as its generator's inputs
    try:
        args.run(args)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # one line for the user; --debug for the traceback
        if args.debug:
            raise
        message = " ".join(str(error).split()) or type(error).__name__
        if not isinstance(error, (CLIError, ValueError, TypeError, OSError, RuntimeError)):
            message = f"{type(error).__name__}: {message}"
        print(f"error: {message[:2000]} (--debug shows the traceback)", file=sys.stderr)
        return 2
    return 0


def console():
    """The ``keras-gan-zoo`` command: ``main`` in a process of its own, where Ctrl-C, ``kill
    -INT`` and ``kill -TERM`` (a scheduler's pre-emption) all interrupt, so that ``train``
    stops at a step with a checkpoint; also in a job a shell started with ``&``, which
    inherits SIGINT ignored and would otherwise never see it."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for which in (signal.SIGINT, signal.SIGTERM):
        signal.signal(which, interrupt)
    sys.exit(main())


if __name__ == "__main__":
    console()
