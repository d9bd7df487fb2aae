"""The C murmur2 gives every key the partition the Kafka clients' own pure-Python murmur2 gives it."""

from __future__ import annotations

import aiokafka.partitioner
from hypothesis import given, settings
from hypothesis import strategies as st
from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from dyadwatch.streams import faust_internals, partitioning

PURE = aiokafka.partitioner.murmur2  # read before any worker installs the C one


@settings(max_examples=2000)
@given(st.binary(max_size=80))
def test_murmur2_is_the_clients_murmur2(key):
    assert partitioning.murmur2(key) == PURE(key) == kafka_python_murmur2(key) & 0xFFFFFFFF


@given(st.binary(max_size=40), st.integers(min_value=1, max_value=64))
def test_a_key_gets_the_default_partitioners_partition(key, partitions):
    everything = list(range(partitions))
    assert partitioning.partition_for(key, partitions) == aiokafka.partitioner.DefaultPartitioner()(
        key, everything, everything
    )


def test_the_worker_installs_it_into_aiokafka():
    try:
        faust_internals.install_fast_partitioner()
        assert aiokafka.partitioner.murmur2 is partitioning.murmur2
        assert aiokafka.partitioner.DefaultPartitioner()(b"IND-PAK", list(range(8)), []) == 5
    finally:
        aiokafka.partitioner.murmur2 = PURE
