"""File loaders on the real data of ../shared/data and on small files made here."""

import gzip

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_gan_zoo import data
from shared_data import shared_data


def check_images(images, shape):
    assert images.shape[1:] == shape and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert images.min() < -0.9 and images.max() > 0.9


def test_mnist_t10k_and_the_project_split():
    path = shared_data("mnist")
    images, labels = data.to_arrays(data.mnist(path))
    check_images(images, (28, 28, 1))
    assert len(images) == 10000 and labels.dtype == np.int32
    assert np.bincount(labels).min() > 800  # all ten digits, roughly balanced
    train_x, train_y = data.to_arrays(data.mnist(path, split="train"))
    test_x, test_y = data.to_arrays(data.mnist(path, split="test"))
    assert len(train_x) == 8000 and len(test_x) == 2000
    np.testing.assert_array_equal(test_y, labels[8000:])
    np.testing.assert_array_equal(train_x[0], images[0])
    small, _ = data.to_arrays(data.mnist(path, split="test", size=32))
    check_images(small, (32, 32, 1))


def test_usps_train_and_test():
    path = shared_data("usps", "usps.h5")
    x, y = data.to_arrays(data.usps(path))
    check_images(x, (16, 16, 1))
    assert len(x) == 7291 and set(np.unique(y)) == set(range(10))
    x, _ = data.to_arrays(data.usps(path.parent, split="test", size=32))
    check_images(x, (32, 32, 1))
    assert len(x) == 2007


def test_usps_in_mnist_framing_matches_mnist_digit_extent():
    usps = shared_data("usps", "usps.h5")
    framed, y = data.to_arrays(data.usps(usps, "test", size=32, framing="mnist"))
    check_images(framed, (32, 32, 1))
    assert len(framed) == len(y) == 2007
    # 23x23 digit box, 4 background rows/columns before it and 5 after
    for border in (framed[:, :4], framed[:, -5:], framed[:, :, :4], framed[:, :, -5:]):
        np.testing.assert_array_equal(border, -1.0)
    mnist_x, _ = data.to_arrays(data.mnist(shared_data("mnist"), split="test", size=32))

    def ink_rows(images):  # rows that hold any ink, averaged over the images
        return (images[..., 0] > 0).any(axis=2).sum(axis=1).mean()

    full, _ = data.to_arrays(data.usps(usps, "test", size=32))
    assert abs(ink_rows(framed) - ink_rows(mnist_x)) < 1.5  # measured 18.0 vs 18.6
    assert ink_rows(full) > ink_rows(mnist_x) + 5  # USPS's own framing: ~27 rows
    default, _ = data.to_arrays(data.usps(usps, "test", framing="mnist"))
    check_images(default, (28, 28, 1))


def test_deskewed_mnist_stands_upright_like_usps():
    path = shared_data("mnist")
    images, labels = data.to_arrays(data.mnist(path, split="test"))
    upright, same_labels = data.to_arrays(data.mnist(path, split="test", deskew=True))
    check_images(upright, (28, 28, 1))
    np.testing.assert_array_equal(same_labels, labels)
    usps, _ = data.to_arrays(data.usps(shared_data("usps", "usps.h5"), "test", framing="mnist"))
    # measured: MNIST 0.21 columns per row, deskewed 0.00, USPS (deslanted by its makers) 0.00
    assert np.abs(data.slant(images)).mean() > 0.15
    assert np.abs(data.slant(upright)).mean() < 0.02
    assert np.abs(data.slant(usps)).mean() < 0.02
    # the public function is what the loader applies (for the user's own digits)
    np.testing.assert_allclose(data.deskew(images[:50]), upright[:50], atol=1e-6)
    with pytest.raises(ValueError, match=r"expected grey images \(n, h, w, 1\)"):
        data.deskew(np.zeros((2, 28, 28, 3), "float32"))
    ink = lambda x: (x + 1).sum(axis=(1, 2, 3))  # noqa: E731
    np.testing.assert_allclose(ink(upright), ink(images), rtol=0.05)  # a shear keeps the ink
    # upright digits are as readable as before: the bundled classifier, 98.8% -> 98.7% measured
    from keras_gan_zoo.metrics import classify_digits
    assert (classify_digits(upright) == labels).mean() > (classify_digits(images) == labels).mean() - 0.01


def test_slant_of_drawn_strokes():
    canvas = np.full((3, 28, 28, 1), -1.0, "float32")
    rows = np.arange(4, 24)
    canvas[0, rows, 14] = 1.0                 # |
    canvas[1, rows, 4 + rows // 2] = 1.0      # \ half a column per row
    canvas[2, rows, 24 - rows // 2] = 1.0     # /
    np.testing.assert_allclose(data.slant(canvas), [0.0, 0.5, -0.5], atol=0.02)
    with pytest.raises(ValueError, match=r"expected grey images \(n, h, w, 1\).*got shape \(28, 28\)"):
        data.slant(canvas[0, ..., 0])


def test_facades_are_unpaired_halves():
    path = shared_data("facades")
    ds = data.facades(path, size=64, seed=0)
    assert ds.cardinality() == 500
    photos, maps = data.to_arrays(ds.take(3))
    assert photos.shape == maps.shape == (3, 64, 64, 3)
    assert photos.min() >= -1 and photos.max() <= 1 and maps.min() >= -1 and maps.max() <= 1

    files = sorted(str(p) for p in path.iterdir())

    def half(file, side):
        image = np.asarray(Image.open(file).convert("RGB"), np.float32)  # 256 x 512
        assert image.shape == (256, 512, 3)
        part = image[:, :256] if side == "left" else image[:, 256:]
        return tf.image.resize(part[None], (64, 64), antialias=True)[0].numpy() / 127.5 - 1

    order = np.random.default_rng(0).permutation(500)
    assert (order[:3] != np.arange(3)).all()  # unpaired: another file's label map
    gap = lambda a, b: float(np.abs(a - b).mean())  # noqa: E731 (PIL and TF decode JPEG a bit differently)
    for i in range(3):
        assert gap(photos[i], half(files[i], "left")) < 0.02
        assert gap(maps[i], half(files[order[i]], "right")) < 0.02
        assert gap(maps[i], half(files[i], "right")) > 0.1  # not its own photo's map
    _, own_maps = data.to_arrays(data.facades(path, size=64, unpaired=False).take(3))
    _, paired_maps = data.to_arrays(data.facades(path, size=64, paired=True).take(3))
    np.testing.assert_array_equal(paired_maps, own_maps)  # paired=True is unpaired=False
    with pytest.raises(ValueError, match="paired=True and unpaired=True contradict"):
        data.facades(path, paired=True, unpaired=True)
    for i in range(3):
        assert gap(own_maps[i], half(files[i], "right")) < 0.02


def write_idx(path, array, code=0x08):
    header = bytes([0, 0, code, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def test_read_idx_round_trip_and_corruption(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "ok.gz", array)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "ok.gz"), array)

    raw = gzip.open(tmp_path / "ok.gz").read()
    with gzip.open(tmp_path / "short.gz", "wb") as f:
        f.write(raw[:-5])
    with pytest.raises(ValueError, match=r"declares shape \(2, 3, 4\).*truncated or corrupted"):
        data.read_idx(tmp_path / "short.gz")
    (tmp_path / "cut.gz").write_bytes((tmp_path / "ok.gz").read_bytes()[:20])
    with pytest.raises(ValueError, match="not a readable IDX file"):
        data.read_idx(tmp_path / "cut.gz")
    (tmp_path / "text").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="bad magic number"):
        data.read_idx(tmp_path / "text")


def test_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz.*expected the official files"):
        data.mnist(tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros((2,), np.uint8))
    with pytest.raises(ValueError, match=r"expected MNIST images \(n, 28, 28\) and labels \(n,\)"):
        data.mnist(tmp_path)
    with pytest.raises(ValueError, match="unknown split 'val'"):
        data.split_indices(10, "val")


def test_usps_errors(tmp_path):
    (tmp_path / "usps.h5").write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="expected an HDF5 file with train/data"):
        data.usps(tmp_path / "usps.h5")
    with pytest.raises(FileNotFoundError):
        data.usps(tmp_path / "missing.h5")
    with pytest.raises(ValueError, match="unknown split 'val'"):
        data.usps(tmp_path / "usps.h5", split="val")
    with pytest.raises(ValueError, match="unknown framing 'centre'; expected 'full' or 'mnist'"):
        data.usps(tmp_path / "usps.h5", framing="centre")


def test_image_folder_with_class_subfolders(tmp_path):
    rng = np.random.default_rng(0)
    for cls, value in (("cats", 0), ("dogs", 255)):
        (tmp_path / cls).mkdir()
        for i in range(3):
            pixels = np.full((10, 12, 3), value, np.uint8)
            pixels[0, 0] = rng.integers(0, 255, 3)
            Image.fromarray(pixels).save(tmp_path / cls / f"{i}.png")
    x, y = data.to_arrays(data.image_folder(tmp_path, size=8))
    assert x.shape == (6, 8, 8, 3) and y.tolist() == [0, 0, 0, 1, 1, 1]
    assert x[0, 4, 4, 0] == pytest.approx(-1.0) and x[5, 4, 4, 0] == pytest.approx(1.0)
    grey = data.to_arrays(data.image_folder(tmp_path, size=8, channels=1, labels=None))
    assert grey.shape == (6, 8, 8, 1)
    with pytest.raises(ValueError, match="expected channels 1 or 3, got 2"):
        data.image_folder(tmp_path, size=8, channels=2)
    with pytest.raises(FileNotFoundError):
        data.image_folder(tmp_path / "nope", size=8)
