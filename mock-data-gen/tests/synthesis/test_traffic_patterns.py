"""Traffic behaves like an exchange's: popular users and publishers recur, countries follow
their local clock, and the stream is reproducible from the seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import orjson
import pytest
from samples import Sample, generator

from mock_data_gen.synthesis import BidRequestGenerator, BidRequestRecord, TrafficProfile


def _top_share(counts: Counter[str], fraction: float, population: int) -> float:
    top = max(1, int(population * fraction))
    return sum(c for _, c in counts.most_common(top)) / sum(counts.values())


def test_users_and_publishers_recur_with_a_heavy_head(big_sample: Sample) -> None:
    users = Counter(r.user_id for r in big_sample.records)
    publishers = Counter(r.publisher_id for r in big_sample.records)
    pool = generator(1).profile.users
    # 1% of the user pool makes a large share of requests (uniform would be 1%): users active in
    # sessions make bursts of requests; the most active come back dozens of times, and a large
    # share of requests are repeat visits.
    assert _top_share(users, 0.01, pool) > 0.05
    assert users.most_common(1)[0][1] > 30
    assert sum(c - 1 for c in users.values()) / len(big_sample.records) > 0.2
    # The top 1% of publishers seen supply a large share of the requests.
    assert _top_share(publishers, 0.01, len(publishers)) > 0.1
    assert publishers.most_common(1)[0][1] > 200


def _us_share(seed: int, utc_hour: int) -> float:
    # 14 January: US Eastern time is UTC-5, so 07:00 UTC is 02:00 and 01:00 UTC is 20:00 local.
    start = int(datetime(2026, 1, 14, utc_hour, tzinfo=UTC).timestamp() * 1000)
    records = generator(seed).generate_batch([start + i * 100 for i in range(6000)])
    countries = Counter(orjson.loads(r.payload)["device"]["geo"]["country"] for r in records)
    return countries["USA"] / len(records)


def test_us_share_follows_the_us_clock() -> None:
    night = _us_share(2, 7)  # 02:00 in New York
    evening = _us_share(2, 1)  # 20:00 in New York (previous day)
    assert night < 0.6 * evening
    assert evening > 0.45  # US evening prime time dominates global traffic


def test_connected_tv_peaks_in_the_evening() -> None:
    def ctv_share(utc_hour: int) -> float:
        start = int(datetime(2026, 1, 14, utc_hour, tzinfo=UTC).timestamp() * 1000)
        records = generator(3).generate_batch([start + i * 100 for i in range(6000)])
        kinds = Counter(orjson.loads(r.payload)["device"].get("devicetype") for r in records)
        return (kinds[3] + kinds[7]) / len(records)

    assert ctv_share(2) > 1.5 * ctv_share(14)  # 21:00 vs 09:00 on the US East Coast


def test_same_seed_and_times_give_byte_identical_payloads_batched_or_not() -> None:
    times = [1_768_400_000_000 + i * 37 for i in range(3000)]
    one = BidRequestGenerator(seed=7).generate_batch(times)
    stepwise = BidRequestGenerator(seed=7)
    two = [stepwise.generate(t) for t in times[:100]] + stepwise.generate_batch(times[100:])
    assert [r.payload for r in one] == [r.payload for r in two]
    assert one == two


def test_columns_are_the_records_and_do_not_depend_on_when_users_are_built() -> None:
    # More than one of the generator's 4,096-event chunks, so chunks are joined too.
    times = [1_768_400_000_000 + i * 37 for i in range(5000)]
    records = BidRequestGenerator(seed=7).generate_batch(times)
    eager = BidRequestGenerator(seed=7)
    eager.build_all_users()
    columns = eager.generate_columns(times)
    assert len(columns) == 5000
    assert columns.records() == records
    assert columns.payloads == [r.payload for r in records]
    assert columns.request_ids() == [orjson.loads(r.payload)["id"] for r in records]
    assert columns.publisher_ids() == [r.publisher_id for r in records]
    assert columns.user_ids == [r.user_id for r in records]
    assert columns.event_times_ms == times


def test_different_seeds_give_different_streams() -> None:
    times = [1_768_400_000_000 + i * 37 for i in range(200)]
    a = generator(0).generate_batch(times)
    b = BidRequestGenerator(seed=99).generate_batch(times)
    assert not {r.payload for r in a} & {r.payload for r in b}
    assert ({r.user_id for r in a} - {""}).isdisjoint({r.user_id for r in b})


def _unique_ids(records: list[BidRequestRecord]) -> set[str]:
    """Every id meant to be unique across requests: the request's, ``source.tid`` and the
    impressions' transaction ids."""
    ids = set()
    for record in records:
        request = orjson.loads(record.payload)
        ids.add(request["id"])
        ids.add(request["source"]["tid"])
        ids.update(imp["ext"]["tid"] for imp in request["imp"] if "tid" in imp.get("ext", {}))
    return ids


def test_ids_follow_the_event_time_so_runs_over_other_times_do_not_collide() -> None:
    # Two runs with one seed over different ranges (a backfill of another day, a range a
    # millisecond later): a reader de-duplicating by id must not drop either's requests.
    small = TrafficProfile(users=400, sites=40, apps=40, ctv_apps=8, dooh_screens=10)
    winter = [1_735_689_600_000 + i for i in range(2000)]  # 2025-01-01, 1,000 events/s
    summer = [1_780_272_000_000 + i for i in range(2000)]  # 2026-06-01
    later = [t + 1 for t in winter]
    runs = [
        BidRequestGenerator(seed=42, profile=small).generate_batch(ts)
        for ts in (winter, summer, later)
    ]
    ids = [_unique_ids(records) for records in runs]
    assert len(ids[0]) > 4000
    assert ids[0].isdisjoint(ids[1]) and ids[0].isdisjoint(ids[2]) and ids[1].isdisjoint(ids[2])
    # Still one stream per seed and times.
    again = BidRequestGenerator(seed=42, profile=small).generate_batch(winter)
    assert [r.payload for r in again] == [r.payload for r in runs[0]]


def test_without_a_seed_each_generator_is_random() -> None:
    small = TrafficProfile(users=400, sites=40, apps=40, ctv_apps=8, dooh_screens=10)
    a, b = BidRequestGenerator(profile=small), BidRequestGenerator(profile=small)
    assert a.seed != b.seed
    assert a.generate(1_768_400_000_000).payload != b.generate(1_768_400_000_000).payload


def test_event_time_only_moves_the_mix_not_the_payload_format() -> None:
    gen = BidRequestGenerator(seed=5, profile=TrafficProfile(users=400, sites=40, apps=40))
    record = gen.generate(1_768_400_000_123)
    assert record.event_time_ms == 1_768_400_000_123
    assert b"1768400000123" not in record.payload
    assert gen.generate_batch([]) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("users", 0, "users must be a positive integer"),
        ("dooh_share", 1.5, "dooh_share must be a share in [0, 1]"),
        ("user_zipf", 0.0, "user_zipf must be in (0, 3]"),
        ("device_mix", {"phone": 1.0}, "device_mix must have exactly the keys"),
    ],
)
def test_bad_profiles_are_refused_with_the_field_named(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        TrafficProfile(**{field: value})  # type: ignore[arg-type]


def test_bad_seeds_are_refused() -> None:
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        BidRequestGenerator(seed=-1)
