"""kgz.StackGAN: text ports, the two stages, mismatched texts across replicas, texts from a folder,
the bundled encoder of emoji names, and the harness."""

import numpy as np
import pytest
import keras
import tensorflow as tf
from keras import layers

import keras_gan_zoo as kgz
from keras_gan_zoo.models.contract import Port
from keras_gan_zoo.variants.stackgan import networks, text
from variant_checks import DIGIT_WORDS, TEXTS, VariantChecks, images_for

SHAPE = (32, 32, 1)
VOCABULARY = text.vocabulary_of(TEXTS + list(DIGIT_WORDS))


def small(**kwargs):
    encoder = text.text_encoder(len(VOCABULARY), length=4, dim=8, width=8)
    return kgz.StackGAN.for_shape(SHAPE, text_encoder=encoder, vocabulary=VOCABULARY,
                                  example_texts=["the digit one", "seven"], latent_dim=4,
                                  network_kwargs={"base_filters": 4, "c_dim": 4}, seed=1,
                                  **kwargs)


def user_stage(size, inputs, c_dim, name):
    """A user's stage from plain layers: conditioning augmentation, a dense map, one conv."""
    stats = layers.Dense(2 * c_dim)(inputs[1])
    condition, mu, logvar = networks.ConditioningAugmentation()([stats, inputs[2]])
    flat = layers.Flatten()(inputs[0]) if len(inputs[0].shape) == 4 else inputs[0]
    h = layers.Dense(size * size * 4, activation="relu")(layers.Concatenate()([flat, condition]))
    image = layers.Conv2D(1, 3, padding="same", activation="tanh")(
        layers.Reshape((size, size, 4))(h))
    return keras.Model(inputs, [image, mu, logvar], name=name)


class TestStackGANChecks(VariantChecks):
    variant = "stackgan"
    # After one step, stage II's weights on two replicas differed from one replica's by up to
    # 3e-3 of their move (stage I's and the discriminators' agree to float32). Its first layers
    # read the nearly uniform images of an untrained stage I through synchronised batch norm;
    # fused or not, the gap is the same. A wrong gradient scale would be off by half the move.
    replica_rtol = 1e-2

    def build(self):
        return small()

    def build_user(self):
        encoder = text.text_encoder(len(VOCABULARY), length=4, dim=8, width=8)
        encoder.trainable = False
        z, ids = keras.Input((4,), name="z"), keras.Input((4,), dtype="int32", name="text")
        eps1, eps2 = keras.Input((4,), name="eps1"), keras.Input((4,), name="eps2")
        first = user_stage(16, [keras.Input((4,)), keras.Input((8,)), keras.Input((4,))], 4,
                           "stage1")
        second = user_stage(32, [keras.Input((16, 16, 1)), keras.Input((8,)),
                                 keras.Input((4,))], 4, "stage2")
        embedding = encoder(ids)
        small_image, _, _ = first([z, embedding, eps1])
        image, _, _ = second([small_image, embedding, eps2])
        generator = keras.Model([z, ids, eps1, eps2], image)
        discriminator = networks.stackgan_discriminator(SHAPE, 8, base_filters=4)
        return kgz.StackGAN(generator, discriminator, VOCABULARY, ["seven"], seed=1)


def test_a_text_port_turns_texts_into_word_ids_and_names_what_it_cannot_read():
    port = Port.text(4, ["", "[UNK]", "red", "heart"], ["red heart"])
    np.testing.assert_array_equal(port.tokens(["Red heart!", "blue heart", ""]),
                                  [[2, 3, 0, 0], [1, 3, 0, 0], [0, 0, 0, 0]])
    assert port.check("red heart", 3).shape == (3, 4)
    assert Port.from_record(port.describe()) == port  # an export's metadata carries it whole
    with pytest.raises(ValueError, match=r"the text 'blue sky' has no word this model knows"):
        port.check(["red", "blue sky"], 2)
    with pytest.raises(ValueError, match=r"got 3 samples but 2 texts"):
        port.check(["red", "heart"], 3)
    with pytest.raises(ValueError, match="vocabulary that starts with ''"):
        Port.text(4, ["red"], ["red"])


def test_texts_steer_the_samples_and_one_text_gives_one_embedding():
    model = small()
    same = model.generate(2, text="the digit one", seed=0)
    other = model.generate(2, text="seven", seed=0)
    assert np.abs(same - other).max() > 1e-4
    np.testing.assert_allclose(model.embed(["the digit one"]), model.embed(["one digit the"]),
                               atol=1e-6)
    small_images, images = model.stage_samples(2, seed=0, text="seven")
    assert small_images.shape == (2, 16, 16, 1) and images.shape == (2, 32, 32, 1)
    np.testing.assert_allclose(images, model.generate(2, seed=0, text="seven"), atol=1e-5)


def test_stage_two_never_passes_its_gradient_to_stage_one():
    model = small()
    z, ids, eps1, eps2 = [tf.constant(a) for a in model.signature().make_inputs(
        2, np.random.default_rng(0))]
    with tf.GradientTape(persistent=True) as tape:
        small_images, images, stats = model.stages(z, model.text_encoder(ids), eps1, eps2)
        stage_one_loss, stage_two_loss = tf.reduce_sum(small_images), tf.reduce_sum(images)
    first = model.generator.get_layer("stage1").trainable_weights
    assert all(g is None for g in tape.gradient(stage_two_loss, first))
    assert all(g is not None for g in tape.gradient(stage_one_loss, first))
    # conditioning augmentation: the condition is mu + exp(logvar / 2) * eps
    stats_in = tf.constant([[0.5, -1.0, np.log(4.0), 0.0]])
    condition, mu, logvar = networks.ConditioningAugmentation()([stats_in, tf.ones((1, 2))])
    np.testing.assert_allclose(condition, [[0.5 + 2.0, -1.0 + 1.0]], rtol=1e-6)


def test_mismatched_texts_pair_the_same_examples_on_two_replicas(two_replicas):
    values = tf.range(8)[:, None] * tf.ones((1, 3), tf.int32)
    one = kgz.StackGAN.global_roll(values)
    dataset = two_replicas.experimental_distribute_dataset(
        tf.data.Dataset.from_tensors(values))
    per_replica = two_replicas.run(kgz.StackGAN.global_roll, args=(next(iter(dataset)),))
    two = tf.concat(two_replicas.experimental_local_results(per_replica), axis=0)
    np.testing.assert_array_equal(one[:, 0], [7, 0, 1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(one, two)


def test_a_folder_with_a_texts_file_streams_images_with_their_word_ids(tmp_path):
    from PIL import Image

    images = images_for(small())[:4]
    for i, image in enumerate(images):
        pixels = np.round((image[..., 0] + 1) * 127.5).astype("uint8")
        Image.fromarray(pixels).save(tmp_path / f"{i}.png")
    source = kgz.data.open_source(str(tmp_path), channels=1)
    model = small()
    with pytest.raises(ValueError, match=r"has no texts: put a texts.csv"):
        model.training_source(source)
    (tmp_path / "texts.csv").write_text("file,text\n" + "".join(
        f"{i}.png,{TEXTS[i]}\n" for i in range(3)))
    with pytest.raises(ValueError, match=r"texts.csv gives no text for 1 of the 4 images"):
        kgz.data.open_source(str(tmp_path), channels=1)
    (tmp_path / "texts.csv").write_text("".join(f"{i}.png,{TEXTS[i]}\n" for i in range(4)))
    source = kgz.data.open_source(str(tmp_path), channels=1)
    assert source.texts == TEXTS[:4] and "a text each" in source.describe()
    x, ids = next(iter(model.training_source(source).batches(4, shuffle=False)))
    assert x.shape == (4, 32, 32, 1)
    np.testing.assert_array_equal(ids, model.tokens(TEXTS[:4]))
    # a resumed run finds the same texts again, or refuses: they are in the fingerprint
    (tmp_path / "texts.csv").write_text("".join(f"{i}.png,{TEXTS[i + 1]}\n" for i in range(4)))
    changed = kgz.data.open_source(str(tmp_path), channels=1)
    assert changed.fingerprint()["texts"] != source.fingerprint()["texts"]


def test_texts_it_cannot_read_are_refused_before_training(caplog):
    model = small()
    model.compile()
    images = images_for(model)
    with caplog.at_level("WARNING", logger="keras_gan_zoo"):
        ids = model._checked_tokens(["the digit seven", "a digit of lorem ipsum"])
    assert ids.shape == (2, 4) and "3 of the texts' 7 words (43%) are not in" in caplog.text
    with pytest.raises(ValueError, match="none of the texts has a word of the model's vocabulary"):
        model.fit(images, ["lorem ipsum"] * len(images), batch_size=32)
    with pytest.raises(ValueError, match="got 32 images but 3 texts"):
        model.fit(images, TEXTS[:3], batch_size=32)
    with pytest.raises(ValueError, match=r"fit\(images, texts\)"):
        model.fit(images, batch_size=32)
    assert int(model.generator_optimizer.iterations) == 0


def test_the_bundled_encoder_puts_emoji_that_look_alike_close():
    encoder, vocabulary, facts = text.emoji_text_encoder()
    port = Port.text(facts["shape"]["length"], vocabulary, facts["examples"])
    vectors = keras.ops.convert_to_numpy(encoder(port.tokens(
        ["grinning face", "smiling face", "rocket", "cat face", "dog face"])))
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] and similarity[3, 4] > similarity[3, 2]
    # what its trainer measured: held-out names find their emoji far above chance
    assert facts["measured"]["top5"] > 20 * facts["measured"]["chance_top1"]


def test_the_command_line_samples_from_a_text(tmp_path, capsys):
    from PIL import Image

    from keras_gan_zoo.cli import main

    model = small()
    model.save(tmp_path / "model.keras")
    out = tmp_path / "seven.png"
    assert main(["sample", str(tmp_path / "model.keras"), "--text", "seven", "-n", "4",
                 "--npy", str(tmp_path / "seven.npy"), "--out", str(out)]) == 0
    assert Image.open(out).size[0] > 32
    np.testing.assert_allclose(np.load(tmp_path / "seven.npy"),
                               model.generate(4, seed=0, text="seven"), atol=1e-5)
    assert main(["sample", str(tmp_path / "model.keras"), "--text", "lorem ipsum",
                 "--out", str(tmp_path / "x.png")]) != 0
    assert "the text 'lorem ipsum' has no word this model knows" in capsys.readouterr().err


def test_text_accuracy_counts_each_text_once_and_its_samples():
    model = small()
    first_class = lambda images: np.zeros(len(images), "int32")  # noqa: E731
    texts, classes = ["seven", "the digit one", "seven", "nine"], [0, 1, 0, 1]
    assert kgz.metrics.text_accuracy(model, texts, classes, first_class) == pytest.approx(1 / 3)
    by_brightness = lambda images: (images.mean(axis=(1, 2, 3)) > -2).astype("int32")  # noqa
    assert kgz.metrics.text_accuracy(model, texts, classes, by_brightness) == pytest.approx(2 / 3)


def test_networks_and_vocabulary_that_do_not_fit_are_named():
    encoder = text.text_encoder(len(VOCABULARY) + 3, length=4, dim=8, width=8)
    with pytest.raises(ValueError, match=rf"the vocabulary holds {len(VOCABULARY)} words but the "
                                         rf"text encoder's embedding takes {len(VOCABULARY) + 3}"):
        kgz.StackGAN.for_shape(SHAPE, text_encoder=encoder, vocabulary=VOCABULARY, latent_dim=4,
                               network_kwargs={"base_filters": 4, "c_dim": 4})
    with pytest.raises(ValueError, match="StackGAN draws square images of 32, 64, 128 or 256 px"):
        kgz.StackGAN.for_shape((48, 48, 3))
    with pytest.raises(ValueError, match="a text_encoder= needs its vocabulary="):
        kgz.StackGAN.for_shape(SHAPE, text_encoder=encoder)
