"""Multi-worker fault: kill one of two workers mid-training, restart, resume from the backup.

Two MultiWorkerMirroredStrategy workers on 127.0.0.1 train a WGAN-GP on ring8
with ``keras.callbacks.BackupAndRestore`` (a backup at the end of every
epoch). After worker 1 has finished ``--kill-after`` epochs it gets SIGKILL.
Worker 0 then fails too (its collective ops time out: the strategy is built
with a collective timeout), as TensorFlow's multi-worker fault-tolerance
design expects; a cluster manager would restart both, and this script does
that. The restarted workers restore the last backup and finish. The final
weights are compared with an uninterrupted two-worker run.

    python benchmarks/multiworker_fault.py            # prints a table; about 2-4 min

(Run as a script, not in the test suite: it needs 3 cluster runs.)
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np

EPOCHS = 6


def worker_main(out_dir, epochs):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=20)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    import keras

    import keras_gan_zoo as kgz

    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    keras.utils.set_random_seed(0)
    x = kgz.data.toy("ring8", n=2048, seed=0)
    with strategy.scope():
        model = kgz.WGANGP.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (32, 32)}, seed=0)
        model.compile()

    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            with open(os.path.join(out_dir, f"progress{index}.txt"), "a") as f:
                f.write(f"{epoch + 1}\n")

    # One backup folder per worker: Keras 3's BackupAndRestore writes the same file from
    # every worker (h5py then fails on the file lock); the workers' weights are identical.
    backup = keras.callbacks.BackupAndRestore(os.path.join(out_dir, f"backup{index}"))
    model.fit(x, batch_size=128, epochs=epochs, shuffle=False, verbose=0,
              callbacks=[backup, Progress()])
    np.savez(os.path.join(out_dir, f"weights{index}.npz"), *model.get_weights())


def _ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _launch(out_dir, cluster, epochs):
    procs = []
    for index in range(2):
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": "",
               "TF_CONFIG": json.dumps({"cluster": cluster,
                                        "task": {"type": "worker", "index": index}})}
        log = open(os.path.join(out_dir, f"log{index}.txt"), "a")
        procs.append(subprocess.Popen([sys.executable, __file__, "--worker", out_dir, str(epochs)],
                                      env=env, stdout=log, stderr=subprocess.STDOUT))
    return procs


def _epochs_done(out_dir, index):
    path = os.path.join(out_dir, f"progress{index}.txt")
    return len(open(path).read().split()) if os.path.exists(path) else 0


def run(out_dir, kill_after=None, timeout=600):
    cluster = {"worker": [f"127.0.0.1:{p}" for p in _ports(2)]}
    procs = _launch(out_dir, cluster, EPOCHS)
    start, events = time.time(), []
    if kill_after is not None:
        while _epochs_done(out_dir, 1) < kill_after:
            if time.time() - start > timeout or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"workers ended early; see {out_dir}/log*.txt")
            time.sleep(0.05)
        time.sleep(0.3)  # into the next epoch: mid-epoch
        procs[1].send_signal(signal.SIGKILL)
        events.append(f"SIGKILL worker 1 after {_epochs_done(out_dir, 1)} epochs")
        try:
            procs[0].wait(timeout=120)
            events.append(f"worker 0 stopped by itself (exit {procs[0].returncode})")
        except subprocess.TimeoutExpired:
            procs[0].kill()
            events.append("worker 0 hung; killed by the script")
        procs[1].wait()
        cluster = {"worker": [f"127.0.0.1:{p}" for p in _ports(2)]}
        procs = _launch(out_dir, cluster, EPOCHS)
        events.append("restarted both workers")
    for p in procs:
        p.wait(timeout=timeout)
        if p.returncode != 0:
            logs = "".join(open(os.path.join(out_dir, f"log{i}.txt")).read()[-3000:] for i in range(2))
            raise RuntimeError(f"a worker failed (exit {p.returncode}):\n{logs}")
    weights = [np.load(os.path.join(out_dir, f"weights{i}.npz")) for i in range(2)]
    return [weights[0][k] for k in weights[0].files], [weights[1][k] for k in weights[1].files], \
        events, time.time() - start


def main():
    clean, faulty = tempfile.mkdtemp(prefix="mw-clean-"), tempfile.mkdtemp(prefix="mw-fault-")
    if True:
        ref0, ref1, _, t_clean = run(clean)
        got0, got1, events, t_faulty = run(faulty, kill_after=2)
        same_workers = all(np.array_equal(a, b) for a, b in zip(got0, got1))
        gap = max(float(np.abs(a - b).max()) for a, b in zip(got0, ref0))
        completed = _epochs_done(faulty, 0)
    print(f"MultiWorkerMirroredStrategy, 2 workers on 127.0.0.1, WGAN-GP on ring8, {EPOCHS} epochs, "
          "BackupAndRestore every epoch")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| uninterrupted run | {t_clean:.0f} s |")
    for event in events:
        print(f"| fault run | {event} |")
    print(f"| fault run, epochs logged by worker 0 (both runs) | {completed} |")
    print(f"| fault run, total time | {t_faulty:.0f} s |")
    print(f"| both workers end with the same weights | {same_workers} |")
    print(f"| max abs difference from the uninterrupted run | {gap:.3g} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2], int(sys.argv[3]))
    else:
        main()
