"""The ``mock-data-gen validate`` command, run through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openrtb_schemas
import orjson
import pytest

from mock_data_gen import cli


# The official example requests serve as input throughout; the tests that read them are marked
# conformance: they are skipped where the schema set is absent.
def examples() -> list[Path]:
    return openrtb_schemas.example_requests()


def example(name: str) -> Path:
    return next(path for path in examples() if path.name == name)


def compact(path: Path) -> bytes:
    return orjson.dumps(json.loads(path.read_text(encoding="utf-8")))


def line_of(path: Path, text: str) -> int:
    """The line of ``path`` (1-based) where ``text`` first appears."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = cli.main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


@pytest.mark.parametrize("path", openrtb_schemas.example_request_params())
def test_official_examples_are_valid(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, str(path))
    assert code == 0
    assert err == []
    assert out[-1].startswith("checked 1, valid 1, invalid 0, warnings ")


@pytest.mark.conformance
def test_the_video_example_warns_about_its_misspelt_field(
    capsys: pytest.CaptureFixture[str],
) -> None:
    video = example("video.json")
    code, out, _ = run_cli(capsys, str(video))
    assert code == 0
    # A pretty-printed document: the finding is on the line of the member.
    apis = line_of(video, '"apis"')
    assert apis > 1
    assert out == [
        f"{video}:{apis}: warning: imp[0].video.apis: unknown field: OpenRTB 2.6 does not define "
        f'it for Video; did you mean "api"?',
        "checked 1, valid 1, invalid 0, warnings 1",
    ]


@pytest.mark.conformance
def test_strict_mode_makes_unknown_fields_errors(capsys: pytest.CaptureFixture[str]) -> None:
    video = example("video.json")
    code, out, _ = run_cli(capsys, "--strict", str(video))
    assert code == 1
    apis = line_of(video, '"apis"')
    assert out[0].startswith(f"{video}:{apis}: error: imp[0].video.apis: unknown field")
    assert out[-1] == "checked 1, valid 0, invalid 1, warnings 0"


@pytest.mark.conformance
def test_broken_json_lines_are_reported_by_line_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = compact(examples()[0])
    source = tmp_path / "requests.jsonl"
    source.write_bytes(
        b"\n".join(
            [
                good,
                b'{"id": "r", "imp": [{"id": "1", "banner": {"w": "300", "h": 50}}], "app": {}}',
                b"",
                b'{"id": "r", "imp": [{"id": "1",}]}',
                b'{"imp": [{"id": "1", "native": {"request": "{}"}}], "devicee": {}, "app": {}}',
                good,
            ]
        )
        + b"\n"
    )
    code, out, err = run_cli(capsys, str(source))
    assert code == 1
    assert err == []
    assert out == [
        f'{source}:2: error: imp[0].banner.w: expected an integer, got "300"',
        f"{source}:4: error: malformed JSON: trailing comma at column 32",
        f"{source}:5: error: id: required field is missing",
        f"{source}:5: error: imp[0].native.request: the Native request has no assets array "
        "(it is required)",
        f"{source}:5: warning: devicee: unknown field: OpenRTB 2.6 does not define it for "
        f'BidRequest; did you mean "device"?',
        "checked 5, valid 2, invalid 3, warnings 1",
    ]


@pytest.mark.conformance
def test_normalize_writes_valid_requests_unchanged_and_reports_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = examples()
    source = tmp_path / "requests.jsonl"
    source.write_bytes(
        b"\n".join([compact(paths[0]), b'{"id": 5}', *map(compact, paths[1:])]) + b"\n"
    )
    code, out, err = run_cli(capsys, "--normalize", str(source))
    assert code == 1
    assert [json.loads(line) for line in out] == [json.loads(compact(p)) for p in paths]
    assert err[0].startswith(f"{source}:2: error: id: expected a string, got 5")
    assert err[-1].startswith(f"checked {len(paths) + 1}, valid {len(paths)}, invalid 1,")


@pytest.mark.conformance
def test_normalized_output_validates_again_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.jsonl"
    first.write_bytes(b"".join(compact(path) + b"\n" for path in examples()))
    code, out, _ = run_cli(capsys, "--normalize", str(first))
    assert code == 0
    normalized = "\n".join(out) + "\n"
    second = tmp_path / "second.jsonl"
    second.write_text(normalized, encoding="utf-8")
    code, out, _ = run_cli(capsys, "--normalize", str(second))
    assert code == 0
    assert "\n".join(out) + "\n" == normalized


@pytest.mark.conformance
def test_a_pretty_printed_document_with_an_error_deep_inside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = json.loads(examples()[0].read_text(encoding="utf-8"))
    request["imp"][0]["bidfloor"] = -1
    floor = '"bidfloor": -1'
    source = tmp_path / "request.json"
    source.write_text(json.dumps(request, indent=2), encoding="utf-8")
    code, out, _ = run_cli(capsys, str(source))
    assert code == 1
    assert out == [
        f"{source}:{line_of(source, floor)}: error: imp[0].bidfloor: must be at least 0, got -1",
        "checked 1, valid 0, invalid 1, warnings 0",
    ]


def test_rule_findings_of_a_pretty_printed_document_name_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = {
        "id": "r",
        "imp": [{"id": "1", "video": {"mimes": ["video/mp4"], "placement": 3, "plcmt": 4}}],
        "app": {"bundle": "com.example.game"},
        "device": {"ifa": "6D92078A-8246-4BA4-AE5B-76104861E7DC"},
        "regs": {"coppa": 1, "gpp_sid": [7]},
        "tmax": -1,
    }
    source = tmp_path / "request.json"
    source.write_text(json.dumps(request, indent=4), encoding="utf-8")
    keys = {name: f'"{name}":' for name in ("placement", "ifa", "gpp_sid", "tmax")}
    at = {name: f"{source}:{line_of(source, key)}" for name, key in keys.items()}
    code, out, _ = run_cli(capsys, str(source))
    assert code == 1
    assert out == [
        f"{at['placement']}: warning: imp[0].video.placement: deprecated as of OpenRTB "
        "2.6-202303; use plcmt",
        f"{at['ifa']}: warning: device.ifa: a persistent identifier in a request subject to "
        "COPPA (regs.coppa 1): leave it out",
        f"{at['gpp_sid']}: error: regs.gpp_sid: names GPP sections, but there is no gpp string",
        f"{at['tmax']}: error: tmax: must not be negative, got -1",
        "checked 1, valid 0, invalid 1, warnings 2",
    ]


def test_empty_input_is_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n")
    code, out, err = run_cli(capsys, str(empty))
    assert code == 1
    assert out == []
    assert err == [
        f"mock-data-gen validate: error: no bid requests in {empty} "
        "(expected one JSON document or JSON Lines)"
    ]


def run_process(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "validate", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_missing_file_is_one_clear_message_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    result = run_process(str(missing))
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode() == (
        f"mock-data-gen validate: error: cannot read {missing}: No such file or directory\n"
    )


def test_unknown_option_is_a_usage_error() -> None:
    result = run_process("--no-such-option")
    assert result.returncode == 2
    assert b"unrecognized arguments: --no-such-option" in result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.conformance
def test_reads_standard_input_when_no_file_is_given() -> None:
    paths = examples()
    stdin = b"".join(compact(path) + b"\n" for path in paths)
    result = run_process("--normalize", stdin=stdin)
    assert result.returncode == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        json.loads(line) for line in stdin.splitlines()
    ]
    assert result.stderr.decode().splitlines()[-1] == (
        f"checked {len(paths)}, valid {len(paths)}, invalid 0, warnings 1"
    )
    dash = run_process("-", stdin=b'{"id": "r"}\n')
    assert dash.returncode == 1
    assert (
        dash.stdout.decode().splitlines()[0] == "<stdin>:1: error: imp: required field is missing"
    )


def _validate_process(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_data_gen", "validate", *options, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.conformance
def test_a_truncated_json_line_is_reported_on_its_own_line_and_the_rest_is_checked(
    tmp_path: Path,
) -> None:
    good = compact(examples()[0])
    truncated = good[:40]
    after = tmp_path / "truncated-second.jsonl"
    after.write_bytes(good + b"\n" + truncated + b"\n")
    first = tmp_path / "truncated-first.jsonl"
    first.write_bytes(truncated + b"\n" + good + b"\n" + b'{"id": "r", "imp": [], "site": {}}\n')

    done = _validate_process(after)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{after}:2: error: malformed JSON: EOF while parsing a string at column 40",
        "checked 2, valid 1, invalid 1, warnings 0",
    ]
    # A broken first line is not the start of one pretty-printed document: every line is checked.
    done = _validate_process(first)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{first}:1: error: malformed JSON: EOF while parsing a string at column 40",
        f"{first}:3: error: imp: must not be empty",
        "checked 3, valid 1, invalid 2, warnings 0",
    ]


def test_errors_and_warnings_are_reported_in_one_pass(tmp_path: Path) -> None:
    source = tmp_path / "formats.jsonl"
    source.write_bytes(
        b'{"id": "a", "imp": [{"id": "1", "banner": {"w": -5, "h": 250}}], "site": {}}\n'
        b'{"id": "b", "site": {}, "imp": [{"id": "1", "bidfloorcur": "usd",'
        b' "banner": {"format": [{"w": 300, "h": -1}]},'
        b' "pmp": {"deals": [{"id": "d", "bidfloorcur": "EURO"}]}}],'
        b' "device": {"geo": {"country": "US"}, "w": -1, "devicetype": 99},'
        b' "user": {"consent": "garbage", "geo": {"country": "DEU"}}, "regs": {"gdpr": 1},'
        b' "cur": ["USD", "US"]}\n'
    )
    # Codes of a standard the spec names: warnings, errors in strict mode.
    standard = [
        'imp[0].bidfloorcur: expected an ISO 4217 currency code (e.g. "USD"), got "usd"; '
        'did you mean "USD"?',
        'imp[0].pmp.deals[0].bidfloorcur: expected an ISO 4217 currency code (e.g. "USD"), '
        'got "EURO"',
        "device.geo.country: expected an ISO 3166-1 alpha-3 country code "
        '(3 capital letters, e.g. "USA"), got "US"',
    ]
    code = "device.devicetype: 99 is not defined by DeviceType (defined: 1..8)"
    consent = (
        "user.consent: not an IAB TCF v2 consent string (base64url segments separated by '.', "
        'the core one starting with "C" for version 2), got "garbage"'
    )
    currency = 'cur[1]: expected an ISO 4217 currency code (e.g. "USD"), got "US"'
    warnings = [*standard, code, consent, currency]
    done = _validate_process(source)
    assert done.returncode == 1
    # The warnings come with the errors, not only once the errors are fixed.
    assert done.stdout.splitlines() == [
        f"{source}:1: error: imp[0].banner.w: must be at least 0, got -5",
        f"{source}:2: error: imp[0].banner.format[0].h: must be at least 0, got -1",
        f"{source}:2: error: device.w: must be at least 0, got -1",
        *(f"{source}:2: warning: {warning}" for warning in warnings),
        "checked 2, valid 0, invalid 2, warnings 6",
    ]
    # Sizes fixed: only the warnings are left.
    source.write_bytes(source.read_bytes().replace(b"-5", b"300").replace(b"-1", b"600"))
    done = _validate_process(source)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        *(f"{source}:2: warning: {warning}" for warning in warnings),
        "checked 2, valid 2, invalid 0, warnings 6",
    ]
    done = _validate_process(source, "--strict")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        *(f"{source}:2: error: {finding}" for finding in standard),
        f"{source}:2: warning: {code}",
        f"{source}:2: warning: {consent}",
        f"{source}:2: error: {currency}",
        "checked 2, valid 1, invalid 1, warnings 2",
    ]


@pytest.mark.conformance
def test_official_examples_have_no_findings_but_the_video_apis_misspelling() -> None:
    findings = []
    for path in examples():
        done = _validate_process(path, "--strict")
        findings += [line for line in done.stdout.splitlines() if not line.startswith("checked")]
    assert [line.split(": ")[2] for line in findings] == ["imp[0].video.apis"]
