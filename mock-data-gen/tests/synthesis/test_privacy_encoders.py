"""The TCF, GPP and US Privacy encoders against the specs' examples and an independent decoder."""

from __future__ import annotations

import re

import numpy as np
import pytest
from decoders import Bits, decode_gpp_header, decode_tc_string, decode_us_section

from mock_data_gen.synthesis import privacy
from mock_data_gen.synthesis.fragments import cents_table, uuid4_texts
from mock_data_gen.synthesis.generator import zipf_rank


@pytest.mark.parametrize(
    ("sections", "expected"),
    # The header examples of the GPP Consent String Specification.
    [([2], "DBABM"), ([2, 6], "DBACNY")],
)
def test_gpp_header_matches_the_spec_examples(sections: list[int], expected: str) -> None:
    assert privacy.gpp_header(sections) == expected
    assert decode_gpp_header(expected) == sections


def test_gpp_header_round_trips_the_us_sections() -> None:
    for sections in ([7], [8], [6, 7], [6, 8], [9], [10], [6, 12]):
        assert decode_gpp_header(privacy.gpp_header(sections)) == sections


def test_fibonacci_codes_are_the_zeckendorf_codes_ending_in_11() -> None:
    codes = {1: "11", 2: "011", 3: "0011", 4: "1011", 5: "00011", 12: "101011"}
    for value, code in codes.items():
        bits = privacy.BitWriter().fibonacci(value)
        assert format(bits.value, f"0{bits.length}b") == code
        assert (
            Bits(privacy.BitWriter().fibonacci(value).base64url_sixes(), sixes=True).fibonacci()
            == value
        )


def test_tc_string_round_trips_through_an_independent_decoder() -> None:
    choices = privacy.TcfChoices(
        cmp_id=28,
        cmp_version=5,
        consent_screen=2,
        language="DE",
        vendor_list_version=130,
        special_features=frozenset({1}),
        purposes_consent=frozenset({1, 2, 3, 4, 7, 9, 10}),
        purposes_li=frozenset({2, 7, 8}),
        vendors_consent=frozenset({21, 97, 131, 755}),
        vendors_li=frozenset(range(10, 400, 3)),
        disclosed_vendors=frozenset({21, 97, 131, 755, *range(10, 400, 3)}),
        publisher_cc="DE",
    )
    created = 17_684_000_000  # deciseconds
    text = privacy.tcf_string(choices, created)
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", text)
    tc = decode_tc_string(text)
    assert (tc.version, tc.created, tc.last_updated) == (2, created, created)
    assert (tc.cmp_id, tc.cmp_version, tc.consent_screen) == (28, 5, 2)
    assert (tc.consent_language, tc.vendor_list_version, tc.policy_version) == ("DE", 130, 4)
    assert tc.special_features == {1} and tc.purposes_consent == choices.purposes_consent
    assert tc.purposes_li == choices.purposes_li and tc.publisher_cc == "DE"
    assert tc.vendors_consent == choices.vendors_consent
    assert tc.vendors_li == choices.vendors_li
    assert tc.disclosed_vendors == choices.disclosed_vendors
    # The timestamp prefix can be swapped without touching the rest of the string.
    assert text[:13] == privacy.tcf_timestamp_prefix(created)
    later = privacy.tcf_timestamp_prefix(created + 864_000) + text[13:]
    assert decode_tc_string(later).created == created + 864_000


def test_us_sections_decode_with_the_chosen_opt_out_and_gpc() -> None:
    for section in (7, 8, 9, 10, 12):
        for opted_out, gpc in ((False, False), (True, True)):
            choices = privacy.UsChoices(opted_out=opted_out, gpc=gpc, mspa_covered=True)
            decoded = decode_us_section(section, privacy.us_section(section, choices))
            assert decoded["version"] == 1
            assert set(decoded["opt_outs"]) == {1 if opted_out else 2}
            assert decoded["mspa"] == [1, 1, 2]
            assert decoded["gpc"] == (gpc if section != 9 else None)


def test_us_privacy_strings() -> None:
    assert privacy.us_privacy_string(True, False, False) == "1YNN"
    assert privacy.us_privacy_string(True, True, True) == "1YYY"


def test_uuid_texts_are_version_4() -> None:
    raw = np.random.default_rng(1).integers(0, 2**63, size=200, dtype=np.uint64)
    text = uuid4_texts(raw).decode()
    for i in range(100):
        value = text[i * 36 : (i + 1) * 36]
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value
        )


def test_zipf_ranks_stay_in_range_and_favour_the_head() -> None:
    u = np.random.default_rng(2).random(100_000)
    size = np.full(u.shape, 1000)
    for exponent in (0.8, 1.0, 1.2):
        rank = zipf_rank(u, size, exponent)
        assert rank.min() == 0 and rank.max() <= 999
        assert (rank < 10).mean() > 0.1


def test_cents_table_writes_json_numbers() -> None:
    table = cents_table(1000)
    assert (
        table[0] == b"0.0"
        and table[7] == b"0.07"
        and table[150] == b"1.5"
        and table[1000] == b"10.0"
    )
