"""Train the digit classifier that ships in the package (keras_gan_zoo/metrics/).

Data: MNIST t10k[0:8000] from ../shared/data/mnist (the project's training
split of the 10k test file; the 60k training file is not on this machine),
at 28x28 in [-1, 1], with small random shifts, rotations and zooms so that it
also reads generated digits a little off-centre. Held out: t10k[8000:10000].

    python tools/train_digit_classifier.py            # writes the bundled weights
    python tools/train_digit_classifier.py --out /tmp/clf.weights.h5

Prints the held-out accuracy (and, for information, the accuracy on USPS test
digits resized to 28x28) and writes the weights plus a JSON file of figures.
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from kit import DATA, Timer, hardware  # noqa: E402
from keras_gan_zoo.metrics import features as kgz_features  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=kgz_features.DIGIT_CLASSIFIER)
    args = parser.parse_args(argv)

    x, y = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train"))
    x_test, y_test = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test"))
    usps_x, usps_y = kgz.data.to_arrays(kgz.data.usps(DATA / "usps", "test", size=28))

    keras.utils.set_random_seed(args.seed)
    net = kgz_features.digit_classifier_network()
    augment = keras.Sequential([
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0),
        keras.layers.RandomRotation(0.05, fill_mode="constant", fill_value=-1.0),
        keras.layers.RandomZoom(0.1, fill_mode="constant", fill_value=-1.0),
    ])
    inputs = keras.Input((28, 28, 1))
    trainer = keras.Model(inputs, net(augment(inputs)))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, args.epochs * (len(x) // 64))
    trainer.compile(keras.optimizers.Adam(schedule),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    with Timer() as timer:
        trainer.fit(x, y, batch_size=64, epochs=args.epochs, verbose=2, shuffle=True)

    def accuracy(images, labels):
        logits = net.predict(images, batch_size=512, verbose=0)
        return float(np.mean(logits.argmax(-1) == labels))

    figures = {
        "data": "MNIST t10k[0:8000] (../shared/data/mnist), 28x28, [-1, 1]",
        "mnist_heldout_accuracy": accuracy(x_test, y_test),
        "mnist_heldout": "MNIST t10k[8000:10000]",
        "usps_test_accuracy": accuracy(usps_x, usps_y),
        "usps_test": "USPS test (2,007), resized 16 -> 28",
        "epochs": args.epochs,
        "parameters": int(net.count_params()),
        "training_minutes": round(timer.seconds / 60, 1),
        "command": "python tools/train_digit_classifier.py",
        "hardware": hardware(),
    }
    net.save_weights(args.out)
    with open(os.path.splitext(os.path.splitext(args.out)[0])[0] + ".json", "w") as f:
        json.dump(figures, f, indent=2)
        f.write("\n")

    print()
    print(f"Digit classifier ({figures['parameters']:,} parameters), {args.epochs} epochs on "
          f"{figures['data']}; {hardware()}")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| accuracy on MNIST t10k[8000:] | {100 * figures['mnist_heldout_accuracy']:.2f}% |")
    print(f"| accuracy on USPS test (not trained on) | {100 * figures['usps_test_accuracy']:.2f}% |")
    print(f"| training time | {figures['training_minutes']} min |")
    print(f"\nweights: {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
