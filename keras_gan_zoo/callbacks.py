"""Keras callbacks that show a person how training goes."""

import keras

from keras_gan_zoo.visualize import plot_history, save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Write a PNG grid of samples from fixed noise every ``every`` epochs.

    The same ``seed`` is used at every epoch, so consecutive grids show how
    the same latent points evolve.

    Args:
        filepath: PNG path; may contain ``{epoch}``, e.g.
            ``"samples/epoch_{epoch:03d}.png"``.
        n: number of samples in the grid.
        seed: seed of the fixed noise.
        every: write every this many epochs (and always after the last).

    Example:
        >>> model.fit(x, epochs=20, callbacks=[SampleGrid("out/e{epoch:02d}.png", every=5)])
    """

    def __init__(self, filepath, n=64, seed=0, every=1):
        super().__init__()
        self.filepath, self.n, self.seed, self.every = str(filepath), n, seed, every
        self.written = []

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") == epoch + 1 if self.params else False
        if (epoch + 1) % self.every == 0 or last:
            path = self.filepath.format(epoch=epoch + 1)
            save_image_grid(self.model.generate(self.n, seed=self.seed), path)
            self.written.append(path)


class LossPlot(keras.callbacks.Callback):
    """Draw a PNG plot of the logged losses every ``every`` epochs and at the end.

    Args:
        filepath: where to write the PNG.
        every: redraw every this many epochs (drawing takes ~0.1 s).
    """

    def __init__(self, filepath, every=10):
        super().__init__()
        self.filepath, self.every = str(filepath), every
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if (epoch + 1) % self.every == 0:
            plot_history(self.history, self.filepath)

    def on_train_end(self, logs=None):
        if self.history:
            plot_history(self.history, self.filepath)
