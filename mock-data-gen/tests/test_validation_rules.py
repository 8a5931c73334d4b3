"""The semantic rules of ``validate``: each broken case is flagged by its rule, as an error or a
warning as documented, and nothing else is said about it."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from mock_data_gen.validation import RULES, RULES_BY_ID, CheckedRequest, Document, check_document
from mock_data_gen.validation import check as check_module
from mock_data_gen.validation.privacy_strings import GppError, decode_gpp, us_privacy_problem

README = Path(__file__).resolve().parents[2] / "README.md"

IMP: dict[str, Any] = {"id": "1", "banner": {"w": 300, "h": 250}}
BASE: dict[str, Any] = {"id": "r", "imp": [IMP], "site": {"id": "s"}}
NATIVE_12 = '{"ver": "1.2", "assets": [{"id": 1, "title": {"len": 90}}, {"id": 2, "img": {}}]}'
# Native 1.0 wraps the request object in "native".
NATIVE_10 = '{"native": {"assets": [{"id": 3}]}}'
FLEX = {"wratio": 16, "hratio": 9, "wmin": 320}
# A GPP string whose header lists sections 2 (TCF EU v2) and 6 (US Privacy).
GPP = "DBACNY~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN"


def request(
    *, imp: dict[str, Any] | None = None, imps: list[Any] | None = None, **members: Any
) -> dict[str, Any]:
    """The base request with its impression replaced (``imp`` without its id, or all ``imps``)
    and top-level members set (None drops one)."""
    built = copy.deepcopy(BASE)
    if imp is not None:
        built["imp"] = [{"id": "1", **imp}]
    if imps is not None:
        built["imp"] = imps
    for name, value in members.items():
        if value is None:
            built.pop(name, None)
        else:
            built[name] = value
    return built


def check(data: dict[str, Any]) -> CheckedRequest:
    return check_document(Document(1, orjson.dumps(data)))


def found(result: CheckedRequest) -> list[tuple[str, str, str]]:
    return [(f.severity, f.rule, f.path) for f in result.findings]


def test_the_base_request_passes_every_rule() -> None:
    assert check(BASE).findings == ()


@pytest.mark.parametrize("at", [1, 2, 500, 501])
def test_the_request_auction_types_the_spec_defines_pass(at: int) -> None:
    assert check(request(at=at)).findings == ()
    deal = {"id": "d", "bidfloor": 5.0, "at": 3}  # fixed price: defined for a deal
    assert check(request(imp={**IMP, "pmp": {"deals": [deal]}}, at=at)).findings == ()


VIDEO = {"mimes": ["video/mp4"], "plcmt": 1}
AUDIO = {"mimes": ["audio/mp4"]}

# (rule id, request, expected findings as (severity, rule, path)).
CASES: list[tuple[str, dict[str, Any], list[tuple[str, str, str]]]] = [
    # The cases of the issue, one per broken thing.
    # 3 (fixed price) is a Deal's auction type; the request's own at: 1, 2 or 500+.
    ("request-auction-type", request(at=3), [("warning", "request-auction-type", "at")]),
    ("imp-media", request(imp={"tagid": "t"}), [("error", "imp-media", "imp[0]")]),
    ("banner-size", request(imp={"banner": {"pos": 1}}),
     [("warning", "banner-size", "imp[0].banner")]),
    ("native-request", request(imp={"native": {"request": "{assets: [1]"}}),
     [("error", "native-request", "imp[0].native.request")]),
    ("native-asset-ids",
     request(imp={"native": {"request": '{"assets": [{"id": 1}, {"id": 2}, {"id": 1}]}'}}),
     [("error", "native-asset-ids", "imp[0].native.request")]),
    ("deprecated", request(imp={"video": {**VIDEO, "placement": 1}}),
     [("warning", "deprecated", "imp[0].video.placement")]),
    ("negative-value", request(tmax=-100), [("error", "negative-value", "tmax")]),
    ("min-max", request(imp={"video": {**VIDEO, "minduration": 30, "maxduration": 15}}),
     [("error", "min-max", "imp[0].video.maxduration")]),
    ("us-privacy-format", request(regs={"us_privacy": "1YNX"}),
     [("error", "us-privacy-format", "regs.us_privacy")]),
    ("gpp-string", request(regs={"gpp": "XBABMA~abc", "gpp_sid": [2]}),
     [("error", "gpp-string", "regs.gpp")]),
    ("gpp-sid", request(regs={"gpp_sid": [7]}), [("error", "gpp-sid", "regs.gpp_sid")]),
    ("no-medium", request(site=None), [("warning", "no-medium", "")]),
    ("eid-source", request(user={"eids": [{"uids": [{"id": "abc", "atype": 1}]}]}),
     [("warning", "eid-source", "user.eids[0]")]),
    ("deal-floor-forms",
     request(imp={**IMP, "pmp": {"deals": [{"id": "d", "bidfloor": 2.5, "mincpmpersec": 0.1}]}}),
     [("warning", "deal-floor-forms", "imp[0].pmp.deals[0].mincpmpersec")]),
    ("coppa-identifiers",
     request(regs={"coppa": 1}, device={"ifa": "6D92078A-8246-4BA4-AE5B-76104861E7DC"},
             user={"id": "u1", "eids": [{"source": "id5-sync.com", "uids": [{"id": "x"}]}]}),
     [("warning", "coppa-identifiers", "device.ifa"), ("warning", "coppa-identifiers", "user.id"),
      ("warning", "coppa-identifiers", "user.eids")]),
    ("ip-address", request(device={"ip": "81.2.69.142", "ipv6": "81.2.69.143"}),
     [("error", "ip-address", "device.ipv6")]),
    # The other rules.
    ("one-medium", request(app={"id": "a"}, dooh={"id": "d"}),
     [("error", "one-medium", "dooh")]),
    ("unique-imp-ids", request(imps=[IMP, {**IMP, "id": "2"}, IMP]),
     [("error", "unique-imp-ids", "imp[2].id")]),
    ("keywords-exclusive", request(user={"keywords": "a,b", "kwarray": ["a", "b"]}),
     [("error", "keywords-exclusive", "user.kwarray")]),
    ("allow-and-block-lists", request(bseat=["s1"], wseat=["s2"]),
     [("warning", "allow-and-block-lists", "wseat")]),
    ("language-pairs", request(device={"language": "en", "langb": "en-US"}),
     [("warning", "language-pairs", "device.langb")]),
    ("mccmnc-format", request(device={"mccmnc": "310005"}),
     [("error", "mccmnc-format", "device.mccmnc")]),
    ("format-size", request(imp={"banner": {"format": [{"w": 300, "h": 250}, {"wratio": 16}]}}),
     [("warning", "format-size", "imp[0].banner.format[1]")]),
    ("rqddurs-exclusive", request(imp={"audio": {**AUDIO, "rqddurs": [15], "maxduration": 30}}),
     [("error", "rqddurs-exclusive", "imp[0].audio.maxduration")]),
    ("durfloors-range", request(imp={"video": {**VIDEO, "durfloors": [{"bidfloor": 2.0}]}}),
     [("error", "durfloors-range", "imp[0].video.durfloors[0]")]),
    ("media-floor-forms",
     request(imp={"video": {**VIDEO, "mincpmpersec": 0.2, "durfloors": [{"maxdur": 15}]}}),
     [("error", "media-floor-forms", "imp[0].video.durfloors")]),
    ("qty-vendor", request(imp={**IMP, "qty": {"multiplier": 12.5, "sourcetype": 1}}),
     [("error", "qty-vendor", "imp[0].qty.sourcetype")]),
    ("gpp-sid-missing", request(regs={"gpp": GPP}), [("warning", "gpp-sid-missing", "regs.gpp")]),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "data", "expected"), CASES, ids=[case[0] for case in CASES])
def test_each_broken_case_is_flagged_by_its_rule_alone(
    rule: str, data: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    result = check(data)
    assert found(result) == expected
    assert {severity for severity, _, _ in expected} == {RULES_BY_ID[rule].severity}
    assert result.valid == (RULES_BY_ID[rule].severity == "warning")


def test_every_rule_has_a_broken_case() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    assert set(RULES_BY_ID) == {case[0] for case in CASES}


def test_a_lower_case_currency_is_a_warning_with_a_hint() -> None:
    result = check(request(cur=["usd"]))
    assert result.valid
    assert [(f.severity, f.path, f.message) for f in result.findings] == [
        ("warning", "cur[0]", 'expected an ISO 4217 currency code (e.g. "USD"), got "usd"; '
         'did you mean "USD"?'),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "data"),
    [
        ("native-request", request(imp={"native": {"request": NATIVE_12}})),
        ("native-request", request(imp={"native": {"request": NATIVE_10}})),
        ("deprecated", request(imp={"video": VIDEO})),
        ("min-max", request(imp={"video": {**VIDEO, "minduration": 15, "maxduration": 15}})),
        ("us-privacy-format", request(regs={"us_privacy": "1---"})),
        ("gpp-sid", request(regs={"gpp": GPP, "gpp_sid": [6]})),
        ("ip-address", request(device={"ip": "81.2.69.0", "ipv6": "::ffff:81.2.69.142"})),
        ("ip-address", request(device={"ipv6": "2001:db8:85a3::"})),
        ("mccmnc-format", request(device={"mccmnc": "310-005"})),
        ("coppa-identifiers", request(regs={"coppa": 0}, device={"ifa": "x"}, user={"id": "u"})),
        ("coppa-identifiers", request(regs={"coppa": 1}, device={"ua": "Mozilla/5.0"})),
        ("format-size", request(imp={"banner": {"format": [FLEX]}})),
        ("deal-floor-forms", request(imp={**IMP, "pmp": {"deals": [{"id": "d", "bidfloor": 1}]}})),
        ("negative-value", request(imp={"video": {**VIDEO, "maxextended": -1, "startdelay": -2}})),
    ],
)  # fmt: skip
def test_what_the_rules_accept(rule: str, data: dict[str, Any]) -> None:
    assert [f for f in check(data).findings if f.rule == rule] == []


def test_every_case_in_one_object_is_reported_in_one_pass() -> None:
    video = {
        "mimes": ["video/mp4"],
        "w": "640",  # a type error of the models
        "placement": 1,
        "minduration": 30,
        "maxduration": 15,
        "minbitrate": 900,
        "maxbitrate": 300,
        "mincpmpersec": 0.5,
        "durfloors": [{"bidfloor": 1.0}, {"mindur": -5}],
        "poddur": -60,
    }
    data = request(imps=[{"id": "1", "video": video}, {"id": "1", "banner": {}}], app={}, tmax=-1)
    result = check(data)
    assert not result.valid
    assert result.request is None
    assert found(result) == [
        ("error", "", "imp[0].video.w"),
        ("error", "one-medium", "app"),
        ("error", "unique-imp-ids", "imp[1].id"),
        ("error", "negative-value", "tmax"),
        ("error", "negative-value", "imp[0].video.poddur"),
        ("warning", "deprecated", "imp[0].video.placement"),
        ("error", "min-max", "imp[0].video.maxduration"),
        ("error", "min-max", "imp[0].video.maxbitrate"),
        ("error", "media-floor-forms", "imp[0].video.durfloors"),
        ("error", "durfloors-range", "imp[0].video.durfloors[0]"),
        ("error", "negative-value", "imp[0].video.durfloors[1].mindur"),
        ("warning", "banner-size", "imp[1].banner"),
    ]


def test_the_models_cross_field_errors_come_from_the_rules_only() -> None:
    # The models stop at the first "only one of" of an object, and at the request level only
    # once every field is valid; the rules report each case once, on its member.
    data = request(app={"id": "a"}, user={"keywords": "k", "kwarray": ["k"]})
    data["site"]["keywords"], data["site"]["kwarray"] = "k", ["k"]
    result = check(data)
    assert found(result) == [
        ("error", "one-medium", "app"),
        ("error", "keywords-exclusive", "site.kwarray"),
        ("error", "keywords-exclusive", "user.kwarray"),
    ]
    assert [f.message for f in result.findings][:2] == [
        "only one of site and app may be present",
        "only one of keywords and kwarray may be present",
    ]


def test_a_cross_field_error_of_the_models_that_no_rule_reports_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(check_module, "apply_rules", lambda data: iter(()))
    result = check(request(app={}))
    assert not result.valid
    assert [(f.severity, f.path, f.message) for f in result.findings] == [
        ("error", "", "only one of site and app may be present")
    ]


@pytest.mark.parametrize(
    ("gpp", "sections"),
    [
        (GPP, (2, 6)),
        ("DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", (2,)),
        # A range entry: sections 7 to 9.
        ("DBABrY~BVVqAAAAAW.Q~BVVqAAAAAW~BVVqAAAAAW.Q", (7, 8, 9)),
    ],
)
def test_gpp_headers_decode(gpp: str, sections: tuple[int, ...]) -> None:
    assert decode_gpp(gpp).section_ids == sections


@pytest.mark.parametrize(
    ("gpp", "reason"),
    [
        ("", "empty header"),
        ("XBABMA~a", "header section id is 23, not 3"),
        ("DCABMA~a", "header version is 2, not 1"),
        ("DB*BMA~a", 'header is not base64url: "*" in it'),
        ("DBA", "header ends before its section ids do"),
        ("DBAA", "header lists no sections"),
        ("DBACNY~CPXxRfAPXxRfAAfKABENB", "the header lists 2 section(s) [2, 6] but 1 follow it"),
        ("DBABMA~CPX+xRf", 'section 2 is not base64url: "CPX+xRf"'),
    ],
)
def test_broken_gpp_strings_say_why(gpp: str, reason: str) -> None:
    with pytest.raises(GppError) as raised:
        decode_gpp(gpp)
    assert str(raised.value) == reason


@pytest.mark.parametrize("value", ["1YNN", "1NYY", "1---", "1Y-N"])
def test_us_privacy_strings_that_pass(value: str) -> None:
    assert us_privacy_problem(value) is None


@pytest.mark.parametrize("value", ["", "1YN", "1YNNN", "2YNN", "1ynn", "1YNX", " 1YNN"])
def test_us_privacy_strings_that_do_not(value: str) -> None:
    assert us_privacy_problem(value) is not None


def test_the_readme_lists_every_rule_with_its_severity() -> None:
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| (.+?) \| (error|warning) \|", README.read_text(), re.M)
    }
    assert {rule.summary: rule.severity for rule in RULES}.items() <= rows.items()
