"""CycleGAN's default networks: two ResNet-block translators and two PatchGAN discriminators.

The blocks are shared ones (``keras_gan_zoo.networks.translators``), as
the paper (Zhu et al. 2017) builds them, with instance normalisation.
"""

from keras_gan_zoo.networks.translators import patch_discriminator, resnet_translator


def default_networks(shape_a, shape_b, base_filters=32, num_blocks=6):
    """``(generator_ab, generator_ba, discriminator_a, discriminator_b)`` for two domains.

    Args:
        shape_a, shape_b: ``(h, w, c)`` of the two domains; ``h`` and ``w``
            divisible by 4 (two stride-2 downsamplings).
        base_filters: filters of the first layers (the paper: 64).
        num_blocks: residual blocks per translator (the paper: 6 at 128 px).
    """
    for shape in (shape_a, shape_b):
        if len(shape) != 3 or shape[0] % 4 or shape[1] % 4:
            raise ValueError(
                f"expected image shapes (h, w, c) with h and w divisible by 4, got {shape}")
    ca, cb = shape_a[-1], shape_b[-1]
    return (resnet_translator(ca, cb, base_filters, num_blocks, name="generator_ab"),
            resnet_translator(cb, ca, base_filters, num_blocks, name="generator_ba"),
            patch_discriminator(ca, base_filters, name="discriminator_a"),
            patch_discriminator(cb, base_filters, name="discriminator_b"))
