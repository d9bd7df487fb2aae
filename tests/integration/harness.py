"""Run real pipelines on a real embedded broker: workers are `dyadwatch worker` subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import orjson
from kafka import KafkaProducer

from dyadwatch.processors.instants import epoch_of
from dyadwatch.streams.broker import free_port
from dyadwatch.streams.kafka_io import connect, ensure_topics, group_lag, read_to_end
from dyadwatch.streams.settings import Settings
from dyadwatch.streams.workers import start_worker, stop_worker, wait_ready

ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def window_differences(got: dict[str, dict], expected: dict[str, dict], limit: int = 5) -> list[str]:
    """Readable differences between two final_windows() results: missing and extra keys, and the fields that differ."""
    lines = [f"missing {key}" for key in sorted(set(expected) - set(got))[:limit]]
    lines += [f"extra {key}: {got[key]}" for key in sorted(set(got) - set(expected))[:limit]]
    for key in sorted(set(got) & set(expected)):
        fields = {f: (got[key].get(f), expected[key].get(f)) for f in set(got[key]) | set(expected[key])
                  if got[key].get(f) != expected[key].get(f)}  # fmt: skip
        if fields and len(lines) < 3 * limit:
            changes = (f"{field} got {a!r} expected {b!r}" for field, (a, b) in sorted(fields.items()))
            lines.append(f"{key}: " + ", ".join(changes))
    return lines


def cli(env: dict[str, str], *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """`dyadwatch ARGS` in a subprocess; the timeout is a guard against hangs, not a measurement."""
    return subprocess.run(
        [sys.executable, "-m", "dyadwatch.streams.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Pipeline:
    """One pipeline (own topic prefix, own consumer group) on a shared broker."""

    def __init__(self, broker: str, name: str, tmp: Path, partitions: int = 4, **settings: str) -> None:
        self.name = name
        self.tmp = tmp
        self.env = {
            **os.environ,
            "DYADWATCH_BROKER": broker,
            "DYADWATCH_TOPIC_PREFIX": f"t-{name}",
            "DYADWATCH_APP_ID": f"dyadwatch-{name}",
            "DYADWATCH_PARTITIONS": str(partitions),
            "DYADWATCH_WORKDIR": str(tmp / f"{name}-cli"),  # state of commands run here (replay), not in the checkout
            **{f"DYADWATCH_{key.upper()}": value for key, value in settings.items()},
        }
        self.settings = Settings.from_env(self.env)
        self.workers: list[subprocess.Popen[bytes]] = []
        self.web_ports: list[int] = []
        self.logs: list[Path] = []
        ensure_topics(self.settings)

    # -- workers --------------------------------------------------------------------------------------------------

    def start_worker(self) -> subprocess.Popen[bytes]:
        index = len(self.workers)
        log = self.tmp / f"{self.name}-worker{index}.log"
        workdir = self.tmp / f"{self.name}-state{index}"
        port = free_port()
        self.web_ports.append(port)
        process = start_worker(self.env, log, port, workdir)
        self.workers.append(process)
        self.logs.append(log)
        return process

    def wait_ready(self, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
        wait_ready(process, self.logs[self.workers.index(process)], timeout)

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        stop_worker(process, timeout=30, sig=sig)

    def stop(self) -> None:
        for process in self.workers:
            stop_worker(process)

    def metrics(self, index: int = 0) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.web_ports[index]}/metrics", timeout=10) as response:
            return response.read().decode()

    def log_text(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs)

    # -- topics ---------------------------------------------------------------------------------------------------

    def produce(self, records: list[tuple[bytes | None, bytes, int | None]], partition: int | None = None) -> None:
        """(key, value, timestamp_ms) records to the input topic (all to `partition` if given)."""
        producer = connect(self.settings, KafkaProducer, linger_ms=5)
        topic = self.settings.topic("articles")
        for key, value, stamp in records:
            producer.send(topic, key=key, value=value, timestamp_ms=stamp, partition=partition)
        producer.flush()
        producer.close()

    def read(self, name: str, idle: float = 2.0) -> list:
        """Every record of a topic, up to the end offsets at the time of the call."""
        return read_to_end(self.settings, name, timeout=30 + idle)

    def values(self, name: str) -> list[dict]:
        return [orjson.loads(record.value) for record in self.read(name)]

    def accounted(self) -> int:
        """Distinct input records that came out tagged (mentions, by article id) or dead-lettered (by offset)."""
        tagged = {record.key for record in self.read("mentions", idle=1.0)}
        dead = {(v["partition"], v["offset"]) for v in self.values("articles.dlq")}
        return len(tagged) + len(dead)

    def final_windows(self) -> dict[str, dict]:
        """The latest value of every window key (what a compacted topic converges to)."""
        latest: dict[str, dict] = {}
        for value in self.values("dyads.windows"):
            latest[value["key"]] = value
        return latest

    def lag(self) -> int:
        return group_lag(self.settings)

    def wait_settled(self, expected_in: int, timeout: float = 120, after_sigkill: bool = False) -> None:
        """Every input accounted for, the worker group caught up (committed to the end), window output flushed.

        A commit that never catches up fails, except after a SIGKILL: replaying then, faust-streaming can stop
        committing while its outputs are complete ("Timer commit is overlapping", faust-streaming#312), so with
        `after_sigkill` a stalled commit falls back to the outputs staying unchanged for a while, and the test
        judges the outputs themselves.
        """
        wait_until(lambda: self.accounted() >= expected_in, timeout, f"{expected_in} articles to be processed")
        try:
            wait_until(lambda: self.lag() == 0, min(timeout, 60), "the worker group to commit everything", 1.0)
            rounds_needed = 3  # three reads in a row with nothing new: closes come up to a commit interval late
        except TimeoutError:
            if not after_sigkill:
                raise
            rounds_needed = 5
        previous, unchanged = -1, 0

        def quiet() -> bool:
            nonlocal previous, unchanged
            count = len(self.read("dyads.windows", idle=1.0)) + len(self.read("alerts", idle=1.0))
            unchanged = unchanged + 1 if count == previous else 0
            previous = count
            return unchanged >= rounds_needed

        wait_until(quiet, timeout, "window output to settle", interval=2.0)
        wait_until(self.due_windows_closed, timeout, "every window the input has passed to be closed", interval=2.0)

    def due_windows_closed(self) -> bool:
        """Whether every window the input's own progress has passed is published final. The watermark is the least,
        over the input partitions, of the latest arrival of an article that came out tagged; windows whose end plus
        the lateness lies a minute or more before it must be closed, whenever the worker got to them. True when some
        input partition has no tagged article (it holds every window open)."""
        tagged = {record.key for record in self.read("mentions", idle=1.0)}
        latest: dict[int, float] = {}
        for record in self.read("articles", idle=1.0):
            if record.key in tagged:
                latest[record.partition] = max(latest.get(record.partition, 0.0), record.timestamp / 1000)
        if len(latest) < self.settings.partitions:
            return True
        passed = min(latest.values()) - 60
        return all(window["final"] for window in self.final_windows().values()
                   if epoch_of(window["window_end"]) + self.settings.lateness < passed)  # fmt: skip
