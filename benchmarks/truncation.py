"""The truncation trade-off: quality against variety as psi falls (BigGAN's figure 4, StyleGAN's psi).

    python benchmarks/truncation.py biggan_emoji                 # a zoo entry, or a .keras file
    python benchmarks/truncation.py benchmarks/results/emoji_ladder/stylegan2_s0/same_images.keras

For each psi (none, 1.0 down to 0.25) draws 3,000 samples and measures them in
the bundled emoji extractor's features against the 3,035 training Twemoji
(``kgz.data.emoji``, Twemoji CC-BY 4.0): Fréchet distance, precision, recall,
density, coverage, and for a conditional model the extractor's category
accuracy on the category asked for (samples follow the categories'
frequencies). ``truncation=psi`` means what the variant's ports say: BigGAN
redraws z entries beyond psi, StyleGAN2 moves w toward its average style.
The table goes to ``docs/benchmarks/ladder.md``.
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, hardware, write_between_markers  # noqa: E402
from emoji_ladder import PAGE  # noqa: E402

PSIS = (None, 1.0, 0.8, 0.6, 0.4, 0.25)


def load(handle):
    return keras.saving.load_model(handle) if str(handle).endswith(".keras") else \
        kgz.zoo.load(handle)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a zoo entry, a preset folder or a .keras file")
    parser.add_argument("-n", type=int, default=3000)
    args = parser.parse_args(argv)
    model = load(args.model)
    x, y = kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", "twemoji", split="train"))
    real_f = kgz.metrics.features(x, extractor="emoji")
    conditional = "labels" in {p.keyword for p in model.signature().inputs}
    counts = np.bincount(y, minlength=9)
    asked = np.repeat(np.arange(9), np.round(args.n * counts / counts.sum()).astype(int))[:args.n]
    rows = []
    for psi in PSIS:
        given = {"labels": asked} if conditional else {}
        images = model.generate(len(asked) if conditional else args.n, seed=1, truncation=psi,
                                **given)
        f = kgz.metrics.features(images, extractor="emoji")
        m = {"fd": kgz.metrics.frechet_distance(real_f, f),
             **kgz.metrics.precision_recall(real_f, f), **kgz.metrics.density_coverage(real_f, f)}
        if conditional:
            m["class_accuracy"] = float(np.mean(kgz.metrics.classify_emoji(images) == asked))
        rows.append((psi, m))
        print(psi, {k: round(v, 3) for k, v in m.items()}, flush=True)
    path = Path(str(args.model).rstrip("/"))
    name = f"{path.parent.name}/{path.stem}" if path.suffix == ".keras" else path.name
    lines = [f"`{name}` ({model.variant_name}), {args.n} samples each; {hardware()}", "",
             "| psi | FD | precision | recall | density | coverage |"
             + (" class accuracy |" if conditional else ""),
             "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if conditional else "")]
    for psi, m in rows:
        lines.append(f"| {'none' if psi is None else psi} | {m['fd']:.2f} | {m['precision']:.2f} "
                     f"| {m['recall']:.2f} | {m['density']:.2f} | {m['coverage']:.2f} |"
                     + (f" {m['class_accuracy']:.2f} |" if conditional else ""))
    write_between_markers(PAGE, f"truncation {model.variant_name}", "\n".join(lines))


if __name__ == "__main__":
    main()
