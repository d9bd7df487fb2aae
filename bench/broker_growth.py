"""Does the embedded broker cost more as it fills? Its CPU at a constant load, stage by stage, as records pile up.

    make bench            # or: .venv/bin/python bench/broker_growth.py [--stages 6] [--per-stage 40000]

The embedded broker (Tansu, memory storage) keeps every record for its lifetime: it has no retention and no
DeleteRecords. This bench produces the same paced load in each stage (--rate records/s of 700 bytes over 8
partitions, followed at the tail by one consumer group, like a pipeline hop) and reports the broker's CPU share
per stage and the ratio of the last stage to the first, in the same run. A ratio well above 1 means each request
costs more as the partitions grow, which is what bounds a long soak on the embedded broker (see docs/performance.md);
a Kafka cluster with retention does not grow this way.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from soak import cpu_seconds  # bench/ is on the path when a bench script runs

from dyadwatch.streams.broker import EmbeddedBroker

ROOT = Path(__file__).resolve().parent.parent

PARTITIONS = 8
PAYLOAD = b"x" * 700


def follow(url: str, stop: threading.Event, consumed: list[int]) -> None:
    consumer = KafkaConsumer(bootstrap_servers=url, group_id="growth", auto_offset_reset="earliest",
                             fetch_max_wait_ms=10, session_timeout_ms=6000, heartbeat_interval_ms=1000)  # fmt: skip
    consumer.subscribe(["growth"])
    while not stop.is_set():
        for records in consumer.poll(200).values():
            consumed[0] += len(records)
    consumer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", type=int, default=6)
    parser.add_argument("--per-stage", type=int, default=40_000, help="records produced in each stage")
    parser.add_argument("--rate", type=float, default=4000.0, help="records/s, the same in every stage")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "parts" / "broker_growth.json")
    args = parser.parse_args()

    stages = []
    with EmbeddedBroker() as broker:
        assert broker.process is not None
        pid = broker.process.pid
        KafkaAdminClient(bootstrap_servers=broker.url).create_topics([NewTopic("growth", PARTITIONS, 1)])
        stop, consumed = threading.Event(), [0]
        follower = threading.Thread(target=follow, args=(broker.url, stop, consumed), daemon=True)
        follower.start()
        producer = KafkaProducer(bootstrap_servers=broker.url, linger_ms=20)
        for stage in range(args.stages):
            cpu_before, began = cpu_seconds(pid), time.monotonic()
            for index in range(args.per_stage):
                producer.send("growth", PAYLOAD, partition=index % PARTITIONS)
                delay = began + (index + 1) / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            producer.flush()
            elapsed = time.monotonic() - began
            share = (cpu_seconds(pid) - cpu_before) / elapsed * 100
            stored = (stage + 1) * args.per_stage
            stages.append({"stored_records": stored, "broker_cpu_percent": round(share, 1)})
            print(f"  stage {stage + 1}: {stored:>8,} records stored  broker CPU {share:5.1f}%  "
                  f"(consumed {consumed[0]:,})", flush=True)  # fmt: skip
        stop.set()
        follower.join(10)
        producer.close()

    ratio = stages[-1]["broker_cpu_percent"] / max(stages[0]["broker_cpu_percent"], 0.1)
    print(f"embedded broker CPU at a constant {args.rate:g} records/s: {stages[0]['broker_cpu_percent']}% with "
          f"{stages[0]['stored_records']:,} records stored, {stages[-1]['broker_cpu_percent']}% with "
          f"{stages[-1]['stored_records']:,} ({ratio:.2f}x)")  # fmt: skip
    results = {"rate": args.rate, "stages": stages, "last_vs_first": round(ratio, 2)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
