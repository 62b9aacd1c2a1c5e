"""One worker of the two-worker MultiWorkerMirroredStrategy test.

Run by tests/distributed/test_multiworker.py with TF_CONFIG set. Trains GAN
and WGAN-GP for two epochs on ring8 and saves the final weights and the
history to ``OUT_DIR/worker<index>.npz``.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# The strategy must exist before any other TensorFlow op runs.
strategy = tf.distribute.MultiWorkerMirroredStrategy()

import keras  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402


def main(out_dir):
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    keras.utils.set_random_seed(0)
    x = kgz.data.toy("ring8", n=1024, seed=0)
    result = {}
    for name, cls in (("gan", kgz.GAN), ("wgan_gp", kgz.WGANGP)):
        with strategy.scope():
            model = cls.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (32, 32)})
            model.compile()
        initial = model.get_weights()
        history = model.fit(x, batch_size=128, epochs=2, shuffle=False, verbose=0)
        for i, (w, w0) in enumerate(zip(model.get_weights(), initial)):
            result[f"{name}/w{i}"] = w
            result[f"{name}/w{i}_initial"] = w0
        for key, values in history.history.items():
            result[f"{name}/log_{key}"] = np.asarray(values)
    np.savez(os.path.join(out_dir, f"worker{index}.npz"), **result)
    print(f"worker {index} done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
