"""Train the facades segmenter that ships in the package (keras_gan_zoo/metrics/).

Data: CMP facades files 0-399 from ../shared/data/facades (photo -> label map,
the label colours turned into the 13 classes by ``kgz.data.facade_classes``)
at 64x64, with random flips, crops of 60-100% of the side (resized back to
64x64; nearest-neighbour for the classes) and brightness / contrast changes;
files 400-499 are held out.

    python tools/train_facades_segmenter.py            # writes the bundled weights
    python tools/train_facades_segmenter.py --out /tmp/seg.weights.h5

Prints the held-out per-pixel accuracy, mean class accuracy and mean IoU, and
the sanity checks of its features as a metric (Fréchet and kernel distance to
the 400 training photos of: the 100 held-out photos, the same blurred, and
uniform noise), and writes the weights plus a JSON file of these figures.
"""

import argparse
import importlib
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from kit import DATA, Timer, hardware  # noqa: E402
kgz_features = importlib.import_module("keras_gan_zoo.metrics.features")  # the module


def load(size=64):
    pairs = kgz.data.facades(DATA / "facades", size=size, unpaired=False)
    photos, maps = zip(*[(p.numpy(), m.numpy()) for p, m in pairs])
    return np.stack(photos), kgz.data.facade_classes(np.stack(maps))


def augmented(photo, classes, size=64):
    """A random flip, crop (60-100% of the side) and brightness / contrast change of a pair."""
    if tf.random.uniform(()) < 0.5:
        photo, classes = photo[:, ::-1], classes[:, ::-1]
    side = tf.cast(tf.random.uniform((), 0.6, 1.0) * size, tf.int32)
    top = tf.random.uniform((), 0, size - side + 1, tf.int32)
    left = tf.random.uniform((), 0, size - side + 1, tf.int32)
    photo = tf.image.resize(photo[top:top + side, left:left + side], (size, size))
    classes = tf.image.resize(classes[top:top + side, left:left + side, None], (size, size),
                              method="nearest")[..., 0]
    photo = photo + tf.random.uniform((), -0.2, 0.2)
    mean = tf.reduce_mean(photo)
    photo = (photo - mean) * tf.random.uniform((), 0.7, 1.3) + mean
    return tf.clip_by_value(photo, -1.0, 1.0), classes


def scores(predicted, truth):
    return kgz.metrics.segmentation_scores(predicted, truth, len(kgz.data.FACADE_CLASSES))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=kgz_features.FACADES_SEGMENTER)
    args = parser.parse_args(argv)

    photos, classes = load()
    x, y, x_test, y_test = photos[:400], classes[:400], photos[400:], classes[400:]
    keras.utils.set_random_seed(args.seed)
    net = kgz_features.facades_segmenter_network()
    trainer = keras.Model(net.inputs, net.outputs[0])
    steps = args.epochs * (len(x) // 16)
    trainer.compile(keras.optimizers.AdamW(keras.optimizers.schedules.CosineDecay(2e-3, steps),
                                           weight_decay=1e-4),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    data = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(400, seed=args.seed)
            .map(augmented, num_parallel_calls=tf.data.AUTOTUNE).batch(16, drop_remainder=True)
            .prefetch(2))
    with Timer() as timer:
        trainer.fit(data, epochs=args.epochs, verbose=2)

    predicted = np.asarray(trainer.predict(x_test, batch_size=64, verbose=0)).argmax(-1)
    figures = {"held_out": scores(predicted, y_test),
               "train": scores(np.asarray(trainer.predict(x, batch_size=64, verbose=0)).argmax(-1), y)}
    net.save_weights(args.out)
    kgz_features._cache.pop("facades", None)
    extract = lambda images: np.asarray(net.predict(images, batch_size=64, verbose=0)[1])  # noqa: E731
    real = extract(x)
    blurred = np.asarray(tf.nn.avg_pool2d(x_test, 5, 1, "SAME"))
    noise = np.random.default_rng(0).uniform(-1, 1, x_test.shape).astype("float32")
    sanity = {}
    for name, images in (("held-out photos", x_test), ("held-out photos blurred (5x5 box)", blurred),
                         ("uniform noise", noise), ("training photos flipped", x[:, :, ::-1])):
        f = extract(images)
        sanity[name] = {"fd": float(kgz.metrics.frechet_distance(real, f)),
                        "kid_x1000": 1000 * float(kgz.metrics.kernel_distance(real, f, subset_size=100)[0])}
    figures.update({"sanity_vs_training_photos": sanity, "epochs": args.epochs,
                    "train_minutes": round(timer.seconds / 60, 1), "hardware": hardware(),
                    "parameters": int(net.count_params()), "data": "CMP facades files 0-399 "
                    "(train), 400-499 (held out), 64x64"})
    with open(os.path.splitext(os.path.splitext(args.out)[0])[0] + ".json", "w") as file:
        json.dump(figures, file, indent=1)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
