"""Kafka's default partitioning of keyed records (murmur2 of the key), as the Java client, kafka-python and aiokafka
compute it, from the murmurhash2 package's C implementation: the clients' own are pure Python, about 5 µs a key, and
a worker writes about a dozen keyed records per article. tests/test_partitioning.py checks that the two agree."""

from __future__ import annotations

from murmurhash2 import murmurhash2

KAFKA_SEED = 0x9747B28C


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 of `data`, unsigned, as aiokafka.partitioner.murmur2 returns it."""
    return int(murmurhash2(bytes(data), KAFKA_SEED))


def partition_for(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives `key` on a topic of `partitions` partitions."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions
