"""SampleGrid and LossPlot write real PNG files during fit."""

import numpy as np
import pytest
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


def test_sample_grid_of_a_translator_shows_inputs_over_translations(tmp_path):
    import tensorflow as tf

    digits = kgz.data.digits()
    model = kgz.CycleGAN.for_shape((8, 8, 1), (8, 8, 1), base_filters=4, num_blocks=1)
    model.compile()
    pairs = tf.data.Dataset.from_tensor_slices((digits[:16], digits[16:32])).batch(8)
    with pytest.raises(ValueError, match=r"translates images: pass SampleGrid\(\.\.\., inputs=images\)"):
        model.fit(pairs, epochs=1, verbose=0,
                  callbacks=[kgz.callbacks.SampleGrid(tmp_path / "no.png")])
    grid = kgz.callbacks.SampleGrid(tmp_path / "t.png", inputs=digits[:5], direction="b_to_a")
    model.fit(pairs, epochs=1, verbose=0, callbacks=[grid])
    picture = np.asarray(Image.open(tmp_path / "t.png"))
    images, ncols = grid.images()
    assert ncols == 5 and images.shape == (10, 8, 8, 1)  # inputs, then their translations
    np.testing.assert_array_equal(images[:5], digits[:5])
    assert picture.shape[1] > 2 * picture.shape[0] * 0.9  # five across, two rows


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


def test_metric_logger_logs_to_history_and_tensorboard(tmp_path):
    import keras
    import tensorflow as tf

    digits = kgz.data.digits()
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4})
    model.compile()
    logger = kgz.callbacks.MetricLogger("fid", real=digits[:300], n=300, every=2)
    board = keras.callbacks.TensorBoard(str(tmp_path / "logs"))
    history = model.fit(digits[:64], batch_size=32, epochs=3, verbose=0, callbacks=[logger, board])
    # evaluated after epochs 2 and 3 (the last)
    assert [epoch for epoch, _ in logger.history["fid"]] == [2, 3]
    assert len(history.history["fid"]) == 2 and all(v > 0 for v in history.history["fid"])
    expected = kgz.metrics.frechet_distance(digits[:300], model.generate(300, seed=0))
    assert logger.history["fid"][-1][1] == pytest.approx(expected, rel=1e-5)
    tags = set()
    for event_file in (tmp_path / "logs" / "train").glob("events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(str(event_file)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            tags.update(v.tag for v in event.summary.value)
    assert "epoch_fid" in tags


def test_metric_logger_modes_and_errors():
    model = kgz.WGANGP.for_shape((2,), latent_dim=2, discriminator_steps=1)
    model.compile()
    logger = kgz.callbacks.MetricLogger("modes", real="ring8", n=500)
    model.fit(kgz.data.toy("ring8", n=512), batch_size=256, epochs=1, verbose=0, callbacks=[logger])
    assert set(logger.history) == {"modes", "num_modes", "high_quality", "reverse_kl"}
    with pytest.raises(ValueError, match="unknown metric 'fidd'"):
        kgz.callbacks.MetricLogger("fidd", real=np.zeros((2, 8, 8, 1)))
    with pytest.raises(ValueError, match="pass real=images"):
        kgz.callbacks.MetricLogger("kid")
    with pytest.raises(ValueError, match="ring8"):
        kgz.callbacks.MetricLogger("modes", real="ring9")


def test_run_progress_says_the_pace_and_the_time_of_an_epoch_before_its_bar(capsys):
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4})
    model.compile(steps_per_execution=2)
    lines = []
    progress = kgz.callbacks.RunProgress(total_steps=12, steps_per_epoch=6, print_fn=lines.append)
    model.fit(kgz.data.digits()[:96], batch_size=16, epochs=2, verbose=0, callbacks=[progress])
    assert len(lines) == 1, lines  # once: after the second call into TensorFlow
    assert lines[0].startswith("pace: ") and "an epoch (6 steps) takes about " in lines[0]
    assert "the 8 steps left about " in lines[0]  # said at step 4 of 12
    assert "12/12" in capsys.readouterr().out  # then the bar, to the run's last step
