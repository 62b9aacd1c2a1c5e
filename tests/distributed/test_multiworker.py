"""Two MultiWorkerMirroredStrategy workers on 127.0.0.1 stay in lock-step.

Keras 3 fails here upstream on scalar logs (tensorflow/tensorflow#72388); the
variants return logs that survive the multi-worker reduction. Both workers are
real processes talking gRPC over loopback.
"""

import pytest
import json
import os
import socket
import subprocess
import sys

import numpy as np

WORKER = os.path.join(os.path.dirname(__file__), "multiworker_worker.py")

pytestmark = pytest.mark.slow  # subprocesses and real training


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_train_two_epochs_to_identical_weights(tmp_path):
    cluster = {"worker": [f"127.0.0.1:{p}" for p in free_ports(2)]}
    procs = []
    for index in range(2):
        env = dict(os.environ)
        env["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        env["CUDA_VISIBLE_DEVICES"] = ""
        procs.append(subprocess.Popen(
            [sys.executable, WORKER, str(tmp_path)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ))
    outputs = []
    for proc in procs:
        try:
            out, _ = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise
        outputs.append(out)
    for index, (proc, out) in enumerate(zip(procs, outputs)):
        assert proc.returncode == 0, f"worker {index} failed:\n{out[-4000:]}"

    w0 = np.load(tmp_path / "worker0.npz")
    w1 = np.load(tmp_path / "worker1.npz")
    assert sorted(w0.files) == sorted(w1.files)
    for variant in ("gan", "wgan_gp"):
        weights = [k for k in w0.files if k.startswith(f"{variant}/w") and not k.endswith("_initial")]
        assert weights, variant
        for key in weights:
            np.testing.assert_array_equal(w0[key], w1[key], err_msg=key)
        moved = max(np.abs(w0[k] - w0[k + "_initial"]).max() for k in weights)
        assert moved > 1e-4, f"{variant}: training did not change the weights"
        for log in ("g_loss", "d_loss"):
            values = w0[f"{variant}/log_{log}"]
            assert values.shape == (2,) and np.isfinite(values).all(), (variant, log, values)
            np.testing.assert_allclose(values, w1[f"{variant}/log_{log}"], rtol=1e-6)
