"""One worker of the two-worker streamed-folder test (tests/test_streamed_training.py).

Trains a GAN with ``fit_resumable`` on a folder source under
``MultiWorkerMirroredStrategy`` and saves the weights and the example indices
this worker decoded during training to ``OUT_DIR/worker<index>.npz``.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

strategy = tf.distribute.MultiWorkerMirroredStrategy()  # before any other op

import keras  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from keras_gan_zoo.training import fit_resumable  # noqa: E402


def main(data, out_dir):
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    source = kgz.data.open_source(data, size=8)
    read, recording = [], []
    pixels = source._pixels

    def note(i):
        if recording:
            read.append(int(i))
        return i

    def counted(i, data=None):  # the decode of example i, noted as it happens
        i = tf.numpy_function(note, [i], tf.int64, stateful=True)
        return pixels(i, data)

    source._pixels = counted

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            recording.append(True)

    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = kgz.GAN.for_shape((8, 8, 3), latent_dim=4, seed=1)
        model.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                      discriminator_optimizer=keras.optimizers.SGD(0.05))
        fit_resumable(model, source, directory=os.path.join(out_dir, f"run{index}"), epochs=1,
                      batch_size=8, callbacks=[Record()], verbose=0)
    result = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    np.savez(os.path.join(out_dir, f"worker{index}.npz"), read=np.asarray(read), **result)
    print(f"worker {index} read {sorted(read)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
