"""GauGAN (Park et al. 2019): photos drawn from semantic label maps, normalised by the map (SPADE).

pix2pix feeds the label map to the generator's input, where normalisation
layers wash the layout out; GauGAN's generator starts from a style code
``z`` and receives the map again in every block through SPADE, which turns
it into per-pixel scales and shifts of the normalised features. An
optional image encoder maps a photo to the mean and variance of a style
code (a VAE-like KL term keeps the codes near N(0, 1)), so one map can be
drawn in the style of a given photo or of a random code.

The generator minimises the hinge loss of multi-scale PatchGANs on (map,
image) pairs plus ``feature_weight`` (10) times the L1 distance between the
discriminators' intermediate features of real and generated images, plus
``kl_weight`` (0.05) times the KL term. The paper's VGG perceptual loss
needs ImageNet weights, which this package does not ship: pass
``vgg_weights=`` (the path of a ``keras.applications.VGG19(include_top=
False)`` weights file) to add it with weight ``vgg_weight`` (10).
"""

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import (NOISE_STREAM_G, TranslationModel, predict_batches,
                                       shape_str)
from keras_gan_zoo.models.contract import Port, Signature, Takes, output_port
from keras_gan_zoo.optimizers import FusedAdam
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.gaugan.networks import default_networks

__all__ = ["GauGAN"]

_VGG_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
_VGG_WEIGHTS = (1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0)


def _palette(palette):
    """A palette ``(classes, 3)`` from a list, ``"facades"`` or a JSON file of colours."""
    import json
    import os

    if palette is None:
        raise ValueError("GauGAN needs the colour of each class of the label maps: palette="
                         "'facades' (the CMP facades colours), a list of [r, g, b], or a JSON "
                         "file of them (command line: --set palette=facades)")
    if isinstance(palette, str):
        if palette == "facades":
            from keras_gan_zoo.data import FACADE_PALETTE

            return np.asarray(FACADE_PALETTE, "float32")
        if not os.path.isfile(palette):
            raise ValueError(f"palette {palette!r}: expected 'facades' or a JSON file of [r, g, b] "
                             "colours, one per class")
        with open(palette) as f:
            palette = json.load(f)
    palette = np.asarray(palette, "float32")
    if palette.ndim != 2 or palette.shape[1] != 3 or len(palette) < 2:
        raise ValueError(f"expected a palette of [r, g, b] colours, one per class, got shape "
                         f"{palette.shape}")
    return palette


@register_variant("gaugan")
class GauGAN(TranslationModel):
    """GauGAN trained with ``model.fit(label_maps, photos)``: one-hot maps in, photos out.

    Args:
        generator: ``[label map (b, h, w, classes), z (b, d)] -> image``.
        discriminator: ``[label map, image] -> [features..., logits] * num_scales``
            (each scale's intermediate feature maps, its patch logits last).
        encoder: ``image -> [mean, log_var]`` of the style code, or ``None``
            (codes are then drawn from N(0, 1) in training).
        num_scales: how many discriminators ``discriminator`` holds.
        feature_weight: weight of the feature-matching loss (paper: 10).
        kl_weight: weight of the style code's KL term (paper: 0.05).
        vgg_weights: path of VGG19 (``include_top=False``) weights for the
            perceptual loss; ``None`` leaves it out (nothing is downloaded).
        vgg_weight: weight of the perceptual loss (paper: 10).
        palette: the RGB colour ``[0, 255]`` of each class, if label maps
            come colour-coded (``kgz.data.FACADE_PALETTE``): ``translate``
            and ``keras-gan-zoo sample --input`` then take colour maps and
            give each pixel the class of its nearest colour.
        seed: seed of the training noise.

    Example:
        >>> model = GauGAN.for_shape((128, 128, 13))        # 13 facade classes
        >>> model.compile()             # Adam(1e-4 / 4e-4, 0, 0.999), the paper's TTUR
        >>> model.fit(one_hot_maps, photos, batch_size=4, epochs=100)
        >>> photos = model.translate(new_maps, seed=0)       # random styles
        >>> styled = model.translate(new_maps, style=photo)  # in the style of a photo
    """

    network_names = ("generator", "discriminator", "encoder")
    training_only_networks = ("discriminator",)
    takes = Takes("paired")

    def __init__(self, generator, discriminator, encoder=None, num_scales=2, feature_weight=10.0,
                 kl_weight=0.05, vgg_weights=None, vgg_weight=10.0, palette=None, seed=None,
                 **kwargs):
        networks = {"generator": generator, "discriminator": discriminator}
        if encoder is not None:
            networks["encoder"] = encoder
        super().__init__(networks, seed=seed, **kwargs)
        if encoder is None:
            self.encoder = None
        d = self.discriminator
        if isinstance(num_scales, bool) or not isinstance(num_scales, int) or num_scales < 1 \
                or len(d.outputs) % num_scales:
            raise ValueError(f"the discriminator's {len(d.outputs)} outputs do not split into "
                             f"num_scales={num_scales!r} scales of [features..., logits]")
        self.num_scales = num_scales
        if palette is not None:
            palette = np.asarray(palette, dtype="float32")
            if palette.shape != (self.image_shape_a[-1], 3):
                raise ValueError(f"expected a palette of one RGB colour per class, shape "
                                 f"({self.image_shape_a[-1]}, 3), got {palette.shape}")
            palette = palette.tolist()
        self.palette = palette
        for key, value in (("feature_weight", feature_weight), ("kl_weight", kl_weight),
                           ("vgg_weight", vgg_weight)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"expected {key} >= 0, got {value!r}")
        self.feature_weight, self.kl_weight = float(feature_weight), float(kl_weight)
        self.vgg_weights, self.vgg_weight = vgg_weights, float(vgg_weight)
        self._vgg = self._load_vgg(vgg_weights) if vgg_weights is not None else None
        self.feature_tracker = keras.metrics.Mean(name="feature_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.vgg_tracker = keras.metrics.Mean(name="vgg_loss")

    @staticmethod
    def _load_vgg(path):
        import os

        if not os.path.isfile(str(path)):
            raise FileNotFoundError(
                f"no VGG19 weights at {path!r}: pass the path of a keras.applications.VGG19("
                "include_top=False) weights file you have (nothing is downloaded), or "
                "vgg_weights=None to train without the perceptual loss")
        vgg = keras.applications.VGG19(include_top=False, weights=None)
        vgg.load_weights(str(path))
        vgg.trainable = False
        return keras.Model(vgg.input, [vgg.get_layer(n).output for n in _VGG_LAYERS],
                           name="vgg_features")

    @classmethod
    def for_shape(cls, map_shape, image_channels=3, latent_dim=256, base_filters=64, hidden=128,
                  norm="batch", num_layers=3, num_scales=2, encoder=True, **kwargs):
        """GauGAN with the paper's networks for one-hot maps of ``map_shape`` ``(h, w, classes)``.

        Args:
            image_channels: channels of the photos.
            latent_dim: size of the style code (paper: 256).
            base_filters: the generator's and discriminators' width (paper: 64).
            hidden: channels of SPADE's map network (paper: 128).
            norm: SPADE's parameter-free normalisation, ``"batch"``
                (synchronised, the paper) or ``"instance"``.
            num_layers, num_scales: the PatchGANs' stride-2 layers and count.
            encoder: build the style encoder (``False``: random styles only).
        """

        generator, discriminator, style = default_networks(
            map_shape, image_channels, latent_dim, base_filters, hidden, norm, num_layers,
            num_scales, encoder)
        return cls(generator, discriminator, style, num_scales=num_scales, **kwargs)

    @classmethod
    def for_data(cls, x, y=None, palette=None, **kwargs):
        """Default networks for colour-coded label maps (A) and photos (B).

        Args:
            x: a ``PairSource`` of (colour label map,
                photo), or colour maps with ``y`` the photos.
            palette: each class's RGB colour, ``(classes, 3)`` in [0, 255],
                ``"facades"`` (``keras_gan_zoo.data.FACADE_PALETTE``), or a
                JSON file of that list. Each map pixel takes its nearest colour's
                class (on the command line: ``--set palette=facades``).
        """
        palette = _palette(palette)
        shape_a = tuple(x.shape) if hasattr(x, "shape_b") else tuple(np.shape(x)[1:])
        shape_b = tuple(x.shape_b) if hasattr(x, "shape_b") else tuple(np.shape(y)[1:])
        if len(shape_a) != 3 or shape_a[-1] != 3:
            raise ValueError(f"GauGAN.for_data takes colour label maps (h, w, 3), got {shape_a}; "
                             "for one-hot maps use GauGAN.for_shape((h, w, classes))")
        return cls.for_shape(shape_a[:2] + (len(palette),), shape_b[-1], palette=palette, **kwargs)

    def unpack(self, data):
        """``(one-hot maps, photos)``; colour maps in [-1, 1] become one-hot by the palette here."""
        maps, photos = super().unpack(data)
        return self._one_hot_graph(maps), photos

    def _one_hot_graph(self, maps):
        classes = self.image_shape_a[-1]
        if self.palette is None or maps.shape[-1] != 3 or classes == 3:
            return maps
        rgb = (tf.cast(maps, tf.float32) + 1.0) * 127.5
        palette = tf.constant(self.palette, tf.float32)
        distances = tf.reduce_sum(tf.square(rgb[..., None, :] - palette), axis=-1)
        return tf.one_hot(tf.argmin(distances, axis=-1), classes, dtype=tf.float32)

    def check_data(self, x, y=None, check_range=True):
        if isinstance(x, tf.data.Dataset) and self.palette is not None:
            x = x.map(lambda a, b: (self._one_hot_graph(a), b))  # colour maps, as unpack reads them
        elif y is not None and self.palette is not None and np.shape(x)[-1] == 3:
            x = self.one_hot(np.asarray(x))
        return super().check_data(x, y, check_range)

    @classmethod
    def default_optimizers(cls):
        """The paper's two time-scale rule: Adam(1e-4) for the generator, 4e-4 for the
        discriminator, betas (0, 0.999)."""
        return (FusedAdam(1e-4, beta_1=0.0, beta_2=0.999),
                FusedAdam(4e-4, beta_1=0.0, beta_2=0.999))

    def get_config(self):
        return {**super().get_config(), "num_scales": self.num_scales, "feature_weight": self.feature_weight,
                "kl_weight": self.kl_weight, "vgg_weights": self.vgg_weights,
                "vgg_weight": self.vgg_weight, "palette": self.palette}

    def trained_networks(self):
        return {role: net for role, net in super().trained_networks().items() if net is not None}

    def check_networks(self):
        g, d, e = self.generator, self.discriminator, getattr(self, "encoder", None)
        if len(g.inputs) != 2 or len(g.inputs[0].shape) != 4 or len(g.inputs[1].shape) != 2:
            raise ValueError("expected a GauGAN generator [label map (b, h, w, classes), z (b, "
                             f"d)] -> image, got inputs {[shape_str(t.shape) for t in g.inputs]}")
        if None in tuple(g.inputs[0].shape[1:]):
            raise ValueError("the generator must fix the label maps' size (h, w, classes)")
        if len(d.inputs) != 2:
            raise ValueError("expected a GauGAN discriminator [label map, image] -> [features..., "
                             "logits] per scale")
        if e is not None:
            if len(e.outputs) != 2 or e.outputs[0].shape[-1] != g.inputs[1].shape[-1]:
                raise ValueError(f"expected the encoder image -> [mean, log_var] of the "
                                 f"generator's code size {g.inputs[1].shape[-1]}, got outputs "
                                 f"{[shape_str(t.shape) for t in e.outputs]}")

    # ------------------------------------------------------------ contract
    @property
    def image_shape_a(self):
        return tuple(int(s) for s in self.generator.inputs[0].shape[1:])

    @property
    def image_shape_b(self):
        return self.image_shape_a[:2] + (int(self.generator.outputs[0].shape[-1]),)

    @property
    def latent_dim(self):
        return int(self.generator.inputs[1].shape[-1])

    def translators(self):
        return {"a_to_b": (self.generator, self.image_shape_a)}

    def signature(self, direction=None):
        if direction not in (None, "a_to_b"):
            raise ValueError(f"unknown direction {direction!r}; expected one of 'a_to_b'")
        label_map = Port("label_map", "image", self.image_shape_a, range=(0.0, 1.0),
                         fixed_size=True,
                         meaning=f"one-hot label maps, {self.image_shape_a[-1]} classes")
        return Signature("translator", self.generator, (label_map, Port.noise(self.latent_dim)),
                         output_port(self.generator, translated=True),
                         {"direction": "a_to_b", "trained_image_shape": list(self.image_shape_a)},
                         self.variant_name)

    def source_shape(self, direction=None):
        """Colour label maps ``(h, w, 3)`` with a palette; else one-hot maps, which no image file holds."""
        return self.image_shape_a[:2] + (3,) if self.palette is not None else None

    def one_hot(self, label_maps):
        """One-hot maps of one-hot, class-index ``(n, h, w)`` or (with a palette) colour maps."""
        maps = np.asarray(label_maps)
        classes = self.image_shape_a[-1]
        if maps.ndim == 3 and np.issubdtype(maps.dtype, np.integer):
            return np.eye(classes, dtype="float32")[maps]
        if maps.ndim == 4 and maps.shape[-1] == 3 and self.palette is not None and not (
                classes == 3 and np.isin(maps, (0, 1)).all() and (maps.sum(-1) == 1).all()):
            from keras_gan_zoo.data import colour_classes

            return np.eye(classes, dtype="float32")[colour_classes(maps, self.palette)]
        return maps

    def generator_sources(self, images, direction=None):
        """One-hot maps, as the generator takes them (see ``one_hot``)."""
        return self.one_hot(images)

    def translate(self, label_maps, direction=None, style=None, seed=None, batch_size=64):
        """Photos of one-hot ``label_maps`` ``(n, h, w, classes)``, class maps ``(n, h, w)``,
        or colour maps ``(n, h, w, 3)`` when the model has a palette.

        Args:
            style: photos ``(n, h, w, c)`` or one photo whose encoder means are
                the style codes (needs the encoder); ``None`` draws codes from
                N(0, 1) with ``seed``.
            seed: seed of the random codes (the same seed, the same photos).
        """
        signature = self.signature(direction)
        maps = self.one_hot(label_maps)
        maps = signature.inputs[0].check(maps, None, context="label_maps")
        if style is None:
            z = np.random.default_rng(seed).standard_normal((len(maps), self.latent_dim))
        else:
            if self.encoder is None:
                raise ValueError("style= needs the style encoder; this GauGAN was built "
                                 "without one (encoder=None): pass seed= for random styles")
            style = np.asarray(style, dtype="float32")
            style = style[None] if style.ndim == 3 else style
            if len(style) not in (1, len(maps)):
                raise ValueError(f"expected one style photo or one per map ({len(maps)}), got "
                                 f"{len(style)}")
            z = predict_batches(keras.Model(self.encoder.inputs[0], self.encoder.outputs[0]), style,
                         batch_size)
            z = np.broadcast_to(z, (len(maps), self.latent_dim))
        return predict_batches(self.generator, [maps, z.astype("float32")], batch_size)

    @property
    def generator_variables(self):
        variables = self.generator.trainable_variables
        return variables + (self.encoder.trainable_variables if self.encoder is not None else [])

    @property
    def metrics(self):
        extra = [self.feature_tracker]
        extra += [self.kl_tracker] if self.encoder is not None else []
        extra += [self.vgg_tracker] if self._vgg is not None else []
        return super().metrics + extra

    # -------------------------------------------------------------- the step
    def _scales(self, outputs):
        per = len(outputs) // self.num_scales
        return [outputs[i * per:(i + 1) * per] for i in range(self.num_scales)]

    def train_step(self, data):
        maps, photos = self.unpack(data)
        batch_size = tf.shape(maps)[0]
        g, d = self.generator, self.discriminator
        g_opt, d_opt = self.generator_optimizer, self.discriminator_optimizer
        seed = self.random_seed(NOISE_STREAM_G, g_opt.iterations)
        noise = self.replica_share(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed), batch_size)

        with tf.GradientTape() as tape:
            kl = tf.zeros([batch_size])
            if self.encoder is not None:
                mean, log_var = self.encoder(photos, training=True)
                mean, log_var = tf.cast(mean, tf.float32), tf.cast(log_var, tf.float32)
                z = mean + tf.exp(0.5 * log_var) * noise
                kl = -0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mean) - tf.exp(log_var),
                                          axis=-1)
            else:
                z = noise
            fake = g([maps, z], training=True)
            fake_out = self._scales(d([maps, fake], training=True))
            real_out = self._scales(d([maps, photos], training=True))
            adversarial = tf.add_n([losses.hinge_generator_loss(s[-1]) for s in fake_out])
            matching = tf.add_n([
                tf.reduce_mean(tf.abs(tf.cast(f, tf.float32) - tf.stop_gradient(
                    tf.cast(r, tf.float32))), axis=list(range(1, len(f.shape))))
                for fs, rs in zip(fake_out, real_out) for f, r in zip(fs[:-1], rs[:-1])])
            matching = matching / self.num_scales
            per_example = adversarial + self.feature_weight * matching + self.kl_weight * kl
            vgg = tf.zeros([batch_size])
            if self._vgg is not None:
                vgg = self._perceptual(photos, fake)
                per_example += self.vgg_weight * vgg
            g_loss = self.reduce_loss(per_example, g)
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)

        with tf.GradientTape() as tape:
            fake_out = self._scales(d([maps, tf.stop_gradient(fake)], training=True))
            real_out = self._scales(d([maps, photos], training=True))
            per_d = tf.add_n([losses.hinge_discriminator_loss(r[-1], f[-1])
                              for r, f in zip(real_out, fake_out)])
            d_loss = self.reduce_loss(per_d, d)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)

        for tracker, value in ((self.g_loss_tracker, adversarial), (self.d_loss_tracker, per_d),
                               (self.feature_tracker, matching), (self.kl_tracker, kl),
                               (self.vgg_tracker, vgg)):
            if tracker in self.metrics:
                tracker.update_state(tf.reduce_mean(value), sample_weight=batch_size)
        return self.logs()

    def _perceptual(self, real, fake):
        def features(images):
            pixels = 127.5 * (tf.cast(images, tf.float32) + 1.0)
            return self._vgg(keras.applications.vgg19.preprocess_input(pixels), training=False)

        return tf.add_n([w * tf.reduce_mean(tf.abs(f - tf.stop_gradient(r)), axis=[1, 2, 3])
                         for w, f, r in zip(_VGG_WEIGHTS, features(fake), features(real))])
