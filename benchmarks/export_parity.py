"""Export parity: |exported - Keras| per variant and format (ONNX, SavedModel, LiteRT, OpenVINO), with time and size.

    python benchmarks/export_parity.py                       # default networks, MNIST sizes
    python benchmarks/export_parity.py benchmarks/results/*/*.keras   # trained models

Without arguments, each variant is built with its default networks for 28x28
digits (CycleGAN: 32x32, 6 ResNet blocks) and trained for 10 steps on the
bundled digits upscaled, so that batch-norm statistics are not at their
initial values. With ``.keras`` files (e.g. the ones the quality benchmarks
write), those trained models are exported (both CycleGAN directions).
Each export is verified by the library at batch 1 and 7; the table shows the
largest absolute difference over both.
"""

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import Timer, hardware  # noqa: E402


def default_models():
    digits = kgz.data.digits()
    x28 = tf.image.resize(digits, (28, 28)).numpy()[:640]
    x32 = tf.image.resize(digits, (32, 32)).numpy()[:160]
    keras.utils.set_random_seed(0)
    models = {
        "gan": kgz.GAN.for_shape((28, 28, 1)),
        "wgan_gp": kgz.WGANGP.for_shape((28, 28, 1)),
        "conditional_gan": kgz.ConditionalGAN.for_shape((28, 28, 1), num_classes=10),
        "infogan": kgz.InfoGAN.for_shape((28, 28, 1)),
        "cyclegan": kgz.CycleGAN.for_shape((32, 32, 1), (32, 32, 1)),
    }
    for name, model in models.items():
        model.compile()
        if name == "cyclegan":
            pairs = tf.data.Dataset.from_tensor_slices((x32, x32[::-1])).batch(16)
            model.fit(pairs, epochs=1, verbose=0)
        elif name == "conditional_gan":
            model.fit(x28, np.arange(len(x28)) % 10, batch_size=64, epochs=1, verbose=0)
        else:
            model.fit(x28, batch_size=64, epochs=1, verbose=0)
    return models


def main(paths):
    if paths:
        models = {os.path.basename(p): keras.saving.load_model(p) for p in paths}
        origin = "trained models: " + ", ".join(paths)
    else:
        models = default_models()
        origin = "default networks, 10 training steps on the bundled digits"
    print(f"Export parity ({origin}); {hardware()}")
    print()
    print("| model | direction | format | max abs diff (batch 1, 7) | export + verify | size |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in models.items():
            for direction in model.directions:
                for fmt in kgz.export.FORMATS:
                    path = os.path.join(tmp, f"{name}-{direction}"
                                        + (kgz.export.ENDINGS[fmt] or "_saved_model"))
                    with Timer() as timer:
                        result = kgz.export.export(model, path, format=fmt, direction=direction)
                    size = _size(path) + (_size(path[:-4] + ".bin") if fmt == "openvino" else 0)
                    print(f"| {name} | {direction or '-'} | {fmt} | "
                          f"{max(result.max_abs_diff.values()):.2g} | {timer.seconds:.1f} s | "
                          f"{size / 1e6:.2f} MB |", flush=True)


def _size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


if __name__ == "__main__":
    main(sys.argv[1:])
