"""The variant registry: a variant registers itself with a decorator on its class.

Example:
    >>> from keras_gan_zoo.models import GenerativeModel, register_variant
    >>> @register_variant("my_gan")
    ... class MyGAN(GenerativeModel):
    ...     ...

Registering gives the class its name on the command line, in the zoo and in
exported files, and registers it with Keras's serialisation (``.keras`` files
name it ``keras_gan_zoo>MyGAN``), so no list is edited by hand. The variants of
this package live one folder each under ``keras_gan_zoo.variants``, which
imports every folder it holds.
"""

import keras

#: The registered variants, ``{name: class}``, in the order they were registered.
VARIANTS = {}


def register_variant(name):
    """Class decorator: register a variant under ``name`` (and with Keras's serialisation).

    Raises:
        ValueError: ``name`` is taken by another class, or is not a lowercase
            identifier such as ``"wgan_gp"``.
    """
    if not (isinstance(name, str) and name.isidentifier() and name == name.lower()):
        raise ValueError(f"expected a variant name that is a lowercase identifier such as "
                         f"'wgan_gp', got {name!r}")

    def register(cls):
        taken = VARIANTS.get(name)
        if taken is not None and taken.__qualname__ != cls.__qualname__:
            raise ValueError(f"the variant name {name!r} is taken by {taken.__module__}."
                             f"{taken.__qualname__}; pick another name for {cls.__qualname__}")
        cls = keras.saving.register_keras_serializable(package="keras_gan_zoo")(cls)
        cls._variant_name = name
        VARIANTS[name] = cls
        return cls

    return register


def variant_name(cls):
    """The name ``cls`` is registered under, else its class name (a user's own subclass)."""
    return vars(cls).get("_variant_name", cls.__name__)
