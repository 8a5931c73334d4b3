"""Market shares and the GDPR share of a traffic profile: which countries requests come from."""

from __future__ import annotations

from collections import Counter
from types import MappingProxyType

import orjson
import pytest
from samples import WINTER_DAY_MS

from mock_data_gen.synthesis import BidRequestGenerator
from mock_data_gen.synthesis.geo import MarketTable
from mock_data_gen.synthesis.geo_data import GDPR_COUNTRIES
from mock_data_gen.synthesis.profile import MARKET_COUNTRIES, TrafficProfile

HOUR_MS = 3_600_000


def _countries(profile: TrafficProfile, times: list[int]) -> Counter[str]:
    records = BidRequestGenerator(seed=7, profile=profile).generate_batch(times)
    return Counter(orjson.loads(record.payload)["device"]["geo"]["country"] for record in records)


def test_one_market_gives_only_its_traffic() -> None:
    profile = TrafficProfile(market_shares=MappingProxyType({"DEU": 1.0}))
    times = [WINTER_DAY_MS + i * 86_400_000 // 1_000 for i in range(1_000)]
    assert set(_countries(profile, times)) == {"DEU"}


def test_two_markets_realise_their_ratio_at_a_fixed_hour() -> None:
    # Germany and France share a time zone, so at any hour their activity is the same.
    profile = TrafficProfile(market_shares=MappingProxyType({"DEU": 3.0, "FRA": 1.0}))
    start = WINTER_DAY_MS + 10 * HOUR_MS
    countries = _countries(profile, [start + i * 1_000 for i in range(3_000)])
    assert set(countries) == {"DEU", "FRA"}
    assert 2.6 < countries["DEU"] / countries["FRA"] < 3.4, countries


def test_gdpr_share_scales_the_gdpr_markets() -> None:
    table = MarketTable()
    gdpr = [m.country in GDPR_COUNTRIES for m in table.markets]
    weights = table.weights(None, 0.3)
    assert weights[gdpr].sum() == pytest.approx(0.3)
    assert weights.sum() == pytest.approx(1.0)
    shares = MappingProxyType({"DEU": 1.0, "USA": 1.0})
    assert table.weights(shares, 0.8)[gdpr].sum() == pytest.approx(0.8)
    assert table.weights(None, None) is table.base_share


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"market_shares": MappingProxyType({"XYZ": 1.0})}, "unknown countries XYZ; expected"),
        ({"market_shares": MappingProxyType({"DEU": 0.0})}, "not all zero"),
        ({"market_shares": MappingProxyType({"DEU": -1.0})}, "non-negative"),
        ({"gdpr_share": 1.5}, "gdpr_share must be a share in [0, 1]"),
        (
            {"market_shares": MappingProxyType({"USA": 1.0}), "gdpr_share": 0.5},
            "no weight to GDPR markets",
        ),
    ],
)
def test_bad_market_shares_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match="TrafficProfile") as raised:
        TrafficProfile(**values)  # type: ignore[arg-type]
    assert message in str(raised.value)
    if "XYZ" in message:
        assert ", ".join(MARKET_COUNTRIES) in str(raised.value)
