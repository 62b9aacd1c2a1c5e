"""The dataset tool: decode, crop and resize a data set once, into a ``.zip`` or TFRecord shards.

``keras-gan-zoo prepare photos/ --size 128 --out photos128.zip`` reads every
image of a source in parallel (``tf.data``), lists every file that cannot be
read, and writes the rest as same-size PNGs with a manifest. Training on the
result (``train --data photos128.zip``) decodes small PNGs instead of large
JPEGs, and never meets a bad file.

The zip has StyleGAN2-ADA's layout (``00000/img00000000.png``, labels in
``dataset.json``), so either tool reads the other's files, plus
``manifest.json``: count, resolution, channels, classes, how the images were
made, a hash of the source's file list, and the files left out.
"""

import hashlib
import json
import os
import time
import zipfile

import tensorflow as tf

__all__ = ["prepare", "MANIFEST_VERSION"]

MANIFEST_VERSION = 1


def _source_hash(source):
    """SHA-256 over the source's file names and sizes (cheap; changes when files do)."""
    digest = hashlib.sha256()
    for i in range(source.n):
        path = source.path(i)
        try:
            size = os.path.getsize(path)
        except OSError:
            size = -1
        digest.update(f"{path}\t{size}\n".encode())
    return digest.hexdigest()


def _encoded_stream(source):
    """``(index, PNG bytes)`` of every readable image, in index order; unreadable ones left out."""
    from keras_gan_zoo.data.stream import READS_IN_FLIGHT

    def encode(index, data):
        image, _ = source._pixels(index, data)
        return index, tf.io.encode_png(source.shape_pixels(image, key=None))

    ds = tf.data.Dataset.range(source.n).map(lambda i: (i, source._encoded(i)),
                                             num_parallel_calls=READS_IN_FLIGHT,
                                             deterministic=True)
    ds = ds.map(encode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.ignore_errors().prefetch(tf.data.AUTOTUNE)


def prepare(spec, out, size, channels=None, crop="center", background="white", labels="auto",
            shards=None, overwrite=False, verbose=1):
    """Write the images of ``spec`` at ``size x size`` to ``out`` (a ``.zip``, or a folder of
    TFRecord shards when ``shards`` is given) and return the manifest.

    Args:
        spec: any image source ``open_source``
            reads (a folder of any layout, a zip, TFRecords).
        out: ``NAME.zip``, or a new folder for ``shards`` TFRecord files.
        size, channels, crop, background, labels: as ``open_source``.
        shards: write this many TFRecord files instead of a zip.
        overwrite: replace an existing ``out`` (only once the new one is complete).
        verbose: a progress bar with the time left.

    Returns:
        The manifest (also written into the output).

    Raises:
        FileExistsError: ``out`` exists and ``overwrite`` is false.
        ValueError: nothing readable, or a source that is not image files.
    """
    from keras_gan_zoo.data.stream import ImageSource, open_source

    out = os.fspath(out)
    if crop == "random":
        raise ValueError("prepare writes each image once: --crop center or none (a random crop "
                         "belongs to training: train --crop random on the prepared data)")
    if shards is None and not out.lower().endswith(".zip"):
        raise ValueError(f"--out {out}: expected a .zip file, or a folder with --shards N "
                         "(TFRecord)")
    if os.path.lexists(out) and not overwrite:
        raise FileExistsError(f"{out} already exists; choose another --out or pass --overwrite")
    source = open_source(spec, size=size, channels=channels, crop=crop, background=background,
                         labels=labels)
    if not isinstance(source, ImageSource):
        raise ValueError(f"{spec} is {source.layout}, not image files: it is already read "
                         "without decoding; prepare converts folders, zips and TFRecords")
    start = time.perf_counter()
    bar = tf.keras.utils.Progbar(source.n, unit_name="image") if verbose else None
    kept, rows = [], []
    writer = _ZipWriter(out) if shards is None else _ShardWriter(out, shards, source.n)
    try:
        done = 0
        for index, png in _encoded_stream(source).as_numpy_iterator():
            label = None if source.labels is None else int(source.labels[index])
            writer.add(len(kept), png, label)
            kept.append(int(index))
            rows.append(label)
            done = int(index) + 1
            if bar is not None and (len(kept) % 200 == 0):
                bar.update(done)
        if bar is not None:
            bar.update(source.n, finalize=True)
        bad = sorted(set(range(source.n)) - set(kept))
        skipped = []
        for index in bad:  # name each and say why (decoded again, one by one: few files)
            error = source.find_bad([index])
            reason = error.reason if error is not None else "unreadable"
            skipped.append({"file": source.path(index), "reason": reason})
        if not kept:
            raise ValueError(f"none of the {source.n} images of {spec} could be read "
                             f"(e.g. {skipped[0]['file']}: {skipped[0]['reason']})")
        manifest = {
            "format": "keras-gan-zoo prepared images", "version": MANIFEST_VERSION,
            "count": len(kept), "resolution": source.shape[0], "channels": source.shape[-1],
            "classes": source.num_classes, "class_names": source.class_names,
            "source": os.path.abspath(spec) if os.path.exists(spec) else spec,
            "source_layout": source.layout, "source_files": source.n,
            "source_sha256": _source_hash(source), "crop": crop,
            "background": list(source.options.background), "skipped_count": len(skipped),
            "skipped": skipped, "ignored": source.ignored,
            "seconds": round(time.perf_counter() - start, 1),
        }
        writer.finish(manifest, rows if source.labels is not None else None)
    except BaseException:
        writer.abort()
        raise
    writer.commit(overwrite)
    return manifest


class _ZipWriter:
    """PNG members (stored, not deflated: PNG is compressed already) in StyleGAN2-ADA's layout."""

    def __init__(self, out):
        self.out, self.tmp = out, out + ".partial"
        self.archive = zipfile.ZipFile(self.tmp, "w", zipfile.ZIP_STORED)
        self.names = []

    def add(self, i, png, label):
        name = f"{i // 1000:05d}/img{i:08d}.png"
        self.archive.writestr(name, png)
        self.names.append(name)

    def finish(self, manifest, labels):
        dataset = {"labels": None if labels is None else [[n, int(y)] for n, y in
                                                        zip(self.names, labels)]}
        self.archive.writestr("dataset.json", json.dumps(dataset))
        self.archive.writestr("manifest.json", json.dumps(manifest, indent=1))
        self.archive.close()

    def abort(self):
        try:
            self.archive.close()
        finally:
            if os.path.exists(self.tmp):
                os.remove(self.tmp)

    def commit(self, overwrite):
        os.replace(self.tmp, self.out)


class _ShardWriter:
    """TFRecord shards of ``tf.train.Example`` (``image``: PNG bytes, ``label``: int64)."""

    def __init__(self, out, shards, total):
        if shards < 1:
            raise ValueError(f"expected --shards >= 1, got {shards}")
        self.out, self.tmp, self.shards, self.total = out, out.rstrip("/") + ".partial", shards, total
        os.makedirs(self.tmp, exist_ok=True)
        self.writers = [tf.io.TFRecordWriter(os.path.join(
            self.tmp, f"data-{k:05d}-of-{shards:05d}.tfrecord")) for k in range(shards)]
        self.per_shard = -(-total // shards)

    def add(self, i, png, label):
        feature = {"image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[png]))}
        if label is not None:
            feature["label"] = tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))
        example = tf.train.Example(features=tf.train.Features(feature=feature))
        self.writers[min(i // self.per_shard, self.shards - 1)].write(example.SerializeToString())

    def finish(self, manifest, labels):
        for writer in self.writers:
            writer.close()
        with open(os.path.join(self.tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        if labels is not None:  # read at open, so the records need no pass for their labels
            with open(os.path.join(self.tmp, "labels.json"), "w") as f:
                json.dump([int(y) for y in labels], f)

    def abort(self):
        import shutil

        for writer in self.writers:
            writer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def commit(self, overwrite):
        import shutil

        if os.path.exists(self.out) and overwrite:
            shutil.rmtree(self.out)
        os.replace(self.tmp, self.out)
