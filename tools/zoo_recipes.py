"""The zoo's recipes: how each entry is trained, one TOML file an entry in ``tools/recipes/``.

A recipe says which variant, with which settings (``[model]``: the arguments
of its ``for_shape``), compiled how (``[compile]``), trained by which
trainer of ``tools/train_zoo.py`` (the data and the measurements), for how
many epochs and in which precision, and the card's words (task, data,
description, limits). A new entry of a kind the zoo already trains is one
new file here; ``tests/test_zoo.py`` checks that every bundled entry loads
with its recipe's settings.

    [model]
    shapes = [[28, 28, 1]]          # for_shape's positional shapes
    latent_dim = 64                 # any keyword of the variant
    palette = "kgz.data.FACADE_PALETTE"   # a "kgz.data." string is read from the package

    [compile]
    steps_per_execution = 25
    generator_optimizer = { class_name = "Adam", learning_rate = 1e-3, beta_1 = 0.5 }
    # decay = "linear": constant, then linearly to 0 over the second half of training
"""

import dataclasses
import tomllib
from pathlib import Path

RECIPES_DIR = Path(__file__).resolve().parent / "recipes"


@dataclasses.dataclass(frozen=True)
class Recipe:
    """One entry's recipe (the fields of its TOML file)."""

    name: str
    variant: str
    trainer: str
    task: str
    epochs: int
    data: str
    description: str
    limits: str
    model: dict
    compile: dict = dataclasses.field(default_factory=dict)
    training_precision: str = "float32"
    weights_dtype: str = "float32"
    training_networks: bool = True
    gallery_rows: list | None = None
    balanced_labels: bool = False  # a conditional entry's FD on as many samples of each class
    image: str | None = None  # a single-image entry's image in ../shared/data/single (its stem)


_REQUIRED = [f.name for f in dataclasses.fields(Recipe)
             if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
             and f.name != "name"]
_KNOWN = {f.name for f in dataclasses.fields(Recipe)} - {"name"}


def names():
    """The entries that have a recipe, sorted."""
    return sorted(p.stem for p in RECIPES_DIR.glob("*.toml"))


def load(name):
    """The ``Recipe`` of entry ``name``; a ``ValueError`` names a missing or unknown field."""
    path = RECIPES_DIR / f"{name}.toml"
    if not path.is_file():
        raise ValueError(f"no recipe for {name!r}: expected {path} (recipes: "
                         f"{', '.join(names())})")
    with open(path, "rb") as f:
        fields = tomllib.load(f)
    missing = [k for k in _REQUIRED if k not in fields]
    unknown = sorted(set(fields) - _KNOWN)
    if missing or unknown:
        raise ValueError(f"{path}: " + "; ".join(
            ([f"missing {', '.join(missing)}"] if missing else [])
            + ([f"unknown field(s) {', '.join(unknown)} (expected {', '.join(sorted(_KNOWN))})"]
               if unknown else [])))
    if "shapes" not in fields["model"]:
        raise ValueError(f"{path}: [model] needs shapes = [[h, w, c], ...] (for_shape's shapes)")
    return Recipe(name=name, **fields)


def _resolve(value):
    """A ``"kgz.data.NAME"`` string as that object of the package; other values as they are."""
    if isinstance(value, str) and value.startswith("kgz.data."):
        import keras_gan_zoo as kgz

        return getattr(kgz.data, value.removeprefix("kgz.data."))
    return value


def build_model(recipe):
    """The recipe's variant, built by its ``for_shape`` with the recipe's settings."""
    import keras_gan_zoo as kgz

    settings = {k: _resolve(v) for k, v in recipe.model.items() if k != "shapes"}
    shapes = [tuple(s) for s in recipe.model["shapes"]]
    return kgz.VARIANTS[recipe.variant].for_shape(*shapes, **settings)


def compile_model(model, recipe, steps_per_epoch, epochs):
    """``model.compile`` with the recipe's ``[compile]`` (optimizers built by Keras)."""
    import keras

    from keras_gan_zoo.variants.cyclegan import CycleGAN

    options = dict(recipe.compile)
    for key, spec in options.items():
        if isinstance(spec, dict):  # an optimizer
            spec = dict(spec)
            class_name, decay = spec.pop("class_name"), spec.pop("decay", None)
            if decay == "linear":
                spec["learning_rate"] = CycleGAN.linear_decay(
                    spec["learning_rate"], total_steps=epochs * steps_per_epoch)
            elif decay is not None:
                raise ValueError(f"recipe {recipe.name}: unknown decay {decay!r} in {key} "
                                 "(expected \"linear\")")
            options[key] = keras.optimizers.get({"class_name": class_name, "config": spec})
    model.compile(**options)
    return model
