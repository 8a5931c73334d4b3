"""Checking foreign bid requests: splitting input into documents and what gets reported."""

from __future__ import annotations

import json

import openrtb_schemas
import pytest

from mock_data_gen.openrtb import BidRequest, unknown_fields
from mock_data_gen.validation import (
    CheckedRequest,
    Document,
    Finding,
    Summary,
    check_document,
    check_stream,
    split_documents,
)

VALID = b'{"id": "r1", "imp": [{"id": "1", "banner": {"w": 300, "h": 250}}], "site": {"id": "s"}}'
# An impression and a site that no rule has anything to say about, for requests that test
# something else.
IMP = b'{"id": "1", "banner": {"w": 300, "h": 250}}'
SITE = b'"site": {"id": "s"}'


def lines(text: bytes) -> list[bytes]:
    return text.splitlines(keepends=True)


def check(text: bytes, *, strict: bool = False) -> CheckedRequest:
    return check_document(Document(1, text), strict=strict)


def described(result: CheckedRequest) -> list[tuple[str, str, str]]:
    return [(f.severity, f.path, f.message) for f in result.findings]


def test_json_lines_are_split_per_line_skipping_blank_ones() -> None:
    text = VALID + b"\n\n" + VALID + b"\r\n   \n" + VALID
    assert [d.line for d in split_documents(lines(text))] == [1, 3, 5]


def test_a_pretty_printed_document_is_one_document() -> None:
    pretty = json.dumps(json.loads(VALID), indent=2).encode()
    documents = list(split_documents(lines(b"\n" + pretty + b"\n")))
    assert documents == [Document(2, pretty + b"\n")]
    assert check_document(documents[0]).valid


def test_a_broken_first_line_still_means_json_lines() -> None:
    documents = list(split_documents(lines(b'{"id": "x",}\n' + VALID + b"\n")))
    assert [d.line for d in documents] == [1, 2]


def test_a_truncated_first_line_followed_by_json_lines_is_json_lines() -> None:
    text = VALID[:30] + b"\n" + VALID + b"\n\n" + VALID + b"\n"
    documents = list(split_documents(lines(text)))
    assert documents == [Document(1, VALID[:30]), Document(2, VALID), Document(4, VALID)]


def test_a_pretty_printed_document_with_an_object_on_one_line_stays_one_document() -> None:
    text = b'{\n  "id": "r",\n  "imp": [\n    {"id": "1"}\n  ]\n}\n'
    assert list(split_documents(lines(text))) == [Document(1, text)]
    # Broken, it is still one document: its inner lines are no requests of their own.
    broken = text.replace(b'"r",', b'"r"')
    assert [d.line for d in split_documents(lines(broken))] == [1]


def test_a_byte_order_mark_is_ignored() -> None:
    assert [d.text for d in split_documents([b"\xef\xbb\xbf" + VALID])] == [VALID]


def test_empty_input_has_no_documents() -> None:
    assert list(split_documents(lines(b"\n  \n"))) == []


@pytest.mark.conformance
def test_official_examples_are_valid() -> None:
    for path in openrtb_schemas.example_requests():
        result = check(path.read_bytes())
        assert result.valid, (path.name, result.findings)


def test_type_errors_name_the_field_path_and_show_the_value() -> None:
    result = check(
        b'{"id": "r", "imp": [{"id": "1", "banner": {"w": "300", "h": 250}, "secure": true}],'
        b' "device": {"geo": {"lat": 91}}, "site": {}}'
    )
    assert not result.valid
    assert result.request is None
    assert described(result) == [
        ("error", "imp[0].banner.w", 'expected an integer, got "300"'),
        ("error", "imp[0].secure", "expected an integer, got true"),
        ("error", "device.geo.lat", "must be at most 90, got 91"),
    ]


def test_flag_and_required_field_messages() -> None:
    assert described(check(b'{"imp": [{"id": "1", "instl": 2, "native": {"request": 1}}]}')) == [
        ("error", "id", "required field is missing"),
        ("error", "imp[0].native.request", "expected a string, got 1"),
        ("error", "imp[0].instl", "must be 0 or 1, got 2"),
        ("warning", "", "no site, app or dooh: say where the ad would run"),
    ]
    assert described(check(b'{"id": "r", "imp": [], "app": {}}')) == [
        ("error", "imp", "must not be empty")
    ]


def test_a_document_that_is_not_an_object() -> None:
    assert described(check(b"[1, 2]")) == [("error", "", "expected an object, got [1,2]")]


def test_long_inputs_are_shortened_in_messages() -> None:
    result = check(b'{"id": "r", "imp": [{"id": "1", "banner": {"w": "' + b"9" * 200 + b'"}}]}')
    message = result.findings[0].message
    assert message.startswith('expected an integer, got "999')
    assert message.endswith("...")
    assert len(message) < 100


def test_malformed_json_is_reported_on_the_line_where_it_breaks() -> None:
    text = b'{\n  "id": "r",\n  "imp": [\n    {"id": "1",}\n  ]\n}\n'
    (document,) = split_documents(lines(b"\n\n" + text))
    result = check_document(document)
    assert [(f.line, f.message) for f in result.findings] == [
        (6, "malformed JSON: trailing comma at column 16")
    ]


def test_unknown_fields_are_warnings_with_a_spelling_hint() -> None:
    result = check(
        b'{"id": "r", "imp": [{"id": "1", "video": {"mimes": ["v"], "apis": [1]}}],'
        b' "Device": {}, "zzz": 1, "site": {}}'
    )
    assert result.valid
    assert described(result) == [
        (
            "warning",
            "imp[0].video.apis",
            'unknown field: OpenRTB 2.6 does not define it for Video; did you mean "api"?',
        ),
        (
            "warning",
            "Device",
            'unknown field: OpenRTB 2.6 does not define it for BidRequest; did you mean "device"?',
        ),
        ("warning", "zzz", "unknown field: OpenRTB 2.6 does not define it for BidRequest"),
    ]
    assert result.warning_count == 3


def test_validation_reports_the_same_unknown_fields_as_the_model_helper() -> None:
    text = b'{"id": "r", "imp": [{"id": "1", "pmp": {"deals": [{"id": "d", "flor": 1}]}}], "x": 1}'
    reported = {f.path for f in check(text).findings if not f.rule}
    assert reported == set(unknown_fields(BidRequest.from_json(text)))
    assert reported == {"x", "imp[0].pmp.deals[0].flor"}


def test_strict_mode_turns_unknown_fields_into_errors() -> None:
    result = check(
        b'{"id": "r", "imp": [{"id": "1", "tagidd": "t", "audio": {"mimes": ["a"]}}], "dooh": {}}',
        strict=True,
    )
    assert not result.valid
    assert result.request is not None
    assert [(f.severity, f.path) for f in result.findings] == [("error", "imp[0].tagidd")]


def test_a_misspelt_required_field_is_explained_next_to_the_error() -> None:
    assert described(check(b'{"id": "r", "imps": [{"id": "1"}], "site": {}}')) == [
        ("error", "imp", "required field is missing"),
        (
            "warning",
            "imps",
            'unknown field: OpenRTB 2.6 does not define it for BidRequest; did you mean "imp"?',
        ),
    ]


def test_explicit_nulls_are_read_as_absent_with_a_warning() -> None:
    result = check(
        b'{"id": "r", "imp": [{"id": "1", "banner": {"w": 300, "h": 250}, "video": null}],'
        b' "ext": null, "site": {}}'
    )
    assert result.valid
    assert described(result) == [
        ("warning", "imp[0].video", "null is not an OpenRTB value; omit the field instead"),
        ("warning", "ext", "null is not an OpenRTB value; omit the field instead"),
    ]


def test_codes_outside_their_list_are_warnings() -> None:
    result = check(
        b'{"id": "r", "imp": [{"id": "1", "video": {"mimes": ["v"], "startdelay": -5,'
        b' "api": [7, 501, 12]}}], "device": {"connectiontype": 0}, "app": {}}'
    )
    assert result.valid
    assert described(result) == [
        (
            "warning",
            "imp[0].video.startdelay",
            "-5 is not defined by StartDelay (defined: -2..0, or a positive number of seconds)",
        ),
        (
            "warning",
            "imp[0].video.api[2]",
            "12 is not defined by APIFramework (defined: 1..9, 500+ vendor-specific)",
        ),
        ("warning", "device.connectiontype", "0 is not defined by ConnectionType (defined: 1..7)"),
    ]


def test_spec_rules_across_fields_are_errors_on_the_member_that_breaks_them() -> None:
    assert described(check(b'{"id": "r", "imp": [%s], "site": {}, "app": {}}' % IMP)) == [
        ("error", "app", "only one of site and app may be present")
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"{not json}", "malformed JSON: key must be a string at column 2"),
        (b'{"id": "r", "imp": [{"id": "1"}]} trailing', "malformed JSON: trailing characters"),
        (b"\xff\xfe", "malformed JSON: expected value at column 1"),
    ],
)
def test_malformed_json_lines(line: bytes, expected: str) -> None:
    (finding,) = check(line).findings
    assert finding.severity == "error"
    assert finding.message.startswith(expected)


def test_check_stream_and_summary() -> None:
    text = b"\n".join(
        [
            VALID,
            b'{"id": 1, "imp": [%s], %s}' % (IMP, SITE),
            b'{"id": "r", "imp": [%s], "zz": 1, %s}\n' % (IMP, SITE),
        ]
    )
    summary = Summary()
    results = list(check_stream(lines(text)))
    for result in results:
        summary.add(result)
    assert [(r.line, r.valid) for r in results] == [(1, True), (2, False), (3, True)]
    assert str(summary) == "checked 3, valid 2, invalid 1, warnings 1"
    assert results[1].findings[0] == Finding(2, "id", "expected a string, got 1", "error")


def test_an_invalid_request_gets_its_warnings_in_the_same_pass() -> None:
    result = check(
        b'{"id": 7, "imp": [{"id": "1", "bidfloor": -1, "banner": {"w": 1, "h": 1}}], "site": {},'
        b' "device": {"devicetype": 99, "geo": {"country": "US"}}, "zz": 1}'
    )
    assert not result.valid
    assert described(result) == [
        ("error", "id", "expected a string, got 7"),
        ("error", "imp[0].bidfloor", "must be at least 0, got -1"),
        ("warning", "device.devicetype", "99 is not defined by DeviceType (defined: 1..8)"),
        (
            "warning",
            "device.geo.country",
            'expected an ISO 3166-1 alpha-3 country code (3 capital letters, e.g. "USA"), got "US"',
        ),
        ("warning", "zz", "unknown field: OpenRTB 2.6 does not define it for BidRequest"),
    ]


def test_values_of_the_wrong_type_are_only_the_models_errors() -> None:
    result = check(
        b'{"id": "r", "imp": [{"id": "1", "bidfloorcur": 5, "banner": {"w": 1, "h": 1}}],'
        b' "cur": [true], "site": {},'
        b' "device": {"devicetype": "99", "connectiontype": true, "geo": {"country": 840}}}'
    )
    assert sorted((f.severity, f.path) for f in result.findings) == [
        ("error", "cur[0]"),
        ("error", "device.connectiontype"),
        ("error", "device.devicetype"),
        ("error", "device.geo.country"),
        ("error", "imp[0].bidfloorcur"),
    ]


@pytest.mark.parametrize("currency", ["USD", "EUR", "JPY", "XCG", "ZWG"])
def test_iso_4217_currencies_pass(currency: str) -> None:
    text = (
        f'{{"id": "r", "cur": ["{currency}"], "imp": [{{"id": "1", "bidfloorcur": "{currency}",'
        f' "pmp": {{"deals": [{{"id": "d", "bidfloorcur": "{currency}"}}]}},'
        f' "native": {{"request": "{{\\"assets\\": [{{\\"id\\": 1}}]}}"}}}}], "site": {{}}}}'
    ).encode()
    assert check(text, strict=True).findings == ()


@pytest.mark.parametrize(
    ("currency", "hint"),
    [
        ("US", ""),
        ("US$", ""),
        ("usd", '; did you mean "USD"?'),
        ("EURO", ""),
        # Withdrawn: Bulgaria adopted the euro, Croatia before it.
        ("BGN", ""),
        ("HRK", ""),
    ],
)
def test_currencies_that_are_not_iso_4217_are_warnings_or_strict_errors(
    currency: str, hint: str
) -> None:
    text = b'{"id": "r", "cur": ["USD", "%s"], "imp": [%s], %s}' % (currency.encode(), IMP, SITE)
    message = f'expected an ISO 4217 currency code (e.g. "USD"), got "{currency}"{hint}'
    result = check(text)
    assert result.valid
    assert described(result) == [("warning", "cur[1]", message)]
    strict = check(text, strict=True)
    assert not strict.valid
    assert described(strict) == [("error", "cur[1]", message)]
