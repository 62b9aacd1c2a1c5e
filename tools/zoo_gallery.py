"""Draw the zoo gallery: one row of samples per bundled entry, named (docs/images/zoo_gallery.png).

    python tools/zoo_gallery.py

Each row is the top of the entry's own sample grid (``samples.png``, written by
``tools/train_zoo.py`` with 10 tiles a row); a translation entry shows
two rows (inputs, then translations), or the rows its metadata names in
``gallery_rows``. Then prints every entry's card figures as a Markdown table
(the one on docs/benchmarks/zoo.md).
"""

import os
import sys
import textwrap

from PIL import Image, ImageDraw

import keras_gan_zoo as kgz

WIDTH, LABEL = 640, 170


def main(out="docs/images/zoo_gallery.png"):
    rows = []
    for entry in kgz.zoo.list():
        grid = Image.open(os.path.join(kgz.zoo.resolve(entry["name"]), kgz.zoo.SAMPLES)).convert("RGB")
        tile = grid.width / 10
        default = [0, 1] if kgz.zoo.load(entry["name"]).kind == "translator" else [0]
        keep = kgz.zoo.info(entry["name"]).get("gallery_rows", default)
        strip = Image.new("RGB", (grid.width, round(tile * len(keep))))
        for i, row in enumerate(keep):
            strip.paste(grid.crop((0, round(tile * row), grid.width, round(tile * (row + 1)))),
                        (0, round(tile * i)))
        strip = strip.resize((WIDTH, round(strip.height * WIDTH / strip.width)))
        row = Image.new("RGB", (LABEL + WIDTH, strip.height), "white")
        row.paste(strip, (LABEL, 0))
        label = "\n".join([entry["name"], *textwrap.wrap(entry["headline"], 26)])
        ImageDraw.Draw(row).multiline_text((6, max(2, strip.height // 2 - 6 * label.count("\n") - 6)),
                                           label, fill="black")
        rows.append(row)
    gallery = Image.new("RGB", (LABEL + WIDTH, sum(r.height for r in rows) + 4 * len(rows)), "white")
    y = 0
    for row in rows:
        gallery.paste(row, (0, y))
        y += row.height + 4
    gallery.save(out)
    print(f"wrote {out} ({len(rows)} entries)\n")
    print(table())


def _figure(metrics, *keys):
    for key in keys:
        if key in metrics:
            return f"{metrics[key]:.2f}" if isinstance(metrics[key], float) else str(metrics[key])
    return ""


def table():
    """Every bundled entry's card figures, one row each (for docs/benchmarks/zoo.md)."""
    rows = ["| entry | headline | FD | KID x1000 | precision | recall | weights | size | "
            "epochs | training |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for entry in kgz.zoo.list():
        meta = kgz.zoo.info(entry["name"])
        m = meta["metrics"]
        fd = _figure(m, "frechet_distance_digit_features", "frechet_distance_facades_features")
        rows.append(
            f"| `{entry['name']}` | {meta['headline']} | {fd} | "
            f"{_figure(m, 'kernel_distance_x1000')} | {_figure(m, 'precision')} | "
            f"{_figure(m, 'recall')} | {meta.get('weights_dtype', 'float32')} | "
            f"{meta['size_mb']} MB | {meta['epochs']} | {meta['training_minutes']} min |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
