"""Put zoo entries (or your own models) beside the web page, as ONNX files it can run.

    python export/web/prepare.py cgan_mnist infogan_mnist pix2pix_facades
    python export/web/prepare.py my_model.keras --quantize int8

Writes ``models/NAME.onnx`` (verified against Keras by ``kgz.export``), its
metadata record ``models/NAME.json`` (the page builds its controls from the
ports it declares: a label picker, sliders for continuous codes, an image
upload for translators) and the list ``models/index.json``. Nothing that
exists is replaced without ``--overwrite``.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

HERE = os.path.dirname(os.path.abspath(__file__))


def prepare(specs, folder, quantize=None, overwrite=False):
    import keras

    import keras_gan_zoo as kgz

    os.makedirs(folder, exist_ok=True)
    names = [os.path.splitext(os.path.basename(os.path.normpath(s)))[0] for s in specs]
    if not overwrite:
        for name in names:
            for ending in (".onnx", ".json"):
                path = os.path.join(folder, name + ending)
                if os.path.exists(path):
                    sys.exit(f"error: {path} exists; pass --overwrite to replace it")
    for spec, name in zip(specs, names):
        model = keras.saving.load_model(spec) if spec.endswith(".keras") else kgz.zoo.load(spec)
        path = os.path.join(folder, name + ".onnx")
        result = kgz.export.to_onnx(model, path, quantize=quantize, overwrite=overwrite)
        record = {**result.metadata, "name": name, "file": name + ".onnx"}
        with open(os.path.join(folder, name + ".json"), "w") as f:
            json.dump(record, f, indent=1)
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB, {record['variant']})")
    listed = sorted(f[:-5] for f in os.listdir(folder)
                    if f.endswith(".json") and f != "index.json"
                    and os.path.exists(os.path.join(folder, f[:-5] + ".onnx")))
    with open(os.path.join(folder, "index.json"), "w") as f:
        json.dump(listed, f)
    return listed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="zoo names or .keras files")
    parser.add_argument("--out", default=os.path.join(HERE, "models"),
                        help="folder beside the page (default: export/web/models)")
    parser.add_argument("--quantize", choices=["float16", "int8"])
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    prepare(args.models, args.out, args.quantize, args.overwrite)


if __name__ == "__main__":
    main()
