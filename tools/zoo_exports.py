"""Export every zoo entry's generators in every format, verified, and carry what fits.

    python tools/zoo_exports.py dcgan_mnist cgan_mnist    # some entries
    python tools/zoo_exports.py --all

Each generator of an entry (both directions of a CycleGAN) is exported in
every registered format: ONNX in float32, float16 and int8, LiteRT,
SavedModel and OpenVINO, each verified against Keras by
``keras_gan_zoo.export`` (a failure stops the tool with the entry, format
and difference). The records, with the measured differences, go to the
entry's ``metadata.json`` under ``exports`` and its card; the one-file
formats are carried in ``zoo/NAME/exports/`` in the order of ``SPECS`` as
long as the entry stays within ``BUDGET_MB``, so a deployer downloads the
file they run (``kgz.zoo.load(name, format="onnx", quantize="int8")``);
what does not fit is exported on the user's machine instead. The int8
export of a translator is calibrated on 64 of the entry's training inputs,
read through its recipe's trainer (``tools/train_zoo.py``): an unpaired
translator's data is ``(a, b)`` pairs, which calibrate ``a_to_b`` and
``b_to_a`` in turn. The index is rewritten at the end.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit import ROOT  # noqa: E402

#: Every spec, verified; an entry carries the one-file ones, first first, while they fit in
#: ``BUDGET_MB``.
SPECS = ("onnx", "onnx-int8", "onnx-float16", "litert", "saved_model", "openvino")
#: The zoo's size limit for an entry, all its files together (MB).
BUDGET_MB = 8.0
CALIBRATION_IMAGES = 64


def calibration(name, model):
    """``{direction: source images}`` for the int8 exports of an entry's generators that take
    images (a translator's, an encoder's), or None when none does."""
    import numpy as np

    import train_zoo
    import zoo_recipes

    taking = [d for d in model.directions if model.signature(d).kind != "sampler"]
    if not taking:
        return None
    recipe = zoo_recipes.load(name)
    fit, _ = train_zoo.TRAINERS[recipe.trainer](model, recipe, 1)
    data = fit["x"]
    if isinstance(data, np.ndarray):  # one kind of source image for all of them
        return {d: data[:CALIBRATION_IMAGES] for d in taking}
    columns = [[], []]  # (a, b) pairs: a_to_b takes a's, b_to_a b's
    for batch in data.unbatch().take(CALIBRATION_IMAGES):
        for column, images in zip(columns, batch):
            column.append(images.numpy())
    return {d: np.stack(c) for d, c in zip(model.directions, columns)}


def export_entry(name, log=print):
    """Verify entry ``name`` in every format and carry what fits; its records."""
    from keras_gan_zoo import zoo
    from keras_gan_zoo.zoo import exports

    folder = ROOT / "zoo" / name
    model = zoo.load(str(folder))
    used = sum(f.stat().st_size for f in folder.iterdir() if f.is_file()
               if f.name not in ("metadata.json", "README.md"))
    used += 20_000  # metadata and card grow with the records

    def carry(record, path):
        nonlocal used
        size = os.path.getsize(path)
        if used + size > BUDGET_MB * 1e6:
            return False
        used += size
        return True

    start = time.time()
    records = exports.write(model, str(folder), SPECS, calibration(name, model), carry,
                            progress=lambda what: log(f"  {name}: {what}"))
    exports.merge(str(folder), records)  # and removes files carried before that no longer fit
    carried = [r for r in records if r.get("file")]
    log(f"{name}: {len(records)} exports verified in {time.time() - start:.0f} s; carries "
        f"{', '.join(r['spec'] + (' ' + r['direction'] if r['direction'] else '') for r in carried) or 'none'} "
        f"({sum(r['bytes'] for r in carried) / 1e6:.2f} MB)")
    return records


def main(argv=None):
    import zoo_index

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="zoo entries (folders of zoo/)")
    parser.add_argument("--all", action="store_true", help="every entry")
    args = parser.parse_args(argv)
    names = sorted(p.name for p in (ROOT / "zoo").iterdir() if (p / "metadata.json").is_file()) \
        if args.all else args.names
    if not names:
        parser.error("name entries, or pass --all")
    for name in names:
        if not (ROOT / "zoo" / name / "metadata.json").is_file():
            parser.error(f"no zoo entry {name!r} in {ROOT / 'zoo'}")
    for name in names:
        export_entry(name)
    return zoo_index.main([])


if __name__ == "__main__":
    sys.exit(main())
