"""The browser demo (export/web): real zoo entries in headless Chromium, canvas against Python.

Needs Debian's chromium (``apt-get install chromium``), the page's
onnxruntime-web (``npm ci`` in export/web) and the ``playwright`` package
(the test extra), all of which ``.ci/run`` installs. Outside CI a missing
piece skips these tests; in CI it fails them.
"""

import functools
import http.server
import os
import shutil
import threading
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import keras_gan_zoo as kgz
from shared_data import shared_data

WEB = Path(__file__).resolve().parents[1] / "export" / "web"
ZOO = Path(__file__).resolve().parents[1] / "zoo"
ENTRIES = ("cgan_mnist", "infogan_mnist", "pix2pix_facades")
#: Chromium as the machine's probe starts it: no sandbox (root), and none of the
#: background connections a closed network refuses.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Largest difference between the page's canvas and Python's pixels, in levels of 255:
#: onnxruntime-web's WebAssembly kernels and TensorFlow's differ by ~1e-6 in [-1, 1],
#: which moves a pixel that lies on a rounding boundary by one level.
LEVELS = 1


def _missing(what):
    if os.environ.get("CI"):
        pytest.fail(f"the browser test needs {what}; .ci/run installs it")
    pytest.skip(f"needs {what}")


def _small_singan(path):
    """A SinGAN trained a step a scale on a 24x32 grid of digits, its last layers then set at
    random so that every scale draws: a generator whose inputs are noise maps of free size."""
    import keras

    keras.utils.set_random_seed(0)
    digits = kgz.data.digits()[:12].reshape(3, 4, 8, 8, 1).transpose(0, 2, 1, 3, 4)
    image = np.repeat(digits.reshape(1, 24, 32, 1), 3, axis=-1)
    model = kgz.SinGAN.for_data(image, min_size=11, steps_per_scale=1,
                                network_kwargs={"base_filters": 4}, seed=0)
    model.compile()
    model.fit(image, verbose=0)
    rng = np.random.default_rng(0)  # a step barely moves the zero-started last layers: jolt them
    for k in range(model.num_scales):
        tail = model.generator.get_layer(f"scale{k}").get_layer("tail")
        tail.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in tail.get_weights()])
    model.save(path)
    return path


@pytest.fixture(scope="module")
def singan_file(tmp_path_factory):
    return _small_singan(tmp_path_factory.mktemp("singan") / "singan_small.keras")


def _small_stackgan(path):
    """An untrained StackGAN over the digits' names: a generator with a text input (word ids
    of the vocabulary its export carries)."""
    from keras_gan_zoo.variants.stackgan import text

    words = ["zero", "one", "two", "three", "seven", "the digit"]
    vocabulary = text.vocabulary_of(words)
    encoder = text.text_encoder(len(vocabulary), length=4, dim=8, width=8)
    kgz.StackGAN.for_shape((32, 32, 3), text_encoder=encoder, vocabulary=vocabulary,
                           example_texts=["seven"], latent_dim=4,
                           network_kwargs={"base_filters": 4, "c_dim": 4}, seed=0).save(path)
    return path


@pytest.fixture(scope="module")
def stackgan_file(tmp_path_factory):
    return _small_stackgan(tmp_path_factory.mktemp("stackgan") / "stackgan_small.keras")


def _small_stylegan2(path):
    """An untrained StyleGAN2 at 16x16: a generator fed z, psi and one noise map per layer."""
    kgz.StyleGAN2.for_shape((16, 16, 3), latent_dim=8,
                            network_kwargs={"base_filters": 4, "mapping_layers": 2},
                            seed=1).save(path)
    return path


@pytest.fixture(scope="module")
def stylegan2_file(tmp_path_factory):
    return _small_stylegan2(tmp_path_factory.mktemp("stylegan2") / "stylegan2_small.keras")


@pytest.fixture(scope="module")
def site(tmp_path_factory, singan_file, stackgan_file, stylegan2_file):
    """The page, its onnxruntime-web and three zoo entries prepared by prepare.py, served
    on 127.0.0.1."""
    if not (WEB / "node_modules" / "onnxruntime-web" / "dist").is_dir():
        _missing("onnxruntime-web: cd export/web && npm ci")
    root = tmp_path_factory.mktemp("site")
    for name in ("index.html", "demo.js", "node_modules"):
        (root / name).symlink_to(WEB / name)
    (root / "zoo").symlink_to(ZOO)  # the entries as they are published, for ?entry=NAME
    damaged = root / "damaged" / "dcgan_mnist"  # an entry whose ONNX file was altered
    damaged.mkdir(parents=True)
    (damaged / "metadata.json").symlink_to(ZOO / "dcgan_mnist" / "metadata.json")
    (damaged / "exports").mkdir()
    onnx = (ZOO / "dcgan_mnist" / "exports" / "generator.onnx").read_bytes()
    (damaged / "exports" / "generator.onnx").write_bytes(onnx[:-1] + bytes([onnx[-1] ^ 1]))
    import importlib.util

    spec = importlib.util.spec_from_file_location("prepare", WEB / "prepare.py")
    prepare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prepare)
    assert prepare.prepare([*ENTRIES, str(singan_file), str(stackgan_file),
                            str(stylegan2_file)],
                           str(root / "models")) == sorted([*ENTRIES, "singan_small",
                                                            "stackgan_small", "stylegan2_small"])

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                          ".mjs": "text/javascript", ".wasm": "application/wasm"}

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def page(site):
    chromium = shutil.which("chromium")
    if chromium is None:
        _missing("Debian's chromium: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright: pip install playwright")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site)
        page.evaluate("window.kgz.ready")
        yield page
        assert errors == [], errors
        browser.close()


def _tiles(canvas, n, h, w):
    """The canvas (RGBA, tiles in one row) as ``(n, h, w, 3)`` uint8."""
    pixels = np.asarray(canvas["pixels"], "uint8").reshape(canvas["height"], canvas["width"], 4)
    assert canvas["width"] == n * w and canvas["height"] == h
    assert (pixels[..., 3] == 255).all()
    return pixels[..., :3].reshape(h, n, w, 3).transpose(1, 0, 2, 3)


def _pixels(images):
    images = np.clip(np.round((np.asarray(images) + 1) * 127.5), 0, 255).astype("uint8")
    return np.repeat(images, 3, -1) if images.shape[-1] == 1 else images


def _select(page, name):
    page.select_option("#model", name)
    page.wait_for_function(f"document.getElementById('status').textContent.startsWith('{name}')")


@pytest.mark.slow
def test_the_page_draws_a_conditional_entry_as_python_does(page):
    _select(page, "cgan_mnist")
    model = kgz.zoo.load("cgan_mnist")
    rng = np.random.default_rng(0)
    z, labels = rng.standard_normal((8, 64)).astype("float32"), np.arange(8) % 10
    canvas = page.evaluate("([z, labels]) => window.kgz.run({z: {data: z, dims: [8, 64]}, "
                           "label: {data: labels, dims: [8]}}, 8)",
                           [z.ravel().tolist(), labels.tolist()])
    drawn = _tiles(canvas, 8, 28, 28).astype(int)
    expected = _pixels(model.generate(z=z, labels=labels)).astype(int)
    assert np.abs(drawn - expected).max() <= LEVELS
    assert drawn.std() > 40  # digits, not a blank canvas


@pytest.mark.slow
def test_the_pickers_and_sliders_feed_the_model(page):
    _select(page, "infogan_mnist")
    page.select_option("#port-categorical", "4")
    page.eval_on_selector("#port-continuous-0", "(slider) => { slider.value = '0.75'; "
                          "slider.dispatchEvent(new Event('input')); }")
    page.fill("#port-z", "7")
    page.click("#draw")
    page.wait_for_function("document.getElementById('status').textContent.includes(' ms')")
    feeds = page.evaluate("window.kgz.lastFeeds()")
    assert feeds["categorical"]["data"] == [4] * 8
    continuous = np.asarray(feeds["continuous"]["data"]).reshape(8, 2)
    assert (continuous[:, 0] == 0.75).all() and (continuous[:, 1] == 0).all()
    z = np.asarray(feeds["z"]["data"], "float32").reshape(8, 62)
    assert abs(z.mean()) < 0.2 and 0.8 < z.std() < 1.2  # the page's seeded normal noise
    model = kgz.zoo.load("infogan_mnist")
    expected = _pixels(model.generate(z=z, categorical=4, continuous=continuous)).astype(int)
    drawn = _tiles(page.evaluate("window.kgz.canvas()"), 8, 28, 28).astype(int)
    assert np.abs(drawn - expected).max() <= LEVELS
    page.fill("#port-z", "8")  # another seed, other digits
    page.click("#draw")
    page.wait_for_function("window.kgz.lastFeeds().z.data[0] !== %r" % float(z[0, 0]))
    assert np.abs(_tiles(page.evaluate("window.kgz.canvas()"), 8, 28, 28).astype(int)
                  - drawn).mean() > 5


@pytest.mark.slow
def test_an_uploaded_label_map_becomes_the_photo_python_draws(page, tmp_path):
    photos, maps = kgz.data.to_arrays(kgz.data.facades(shared_data("facades"), size=256,
                                                       paired=True).skip(400).take(1))
    path = tmp_path / "map.png"
    Image.fromarray(np.round((maps[0] + 1) * 127.5).astype("uint8")).save(path)
    _select(page, "pix2pix_facades")
    page.set_input_files("#port-image", str(path))
    page.wait_for_function("!document.getElementById('draw').disabled")
    page.click("#draw")
    page.wait_for_function("document.getElementById('status').textContent.includes(' ms')",
                           timeout=120_000)
    png = np.asarray(Image.open(path))[None]
    read_back = png.astype("float32") / 127.5 - 1
    fed = np.asarray(page.evaluate("window.kgz.lastFeeds()")["image"]["data"], "float32")
    # the file's pixels, exactly (the page divides in float64, NumPy in float32)
    np.testing.assert_array_equal(np.round((fed.reshape(png.shape) + 1) * 127.5), png)
    model = kgz.zoo.load("pix2pix_facades")
    expected = _pixels(model.translate(read_back)).astype(int)
    drawn = _tiles(page.evaluate("window.kgz.canvas()"), 1, 256, 256).astype(int)
    assert np.abs(drawn - expected).max() <= LEVELS
    # and it is a photo of that map: the bundled segmenter reads it back (0.53 of pixels
    # for the held-out maps, see the zoo card)
    assert kgz.metrics.fcn_score(drawn / 127.5 - 1, maps)["pixel_accuracy"] > 0.4


@pytest.mark.slow
def test_the_page_opens_a_zoo_entry_by_name_and_checks_its_hash(page, site):
    """?entry=NAME fetches the entry's metadata and the ONNX file it carries from where
    entries are published (here the repository's zoo/ on the same server), checked
    against its SHA-256, and draws what Python draws."""
    context = page.context.browser.new_context()
    viewer = context.new_page()
    viewer.goto(site + "?entry=dcgan_mnist&source=" + urllib.parse.quote("zoo/{name}/{file}"))
    viewer.evaluate("window.kgz.ready")
    assert viewer.eval_on_selector("#model", "s => s.value") == "dcgan_mnist"
    z = np.random.default_rng(1).standard_normal((8, 64)).astype("float32")
    canvas = viewer.evaluate("(z) => window.kgz.run({z: {data: z, dims: [8, 64]}}, 8)",
                             z.ravel().tolist())
    drawn = _tiles(canvas, 8, 28, 28).astype(int)
    expected = _pixels(kgz.zoo.load("dcgan_mnist").generate(z=z)).astype(int)
    assert np.abs(drawn - expected).max() <= LEVELS and drawn.std() > 40
    viewer.goto(site + "?entry=dcgan_mnist&source=damaged")
    viewer.wait_for_function("document.getElementById('status').className === 'error'")
    assert "exports/generator.onnx of dcgan_mnist fails its hash check" in \
        viewer.text_content("#status")
    context.close()


@pytest.mark.slow
def test_noise_maps_retarget_a_singan_in_the_page_as_in_python(page, singan_file):
    """A generator of noise maps (SinGAN's) gets one seed for all its maps, and its free-size
    maps are widened by the page's width factor: the page draws what Python draws on them."""
    import keras

    model = keras.saving.load_model(singan_file)
    _select(page, "singan_small")
    page.fill("#port-noise-maps", "3")
    page.fill("#port-noise-width", "1.5")
    page.click("#draw")
    page.wait_for_function("document.getElementById('status').textContent.includes(' ms')")
    feeds = page.evaluate("window.kgz.lastFeeds()")
    maps = {name: np.asarray(f["data"], "float32").reshape(f["dims"]) for name, f in feeds.items()}
    assert [m.shape[1:3] for m in maps.values()] == [(h, max(11, int(w * 1.5 + 0.5)))
                                                     for h, w in model.sizes]
    h, w = model.sizes[-1][0], int(model.sizes[-1][1] * 1.5 + 0.5)
    assert model.retarget(1, width=1.5).shape[1:3] == (h, w)  # Python's retarget: the same sizes
    drawn = _tiles(page.evaluate("window.kgz.canvas()"), 8, h, w).astype(int)
    expected = _pixels(model.generate(**maps)).astype(int)
    assert np.abs(drawn - expected).max() <= LEVELS
    assert drawn.std() > 10  # not one flat colour


def test_a_text_becomes_word_ids_in_the_page_as_in_python(page, stackgan_file):
    """A text-to-image generator's text input: the page turns the text into the exported
    vocabulary's word ids as Python does, and draws what Python draws on them."""
    import keras

    model = keras.saving.load_model(stackgan_file)
    _select(page, "stackgan_small")
    page.fill("#port-text", "The digit SEVEN, again!")
    page.click("#draw")
    page.wait_for_function("document.getElementById('status').textContent.includes(' ms')")
    feeds = page.evaluate("window.kgz.lastFeeds()")
    given = {name: np.asarray(f["data"]).reshape(f["dims"]) for name, f in feeds.items()}
    np.testing.assert_array_equal(given["text"][0], model.tokens(["the digit seven again"])[0])
    drawn = _tiles(page.evaluate("window.kgz.canvas()"), 8, 32, 32).astype(int)
    expected = _pixels(model.generate(**{k: v.astype("int32" if k == "text" else "float32")
                                         for k, v in given.items()})).astype(int)
    assert np.abs(drawn - expected).max() <= LEVELS
    page.fill("#port-text", "lorem ipsum")
    page.click("#draw")
    page.wait_for_function("document.getElementById('status').textContent.includes('vocabulary')")


def test_a_stylegan2_draws_in_the_page_as_in_python(page, stylegan2_file):
    """StyleGAN2's exported generator (modulation on activations, z, psi and a noise map per
    layer): the page feeds every port and draws what Keras draws on the same feeds."""
    import keras

    model = keras.saving.load_model(stylegan2_file)
    _select(page, "stylegan2_small")
    page.click("#draw")
    page.wait_for_function("document.getElementById('status').textContent.includes(' ms')")
    feeds = page.evaluate("window.kgz.lastFeeds()")
    signature = model.signature(model.directions[0])
    names = [port.name for port in signature.inputs]
    assert sorted(feeds) == sorted(names) and "psi" in names and len(names) > 3
    arrays = [np.asarray(feeds[n]["data"], "float32").reshape(feeds[n]["dims"]) for n in names]
    drawn = _tiles(page.evaluate("window.kgz.canvas()"), 8, 16, 16).astype(int)
    expected = _pixels(keras.ops.convert_to_numpy(signature.generator(arrays, training=False)))
    assert np.abs(drawn - expected.astype(int)).max() <= LEVELS
    assert drawn.std() > 20  # the feeds reach the image: not one flat colour
