"""Streaming sources: every layout and file kind, the order by (seed, epoch), shares, prepare."""

import json
import os
import zipfile

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import keras_gan_zoo as kgz
from keras_gan_zoo.data import stream
from keras_gan_zoo.data.prepare import prepare

from shared_data import shared_data


def _save(path, array, **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, **kwargs)


def _photos(folder, n=12, size=(20, 20), seed=0, ending="png"):
    rng = np.random.default_rng(seed)
    for i in range(n):
        _save(folder / f"{i:03d}.{ending}", rng.integers(0, 255, size + (3,), dtype=np.uint8))


def _all(source, batch_size=4, **kwargs):
    return [b for b in source.batches(batch_size, **kwargs).as_numpy_iterator()]


# ------------------------------------------------------------------ layouts
def test_a_flat_folder_counts_what_it_does_not_read(tmp_path):
    _photos(tmp_path)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    source = kgz.data.open_source(tmp_path)
    assert source.n == 12 and source.shape == (20, 20, 3) and source.labels is None
    assert "1 files that are not images (1 .txt)" in source.describe()
    batch = _all(source)[0]
    assert batch.shape == (4, 20, 20, 3) and batch.dtype == np.float32
    assert -1.0 <= batch.min() < -0.9 and 0.9 < batch.max() <= 1.0


def test_images_beside_subfolders_are_an_error_that_says_how_to_choose(tmp_path):
    _photos(tmp_path, n=40)
    _photos(tmp_path / "thumbs", n=3, seed=1)
    with pytest.raises(ValueError, match=r"mixes 40 images .* 3 in subfolders .*--labels none"):
        kgz.data.open_source(tmp_path)
    every = kgz.data.open_source(tmp_path, labels="none")
    assert every.n == 43 and every.labels is None
    with pytest.raises(ValueError, match="40 images at its top level"):
        kgz.data.open_source(tmp_path, labels="folders")


def test_subfolders_are_classes_and_a_single_subfolder_is_just_nesting(tmp_path):
    _photos(tmp_path / "cats", n=5)
    _photos(tmp_path / "dogs" / "big", n=3, seed=1)  # nested below a class
    source = kgz.data.open_source(tmp_path)
    assert source.class_names == ["cats", "dogs"] and source.n == 8
    assert source.labels.tolist() == [0] * 5 + [1] * 3
    x, y = _all(source, shuffle=False)[0]
    assert y.tolist() == [0, 0, 0, 0]
    nested = kgz.data.open_source(tmp_path / "dogs")
    assert nested.n == 3 and nested.labels is None and "nested" in nested.layout


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_a_labels_file_maps_files_to_classes(tmp_path, kind):
    _photos(tmp_path, n=6)
    names = sorted(os.listdir(tmp_path))
    classes = ["b", "a", "b", "c", "a", "b"]
    if kind == "csv":
        (tmp_path / "labels.csv").write_text("file,label\n" + "".join(
            f"{n},{c}\n" for n, c in zip(names, classes)))
    else:
        (tmp_path / "labels.json").write_text(json.dumps(dict(zip(names, classes))))
    source = kgz.data.open_source(tmp_path)
    assert source.class_names == ["a", "b", "c"]
    assert source.labels.tolist() == [1, 0, 1, 2, 0, 1]
    assert "labels from labels." in source.layout


def test_a_labels_file_that_misses_a_file_is_refused(tmp_path):
    _photos(tmp_path, n=3)
    (tmp_path / "labels.csv").write_text("000.png,a\n001.png,b\n")
    with pytest.raises(ValueError, match="no label for 1 of the 3 images .*002.png"):
        kgz.data.open_source(tmp_path)


def test_an_empty_folder_and_a_missing_one(tmp_path):
    with pytest.raises(ValueError, match="no images in"):
        kgz.data.open_source(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        kgz.data.open_source(tmp_path / "nowhere")


# ------------------------------------------------------------------ files
def test_every_mode_and_format_becomes_rgb_in_range(tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)
    image = Image.fromarray(rgb)
    image.convert("L").save(tmp_path / "grey.png")
    rgba = np.dstack([rgb, np.zeros((16, 16), np.uint8)])  # fully transparent
    Image.fromarray(rgba).save(tmp_path / "clear.png")
    image.convert("P").save(tmp_path / "palette.png")
    Image.fromarray((rng.random((16, 16)) * 65535).astype(np.uint16)).save(tmp_path / "deep.png")
    image.convert("P").save(tmp_path / "anim.gif")
    image.save(tmp_path / "photo.webp")
    image.save(tmp_path / "scan.tif")
    image.save(tmp_path / "photo.jpg")
    image.save(tmp_path / "photo.bmp")
    source = kgz.data.open_source(tmp_path, background="white")
    assert source.n == 9
    x = np.concatenate(_all(source, batch_size=9, shuffle=False))
    files = source.files
    assert x.shape == (9, 16, 16, 3) and np.isfinite(x).all()
    np.testing.assert_array_equal(x[files.index("clear.png")], 1.0)  # transparent -> white
    grey = x[files.index("grey.png")]
    np.testing.assert_array_equal(grey[..., 0], grey[..., 2])
    np.testing.assert_allclose(x[files.index("scan.tif")], rgb / 127.5 - 1, atol=1e-6)
    black = kgz.data.open_source(tmp_path, background="0,0,0")
    xb = np.concatenate(_all(black, batch_size=9, shuffle=False))
    np.testing.assert_array_equal(xb[files.index("clear.png")], -1.0)
    one = kgz.data.open_source(tmp_path, channels=1)  # a GIF with channels=1 too
    assert np.concatenate(_all(one, batch_size=9, shuffle=False)).shape == (9, 16, 16, 1)


def test_non_square_images_need_a_size_and_are_cropped_as_asked(tmp_path):
    wide = np.zeros((10, 30, 3), np.uint8)
    wide[:, 10:20] = 255  # a white centre square on black sides
    _save(tmp_path / "wide.png", wide)
    with pytest.raises(ValueError, match="10 pass size|is 30x10"):
        kgz.data.open_source(tmp_path)
    centre = _all(kgz.data.open_source(tmp_path, size=10, crop="center"), batch_size=1)[0]
    np.testing.assert_array_equal(centre, 1.0)
    squashed = _all(kgz.data.open_source(tmp_path, size=10, crop="none"), batch_size=1)[0]
    assert squashed.min() == -1.0 and squashed.max() == 1.0  # the black sides are kept
    crops = {float(_all(kgz.data.open_source(tmp_path, size=10, crop="random"), batch_size=1,
                        epoch=e)[0].mean()) for e in range(8)}
    assert len(crops) > 1  # a new random square each epoch


def test_real_emoji_are_rgba_and_composite_on_white():
    folder = shared_data("emoji", "twemoji")
    source = kgz.data.open_source(folder)  # 64 px, as stored
    assert source.n == 3786 and source.shape == (64, 64, 3)
    x = _all(source, batch_size=4, shuffle=False)[0]
    for i in range(4):
        with Image.open(source.path(i)) as image:  # RGBA, or a palette with transparency
            assert image.mode in ("RGBA", "P")
            white = Image.new("RGBA", image.size, (255, 255, 255, 255))
            expected = np.asarray(Image.alpha_composite(white, image.convert("RGBA"))
                                  .convert("RGB"), "float32")
        np.testing.assert_allclose((x[i] + 1) * 127.5, expected, atol=1.01)


# ------------------------------------------------------------------ order
def test_the_order_is_a_function_of_seed_and_epoch_and_skip_reads_the_same_batches(tmp_path):
    _photos(tmp_path, n=20)
    source = kgz.data.open_source(tmp_path, size=8, crop="random", mirror=True)
    epoch = _all(source, seed=3, epoch=2)
    assert len(epoch) == 5
    resumed = _all(source, seed=3, epoch=2, skip=2)
    for a, b in zip(epoch[2:], resumed):
        np.testing.assert_array_equal(a, b)
    again = _all(kgz.data.open_source(tmp_path, size=8, crop="random", mirror=True), seed=3, epoch=2)
    np.testing.assert_array_equal(np.stack(epoch), np.stack(again))
    assert not np.array_equal(np.stack(epoch), np.stack(_all(source, seed=3, epoch=1)))


def test_each_worker_reads_its_own_columns_of_every_global_batch(tmp_path):
    _photos(tmp_path, n=16)
    source = kgz.data.open_source(tmp_path, size=8)
    whole = _all(source, batch_size=8, seed=1)
    shares = []
    for worker in range(2):
        context = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=worker,
                                             num_replicas_in_sync=2)
        shares.append(_all(source, batch_size=8, seed=1, input_context=context))
    for step, batch in enumerate(whole):
        assert shares[0][step].shape == (4, 8, 8, 3)
        np.testing.assert_array_equal(np.concatenate([shares[0][step], shares[1][step]]), batch)


def test_arrays_and_memory_mapped_npy_keep_the_order_of_fit_resumable(tmp_path):
    x = kgz.data.digits()[:64]
    np.save(tmp_path / "x.npy", x)
    mapped = kgz.data.open_source(str(tmp_path / "x.npy"))
    assert isinstance(mapped._x, np.memmap)
    in_memory = kgz.data.ArraySource(x)
    for a, b in zip(_all(mapped, 16, seed=5, epoch=1), _all(in_memory, 16, seed=5, epoch=1)):
        np.testing.assert_array_equal(a, b)
    order = tf.random.experimental.stateless_shuffle(tf.range(64), seed=[5, 1]).numpy()
    np.testing.assert_array_equal(_all(in_memory, 16, seed=5, epoch=1)[0], x[order[:16]])
    bigger = kgz.data.open_source(str(tmp_path / "x.npy"), size=16)
    assert bigger.shape == (16, 16, 1) and _all(bigger, 16)[0].shape == (16, 16, 16, 1)


# ------------------------------------------------------------------ prepare
def test_prepare_writes_a_zip_that_reads_back_the_same_examples(tmp_path):
    _photos(tmp_path / "cats", n=5, size=(30, 20))
    _photos(tmp_path / "dogs", n=4, size=(24, 24), seed=1)
    out = tmp_path / "pets.zip"
    manifest = prepare(str(tmp_path), str(out), size=16, verbose=0)
    assert manifest["count"] == 9 and manifest["classes"] == 2 and manifest["skipped"] == []
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        labels = json.loads(archive.read("dataset.json"))["labels"]
    assert "00000/img00000000.png" in names and labels[0] == ["00000/img00000000.png", 0]
    zipped = kgz.data.open_source(str(out))
    assert zipped.shape == (16, 16, 3) and zipped.class_names == ["cats", "dogs"]
    folder = kgz.data.open_source(tmp_path, size=16)
    (xa, ya), = _all(zipped, batch_size=9, shuffle=False)
    (xb, yb), = _all(folder, batch_size=9, shuffle=False)
    np.testing.assert_array_equal(xa, xb)
    np.testing.assert_array_equal(ya, yb)
    with pytest.raises(FileExistsError, match="already exists"):
        prepare(str(tmp_path), str(out), size=16, verbose=0)


def test_prepare_writes_tfrecord_shards(tmp_path):
    _photos(tmp_path / "src", n=7)
    out = tmp_path / "shards"
    prepare(str(tmp_path / "src"), str(out), size=8, shards=3, verbose=0)
    assert sorted(f for f in os.listdir(out) if f.endswith(".tfrecord")) == [
        f"data-{k:05d}-of-00003.tfrecord" for k in range(3)]
    records = kgz.data.open_source(str(out))
    assert records.n == 7 and records.layout == "TFRecord" and records.shape == (8, 8, 3)
    folder = kgz.data.open_source(tmp_path / "src", size=8)
    np.testing.assert_array_equal(np.concatenate(_all(records, 7, shuffle=False)),
                                  np.concatenate(_all(folder, 7, shuffle=False)))
    resumed = _all(records, 2, seed=4, skip=1)
    np.testing.assert_array_equal(resumed[0], _all(records, 2, seed=4)[1])


def test_prepare_lists_corrupt_and_truncated_files_and_streaming_names_them(tmp_path):
    src = tmp_path / "src"
    _photos(src, n=6)
    jpeg = shared_data("facades", "image_001.jpg").read_bytes()
    (src / "truncated.jpg").write_bytes(jpeg[:400])
    (src / "corrupt.png").write_bytes(b"\x89PNG not really")
    manifest = prepare(str(src), str(tmp_path / "ok.zip"), size=8, verbose=0)
    assert manifest["count"] == 6 and manifest["skipped_count"] == 2
    assert sorted(os.path.basename(e["file"]) for e in manifest["skipped"]) == [
        "corrupt.png", "truncated.jpg"]
    source = kgz.data.open_source(src, size=8)
    error = source.find_bad(range(source.n))
    assert isinstance(error, kgz.data.BadImageError) and error.path.endswith("corrupt.png")
    with pytest.raises(tf.errors.InvalidArgumentError):
        _all(source, batch_size=8, shuffle=False)
    lenient = kgz.data.open_source(src, size=8, skip_bad=True)
    batch = _all(lenient, batch_size=8, shuffle=False)[0]
    assert batch.shape == (8, 8, 8, 3) and np.isfinite(batch).all()
    assert sorted(os.path.basename(lenient.path(i)) for i in lenient.bad) == [
        "corrupt.png", "truncated.jpg"]


def test_side_by_side_pairs_and_pairs_matched_by_name(tmp_path):
    facades = shared_data("facades")
    for i in range(1, 5):
        (tmp_path / "pairs").mkdir(exist_ok=True)
        (tmp_path / "pairs" / f"image_{i:03d}.jpg").write_bytes(
            (facades / f"image_{i:03d}.jpg").read_bytes())
    both = kgz.data.open_source(tmp_path / "pairs", size=256)
    a, b = stream.side_by_side(both)
    pairs = kgz.data.PairSource(a, b, paired=True)
    photos, maps = _all(pairs, batch_size=4, shuffle=False)[0]
    assert photos.shape == maps.shape == (4, 256, 256, 3)
    with Image.open(both.path(0)) as image:  # 512x256: photo left, label map right
        whole = np.asarray(image.convert("RGB"), "float32") / 127.5 - 1
    assert np.abs(photos[0] - whole[:, :256]).mean() < 0.02
    assert np.abs(maps[0] - whole[:, 256:]).mean() < 0.02
    _photos(tmp_path / "a", n=3)
    _photos(tmp_path / "b", n=3, seed=1, ending="jpg")
    pa, pb = stream.match_by_name(kgz.data.open_source(tmp_path / "a"),
                                  kgz.data.open_source(tmp_path / "b"))
    assert [os.path.splitext(f)[0] for f in pa.files] == [os.path.splitext(f)[0] for f in pb.files]
    _photos(tmp_path / "c", n=2)
    with pytest.raises(ValueError, match="1 of .* have no partner .*002"):
        stream.match_by_name(kgz.data.open_source(tmp_path / "a"),
                             kgz.data.open_source(tmp_path / "c"))


# ------------------------------------------------------------------ one image
def test_one_image_file_keeps_its_aspect_and_size_is_the_long_side(tmp_path):
    rng = np.random.default_rng(0)
    _save(tmp_path / "photo.png", rng.integers(0, 255, (30, 60, 3), dtype=np.uint8))
    as_is = kgz.data.open_source(tmp_path / "photo.png")
    assert as_is.n == 1 and as_is.shape == (30, 60, 3) and as_is.layout == "one image"
    smaller = kgz.data.open_source(tmp_path / "photo.png", size=40)
    assert smaller.shape == (20, 40, 3)
    image = smaller.arrays()
    assert image.shape == (1, 20, 40, 3) and -1 <= image.min() and image.max() <= 1
    # transparent pixels go on the background, grey images become colour (or stay grey)
    rgba = np.zeros((8, 8, 4), np.uint8)
    _save(tmp_path / "clear.png", rgba)
    np.testing.assert_array_equal(kgz.data.open_source(tmp_path / "clear.png").arrays(), 1.0)
    _save(tmp_path / "grey.png", rng.integers(0, 255, (8, 8), dtype=np.uint8))
    assert kgz.data.open_source(tmp_path / "grey.png").shape == (8, 8, 3)
    assert kgz.data.open_source(tmp_path / "grey.png", channels=1).shape == (8, 8, 1)


def test_a_repeated_source_fills_its_steps_by_cycling_its_examples():
    inner = stream.ArraySource(np.arange(3, dtype="float32").reshape(3, 1, 1, 1) / 10)
    source = stream.RepeatSource(inner, 5)
    assert source.steps_per_epoch(4) == 5 and source.fingerprint()["steps_per_epoch"] == 5
    batches = _all(source, batch_size=4)
    assert len(batches) == 5
    values = np.concatenate(batches).ravel()
    np.testing.assert_allclose(values, (np.arange(20) % 3) / 10)
    assert len(_all(source, batch_size=4, skip=3)) == 2  # a resumed epoch
    assert "repeated for 5 batches an epoch" in source.describe()
    with pytest.raises(ValueError, match=r"expected steps >= 1 \(batches an epoch\), got 0"):
        stream.RepeatSource(inner, 0)
