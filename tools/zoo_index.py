"""Write the zoo's index (``keras_gan_zoo/zoo/index.json``) from the entries in ``zoo/``.

    python tools/zoo_index.py            # rewrite the index (after training an entry)
    python tools/zoo_index.py --check    # exit 1 if it is out of date (the tests run this)
    python tools/zoo_index.py --cards    # also rewrite each entry's model card from its metadata

The index is what the package ships of the zoo: each entry's name, variant,
task, headline and the SHA-256 of each of its files, so that ``list`` works
offline and every download is verified.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kit import ROOT  # noqa: E402

ENTRIES = ROOT / "zoo"


def build():
    """The index (a dict) of every entry folder in ``zoo/``."""
    from keras_gan_zoo.zoo import index

    folders = sorted(p for p in ENTRIES.iterdir() if (p / "metadata.json").is_file())
    return {"format": index.INDEX_FORMAT, "entries": [index.entry_of(str(p)) for p in folders]}


def text(index):
    return json.dumps(index, indent=1, ensure_ascii=False) + "\n"


def write_cards():
    """Each entry's README.md from its metadata (the card's layout changed, not the entry)."""
    from keras_gan_zoo import zoo

    for folder in sorted(p for p in ENTRIES.iterdir() if (p / "metadata.json").is_file()):
        meta = zoo.read_metadata(str(folder))
        (folder / "README.md").write_text(zoo.card(meta, samples=(folder / "samples.png").is_file()))


def main(argv=None):
    from keras_gan_zoo.zoo import index

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    parser.add_argument("--cards", action="store_true", help="rewrite the model cards first")
    args = parser.parse_args(argv)
    if args.cards and not args.check:
        write_cards()
    wanted = text(build())
    path = Path(index.INDEX)
    current = path.read_text() if path.is_file() else ""
    if args.check:
        if current != wanted:
            print(f"{path} is out of date: run python tools/zoo_index.py")
            return 1
        print(f"the index of {len(json.loads(wanted)['entries'])} entries is up to date")
        return 0
    path.write_text(wanted)
    print(f"wrote {path} ({len(json.loads(wanted)['entries'])} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
