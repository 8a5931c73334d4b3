"""Behaviour of the OpenRTB 2.6 models beyond plain field coverage: strict JSON types, flags, coded
values, unknown fields, what serialisation leaves out and the spec's cross-field rules."""

from __future__ import annotations

import warnings
from enum import IntEnum
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

import mock_data_gen.openrtb.adcom as adcom
from mock_data_gen.openrtb import (
    AdPosition,
    APIFramework,
    Banner,
    BidRequest,
    ConnectionType,
    Device,
    DeviceType,
    Imp,
    Qty,
    Regs,
    StartDelay,
    Video,
    is_listed,
    json_path,
    unknown_fields,
    unlisted_codes,
)


def request(**fields: Any) -> dict[str, Any]:
    return {"id": "r1", "imp": [{"id": "1"}], **fields}


def errors_of(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        BidRequest.from_json(orjson.dumps(data))
    return [(tuple(error["loc"]), error["type"]) for error in caught.value.errors()]


@pytest.mark.parametrize("value", [0, 1])
def test_flag_accepts_zero_and_one_as_integers(value: int) -> None:
    parsed = BidRequest.from_json(orjson.dumps(request(test=value, regs={"gdpr": value})))
    assert parsed.test == value
    assert orjson.loads(parsed.to_json())["regs"] == {"gdpr": value}


@pytest.mark.parametrize("value", [2, -1, True, "1", 1.0])
def test_flag_rejects_anything_but_zero_and_one(value: object) -> None:
    assert errors_of(request(imp=[{"id": "1", "secure": value}]))[0][0] == ("imp", 0, "secure")


def test_ssai_takes_the_four_values_the_spec_enumerates() -> None:
    for value in (0, 1, 2, 3):
        assert Imp.model_validate({"id": "1", "ssai": value}).ssai == value
    assert errors_of(request(imp=[{"id": "1", "ssai": 4}])) == [(("imp", 0, "ssai"), "choice")]


@pytest.mark.parametrize(
    ("field", "value"),
    [("w", "300"), ("w", 300.0), ("w", True), ("id", 7), ("mimes", "image/png")],
)
def test_json_types_are_checked_strictly(field: str, value: object) -> None:
    data = request(imp=[{"id": "1", "banner": {field: value}}])
    assert [loc for loc, _ in errors_of(data)] == [("imp", 0, "banner", field)]


def test_floats_accept_json_integers() -> None:
    parsed = Imp.model_validate_json(b'{"id": "1", "bidfloor": 2}')
    assert parsed.bidfloor == 2.0
    assert isinstance(parsed.bidfloor, float)


def test_floors_cannot_be_negative_and_coordinates_stay_on_earth() -> None:
    assert errors_of(request(imp=[{"id": "1", "bidfloor": -0.01}])) == [
        (("imp", 0, "bidfloor"), "greater_than_equal")
    ]
    assert errors_of(request(device={"geo": {"lat": 90.5, "lon": -180.5}})) == [
        (("device", "geo", "lat"), "less_than_equal"),
        (("device", "geo", "lon"), "greater_than_equal"),
    ]


def test_required_fields_and_non_empty_arrays() -> None:
    assert errors_of({"imp": [{"id": "1"}]}) == [(("id",), "missing")]
    assert errors_of({"id": "r", "imp": []}) == [(("imp",), "too_short")]
    assert errors_of(request(imp=[{"id": "1", "video": {"mimes": []}}])) == [
        (("imp", 0, "video", "mimes"), "too_short")
    ]


def test_known_codes_become_enum_members_and_unknown_codes_stay_plain_ints() -> None:
    device = Device.model_validate({"devicetype": 4, "connectiontype": 0})
    assert device.devicetype is DeviceType.PHONE
    assert device.connectiontype == 0
    assert type(device.connectiontype) is int
    assert orjson.loads(device.to_json()) == {"devicetype": 4, "connectiontype": 0}


def test_vendor_specific_and_newer_codes_are_accepted() -> None:
    banner = Banner.model_validate({"api": [3, 501, 42], "pos": 99})
    assert banner.api == [APIFramework.MRAID_1_0, 501, 42]
    assert banner.to_dict() == {"api": [3, 501, 42], "pos": 99}


def test_enum_members_serialise_as_plain_numbers() -> None:
    built = Banner(w=300, h=250, pos=AdPosition.ABOVE_THE_FOLD, api=[APIFramework.OMID_1_0])
    assert built.to_json() == b'{"w":300,"h":250,"pos":1,"api":[7]}'


def test_unlisted_codes_are_reported_with_their_path() -> None:
    parsed = BidRequest.model_validate(
        request(
            imp=[{"id": "1", "banner": {"api": [3, 501, 42]}, "video": {"mimes": ["v"]}}],
            device={"connectiontype": 0},
        )
    )
    assert [(code.path, code.value, code.codes) for code in unlisted_codes(parsed)] == [
        ("imp[0].banner.api[2]", 42, APIFramework),
        ("device.connectiontype", 0, ConnectionType),
    ]


def test_is_listed_knows_vendor_ranges_and_start_delay_seconds() -> None:
    assert is_listed(APIFramework, 7)
    assert is_listed(APIFramework, 500)
    assert not is_listed(APIFramework, 499)
    assert not is_listed(ConnectionType, 500)
    assert is_listed(StartDelay, 15)
    assert is_listed(StartDelay, -2)
    assert not is_listed(StartDelay, -3)


def test_unknown_fields_are_kept_and_reported_by_json_path() -> None:
    data = request(
        imp=[{"id": "1"}, {"id": "2", "video": {"mimes": ["v"], "apis": [1, 2]}}],
        zz_top={"nested": [1]},
        site={"publisher": {"nmae": "x"}},
        ext={"not_reported": 1},
    )
    parsed = BidRequest.model_validate(data)
    # An object's own unknown fields come before those of the objects inside it.
    assert unknown_fields(parsed) == ["zz_top", "imp[1].video.apis", "site.publisher.nmae"]
    assert parsed.to_dict() == data


def test_json_path_quotes_names_that_are_not_identifiers() -> None:
    assert json_path("", "imp") == "imp"
    assert json_path(json_path("imp", 0), "video") == "imp[0].video"
    assert json_path("device", "x-forwarded") == 'device["x-forwarded"]'
    assert json_path("", "a b") == '["a b"]'


def test_unset_null_and_empty_array_fields_are_not_written() -> None:
    parsed = BidRequest.model_validate(
        request(bcat=[], user=None, site={"cat": [], "name": "n"}, regs={"gpp_sid": []})
    )
    assert parsed.to_dict() == {"id": "r1", "imp": [{"id": "1"}], "site": {"name": "n"}, "regs": {}}


def test_empty_arrays_set_after_construction_are_not_written_either() -> None:
    built = Banner(w=1, h=1)
    built.format = []
    built.battr = []
    assert built.to_json() == b'{"w":1,"h":1}'


def test_ext_is_carried_verbatim_including_nulls_and_empty_arrays() -> None:
    regs_ext = {"dsa": {"dsarequired": 3, "transparency": []}, "gpc": None}
    parsed = Regs.model_validate({"gdpr": 1, "ext": regs_ext})
    assert parsed.to_dict() == {"gdpr": 1, "ext": regs_ext}


def test_regs_has_no_dsa_member_so_a_top_level_dsa_is_an_unknown_field() -> None:
    # OpenRTB 2.6 carries DSA signals only as the regs.ext.dsa extension.
    assert "dsa" not in Regs.model_fields
    parsed = BidRequest.model_validate(request(regs={"dsa": {"dsarequired": 1}}))
    assert unknown_fields(parsed) == ["regs.dsa"]


def test_deprecated_fields_parse_round_trip_and_warn_on_access() -> None:
    data = request(
        imp=[{"id": "1", "video": {"mimes": ["v"], "placement": 1, "sequence": 2}}],
        user={"yob": 1980, "gender": "F"},
        device={"didsha1": "abc"},
    )
    parsed = BidRequest.model_validate(data)
    assert parsed.to_dict() == data
    assert Video.model_fields["placement"].deprecated
    video = parsed.imp[0].video
    assert video is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert video.placement == 1
    assert [type(w.message) for w in caught] == [DeprecationWarning]


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (request(site={}, app={}), ()),
        (request(app={}, dooh={}), ()),
        (request(imp=[{"id": "1"}, {"id": "1"}]), ()),
        (request(site={"keywords": "a,b", "kwarray": ["a"]}), ("site",)),
        (
            request(
                imp=[{"id": "1", "video": {"mimes": ["v"], "rqddurs": [15], "maxduration": 30}}]
            ),
            ("imp", 0, "video"),
        ),
        (
            request(
                imp=[{"id": "1", "audio": {"mimes": ["a"], "rqddurs": [15], "minduration": 5}}]
            ),
            ("imp", 0, "audio"),
        ),
    ],
)
def test_spec_rules_across_fields_are_enforced(data: dict[str, Any], loc: tuple[Any, ...]) -> None:
    assert [location for location, _ in errors_of(data)] == [loc]


def test_qty_needs_a_vendor_when_a_measurement_vendor_is_the_source() -> None:
    with pytest.raises(ValidationError, match="vendor is required"):
        Qty.model_validate({"multiplier": 14.2, "sourcetype": 1})
    assert Qty.model_validate({"multiplier": 14.2, "sourcetype": 2}).vendor is None


def test_non_finite_numbers_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Imp(id="1", dt=float("nan"))


def test_repr_shows_only_what_is_set() -> None:
    assert repr(Banner(w=300, h=250)) == "Banner(w=300, h=250)"


def test_no_list_defines_a_value_twice() -> None:
    # A repeated value would silently turn the second member into an alias of the first.
    enums = [
        value
        for value in vars(adcom).values()
        if isinstance(value, type)
        and issubclass(value, IntEnum)
        and value.__module__ == adcom.__name__
    ]
    assert len(enums) == 35
    for codes in enums:
        assert len(codes.__members__) == len(codes), codes
