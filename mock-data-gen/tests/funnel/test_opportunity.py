"""Reading a request as the bidders see it: media, floors by OpenRTB 2.6 implementation guide
§7.11.2 and §3.2.35, currencies, category blocks, channels; and the §4.4 macro substitution."""

from __future__ import annotations

from typing import Any

import pytest

from mock_data_gen.funnel.macros import notice_urls, substitute
from mock_data_gen.funnel.opportunity import applicable_floor, category_blocked, read_request


def video_request(**video: Any) -> dict[str, Any]:
    imp = {
        "id": "1",
        "video": {"mimes": ["video/mp4"], "w": 1920, "h": 1080, **video},
        "bidfloor": 12.0,
        "pmp": {
            "deals": [
                {"id": "fixed", "bidfloor": 20.0, "at": 3},
                {"id": "per-second", "mincpmpersec": 0.5, "bidfloorcur": "USD"},
                {"id": "no-guidance"},
            ]
        },
    }
    return {"id": "r", "imp": [imp], "cur": ["USD"], "device": {"devicetype": 3}}


def test_floor_follows_deal_then_media_then_imp_guidance() -> None:
    # §3.2.35's example: $5 for 1-15 s, $10 for 16-30 s; longer spots fall back to imp.bidfloor.
    durfloors = [
        {"mindur": 1, "maxdur": 15, "bidfloor": 5.0},
        {"mindur": 16, "maxdur": 30, "bidfloor": 10.0},
    ]
    opp = read_request(video_request(durfloors=durfloors))
    slot = opp.slots[0]
    deals = {deal.id: deal for deal in slot.deals}
    assert opp.channel == "ctv"
    assert applicable_floor(slot, None, 15, "USD") == 5.0
    assert applicable_floor(slot, None, 30, "USD") == 10.0
    assert applicable_floor(slot, None, 60, "USD") == 12.0
    assert applicable_floor(slot, deals["fixed"], 30, "USD") == 20.0
    assert applicable_floor(slot, deals["per-second"], 30, "USD") == 15.0
    # A deal without guidance defers to the media's, then the imp's.
    assert applicable_floor(slot, deals["no-guidance"], 15, "USD") == 5.0
    plain = read_request(video_request()).slots[0]
    assert applicable_floor(plain, None, 30, "USD") == 12.0


def test_floors_convert_into_the_bid_currency() -> None:
    request = video_request()
    request["imp"][0]["bidfloorcur"] = "EUR"
    slot = read_request(request).slots[0]
    assert applicable_floor(slot, None, 30, "EUR") == 12.0
    assert applicable_floor(slot, None, 30, "USD") == pytest.approx(12.0 / 0.92, abs=1e-6)
    assert applicable_floor(slot, None, 30, "JPY") is None  # no reference rate: no bid


def test_request_defaults_and_blocks() -> None:
    opp = read_request(
        b'{"id":"r","imp":[{"id":"1","banner":{"w":300,"h":250,"format":[{"w":300,"h":250},'
        b'{"w":320,"h":50}],"battr":[9]}}],"site":{"id":"s"},"bcat":["IAB7"]}'
    )
    assert (opp.at, opp.cur, opp.channel, opp.key) == (2, "USD", "web", "")
    assert opp.slots[0].sizes == ((300, 250), (320, 50))
    assert opp.slots[0].imp_floor == 0.0 and opp.slots[0].battr == {9}
    assert category_blocked("IAB7-39", opp.bcat) and category_blocked("IAB7", opp.bcat)
    assert not category_blocked("IAB17", opp.bcat)


def test_an_imp_without_media_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="imp '7' offers no banner, video, audio or native"):
        read_request({"id": "r", "imp": [{"id": "7", "bidfloor": 1.0}]})


def test_macros_are_replaced_and_missing_ones_removed() -> None:
    urls = notice_urls("dsp.bidder.example", "b1")
    fired = substitute(urls["lurl"], {"AUCTION_ID": "r", "AUCTION_LOSS": "102"})
    assert fired == (
        "https://dsp.bidder.example/loss?auction=r&bidid=&imp=&bid=b1&reason=102&min=&price="
    )
    # Encoded macros (":X") are replaced too; what is not a §4.4 macro is left alone.
    assert substitute("${AUCTION_PRICE:B64}|${AUCTION_NOPE}", {"AUCTION_PRICE": "1.00"}) == (
        "1.00|${AUCTION_NOPE}"
    )
