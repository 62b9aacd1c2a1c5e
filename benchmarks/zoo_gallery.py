"""Draw the zoo gallery: one row of samples per bundled entry, named (docs/images/zoo_gallery.png).

    python benchmarks/zoo_gallery.py

Each row is the top of the entry's own sample grid (``samples.png``, written by
``benchmarks/train_zoo.py`` with 10 tiles a row); a translation entry shows
two rows (inputs, then translations), or the rows its metadata names in
``gallery_rows``.
"""

import os
import sys

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
        ImageDraw.Draw(row).text((6, strip.height // 2 - 12), f"{entry['name']}\n{entry['headline']}",
                                 fill="black")
        rows.append(row)
    gallery = Image.new("RGB", (LABEL + WIDTH, sum(r.height for r in rows) + 4 * len(rows)), "white")
    y = 0
    for row in rows:
        gallery.paste(row, (0, y))
        y += row.height + 4
    gallery.save(out)
    print(f"wrote {out} ({len(rows)} entries)")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
