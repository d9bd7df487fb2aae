"""processors/instants.py: the one ISO 8601 helper, across zones and daylight-saving changes."""

from datetime import UTC, datetime, timedelta, timezone

from dyadwatch.processors.instants import epoch_of, format_epoch, format_instant, parse_instant


def test_parse_and_format_round_trip_in_utc():
    assert format_instant(parse_instant("2026-11-01T09:30:00Z")) == "2026-11-01T09:30:00Z"
    assert parse_instant("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)  # a date, naive: UTC midnight
    assert format_instant(parse_instant("2026-11-01T10:30:00+01:00")) == "2026-11-01T09:30:00Z"
    assert format_instant(datetime(2026, 3, 29, 3, 0, tzinfo=timezone(timedelta(hours=2)))) == "2026-03-29T01:00:00Z"


def test_epochs_do_not_depend_on_the_local_zone_or_daylight_saving(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        # 2026-03-29 is the night Berlin moves its clocks forward; mktime(...) - timezone was an hour off after it
        assert epoch_of("2026-03-29T12:00:00Z") == datetime(2026, 3, 29, 12, tzinfo=UTC).timestamp()
        assert format_epoch(epoch_of("2026-07-01T00:00:00Z")) == "2026-07-01T00:00:00Z"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
