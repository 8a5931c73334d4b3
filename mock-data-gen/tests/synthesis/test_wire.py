"""The wire layout: pieces made from members join into well-formed requests, members in order."""

from __future__ import annotations

from typing import Any

import orjson
from samples import Sample

from mock_data_gen.synthesis import wire
from mock_data_gen.synthesis.fragments import cents_table, dumps, members

_ID = b"00000000-0000-4000-8000-00000000000"  # + one digit: 36 bytes


_BODY = b"0123456789ABCDEFGHIJxyzREST"  # a TC string's body; "xyz": the publisher's country


def _wire() -> wire.Wire:
    """Two properties (a site, a DOOH screen), four placements (the first with a transaction id,
    the last a pod slot whose video its floor's piece closes), one GDPR user."""
    imps = wire.ImpressionPieces(
        opening=[
            wire.imp_opening(0, members({"id": "1", "banner": {"w": 300, "h": 250}})),
            wire.imp_opening(1, members({"id": "2", "video": {"plcmt": 4}})),
            wire.imp_opening(0, members({"id": "1", "banner": {"w": 1920, "h": 1080}})),
            wire.imp_opening(0, members({"id": "1", "ssai": 3})),
        ],
        tag=[
            wire.imp_tag("a_mrec"),
            wire.imp_tag("a_video"),
            wire.imp_tag("screen"),
            wire.pod_slot_tag("pod", members({"plcmt": 1, "podid": "1"})),
        ],
        # Floors in euros, then one pod floor piece: the floor of 2.10 with its duration floors.
        floor=[
            *wire.floor_values(cents_table(1_000), "EUR"),
            wire.pod_floor(b'"mincpmpersec":0.07', *wire.floor_values([b"2.1"], "EUR")),
        ],
        pmp=[wire.pmp_member(dumps({"private_auction": 0, "deals": [{"id": "D-1"}]}))],
        refresh=[wire.refresh_opening(dumps([{"reftype": 3, "minint": 30}])), b"", b"", b""],
        quantity=wire.quantity_format(members({"sourcetype": 1, "vendor": "geopath.org"})),
        late=[
            wire.imp_ext_tid_opening(members({"gpid": "/1/a/mrec"})),
            b"",
            b"",
            b"",
        ],
    )
    properties = wire.PropertyPieces(
        opening=[
            wire.property_opening("site", members({"id": "s1", "domain": "example.com"})),
            wire.property_opening("dooh", members({"id": "d1", "venuetypetax": 1})),
        ],
        closing=[
            wire.property_closing(members({"page": "https://example.com/a"})),
            wire.property_closing(b""),
        ],
        seller=[wire.seller_members(members({"at": 1, "cur": ["EUR"]}), members({"fd": 1}))] * 2,
        exchange=[b"exchange.example"] * 2,
        screen_device=[b"", wire.device_members(members({"devicetype": 8}), members({"lat": 1}))],
        screen_user=[b"", wire.screen_user("screen-audience")],
        screen_user_id=["", "screen-audience"],
        screen_closing=[b"", wire.request_closing(dumps({"gdpr": 1}))],
        publisher_cc=[b"CiQ", b""],
        dsa=[1, 0],
        dsa_ext=[b"", b'"dsa":{"dsarequired":2,"pubrender":0,"datatopub":1}'],
    )
    head, tail = wire.user_object(
        members({"id": "u1"}),
        members({"eids": [{"inserter": "@", "source": "id5-sync.com"}]}),
        consent=True,
    )
    choices, end = wire.consent_split(_BODY)
    users = wire.UserPieces(
        ids=["u1"],
        template=[0, 0],
        templates=[wire.device_template(members({"devicetype": 2, "ua": "UA"}))],
        device=[wire.device_members(members({"ip": "192.0.2.1"}), members({"type": 2}))] * 3,
        heads=[tuple(head.split(b"@"))] * 2,
        tails=[tuple(tail.split(b"@"))] * 2,
        consent=[choices],
        consent_end=[end],
        regs=[0],
        closing=[wire.request_closing(dumps({"gdpr": 1}))],
        coppa_closing=[wire.request_closing(dumps({"coppa": 1, "gdpr": 1}))],
    )
    return wire.Wire(imps, properties, users)


def test_pieces_join_into_requests_with_every_object_closed_where_it_belongs() -> None:
    layout = _wire()
    extras = layout.extras(
        positions=[0, 2],
        pmp=[0, -1],
        refresh=[0, -1],
        refresh_count=[2, 0],
        screen=[False, True],
        multiplier=[0.0, 12.34],
        display_time=[0, 1_768_400_060_000],
        late=layout.late_members([0], [0], _ID + b"9"),
    )
    requests = wire.Requests(
        ids=b"".join(_ID + b"%d" % i for i in range(4)),
        impressions=wire.Impressions(
            counts=[2, 1],
            placements=[0, 1, 2],
            cents=[35, 250, 450],
            extras=extras,
        ),
        properties=[0, 1],
        pages=[0, 1],
        utcoffset=wire.utcoffset_closings([60, -300]),
        screen=[False, True],
        users=[0, 0],
        user_context=[0, 0],
        device_context=[0, 0],
        consent=[b"CQ1234567890A", b""],
        coppa=[False, False],
        dsa=[False, False],
    )
    payloads, user_ids = layout.join(requests)
    assert user_ids == ["u1", "screen-audience"]
    web: dict[str, Any] = orjson.loads(payloads[0])
    assert list(web) == ["id", "imp", "site", "device", "user", "at", "cur", "source", "regs"]
    assert web["id"] == (_ID + b"0").decode() and web["source"]["tid"] == (_ID + b"1").decode()
    assert web["imp"] == [
        {
            "id": "1",
            "banner": {"w": 300, "h": 250},
            "tagid": "a_mrec",
            "bidfloor": 0.35,
            "bidfloorcur": "EUR",
            "ext": {"gpid": "/1/a/mrec", "tid": (_ID + b"9").decode()},
            "pmp": {"private_auction": 0, "deals": [{"id": "D-1"}]},
            "refresh": {"refsettings": [{"reftype": 3, "minint": 30}], "count": 2},
        },
        {
            "id": "2",
            "video": {"plcmt": 4},
            "tagid": "a_video",
            "bidfloor": 2.5,
            "bidfloorcur": "EUR",
        },
    ]
    assert web["site"] == {"id": "s1", "domain": "example.com", "page": "https://example.com/a"}
    assert web["device"] == {
        "devicetype": 2,
        "ua": "UA",
        "ip": "192.0.2.1",
        "geo": {"type": 2, "utcoffset": 60},
    }
    assert web["user"] == {
        "id": "u1",
        # The user's choices with the publisher's country in its place.
        "consent": "CQ1234567890A0123456789ABCDEFGHIJCiQREST",
        "eids": [{"inserter": "exchange.example", "source": "id5-sync.com"}],
    }
    assert web["regs"] == {"gdpr": 1}
    screen: dict[str, Any] = orjson.loads(payloads[1])
    assert list(screen) == ["id", "imp", "dooh", "device", "user", "at", "cur", "source", "regs"]
    assert screen["imp"] == [
        {
            "id": "1",
            "banner": {"w": 1920, "h": 1080},
            "tagid": "screen",
            "bidfloor": 4.5,
            "bidfloorcur": "EUR",
            "qty": {"multiplier": 12.3, "sourcetype": 1, "vendor": "geopath.org"},
            "dt": 1_768_400_060_000,
        }
    ]
    assert screen["device"] == {"devicetype": 8, "geo": {"lat": 1, "utcoffset": -300}}
    assert screen["user"] == {"id": "screen-audience"}


def test_child_directed_requests_carry_only_the_consent_string_as_user() -> None:
    layout = _wire()
    requests = wire.Requests(
        ids=b"".join(_ID + b"%d" % i for i in range(4)),
        impressions=wire.Impressions(
            counts=[1, 1],
            placements=[2, 2],
            cents=[1, 1],
            extras={},
        ),
        properties=[0, 0],
        pages=[0, 0],
        utcoffset=wire.utcoffset_closings([0, 0]),
        screen=[False, False],
        users=[0, 0],
        user_context=[1, 1],
        device_context=[2, 2],
        consent=[b"CQ1234567890A", b""],
        coppa=[True, True],
        dsa=[False, False],
    )
    payloads, user_ids = layout.join(requests)
    assert user_ids == ["", ""]
    gdpr, other = (orjson.loads(payload) for payload in payloads)
    assert gdpr["user"] == {"consent": "CQ1234567890A0123456789ABCDEFGHIJCiQREST"}
    assert gdpr["regs"] == {"coppa": 1, "gdpr": 1}
    assert "user" not in other


def test_members_written_per_request_close_the_objects_they_open() -> None:
    layout = _wire()
    extras = layout.extras(
        positions=[0],
        pmp=[0],
        refresh=[-1],
        refresh_count=[0],
        screen=[False],
        multiplier=[0.0],
        display_time=[0],
        late=layout.late_members([1], [0], _ID + b"8"),
    )
    requests = wire.Requests(
        ids=b"".join(_ID + b"%d" % i for i in range(4)),
        impressions=wire.Impressions(
            counts=[1, 1],
            placements=[3, 0],
            cents=[1_001, 1],
            extras=extras,
        ),
        properties=[0, 0],
        pages=[0, 0],
        utcoffset=wire.utcoffset_closings([0, 0]),
        screen=[False, False],
        users=[0, 0],
        user_context=[1, 1],
        device_context=[1, 2],
        consent=[b"CQ1234567890A", b"CQ1234567890A"],
        coppa=[False, True],
        dsa=[True, True],
    )
    pod, coppa = (orjson.loads(payload) for payload in layout.join(requests)[0])
    assert pod["imp"] == [
        {
            "id": "1",
            "ssai": 3,
            "tagid": "pod",
            "bidfloor": 2.1,
            "bidfloorcur": "EUR",
            "video": {"plcmt": 1, "podid": "1", "mincpmpersec": 0.07},
            "pmp": {"private_auction": 0, "deals": [{"id": "D-1"}]},
        }
    ]
    dsa = {"dsarequired": 2, "pubrender": 0, "datatopub": 1}
    assert pod["regs"] == {"gdpr": 1, "ext": {"dsa": dsa}}
    assert coppa["regs"] == {"coppa": 1, "gdpr": 1, "ext": {"dsa": dsa}}


# The request's members in the order the layout writes them (one of site, app and dooh).
_TOP_LEVEL_ORDER = [
    "id", "imp", "site", "app", "dooh", "device", "user",
    "at", "tmax", "cur", "bcat", "badv", "source", "regs",
]  # fmt: skip
_REQUIRED = {"id", "imp", "device", "at", "tmax", "cur", "source", "regs"}


def test_generated_requests_keep_the_layout_order(big_sample: Sample) -> None:
    for request in big_sample.requests:
        keys = list(request)
        assert keys == sorted(keys, key=_TOP_LEVEL_ORDER.index)
        assert set(keys) >= _REQUIRED
        assert len({"site", "app", "dooh"} & set(keys)) == 1
