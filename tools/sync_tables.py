"""Write every table the package can generate into the README and the docs, between markers.

    python tools/sync_tables.py           # rewrite the tables that are out of date
    python tools/sync_tables.py --check   # exit 1 naming each stale table (the tests run this)

Each block sits between ``<!-- NAME: start -->`` and ``<!-- NAME: end -->`` in
its page and comes from a registry of the package: the variants
(:data:`keras_gan_zoo.VARIANTS`), the zoo's entries (their metadata), the
export formats. A new variant or zoo entry therefore appears everywhere after
one run of this script, and no table is pasted by hand. The benchmark pages'
measured tables are written by the benchmark scripts themselves.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kit import ROOT, between_markers, markers  # noqa: E402


def variants_table():
    from keras_gan_zoo import variants

    return variants.markdown_table()


def variants_list():
    """The docs home's line on the variants."""
    from keras_gan_zoo import VARIANTS

    names = ", ".join(cls.__name__ for cls in VARIANTS.values())
    return (f"- **{len(VARIANTS)} variants** you train with `model.fit` or `keras-gan-zoo train`: "
            f"{names}. [Variants and losses](guide/variants.md).")


def variants_reference():
    """The API reference's sections: each variant's model module and its networks module."""
    import importlib.util

    from keras_gan_zoo import VARIANTS

    lines = []
    for name, cls in VARIANTS.items():
        lines.append(f"## `{name}`\n\n::: {cls.__module__}\n")
        networks = f"keras_gan_zoo.variants.{name}.networks"
        if importlib.util.find_spec(networks) is not None:
            lines.append(f"::: {networks}\n")
    return "\n".join(lines).rstrip("\n")


def emoji_extractor_checks():
    """The emoji extractor's held-out accuracy and its disturbance checks, from its JSON file."""
    from keras_gan_zoo.metrics.features import emoji_extractor_report

    report = emoji_extractor_report()
    checks = report["checks"]
    levels = checks["levels"]
    accuracy = report["held_out_accuracy"]
    lines = ["| held-out emoji | images | subcategory named | category named |",
             "| --- | ---: | ---: | ---: |"]
    for style, row in accuracy.items():
        lines.append(f"| {style} | {row['held_out_images']:,} | {100 * row['subcategory']:.1f}% "
                     f"| {100 * row['category']:.1f}% |")
    lines += ["", "| Fréchet distance to half of Twemoji | "
              + " | ".join(f"strength {level:g}" for level in levels) + " |",
              "| --- |" + " ---: |" * len(levels)]
    for kind, rows in checks["disturbances"].items():
        lines.append(f"| {kind.replace('_', ' and ')} | "
                     + " | ".join(f"{row['fd']:.2f}" for row in rows) + " |")
    lines += ["", "| for scale | Fréchet distance | KID x 1000 |", "| --- | ---: | ---: |",
              f"| the other half of Twemoji | {checks['halves']['fd']:.2f} | "
              f"{checks['halves']['kid_x1000']:.2f} |",
              f"| the same emoji drawn by Noto | {checks['noto_vs_twemoji']['fd']:.2f} | "
              f"{checks['noto_vs_twemoji']['kid_x1000']:.2f} |"]
    minutes = f", {report['train_seconds'] / 60:.0f} min" if report.get("train_seconds") else ""
    lines += ["", f"{report['parameters']:,} parameters, {report['feature_size']}-d features, "
              f"{len(report['subcategories'])} subcategories; trained {report['epochs']} epochs"
              f"{minutes} on {report['hardware']}."]
    return "\n".join(lines)


def zoo_table(links):
    def table():
        from keras_gan_zoo import zoo

        return zoo.markdown_table(links=links)

    return table


def export_formats():
    """The docs home's line on export."""
    from keras_gan_zoo import export

    formats = ", ".join(fmt.title for fmt in export.REGISTRY.values())
    return (f"- **Export** to {formats}, each file verified against Keras, and a kit that runs "
            "exported generators without TensorFlow, in a web page too. [Export](guide/export.md).")


def zoo_exports():
    """Which exports each zoo entry carries, and how far every format is from Keras."""
    import json

    from keras_gan_zoo import zoo
    from keras_gan_zoo.zoo import exports

    specs = exports.specs()
    rows = ["| entry | carries | " + " | ".join(f"`{s}`" for s in specs) + " |",
            "| --- | --- | " + " | ".join("---" for _ in specs) + " |"]
    for entry in zoo.list():
        meta = json.loads((ROOT / "zoo" / entry["name"] / "metadata.json").read_text())
        records = meta.get("exports", [])
        carried = [r for r in records if r.get("file")]
        mb = sum(r["bytes"] for r in carried) / 1e6
        names = ", ".join(dict.fromkeys(r["spec"] for r in carried))
        cells = []
        for spec in specs:
            found = [r for r in records if r["spec"] == spec]
            diffs = [max(r["mean_abs_diff" if r["quantize"] else "max_abs_diff"].values())
                     for r in found]
            cells.append(f"{max(diffs):.1g}" if diffs else "-")
        rows.append(f"| `{entry['name']}` | {names or 'none'}"
                    + (f" ({mb:.1f} MB)" if carried else "") + " | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def export_signatures():
    """What each variant's exported generator takes and gives, read from the zoo's entries."""
    import json

    from keras_gan_zoo import VARIANTS, zoo

    def port(p):
        free = iter("hw")
        shape = "(batch" + "".join(f", {next(free) if s is None else s}" for s in p["shape"][1:])
        return f"`{p['name']}` {p['dtype']} {shape})"

    rows = ["| variant | generator | inputs | output | example entry |",
            "| --- | --- | --- | --- | --- |"]
    seen = set()
    for entry in zoo.list():
        if entry["variant"] in seen:
            continue
        seen.add(entry["variant"])
        card = ROOT / "zoo" / entry["name"] / "metadata.json"
        for generator in json.loads(card.read_text())["generators"]:
            inputs = ", ".join(port(p) for p in generator["inputs"])
            output = port(generator["outputs"][0])
            rows.append(f"| `{entry['variant']}` | {generator['generator']} | {inputs} | "
                        f"{output} | `{entry['name']}` |")
    missing = sorted(set(VARIANTS) - seen)
    if missing:
        rows.append(f"\nNo zoo entry yet for {', '.join(f'`{m}`' for m in missing)}: "
                    "`model.signature()` lists what their generators take.")
    return "\n".join(rows)


#: (page, marker name, what writes the block)
TABLES = [
    ("README.md", "variants table", variants_table),
    ("README.md", "zoo table", zoo_table(links=True)),
    ("docs/index.md", "variants list", variants_list),
    ("docs/index.md", "export formats", export_formats),
    ("docs/guide/variants.md", "variants table", variants_table),
    ("docs/guide/zoo.md", "zoo table", zoo_table(links=False)),
    ("docs/guide/zoo.md", "zoo exports", zoo_exports),
    ("docs/guide/export.md", "export signatures", export_signatures),
    ("docs/guide/metrics.md", "emoji extractor", emoji_extractor_checks),
    ("docs/reference/models.md", "variants reference", variants_reference),
]


def sync(check=False, root=ROOT):
    """Rewrite (or with ``check`` only compare) every table; return the stale ``(page, name)``."""
    stale, texts = [], {}
    for page, name, make in TABLES:
        path = Path(root) / page
        text = texts.get(path) or path.read_text()
        head, block, tail = between_markers(text, name, path)
        wanted = make()
        if block.strip("\n") != wanted:
            stale.append((page, name))
            start, end = markers(name)
            text = f"{head}{start}\n{wanted}\n{end}{tail}"
        texts[path] = text
    if not check:
        for path, text in texts.items():
            if path.read_text() != text:
                path.write_text(text)
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a table is out of date")
    args = parser.parse_args(argv)
    stale = sync(check=args.check)
    for page, name in stale:
        print(f"{page}: the {name} is out of date" + ("" if args.check else "; rewritten"))
    if args.check and stale:
        print("run: python tools/sync_tables.py")
        return 1
    if not stale:
        print(f"all {len(TABLES)} tables are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
