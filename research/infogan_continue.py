"""Continue training the InfoGAN that benchmarks/infogan_mnist.py saved, and watch the code accuracy.

    python benchmarks/infogan_mnist.py --epochs 50
    python research/infogan_continue.py --epochs 20

Loads the saved model (optimizer state included), trains it on the same
MNIST t10k[0:8000] images for ``--epochs`` more epochs and prints, every 5,
the categorical-code accuracy on t10k[8000:] (best one-to-one matching).
The shuffling of these extra epochs is not seeded: reruns differ by a point
or so (the README's epochs 55-70 figures came from one such run).
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("benchmarks", "tools")]
from common import DATA, RESULTS  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(RESULTS / "infogan_mnist/infogan_mnist.keras"))
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--data", default=str(DATA / "mnist"))
    args = parser.parse_args(argv)

    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # as the benchmark trained it
    train_x, _ = kgz.data.to_arrays(kgz.data.mnist(args.data, split="train"))
    test_x, test_y = kgz.data.to_arrays(kgz.data.mnist(args.data, split="test"))
    model = keras.models.load_model(args.model)
    done = int(model.generator_optimizer.iterations) * 64 // len(train_x)

    def accuracy():
        codes, _ = model.predict_codes(test_x)
        return 100 * kgz.metrics.best_matching_accuracy(codes, test_y, 10, 10)[0]

    print(f"loaded after {done} epochs: {accuracy():.2f}%", flush=True)
    began = time.time()

    class Report(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % 5 == 0:
                print(f"  epoch {done + epoch + 1}: categorical-code accuracy {accuracy():.2f}% "
                      f"({(time.time() - began) / 60:.1f} min)", flush=True)

    model.fit(train_x, batch_size=64, epochs=args.epochs, shuffle=True, verbose=0,
              callbacks=[Report()])


if __name__ == "__main__":
    main()
