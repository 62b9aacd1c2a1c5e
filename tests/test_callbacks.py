"""SampleGrid and LossPlot write real PNG files during fit."""

import numpy as np
from PIL import Image

import keras_gan_zoo as kgz


def test_sample_grid_and_loss_plot(tmp_path):
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4})
    model.compile()
    grid = kgz.callbacks.SampleGrid(tmp_path / "e{epoch:02d}.png", n=16, every=2)
    plot = kgz.callbacks.LossPlot(tmp_path / "losses.png", every=2)
    model.fit(kgz.data.digits()[:64], batch_size=32, epochs=3, verbose=0, callbacks=[grid, plot])
    # every 2 epochs, and always after the last
    assert [p.rsplit("/", 1)[-1] for p in grid.written] == ["e02.png", "e03.png"]
    picture = np.asarray(Image.open(tmp_path / "e03.png"))
    assert picture.shape[0] == picture.shape[1] >= 4 * 8
    assert sorted(plot.history) == ["d_loss", "g_loss"] and len(plot.history["g_loss"]) == 3
    assert Image.open(tmp_path / "losses.png").format == "PNG"


def test_image_grid_layout_and_errors():
    images = np.stack([np.full((2, 2, 1), v, "float32") for v in (-1.0, 0.0, 1.0)])
    grid = kgz.visualize.image_grid(images, ncols=3, pad=1)
    assert grid.shape == (4, 10)
    assert grid[1, 1] == 0 and grid[1, 4] == 128 and grid[1, 7] == 255
    try:
        kgz.visualize.image_grid(np.zeros((2, 8, 8, 2)))
    except ValueError as error:
        assert "expected images of shape (n, h, w, 1 or 3)" in str(error)
    else:
        raise AssertionError("no error for 2 channels")
