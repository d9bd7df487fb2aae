"""A killed parent leaves no broker or worker behind: both ask the kernel for SIGTERM when it dies (Linux)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.harness import ROOT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signals are Linux-only"),
]

PARENT = """
import os, sys, time
from pathlib import Path
from dyadwatch.streams.broker import EmbeddedBroker, free_port
from dyadwatch.streams.workers import start_worker, wait_ready
workdir = Path(sys.argv[1])
broker = EmbeddedBroker(log=workdir / "broker.log")
broker.start()
env = {**os.environ, "DYADWATCH_BROKER": broker.url, "DYADWATCH_TOPIC_PREFIX": "orphans", "DYADWATCH_APP_ID": "orphans"}
worker = start_worker(env, workdir / "worker.log", free_port(), workdir / "worker")
wait_ready(worker, workdir / "worker.log", timeout=120)
print(broker.process.pid, worker.pid, flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has exited; only its parent's wait is missing
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_sigkilled_parent_takes_its_broker_and_worker_with_it(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE)
    children: list[int] = []
    try:
        assert parent.stdout is not None
        children = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(children) == 2, "the parent did not start its broker and worker"
        assert all(alive(pid) for pid in children)
        parent.kill()  # SIGKILL: none of the parent's clean-up code runs
        parent.wait(timeout=10)
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [pid for pid in children if alive(pid)]
        assert not left, f"still running after their parent was killed: {left}"
    finally:
        for pid in children:
            if alive(pid):
                os.killpg(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
