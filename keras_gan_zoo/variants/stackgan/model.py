"""StackGAN (Zhang et al. 2017): text to image in two stages, with conditioning augmentation.

Each training example is an image and its text (word ids of the model's
vocabulary). A frozen text encoder turns the text into an embedding. Stage I
draws a half-size image from noise and the embedding; stage II redraws it at
full size from stage I's image and the embedding. Each stage samples its
condition around a mean the text gives (conditioning augmentation) and pays
the condition's KL divergence from N(0, I) (weight ``kl_weight``, the paper's
2). Each stage has a matching-aware discriminator: a real image with its own
text is real; a fake with the text, and a real image with another example's
text (``global_roll``: the previous example of the global batch), are fake,
weighted a half each, as the paper's code does.

The paper trains stage I to the end, then stage II on the frozen stage I.
Here both train in every step, stage II reading stage I's current image
without passing its gradient back (so stage II never changes stage I), as
StackGAN++ trains its stages jointly: one ``fit``, one resumable run.
"""

import logging

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models.base import NOISE_STREAM_D, NOISE_STREAM_G, GenerativeModel, shape_str
from keras_gan_zoo.models.contract import Port, Takes
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.stackgan.networks import default_networks, stage_sizes
from keras_gan_zoo.variants.stackgan.text import emoji_text_encoder  # registers its layers

__all__ = ["StackGAN"]


def _bce(logits, real):
    """Per-example binary cross-entropy of logits ``(n, 1)`` against all-real or all-fake."""
    logits = tf.reshape(logits, [-1])
    return tf.nn.softplus(-logits if real else logits)


def _kl(mu, logvar):
    """Per-example KL(N(mu, exp(logvar)) || N(0, I)), averaged over the dimensions."""
    return tf.reduce_mean(0.5 * (tf.square(mu) + tf.exp(logvar) - 1.0 - logvar), axis=-1)


@register_variant("stackgan")
class StackGAN(GenerativeModel):
    """StackGAN trained with ``model.fit(images, texts)``.

    Args:
        generator: ``[z, text ids, eps1, eps2] -> image`` holding the sub-models
            ``text_encoder``, ``stage1`` and ``stage2``
            (``keras_gan_zoo.variants.stackgan.networks``).
        discriminator: ``[small image, image, embedding] -> [logit1, logit2]``.
        vocabulary: the text encoder's words by id (``""`` and ``"[UNK]"``
            first); ``generate(text="...")`` turns texts into ids with it.
        example_texts: the texts ``generate`` cycles through when no text is
            given (e.g. a few training texts).
        kl_weight: weight of the conditions' KL terms (the paper's 2).
        seed: seed of the training noise.

    The texts given to ``fit`` are strings (turned into word ids with the
    vocabulary) or word ids ``(n, length)``.

    Example:
        >>> model = StackGAN.for_shape((64, 64, 3))   # the bundled emoji-name encoder
        >>> model.compile()
        >>> model.fit(images, names, batch_size=64, epochs=20)
        >>> model.generate(8, text="red heart", seed=0)
    """

    takes = Takes("text")

    def __init__(self, generator, discriminator, vocabulary, example_texts, kl_weight=2.0,
                 seed=None, **kwargs):
        self.vocabulary = [str(w) for w in vocabulary]
        self.example_texts = [str(t) for t in example_texts]
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if isinstance(kl_weight, bool) or not isinstance(kl_weight, (int, float)) or kl_weight < 0:
            raise ValueError(f"expected kl_weight to be a number >= 0, got {kl_weight!r}")
        self.kl_weight = float(kl_weight)
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    @classmethod
    def for_shape(cls, shape, text_encoder=None, vocabulary=None, example_texts=None,
                  latent_dim=None, network_kwargs=None, **kwargs):
        """StackGAN with default networks for square images ``shape`` (32 to 256 px).

        Args:
            text_encoder, vocabulary: a ``keras.Model`` from word ids
                ``(n, length)`` to embeddings, and its words by id; by default
                the bundled encoder of emoji names
                (``keras_gan_zoo.variants.stackgan.text.emoji_text_encoder``).
            example_texts: the texts ``generate`` cycles through by default.
            latent_dim: size of ``z`` (the paper's 100).
            network_kwargs: ``base_filters=`` (32), ``c_dim=`` (the condition's
                size, 128).
        """
        cls._check_keywords(kwargs, builder=cls.for_shape)
        stage_sizes(shape)
        if text_encoder is None:
            if vocabulary is not None:
                raise ValueError("vocabulary= belongs to a text_encoder=; give both or neither")
            text_encoder, vocabulary, facts = emoji_text_encoder()
            example_texts = example_texts or facts["examples"]
        elif vocabulary is None:
            raise ValueError("a text_encoder= needs its vocabulary= (its words by id)")
        text_encoder.trainable = False
        generator, discriminator = default_networks(shape, text_encoder,
                                                    latent_dim=latent_dim or 100,
                                                    **(network_kwargs or {}))
        return cls(generator, discriminator, vocabulary=vocabulary,
                   example_texts=example_texts or vocabulary[2:10], **kwargs)

    @classmethod
    def for_data(cls, x, y=None, **kwargs):
        """StackGAN for the images of ``x`` (an array or a ``Source`` with texts) and the
        bundled emoji-name encoder; ``example_texts`` default to the first texts."""
        texts = getattr(x, "texts", None) if y is None else y
        if texts is not None and "example_texts" not in kwargs:
            kwargs["example_texts"] = list(dict.fromkeys(str(t) for t in texts))[:8]
        shape = tuple(x.shape) if hasattr(x, "fingerprint") else tuple(np.shape(x)[1:])
        return cls.for_shape(shape, **kwargs)

    def get_config(self):
        return {**super().get_config(), "vocabulary": self.vocabulary,
                "example_texts": self.example_texts, "kl_weight": self.kl_weight}

    @property
    def metrics(self):
        return super().metrics + [self.kl_tracker]

    # ------------------------------------------------------------- contract
    @property
    def text_encoder(self):
        return self.generator.get_layer("text_encoder")

    @property
    def text_length(self):
        """How many word ids a text becomes."""
        return int(self.text_encoder.inputs[0].shape[-1])

    @property
    def c_dim(self):
        return int(self.generator.inputs[2].shape[-1])

    @property
    def example_shape(self):
        return tuple(self.generator.outputs[0].shape[1:])

    def text_port(self):
        return Port.text(self.text_length, self.vocabulary, self.example_texts)

    def generator_ports(self):
        return (Port.noise(self.latent_dim), self.text_port(),
                Port("eps1", "normal", (self.c_dim,),
                     meaning="stage I's conditioning-augmentation noise, standard normal"),
                Port("eps2", "normal", (self.c_dim,),
                     meaning="stage II's conditioning-augmentation noise, standard normal"))

    def signature_info(self):
        return {"text_length": self.text_length}

    def check_networks(self):
        names = {layer.name for layer in self.generator.layers}
        missing = sorted({"text_encoder", "stage1", "stage2"} - names)
        if missing or len(self.generator.inputs) != 4:
            raise ValueError(
                "expected a StackGAN generator with inputs [z, text, eps1, eps2] holding the "
                "sub-models text_encoder, stage1 and stage2, got inputs "
                f"{[shape_str(t.shape) for t in self.generator.inputs]}"
                + (f" and no {', '.join(missing)}" if missing else ""))
        words = [la for la in self.text_encoder.layers if isinstance(la, keras.layers.Embedding)]
        if words and int(words[0].input_dim) != len(self.vocabulary):
            raise ValueError(f"the vocabulary holds {len(self.vocabulary)} words but the text "
                             f"encoder's embedding takes {words[0].input_dim}")
        if len(self.discriminator.outputs) != 2:
            raise ValueError("expected a StackGAN discriminator [small, image, embedding] -> "
                             f"[logit1, logit2], got {len(self.discriminator.outputs)} outputs")
        super().check_networks()

    # ------------------------------------------------------------- data
    def tokens(self, texts):
        """Word ids ``(n, text_length)`` of ``texts`` (strings) in this model's vocabulary."""
        return self.text_port().tokens(texts)

    def training_source(self, source):
        """The images of ``source`` with their texts as word ids: a source of images needs
        a text for each (a ``texts.csv`` or ``texts.json`` beside them). Texts without a word
        of the vocabulary are refused; a warning says how many of their words it lacks."""
        if getattr(source, "texts", None) is None:
            raise ValueError(f"a StackGAN trains on images with a text each; {source.name} has no "
                             "texts: put a texts.csv (rows 'file,text') or texts.json "
                             "({file: text}) beside the images")
        return source.with_targets(self._checked_tokens(source.texts))

    def _checked_tokens(self, texts):
        ids = self.tokens(texts)
        words = int((ids > 0).sum())
        unknown = int((ids == 1).sum())
        if not (ids > 1).any():
            raise ValueError(
                "none of the texts has a word of the model's vocabulary (e.g. "
                f"{self.text_port().unknown_words(list(texts)[:20])[:3]}); give texts in its "
                "words, or a text_encoder= and vocabulary= of your own")
        if unknown > 0.25 * words:
            logging.getLogger("keras_gan_zoo").warning(
                "%d of the texts' %d words (%.0f%%) are not in the text encoder's vocabulary of "
                "%d words, e.g. %s; they read as unknown. An encoder of your texts' words "
                "(text_encoder=, vocabulary=) would read them all.", unknown, words,
                100 * unknown / words, len(self.vocabulary) - 2,
                ", ".join(self.text_port().unknown_words(list(texts)[:200])[:5]))
        return ids

    def fit(self, x=None, y=None, batch_size=None, epochs=1, **kwargs):
        """``keras.Model.fit`` on images ``x`` and their texts ``y`` (strings or word ids),
        or a dataset of ``(images, word ids)`` batches."""
        if y is not None and not isinstance(x, tf.data.Dataset):
            texts = np.asarray(y)
            if texts.dtype.kind in "UO":
                y = self._checked_tokens(list(texts))
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    def check_data(self, x, y=None, check_range=True):
        super().check_data(x, None, check_range=check_range)
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if not isinstance(spec, (tuple, list)) or len(spec) < 2:
                raise ValueError("expected a dataset of (images, word ids) batches for a StackGAN")
            return
        if y is None:
            raise ValueError("a StackGAN trains on images and a text for each: fit(images, texts)")
        ids = np.asarray(y)
        if ids.ndim != 2 or ids.shape[1] != self.text_length or ids.dtype.kind not in "iu":
            raise ValueError(f"expected texts (strings) or word ids of shape (n, "
                             f"{self.text_length}), got {ids.dtype} {ids.shape}")
        if len(ids) != len(x):
            raise ValueError(f"got {len(x)} images but {len(ids)} texts")

    def unpack(self, data):
        real, ids = data[0], data[1]
        return tf.cast(real, tf.float32), tf.cast(ids, tf.int32)

    # ------------------------------------------------------------ the step
    def _draws(self, batch_size, stream, counter):
        seed = self.random_seed(stream, counter)
        draws = []
        for k, size in enumerate((self.latent_dim, self.c_dim, self.c_dim)):
            part = tf.random.experimental.stateless_fold_in(seed, k)
            draws.append(self.replica_share(
                lambda n, size=size, part=part: tf.random.stateless_normal([n, size], seed=part),
                batch_size))
        return draws

    def stages(self, z, embedding, eps1, eps2, training=True):
        """``(small, image, [(mu1, logvar1), (mu2, logvar2)])``: stage II reads stage I's image
        without passing its gradient back."""
        first = self.generator.get_layer("stage1")
        second = self.generator.get_layer("stage2")
        small, mu1, logvar1 = first([z, embedding, eps1], training=training)
        small = tf.cast(small, tf.float32)
        image, mu2, logvar2 = second([tf.stop_gradient(small), embedding, eps2],
                                     training=training)
        stats = [(tf.cast(m, tf.float32), tf.cast(v, tf.float32))
                 for m, v in ((mu1, logvar1), (mu2, logvar2))]
        return small, tf.cast(image, tf.float32), stats

    def judge_stages(self, small, image, embedding, training=True):
        return [tf.cast(x, tf.float32)
                for x in self.discriminator([small, image, embedding], training=training)]

    def train_step(self, data):
        real, ids = self.unpack(data)
        batch_size = tf.shape(real)[0]
        real_small = tf.nn.avg_pool2d(real, 2, 2, "VALID")
        embedding = tf.stop_gradient(tf.cast(self.text_encoder(ids, training=False), tf.float32))
        wrong = self.global_roll(embedding)
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer

        z, eps1, eps2 = self._draws(batch_size, NOISE_STREAM_D, d_opt.iterations)
        small, image, _ = self.stages(z, embedding, eps1, eps2)
        small, image = tf.stop_gradient(small), tf.stop_gradient(image)
        with tf.GradientTape() as tape:
            matched = self.judge_stages(real_small, real, embedding)
            mismatched = self.judge_stages(real_small, real, wrong)
            fake = self.judge_stages(small, image, embedding)
            per_example = tf.add_n([_bce(r, True) + 0.5 * (_bce(w, False) + _bce(f, False))
                                    for r, w, f in zip(matched, mismatched, fake)])
            d_loss = self.reduce_loss(per_example, self.discriminator)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)
        self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)

        z, eps1, eps2 = self._draws(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with tf.GradientTape() as tape:
            small, image, stats = self.stages(z, embedding, eps1, eps2)
            adversarial = tf.add_n([_bce(f, True)
                                    for f in self.judge_stages(small, image, embedding)])
            kl = tf.add_n([_kl(mu, logvar) for mu, logvar in stats])
            g_loss = self.reduce_loss(adversarial + self.kl_weight * kl, self.generator)
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)
        self.g_loss_tracker.update_state(tf.reduce_mean(adversarial), sample_weight=batch_size)
        self.kl_tracker.update_state(tf.reduce_mean(kl), sample_weight=batch_size)
        return self.logs()

    # -------------------------------------------------------------- sample
    def stage_samples(self, n, seed=None, **inputs):
        """``(stage I's images, stage II's images)`` for ``n`` samples, NumPy in [-1, 1]."""
        z, ids, eps1, eps2 = [tf.constant(a) for a in self.signature().make_inputs(
            n, np.random.default_rng(seed), **inputs)]
        embedding = self.text_encoder(ids, training=False)
        small, image, _ = self.stages(z, embedding, eps1, eps2, training=False)
        return np.asarray(small), np.asarray(image)

    def embed(self, texts):
        """The text encoder's embeddings ``(n, d)`` of ``texts`` (strings)."""
        return keras.ops.convert_to_numpy(self.text_encoder(self.tokens(texts), training=False))
