"""The variants, one folder each: the model, its default networks, and nothing else.

A folder ``keras_gan_zoo/variants/<name>/`` holds ``model.py`` (the class,
registered with ``register_variant``) and, where the
variant has networks of its own, ``networks.py`` with a ``default_networks``
builder. Importing this package imports every folder in it, so a new folder is
the whole registration: the command line, the zoo, export and the docs' tables
read ``VARIANTS``. See the docs' "Adding a variant"
page.
"""

import importlib
import pkgutil

from keras_gan_zoo.models.registry import VARIANTS

for _folder in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _folder.ispkg:
        _module = importlib.import_module(f"{__name__}.{_folder.name}")
        for _cls_name in getattr(_module, "__all__", ()):
            globals()[_cls_name] = getattr(_module, _cls_name)
# by name, whatever order the folders imported each other in
_registered = sorted(VARIANTS.items())
VARIANTS.clear()
VARIANTS.update(_registered)


def markdown_table():
    """The variant table of the README and the docs, from the registry (it cannot drift).

    One row per variant: its name, its class, the first line of its model
    file's docstring, and what ``fit`` takes; grouped by what ``fit`` takes.
    """
    import sys

    from keras_gan_zoo.models.contract import TAKES

    rows = ["| name | class | what it is | `fit` takes |", "| --- | --- | --- | --- |"]
    order = list(TAKES)
    for name, cls in sorted(VARIANTS.items(), key=lambda item: (order.index(item[1].takes.kind),
                                                                item[0])):
        summary = sys.modules[cls.__module__].__doc__.strip().splitlines()[0]
        rows.append(f"| `{name}` | `kgz.{cls.__name__}` | {summary} | {cls.takes.describe()} |")
    return "\n".join(rows)


__all__ = ["VARIANTS", "markdown_table", *sorted(cls.__name__ for cls in VARIANTS.values())]
