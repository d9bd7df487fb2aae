"""Worker processes for the demo, the benchmarks and the tests: `dyadwatch worker` in its own process group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from dyadwatch.streams.orphans import die_with_parent

READY_LINE = b"Worker]: Ready"  # Faust's log line once the group is joined and the tables are restored


def start_worker(env: Mapping[str, str], log: Path, web_port: int, workdir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dyadwatch.streams.cli",
            "worker",
            "--web-port",
            str(web_port),
            "--workdir",
            str(workdir),
        ],
        env=dict(env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=die_with_parent(),  # no worker left behind when the process that started it is killed
    )


def wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the worker exited with {process.returncode}; {log}:\n{tail}")
        if READY_LINE in log.read_bytes():
            return
        time.sleep(0.3)
    raise TimeoutError(f"the worker was not ready after {timeout:.0f}s; see {log}")


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 20, sig: int = signal.SIGTERM) -> None:
    """Signal the worker's process group; SIGKILL it if it has not exited within `timeout`."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
