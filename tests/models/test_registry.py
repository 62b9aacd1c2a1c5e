"""The variant registry, each variant's test file, what ``fit`` takes, and the old import paths."""

import ast
import subprocess
import sys
import warnings

import pytest

import keras_gan_zoo as kgz
from keras_gan_zoo.models import GenerativeModel, Takes, register_variant
from variant_checks import VARIANT_TESTS


def _checks_classes(path):
    """``{class name: variant}`` of the ``VariantChecks`` subclasses a test file defines."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", None) == "VariantChecks" for base in node.bases):
            for item in node.body:
                if (isinstance(item, ast.Assign) and getattr(item.targets[0], "id", None) ==
                        "variant"):
                    found[node.name] = item.value.value
    return found


@pytest.mark.parametrize("name", sorted(kgz.VARIANTS))
def test_every_variant_has_its_folder_and_its_test_file_running_the_shared_checks(name):
    cls = kgz.VARIANTS[name]
    assert cls.__module__ == f"keras_gan_zoo.variants.{name}.model"
    assert getattr(kgz, cls.__name__) is cls
    path = VARIANT_TESTS / f"test_{name}.py"
    assert path.is_file(), f"{name} has no test file {path}"
    assert name in _checks_classes(path).values(), (
        f"{path.name} should subclass VariantChecks with variant = {name!r}")


def test_the_registry_is_filled_by_the_folders_in_name_order():
    assert list(kgz.VARIANTS) == sorted(kgz.VARIANTS)
    assert {"gan", "wgan_gp", "cyclegan", "gaugan"} <= set(kgz.VARIANTS)


def test_what_fit_takes_is_declared_once_per_variant():
    takes = {name: cls.takes.kind for name, cls in kgz.VARIANTS.items()}
    assert takes["gan"] == "examples" and takes["conditional_gan"] == "labelled"
    assert takes["acgan"] == "labelled"  # inherited from the conditional GAN
    assert takes["cyclegan"] == "unpaired" and takes["pix2pix"] == takes["gaugan"] == "paired"
    assert kgz.ConditionalGAN.takes.labelled and not kgz.GAN.takes.labelled
    assert kgz.CycleGAN.takes.pairs and not kgz.InfoGAN.takes.pairs
    with pytest.raises(ValueError, match=r"unknown kind of training data 'pairs'; expected one "
                                         r"of 'examples', 'labelled'"):
        Takes("pairs")


def test_a_users_own_variant_registers_with_a_decorator():
    @register_variant("my_test_gan")
    class MyGAN(GenerativeModel):
        pass

    try:
        assert kgz.VARIANTS["my_test_gan"] is MyGAN
        assert MyGAN.for_shape((2,)).variant_name == "my_test_gan"
        with pytest.raises(ValueError, match="the variant name 'gan' is taken by "
                                             "keras_gan_zoo.variants.gan.model.GAN"):
            register_variant("gan")(type("Other", (GenerativeModel,), {}))
        with pytest.raises(ValueError, match="lowercase identifier such as 'wgan_gp', got "
                                             "'My-GAN'"):
            register_variant("My-GAN")
    finally:
        del kgz.VARIANTS["my_test_gan"]


def test_a_subclass_a_user_writes_is_named_by_its_class():
    class Mine(kgz.GAN):
        pass

    assert Mine.for_shape((2,)).variant_name == "Mine"


def test_old_import_paths_work_and_name_the_new_ones():
    with pytest.warns(DeprecationWarning, match=r"keras_gan_zoo.models.gan.GAN moved to "
                                                r"keras_gan_zoo.variants.gan.model.GAN"):
        from keras_gan_zoo.models.gan import GAN
    assert GAN is kgz.GAN
    with pytest.warns(DeprecationWarning, match="keras_gan_zoo.variants.pix2pix.networks"):
        builder = kgz.networks.pix2pix_for_shape
    from keras_gan_zoo.variants.pix2pix.networks import default_networks

    assert builder is default_networks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert kgz.models.WGANGP is kgz.WGANGP
        assert kgz.models.infogan.infogan_networks is (
            kgz.variants.infogan.networks.default_networks)
        assert kgz.networks.cyclegan.resnet_generator is kgz.networks.resnet_translator
    with pytest.raises(AttributeError, match="module 'keras_gan_zoo.networks' has no attribute "
                                             "'no_such_builder'"):
        kgz.networks.no_such_builder


def test_old_paths_import_in_a_fresh_process():
    # what a user's script of 0.4 does first thing, before anything else is imported
    code = ("from keras_gan_zoo.models.cyclegan import CycleGAN\n"
            "from keras_gan_zoo.networks.bigan import bigan_encoder\n"
            "import keras_gan_zoo as kgz\n"
            "assert CycleGAN is kgz.CycleGAN and callable(bigan_encoder)\n")
    result = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", "-c", code],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
