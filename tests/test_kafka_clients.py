"""Both Kafka clients run their compiled record code: without it, checksums are computed in pure Python."""

import aiokafka.record.default_records as aiokafka_records
import kafka.record.util as kafka_python_util


def test_kafka_python_checksums_with_the_crc32c_package():
    # kafka-python falls back to a byte-by-byte Python CRC-32C without the crc32c package: on this kind of machine
    # that made producing 3 KB articles ~6x and reading them ~8x slower (dyadwatch produce, replay, demo, benches).
    assert kafka_python_util.crc32c_c is not None, "pip install crc32c (a dyadwatch dependency)"


def test_aiokafka_builds_batches_with_its_c_extension():
    assert aiokafka_records.DefaultRecordBatchBuilder.__module__.startswith("aiokafka.record._crecords")
