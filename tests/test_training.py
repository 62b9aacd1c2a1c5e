"""Crash-safe training: SIGKILL at many points, resume, and end where an unbroken run ends."""

import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import keras_gan_zoo as kgz
from keras_gan_zoo.training import CHECKPOINT, NonFiniteLossError, fit_resumable

from test_cli import run_cli

# with ADA and the generator EMA: their state (p, its counters, the averaged weights) must
# come back from the checkpoint too
TRAIN = ["train", "gan", "--data", "digits", "--epochs", "2", "--batch-size", "64",
         "--latent-dim", "8", "--checkpoint-steps", "4", "--verbose", "0",
         "--augment", "ada", "--ema", "0.99"]


def _cli_command():
    import shutil

    exe = shutil.which("keras-gan-zoo")
    return [exe] if exe else [sys.executable, "-m", "keras_gan_zoo.cli"]


def _weights(path):
    return keras.saving.load_model(path).get_weights()


def _start(out, env):
    return subprocess.Popen(_cli_command() + TRAIN + ["--out", str(out), "--resume"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait(condition, process, timeout=300):
    start = time.time()
    while not condition():
        if process.poll() is not None:
            return False
        if time.time() - start > timeout:
            raise TimeoutError("training made no progress")
        time.sleep(0.05)
    return True


@pytest.mark.slow
def test_sigkill_at_many_points_then_resume_gives_the_uninterrupted_weights(tmp_path):
    reference = run_cli(*TRAIN, "--out", str(tmp_path / "ref"))
    assert reference.returncode == 0, reference.stderr

    out = tmp_path / "killed"
    checkpoint, tmp = out / CHECKPOINT, out / ".checkpoint-tmp.keras"
    env = {**os.environ, "KGZ_TEST_CHECKPOINT_DELAY": "0.4"}  # widen the write window
    kills = []
    # during start-up (no checkpoint yet); right after the 1st new checkpoint; in the middle
    # of a write (temporary file on disk, previous checkpoint not yet replaced); after the
    # 2nd new checkpoint
    plans = [("startup", None), ("after", 1), ("mid-write", None), ("after", 2)]
    for kind, count in plans:
        process = _start(out, env)
        mtime = checkpoint.stat().st_mtime_ns if checkpoint.exists() else None
        seen = []

        def progressed():
            if kind == "startup":
                return time.time() - started > 2
            if kind == "mid-write":
                return tmp.exists()
            if checkpoint.exists() and checkpoint.stat().st_mtime_ns != (seen[-1] if seen else mtime):
                seen.append(checkpoint.stat().st_mtime_ns)
            return len(seen) >= count

        started = time.time()
        if not _wait(progressed, process):
            pytest.fail(f"the run ended before the planned kill ({kind}): {process.stderr.read()}")
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills.append(kind)
        if checkpoint.exists():  # whatever the moment, the checkpoint on disk is complete
            step = int(keras.saving.load_model(checkpoint).generator_optimizer.iterations)
            assert step > 0
    assert len(kills) == 4 and "mid-write" in kills

    final = run_cli(*TRAIN, "--out", str(out), "--resume")
    assert final.returncode == 0, final.stderr
    resumed = keras.saving.load_model(out / "model.keras")
    unbroken = keras.saving.load_model(tmp_path / "ref" / "model.keras")
    assert resumed.augment_probability == unbroken.augment_probability > 0
    for a, b in zip(resumed.get_weights(), unbroken.get_weights()):  # incl. EMA and ADA state
        np.testing.assert_array_equal(a, b)


def test_train_refuses_to_overwrite_a_run(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / CHECKPOINT).write_bytes(b"a previous run")
    result = run_cli(*TRAIN, "--out", str(out))
    assert result.returncode != 0 and "--resume" in result.stderr
    assert (out / CHECKPOINT).read_bytes() == b"a previous run"


def _small_gan():
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4}, seed=1)
    model.compile()
    return model


def test_resume_mid_epoch_in_python(tmp_path):
    x = kgz.data.digits()[:200]
    reference, _ = fit_resumable(_small_gan(), x, directory=tmp_path / "a", epochs=3,
                                 batch_size=32, verbose=0)

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.generator_optimizer.iterations) == 8:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit_resumable(_small_gan(), x, directory=tmp_path / "b", epochs=3, batch_size=32,
                      checkpoint_steps=4, callbacks=[Interrupt()], verbose=0)
    resumed, _ = fit_resumable(None, x, directory=tmp_path / "b", epochs=3, batch_size=32,
                               checkpoint_steps=4, resume=True, verbose=0)
    assert int(resumed.generator_optimizer.iterations) == 18
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="different settings"):
        fit_resumable(None, x, directory=tmp_path / "b", epochs=3, batch_size=16, resume=True)


def test_a_nan_stops_training_with_step_variant_and_loss(tmp_path):
    x = kgz.data.digits()[:256]

    class InjectNaN(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.generator_optimizer.iterations) == 6:
                kernel = self.model.discriminator.trainable_variables[0]
                kernel.assign(np.full(kernel.shape, np.nan, "float32"))

    with pytest.raises(NonFiniteLossError, match=r"GAN: d_loss became nan at step 7"):
        fit_resumable(_small_gan(), x, directory=tmp_path, epochs=3, batch_size=32,
                      checkpoint_steps=4, callbacks=[InjectNaN()], verbose=0)
    kept = keras.saving.load_model(tmp_path / CHECKPOINT)
    assert int(kept.generator_optimizer.iterations) == 4  # the last good one
    assert all(np.isfinite(w).all() for w in kept.get_weights())


@pytest.mark.slow
def test_fit_is_deterministic_and_generate_is_reproducible_across_processes():
    x = kgz.data.digits()[:128]
    runs = []
    for _ in range(2):
        model = _small_gan()
        model.fit(x, batch_size=32, epochs=2, shuffle=False, verbose=0)
        runs.append(model.get_weights())
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)

    code = ("import numpy as np, keras_gan_zoo as kgz, keras; keras.utils.set_random_seed(3);"
            "m = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, seed=5);"
            "print(m.generate(4, seed=11).tobytes().hex()[:4000])")
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}).stdout
               for _ in range(2)]
    assert outputs[0] and outputs[0] == outputs[1]
