"""The ISO 4217 list that currencies in bid requests are checked against."""

from __future__ import annotations

import re

from mock_data_gen.openrtb import iso4217
from mock_data_gen.openrtb.iso4217 import CURRENCY_CODES


def test_the_list_is_list_one_of_its_stated_edition() -> None:
    # Table A.1 as published on 2026-01-01: 178 alphabetic codes of currencies and funds.
    assert iso4217.__doc__ is not None and "2026-01-01" in iso4217.__doc__
    assert len(CURRENCY_CODES) == 178
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in CURRENCY_CODES)


def test_recent_amendments_are_in_and_withdrawn_codes_out() -> None:
    # Introduced: Caribbean guilder, Zimbabwe Gold, Arab Accounting Dinar, redenominated leone.
    assert {"XCG", "ZWG", "XAD", "SLE", "VED", "USD", "EUR", "XXX"} <= CURRENCY_CODES
    # Withdrawn to Table A.3: Netherlands Antillean guilder, lev, convertible peso, kuna, ...
    assert not {"ANG", "BGN", "CUC", "HRK", "SLL", "ZWL", "VEF", "LTL"} & CURRENCY_CODES
