"""Training on streamed folders: exact resume after SIGKILL and Ctrl-C, replica invariance,
the multi-worker shares, and what `keras-gan-zoo train` does for every variant."""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from PIL import Image

import keras_gan_zoo as kgz
from keras_gan_zoo.cli import main
from keras_gan_zoo.training import CHECKPOINT, Interrupted, fit_resumable

from variant_checks import assert_two_replicas_match_one
from shared_data import shared_data
from test_cli import run_cli
from test_training import _cli_command, _wait


def _emoji(folder, n=48, style="twemoji", start=0):
    """``n`` real emoji (RGBA PNGs) copied into ``folder``."""
    source = shared_data("emoji", style)
    folder.mkdir(parents=True, exist_ok=True)
    for name in sorted(os.listdir(source))[start:start + n]:
        (folder / name).write_bytes((source / name).read_bytes())
    return folder


def _weights(path):
    return keras.saving.load_model(path).get_weights()


# ------------------------------------------------------------------ resume
@pytest.mark.slow
def test_sigkill_mid_epoch_on_a_streamed_folder_resumes_to_identical_weights(tmp_path):
    data = _emoji(tmp_path / "emoji", n=48)
    train = ["train", "gan", "--data", str(data), "--size", "16", "--epochs", "2",
             "--batch-size", "8", "--latent-dim", "8", "--checkpoint-steps", "2",
             "--steps-per-execution", "1", "--crop", "random", "--mirror", "--verbose", "0"]
    reference = run_cli(*train, "--out", str(tmp_path / "ref"))
    assert reference.returncode == 0, reference.stderr[-2000:]
    out = tmp_path / "killed"
    checkpoint = out / CHECKPOINT
    for kill in range(2):  # mid-epoch 1, then mid-epoch 2
        process = subprocess.Popen(_cli_command() + train + ["--out", str(out), "--resume"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = checkpoint.stat().st_mtime_ns if checkpoint.exists() else None
        changed = lambda: checkpoint.exists() and checkpoint.stat().st_mtime_ns != seen  # noqa
        if _wait(changed, process):
            time.sleep(0.3)
            process.send_signal(signal.SIGKILL)
        stdout, _ = process.communicate(timeout=120)
        if kill:
            assert "resumed" in stdout and "at step" in stdout
    final = run_cli(*train, "--out", str(out), "--resume")
    assert final.returncode == 0, final.stderr[-2000:]
    for a, b in zip(_weights(tmp_path / "ref" / "model.keras"), _weights(out / "model.keras")):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl_c", "term"])
def test_an_interrupt_writes_a_checkpoint_and_says_how_to_resume(tmp_path, signum):
    # started as a shell's `cmd &` starts it (SIGINT ignored); SIGTERM as a scheduler stops it
    data = _emoji(tmp_path / "emoji", n=64)
    out = tmp_path / "run"
    command = _cli_command() + ["train", "gan", "--data", str(data), "--size", "16",
                                "--epochs", "5000", "--batch-size", "8", "--out", str(out),
                                "--verbose", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        history = out / "steps.csv"
        assert _wait(lambda: history.exists() and len(history.read_text().splitlines()) > 2,
                     process)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # never leave a training process behind
            process.kill()
    assert process.returncode == 130, stderr[-2000:]
    assert "interrupted at step" in stderr and "--resume" in stderr
    step = int(stderr.split("interrupted at step ")[1].split()[0].replace(",", ""))
    model = keras.saving.load_model(out / CHECKPOINT)
    assert int(model.generator_optimizer.iterations) == step > 0
    assert "keras-gan-zoo train" in stdout and "devices" in stdout and "precision" in stdout
    assert "WARNING: All log messages" not in stderr  # no TensorFlow start-up lines


def test_fit_resumable_on_a_source_checkpoints_on_interrupt(tmp_path):
    source = kgz.data.open_source(_emoji(tmp_path / "emoji", n=16), size=8)
    model = kgz.GAN.for_shape((8, 8, 3), latent_dim=4)
    model.compile()

    class Stop(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise KeyboardInterrupt

    with pytest.raises(Interrupted) as caught:
        fit_resumable(model, source, directory=tmp_path / "run", epochs=3, batch_size=4,
                      callbacks=[Stop()], verbose=0)
    assert caught.value.step == 3
    again = keras.saving.load_model(tmp_path / "run" / CHECKPOINT)
    assert int(again.generator_optimizer.iterations) == 3
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["examples"] == 16 and run["shape"] == [8, 8, 3]


# ------------------------------------------------------------------ replicas
def test_two_replicas_on_a_streamed_folder_match_one(tmp_path, two_replicas):
    source = kgz.data.open_source(_emoji(tmp_path / "emoji", n=16), size=8, mirror=True)
    keras.utils.set_random_seed(0)
    weights = kgz.GAN.for_shape((8, 8, 3), latent_dim=4, seed=1).get_weights()

    def step(strategy, w):
        with strategy.scope():
            model = kgz.GAN.for_shape((8, 8, 3), latent_dim=4, seed=1)
            model.set_weights(w)
            model.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                          discriminator_optimizer=keras.optimizers.SGD(0.05))
        history = model.fit(source.batches(16, seed=2, epoch=0).take(1), epochs=1, verbose=0)
        return model.get_weights(), history.history

    assert_two_replicas_match_one(step, weights, two_replicas)


@pytest.mark.slow
def test_two_workers_on_loopback_read_their_own_shares_and_agree(tmp_path):
    from distributed.test_multiworker import free_ports

    data = _emoji(tmp_path / "emoji", n=16)
    worker = os.path.join(os.path.dirname(__file__), "distributed", "stream_worker.py")
    cluster = {"worker": [f"127.0.0.1:{p}" for p in free_ports(2)]}
    procs = []
    for index in range(2):
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": "",
               "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker",
                                                                      "index": index}})}
        procs.append(subprocess.Popen([sys.executable, worker, str(data), str(tmp_path)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True))
    for index, proc in enumerate(procs):
        out, _ = proc.communicate(timeout=400)
        assert proc.returncode == 0, f"worker {index}:\n{out[-3000:]}"
    w0, w1 = np.load(tmp_path / "worker0.npz"), np.load(tmp_path / "worker1.npz")
    # each worker decoded only its half of each global batch: disjoint, together the batch
    read0, read1 = set(w0["read"].tolist()), set(w1["read"].tolist())
    assert read0 and read1 and not read0 & read1
    assert len(read0 | read1) == 2 * 8  # two global batches of 8
    weights = [k for k in w0.files if k.startswith("w")]
    assert weights
    for key in weights:
        np.testing.assert_array_equal(w0[key], w1[key], err_msg=key)
    # and the weights are those of one process training on the whole batches
    source = kgz.data.open_source(data, size=8)
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((8, 8, 3), latent_dim=4, seed=1)
    model.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                  discriminator_optimizer=keras.optimizers.SGD(0.05))
    fit_resumable(model, source, directory=tmp_path / "one", epochs=1, batch_size=8,
                  verbose=0)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w0[f"w{i}"], w, atol=1e-5)


# ------------------------------------------------------------------ the command line
def _grey_digits(folder, n=32):
    """Real MNIST digits written as PNG files: a folder a user could have."""
    x, y = kgz.data.load(str(shared_data("mnist")), split="test")
    for i in range(n):
        path = folder / str(int(y[i])) / f"{i}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.round((x[i, :, :, 0] + 1) * 127.5).astype(np.uint8)).save(path)
    return folder


#: What the command line needs beyond what the variant says it takes (``takes``).
VARIANT_FLAGS = {"gaugan": ["--set", "palette=facades"],
                 "singan": ["--set", "min_size=11", "--set", "steps_per_scale=2"],
                 "stackgan": ["--set", "network_kwargs={\"base_filters\": 4}"]}
#: The image side a variant needs at least (16 for the others).
VARIANT_SIZES = {"nicegan": 32, "ganilla": 32, "stackgan": 32}


def _variant_data(variant):
    """The command line's data flags for a variant, from what its ``fit`` takes."""
    kind = kgz.VARIANTS[variant].takes.kind
    flags = {"labelled": ["--labels", "folders"], "paired": ["--data-b", "B"],
             "unpaired": ["--data-b", "B"], "examples": [], "one_image": ["--one-file"],
             "text": ["--texts"]}[kind]
    return flags + VARIANT_FLAGS.get(variant, [])


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(kgz.VARIANTS))
def test_every_variant_trains_from_the_command_line(tmp_path, variant):
    two_classes = tmp_path / "A"
    _emoji(two_classes / "smileys", n=4)
    _emoji(two_classes / "others", n=4, start=100)
    flat_b = _emoji(tmp_path / "B", n=8, style="noto")
    args = _variant_data(variant)
    if "--data-b" in args:  # two folders of the same file names: A twemoji, B noto
        data = _emoji(tmp_path / "A2", n=8)
        args[args.index("B")] = str(flat_b)
    elif "--texts" in args:  # a flat folder with texts.csv: each emoji's name
        args.remove("--texts")
        data = _emoji(tmp_path / "T", n=8)
        names = {r["file"]: r["name"].lower()
                 for r in kgz.data.files.emoji_records(shared_data("emoji"))}
        (data / "texts.csv").write_text("".join(f"{f},{names[f]}\n"
                                                for f in sorted(os.listdir(data))
                                                if f.endswith(".png")))
    elif "--one-file" in args:  # one image file: an epoch of its own steps (2 here)
        args.remove("--one-file")
        data = sorted((tmp_path / "A").rglob("*.png"))[0]
    else:
        data = two_classes if "--labels" in args else tmp_path / "A"
        if "--labels" not in args:
            args += ["--labels", "none"]
    out = tmp_path / "run"
    size = str(VARIANT_SIZES.get(variant, 16))
    code = main(["train", variant, "--data", str(data), *args, "--size", size, "--epochs", "1",
                 "--batch-size", "4", "--out", str(out), "--verbose", "0"])
    assert code == 0
    model = keras.saving.load_model(out / "model.keras")
    assert model.variant_name == variant
    assert int(model.generator_optimizer.iterations) == 2
    assert (out / "samples.png").is_file() and (out / "steps.csv").is_file()


def test_init_from_a_zoo_entry_fine_tunes_it(tmp_path):
    data = _grey_digits(tmp_path / "digits")
    out = tmp_path / "run"
    code = main(["train", "gan", "--data", str(data), "--labels", "none", "--channels", "1",
                 "--size", "28", "--init-from", "dcgan_mnist", "--epochs", "1", "--batch-size",
                 "8", "--out", str(out), "--verbose", "0"])
    assert code == 0
    start = kgz.zoo.load("dcgan_mnist").generator.get_weights()
    tuned = keras.saving.load_model(out / "model.keras")
    moved = max(np.abs(a - b).max() for a, b in zip(start, tuned.generator.get_weights()))
    assert 0 < moved < 0.5  # started from the entry, then trained
    wrong = run_cli("train", "wgan_gp", "--data", str(data), "--labels", "none", "--channels",
                    "1", "--size", "28", "--init-from", "dcgan_mnist", "--batch-size", "8",
                    "--out", str(tmp_path / "wrong"))
    assert wrong.returncode == 2 and "is a gan" in wrong.stderr


@pytest.mark.parametrize("precision, policy", [("float32", "float32"),
                                               ("bfloat16", "mixed_bfloat16")])
def test_precision_is_the_one_asked_and_said(tmp_path, capsys, precision, policy):
    data = _emoji(tmp_path / "emoji", n=8)
    out = tmp_path / "run"
    assert main(["train", "gan", "--data", str(data), "--size", "8", "--epochs", "1",
                 "--batch-size", "4", "--precision", precision, "--out", str(out),
                 "--verbose", "0"]) == 0
    printed = capsys.readouterr().out
    assert f"precision  {policy}" in printed
    model = keras.saving.load_model(out / "model.keras")
    assert {layer.dtype_policy.name for layer in model.generator.layers[1:]} >= {policy}
    assert keras.mixed_precision.global_policy().name == "float32"  # restored after the run
    resumed = run_cli("train", "gan", "--data", str(data), "--size", "8", "--epochs", "2",
                      "--batch-size", "4", "--precision",
                      "bfloat16" if precision == "float32" else "float32", "--out", str(out),
                      "--resume")
    assert resumed.returncode == 2 and "precision" in resumed.stderr


def test_auto_precision_follows_the_cpu_flags():
    from keras_gan_zoo import runtime

    policy, why = runtime.choose_precision("auto", gpus=0)
    flags = runtime.cpu_bf16_flags()
    assert policy == ("mixed_bfloat16" if flags else "float32")
    assert ("native bfloat16" in why) if flags else ("no native bfloat16" in why)
    assert runtime.choose_precision("auto", gpus=1)[0] == "mixed_float16"
    with pytest.raises(ValueError, match="unknown precision"):
        runtime.choose_precision("half")


@pytest.mark.skipif(__import__("platform").machine().lower() not in ("x86_64", "amd64"),
                    reason="the oneDNN default is for x86-64 CPUs")
def test_the_package_turns_on_onednn_kernels_unless_told_or_too_late():
    """Imported before TensorFlow, the package asks for oneDNN's kernels; a user's
    TF_ENABLE_ONEDNN_OPTS wins, and TensorFlow imported first keeps its own choice."""
    check = ("import keras_gan_zoo; from keras_gan_zoo import runtime; import os; "
             "print(runtime.onednn_enabled(), os.environ.get('TF_ENABLE_ONEDNN_OPTS'))")
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}

    def run(code, **extra):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**env, **extra})
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.split()

    assert run(check) == ["True", "1"]
    assert run(check, TF_ENABLE_ONEDNN_OPTS="0") == ["False", "0"]
    late = run("import tensorflow; " + check)
    assert late[1] == "None"  # not set behind TensorFlow's back once it has loaded


def test_a_recipe_sets_the_networks_losses_and_optimizers(tmp_path, capsys):
    data = _emoji(tmp_path / "emoji", n=8)
    out = tmp_path / "run"
    assert main(["train", "gan", "--recipe", "small-data", "--augment", "diffaugment",
                 "--data", str(data), "--size", "16", "--epochs", "1", "--batch-size", "4",
                 "--out", str(out), "--verbose", "0"]) == 0
    printed = capsys.readouterr().out
    assert "recipe     small-data: ResNets" in printed
    model = keras.saving.load_model(out / "model.keras")
    config = model.get_config()
    assert config["loss"] == "hinge" and config["ema"] == 0.999
    assert config["augment"] == "diffaugment"  # the flag wins over the recipe's ada
    assert "down0_conv1" in [layer.name for layer in model.discriminator.layers]  # ResNet
    assert model.discriminator.get_layer("down0_conv1").filters == 16 * 2  # base 16, 16 px
    rates = (float(model.generator_optimizer.learning_rate),
             float(model.discriminator_optimizer.learning_rate))
    assert rates == pytest.approx((1e-4, 4e-4))
    assert float(model.discriminator_optimizer.beta_1) == 0.0


def test_recipe_errors_name_the_recipes_there_are(tmp_path):
    data = _emoji(tmp_path / "emoji", n=8)
    code = main(["train", "gan", "--recipe", "big", "--data", str(data), "--size", "16",
                 "--out", str(tmp_path / "a")])
    assert code == 2
    other = run_cli("train", "wgan_gp", "--recipe", "small-data", "--data", str(data),
                    "--size", "16", "--out", str(tmp_path / "b"))
    assert other.returncode == 2
    assert "wgan_gp has no recipes (variants with recipes: gan)" in other.stderr
    both = main(["train", "gan", "--recipe", "small-data", "--init-from", "dcgan_mnist",
                 "--data", str(data), "--size", "16", "--out", str(tmp_path / "c")])
    assert both == 2
    assert not any((tmp_path / name).exists() for name in "abc")


def test_the_default_batch_follows_the_image_size_and_a_resumed_run(tmp_path, capsys):
    assert [kgz.GAN.default_batch_size((s, s, 3)) for s in (28, 64, 128, 256)] == [64, 64, 32, 16]
    data = _emoji(tmp_path / "emoji", n=64)
    common = ["train", "gan", "--data", str(data), "--size", "16", "--verbose", "0"]
    assert main([*common, "--epochs", "1", "--out", str(tmp_path / "default")]) == 0
    assert "1 per epoch of batch 64 (the default at 16x16" in capsys.readouterr().out
    assert json.loads((tmp_path / "default" / "run.json").read_text())["batch_size"] == 64
    out = tmp_path / "run"
    assert main([*common, "--epochs", "1", "--batch-size", "32", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main([*common, "--epochs", "2", "--out", str(out), "--resume"]) == 0
    assert "batch 32 (the resumed run's)" in capsys.readouterr().out
    assert int(keras.saving.load_model(out / "model.keras").generator_optimizer.iterations) == 4


def test_a_default_batch_that_does_not_divide_among_replicas_says_which_flag(tmp_path):
    data = _emoji(tmp_path / "emoji", n=8)
    out = run_cli("train", "gan", "--data", str(data), "--size", "16", "--devices", "cpu:3",
                  "--out", str(tmp_path / "run"))
    assert out.returncode == 2
    assert ("the batch size 64 (the default at 16x16; --batch-size to change) does not divide "
            "among 3 replicas") in out.stderr and "a multiple of 3" in out.stderr
    assert not (tmp_path / "run").exists()
