"""Findings carry the input line of the member concerned: in a pretty-printed document, in a
document that starts further down the input, and in JSON Lines."""

from __future__ import annotations

import json
from typing import Any

from mock_data_gen.validation import Document, check_document, check_stream, split_documents
from mock_data_gen.validation.positions import line_map

TRICKY = b"""{
  "a": "x,{[]}:\\"",
  "b": [1,
    2, {"c": [],
        "d": {}}
  ],
  "e\\u0041": [[3], [
    4]],
  "f": null, "g":
    true
}"""


def test_the_scan_notes_members_and_elements_on_their_lines() -> None:
    lines = line_map(TRICKY)
    assert lines.lines == {
        (): 1,
        ("a",): 2,
        ("b",): 3,
        ("b", 0): 3,
        ("b", 1): 4,
        ("b", 2): 4,
        ("b", 2, "c"): 4,
        ("b", 2, "d"): 5,
        ("eA",): 7,
        ("eA", 0): 7,
        ("eA", 0, 0): 7,
        ("eA", 1): 7,
        ("eA", 1, 0): 8,
        ("f",): 9,
        ("g",): 9,
    }
    # Absent members are placed on their nearest enclosing member.
    assert lines.line_of(("b", 2, "d", "missing")) == 5
    assert lines.line_of(("nowhere", 3)) == 1


def test_windows_line_breaks_count_once() -> None:
    assert line_map(TRICKY.replace(b"\n", b"\r\n")).lines == line_map(TRICKY).lines


def pretty(data: dict[str, Any]) -> bytes:
    return json.dumps(data, indent=2).encode() + b"\n"


def line_containing(text: bytes, fragment: str, after: int = 0) -> int:
    """The 1-based line of the first occurrence of ``fragment`` from line ``after`` on."""
    for number, line in enumerate(text.decode().splitlines(), start=1):
        if number > after and fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the text")


REQUEST: dict[str, Any] = {
    "id": "r",
    "imp": [
        {"id": "1", "banner": {"w": 300, "h": 250}},
        {"id": "2", "video": {"mimes": ["video/mp4"], "minduration": 30, "maxduration": 5,
                              "placement": 1}},
        {"banner": {"format": [{"w": 320, "h": 50}, {"wratio": 2}]}},
    ],
    "site": {"id": "s", "page": "https://example.com/a"},
    "device": {"ipv6": "81.2.69.142", "geo": {"country": "FR"}},
    "regs": {"us_privacy": "1YN", "coppa": 1},
    "user": {"id": "u1", "zip": "75001"},
}  # fmt: skip


def test_a_pretty_printed_document_puts_each_finding_on_its_member() -> None:
    text = pretty(REQUEST)
    (document,) = split_documents(text.splitlines(keepends=True))
    result = check_document(document)
    video = line_containing(text, '"video"')
    third = line_containing(text, '"banner"', after=video)
    expected = [
        # A missing required field: on the line of its object (the third imp's "{").
        (third - 1, "error", "imp[2].id"),
        (line_containing(text, '"maxduration"'), "error", "imp[1].video.maxduration"),
        (line_containing(text, '"placement"'), "warning", "imp[1].video.placement"),
        (line_containing(text, '"wratio"') - 1, "warning", "imp[2].banner.format[1]"),
        (line_containing(text, '"ipv6"'), "error", "device.ipv6"),
        (line_containing(text, '"country"'), "warning", "device.geo.country"),
        (line_containing(text, '"us_privacy"'), "error", "regs.us_privacy"),
        (line_containing(text, '"id": "u1"'), "warning", "user.id"),
        (line_containing(text, '"zip"'), "warning", "user.zip"),
    ]
    assert [(f.line, f.severity, f.path) for f in result.findings] == sorted(expected)
    # The paths fix the lines: the video's maxduration is one of its lines, not line 1.
    assert all(line > 1 for line, _, _ in expected)


def test_a_document_further_down_the_input_counts_lines_from_the_top() -> None:
    text = b"\n\n\n" + pretty(REQUEST)
    (result,) = check_stream(text.splitlines(keepends=True))
    assert result.line == 4
    placement = [f for f in result.findings if f.path == "imp[1].video.placement"]
    assert [f.line for f in placement] == [line_containing(text, '"placement"')]


def test_json_lines_put_each_finding_on_its_own_line() -> None:
    valid = {"id": "ok", "imp": [{"id": "1", "banner": {"w": 1, "h": 1}}], "app": {}}
    lines = [
        json.dumps(REQUEST).encode(),
        b"",
        json.dumps(valid).encode(),
        json.dumps({"id": "r2", "imp": [{"id": "1"}], "tmax": -5, "site": {}}).encode(),
    ]
    results = list(check_stream(line + b"\n" for line in lines))
    assert [(r.line, len(r.findings)) for r in results] == [(1, 9), (3, 0), (4, 2)]
    assert {f.line for f in results[0].findings} == {1}
    assert [(f.line, f.path) for f in results[2].findings] == [(4, "tmax"), (4, "imp[0]")]


def test_malformed_json_keeps_the_line_where_it_breaks() -> None:
    text = b'{\n  "id": "r",\n  "imp": [\n    {"id": "1" "banner": {}}\n  ]\n}\n'
    result = check_document(Document(10, text))
    assert [(f.line, f.message.split(":")[0]) for f in result.findings] == [(13, "malformed JSON")]
