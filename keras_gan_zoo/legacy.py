"""Import paths of keras-gan-zoo 0.4 and older, kept working in one place.

Before the variants moved to one folder each (``keras_gan_zoo.variants``),
their classes lived in ``keras_gan_zoo.models.<name>`` and their networks in
``keras_gan_zoo.networks.<name>``, with builders named ``<name>_for_shape``.
Code that imports them by those paths keeps working, with a
``DeprecationWarning`` that names the new path. Saved files need nothing from
here: a ``.keras`` file names each class by its registered name
(``keras_gan_zoo>GAN``), which has not changed; older *configs* load through
each variant's ``RENAMED`` and ``OLD_DEFAULTS``
(``upgrade_config``).

This table is frozen: a variant added after the move has no old path.
"""

import importlib
import sys
import types
import warnings

_FOLDERS = ("acgan", "bigan", "conditional_gan", "cyclegan", "ebgan", "gan", "gaugan", "infogan",
            "pix2pix", "vaegan", "wgan", "wgan_gp")
_OLD_NETWORKS = {"acgan": "acgan", "bigan": "bigan", "conditional": "conditional_gan",
                 "ebgan": "ebgan", "gaugan": "gaugan", "infogan": "infogan",
                 "pix2pix": "pix2pix", "vaegan": "vaegan"}

#: old module -> the module that holds its contents now
MODULES = {
    **{f"keras_gan_zoo.models.{v}": f"keras_gan_zoo.variants.{v}.model" for v in _FOLDERS},
    **{f"keras_gan_zoo.networks.{old}": f"keras_gan_zoo.variants.{v}.networks"
       for old, v in _OLD_NETWORKS.items()},
    "keras_gan_zoo.networks.cyclegan": "keras_gan_zoo.networks.translators",
}


def _networks(variant, *names):
    return {name: f"keras_gan_zoo.variants.{variant}.networks:{name}" for name in names}


#: old module -> {old name: "new.module:new_name"} for names that moved or were renamed
NAMES = {
    "keras_gan_zoo.models": {
        **{cls: f"keras_gan_zoo.variants:{cls}" for cls in (
            "ACGAN", "BiGAN", "ConditionalGAN", "CycleGAN", "EBGAN", "GAN", "GauGAN", "InfoGAN",
            "Pix2Pix", "VAEGAN", "WGAN", "WGANGP")},
        "markdown_table": "keras_gan_zoo.variants:markdown_table",
    },
    "keras_gan_zoo.networks": {
        **{f"{old}_for_shape": f"keras_gan_zoo.variants.{v}.networks:default_networks"
           for old, v in _OLD_NETWORKS.items() if old != "infogan"},
        **_networks("conditional_gan", "conditional_generator"),
        **_networks("bigan", "bigan_discriminator", "bigan_encoder"),
        **_networks("vaegan", "vae_encoder", "vaegan_discriminator"),
        **_networks("ebgan", "ebgan_discriminator"),
        **_networks("gaugan", "multiscale_discriminator", "spade_generator", "style_encoder"),
        **_networks("pix2pix", "pair_discriminator", "unet_generator"),
        **_networks("infogan", "infogan_discriminator_body", "infogan_generator"),
        "resnet_generator": "keras_gan_zoo.networks.translators:resnet_translator",
    },
    "keras_gan_zoo.networks.cyclegan": {
        "resnet_generator": "keras_gan_zoo.networks.translators:resnet_translator"},
    "keras_gan_zoo.models.infogan": {
        "infogan_networks": "keras_gan_zoo.variants.infogan.networks:default_networks"},
    **{f"keras_gan_zoo.networks.{old}": {
        f"{old}_for_shape": f"keras_gan_zoo.variants.{v}.networks:default_networks"}
       for old, v in _OLD_NETWORKS.items() if old != "infogan"},
}


def _resolve(target):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _warn(old, new):
    warnings.warn(f"{old} moved to {new} in keras-gan-zoo 0.5; the old path will go in 1.0",
                  DeprecationWarning, stacklevel=3)


class _MovedModule(types.ModuleType):
    """An old module path: every attribute is read from the module that holds it now."""

    def __init__(self, name, target):
        super().__init__(name, f"Moved to {target}.")
        self._target = target

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        target = NAMES.get(self.__name__, {}).get(name)
        if target is None:
            target = f"{self._target}:{name}"
        _warn(f"{self.__name__}.{name}", target.replace(":", "."))
        return _resolve(target)


def attribute(package, name):
    """``package.name`` for a name that moved (what the packages' ``__getattr__`` ask)."""
    module = f"{package}.{name}"
    if module in MODULES:
        return sys.modules[module]
    target = NAMES.get(package, {}).get(name)
    if target is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    _warn(module, target.replace(":", "."))
    return _resolve(target)


def install():
    """Put the old module paths in ``sys.modules`` (``import keras_gan_zoo`` calls it)."""
    for old, new in MODULES.items():
        sys.modules.setdefault(old, _MovedModule(old, new))
