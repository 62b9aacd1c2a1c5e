"""kgz.data.tfds through real tensorflow-datasets code, offline.

A small builder prepares the bundled digits into a local data_dir with tfds's
own machinery (TFRecord shards, dataset_info.json); the loader then reads it
with tfds.load(download=False), exactly as for a data set a user downloaded.
"""

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

import keras_gan_zoo as kgz


class KgzTinyDigits(tfds.core.GeneratorBasedBuilder):
    """40 of the bundled 8x8 digits as a tfds data set."""

    VERSION = tfds.core.Version("1.0.0")
    # tfds looks for metadata files beside the builder's package; this test
    # module is not in a package, so point it at this folder.
    pkg_dir_path = epath.Path(__file__).parent

    def _info(self):
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(8, 8, 1)),
                "label": tfds.features.ClassLabel(num_classes=10),
            }),
        )

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples(0, 30), "test": self._generate_examples(30, 40)}

    def _generate_examples(self, start, stop):
        images, labels = kgz.data.digits(return_labels=True)
        pixels = np.round((images + 1) * 127.5).astype(np.uint8)
        for i in range(start, stop):
            yield i, {"image": pixels[i], "label": int(labels[i])}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("tfds")
    KgzTinyDigits(data_dir=str(path)).download_and_prepare()
    return str(path)


def test_reads_a_prepared_tfds_dataset(data_dir):
    x, y = kgz.data.to_arrays(kgz.data.tfds("kgz_tiny_digits", split="train", data_dir=data_dir,
                                            download=False))
    images, labels = kgz.data.digits(return_labels=True)
    assert x.shape == (30, 8, 8, 1) and x.dtype == np.float32
    # tfds orders examples by a hash of their keys: match each to its source.
    gaps = np.abs(x[:, None] - images[None, :30]).reshape(30, 30, -1).max(-1)
    source = gaps.argmin(1)
    assert sorted(source.tolist()) == list(range(30))
    assert gaps.min(1).max() <= 1 / 127.5
    np.testing.assert_array_equal(y, labels[source])
    resized = kgz.data.to_arrays(kgz.data.tfds("kgz_tiny_digits", split="test", data_dir=data_dir,
                                               download=False, size=16, label_key=None))
    assert resized.shape == (10, 16, 16, 1) and resized.min() >= -1 and resized.max() <= 1


def test_a_missing_dataset_fails_without_downloading(tmp_path):
    with pytest.raises(Exception, match="kgz_tiny_digits"):
        kgz.data.tfds("kgz_tiny_digits", data_dir=str(tmp_path), download=False)


def test_a_prepared_tfds_split_streams_by_record_and_resumes(data_dir):
    source = kgz.data.open_source("tfds:kgz_tiny_digits:train", data_dir=data_dir)
    assert source.n == 30 and source.shape == (8, 8, 1) and source.num_classes == 10
    assert source.layout == "tensorflow-datasets"
    epoch = [b for b in source.batches(10, seed=1, epoch=0).as_numpy_iterator()]
    resumed = [b for b in source.batches(10, seed=1, epoch=0, skip=1).as_numpy_iterator()]
    np.testing.assert_array_equal(epoch[1][0], resumed[0][0])
    x = np.concatenate([b[0] for b in epoch])
    y = np.concatenate([b[1] for b in epoch])
    reference, labels = kgz.data.to_arrays(kgz.data.tfds("kgz_tiny_digits", split="train",
                                                         data_dir=data_dir, download=False))
    # the same 30 digits and labels, in another order
    order = np.argsort(np.abs(x[:, None] - reference[None]).reshape(30, 30, -1).max(-1), axis=1)[:, 0]
    np.testing.assert_allclose(x, reference[order], atol=1e-6)
    np.testing.assert_array_equal(y, labels[order])
