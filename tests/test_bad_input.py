"""Bad input the other test files do not already cover: damaged files and untrusted models.

The whole catalogue, with the test of each case, is in docs/errors.md.
"""

import h5py
import keras
import numpy as np
import pytest
from PIL import Image

import keras_gan_zoo as kgz

from test_cli import run_cli


def test_a_truncated_image_in_a_folder_is_named(tmp_path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        for i in range(2):
            Image.fromarray(np.zeros((10, 10, 3), "uint8")).save(tmp_path / cls / f"{i}.png")
    data = (tmp_path / "a" / "1.png").read_bytes()
    (tmp_path / "a" / "1.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"1 file\(s\) .* cannot be read as images: .*a/1.png"):
        kgz.data.image_folder(str(tmp_path), size=8)
    assert len((tmp_path / "a" / "1.png").read_bytes()) == len(data) // 2  # untouched


def test_a_truncated_hdf5_file(tmp_path):
    path = tmp_path / "usps.h5"
    with h5py.File(path, "w") as f:
        f.create_group("train")["data"] = np.random.rand(100, 256)
        f["train"]["target"] = np.arange(100) % 10
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="expected an HDF5 file with train/data.*truncated"):
        kgz.data.usps(str(path))


def _tiny_gan():
    return kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4})


def test_a_keras_file_with_a_lambda_layer_is_refused_and_does_not_run(tmp_path):
    marker = tmp_path / "ran.txt"
    z = keras.Input((4,))
    x = keras.layers.Lambda(eval(f"lambda t: open({str(marker)!r}, 'w').write('ran') and None or t"))(z)
    marker.unlink()  # building the model here ran it once, on purpose
    generator = keras.Model(z, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="tanh")(x)))
    model = kgz.GAN(generator, _tiny_gan().discriminator)
    model.save(tmp_path / "untrusted.keras")
    for command in (["export", str(tmp_path / "untrusted.keras"), "--out", str(tmp_path / "o.onnx")],
                    ["sample", str(tmp_path / "untrusted.keras"), "-o", str(tmp_path / "s.png")]):
        result = run_cli(*command)
        assert result.returncode != 0 and "safe_mode" in result.stderr
    assert not marker.exists()
    assert not (tmp_path / "o.onnx").exists() and not (tmp_path / "s.png").exists()


def test_a_truncated_keras_file(tmp_path):
    _tiny_gan().save(tmp_path / "m.keras")
    data = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "m.keras").write_bytes(data[: len(data) // 2])
    result = run_cli("sample", str(tmp_path / "m.keras"), "-o", str(tmp_path / "s.png"))
    assert result.returncode != 0
    assert "cannot load" in result.stderr or "not a readable .keras file" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_with_a_batch_larger_than_the_data(tmp_path):
    np.save(tmp_path / "few.npy", np.zeros((10, 8, 8, 1), "float32"))
    result = run_cli("train", "gan", "--data", str(tmp_path / "few.npy"), "--out",
                     str(tmp_path / "run"), "--batch-size", "64", "--verbose", "0")
    assert result.returncode != 0
    assert "batch size 64 is larger than the data (10 examples)" in result.stderr


def test_train_reads_uint8_npy_images_as_pixels(tmp_path):
    # a .npy of uint8 images is read as pixels in [0, 255] and scaled at the batch (streamed
    # sources keep uint8 until the batch); model.fit of uint8 arrays is still refused
    pixels = np.random.default_rng(0).integers(0, 256, (100, 8, 8, 1), dtype=np.uint8)
    np.save(tmp_path / "raw.npy", pixels)
    source = kgz.data.open_source(str(tmp_path / "raw.npy"))
    batch = next(iter(source.batches(100, shuffle=False))).numpy()
    np.testing.assert_allclose(batch, pixels / 127.5 - 1, atol=1e-6)
    result = run_cli("train", "gan", "--data", str(tmp_path / "raw.npy"), "--out",
                     str(tmp_path / "run"), "--batch-size", "32", "--epochs", "1",
                     "--verbose", "0")
    assert result.returncode == 0, result.stderr[-2000:]