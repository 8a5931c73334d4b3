"""Page and content slugs read like a CMS's."""

from __future__ import annotations

import pytest

from mock_data_gen.synthesis.content import slug


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("López García gana en Málaga", "lopez-garcia-gana-en-malaga"),
        ("Straße über Köln", "strasse-uber-koln"),
        ("Łódź: żółta łódka", "lodz-zolta-lodka"),
        ("Ça coûte 15 €", "ca-coute-15"),
        ("東京のニュース", "item"),
    ],
)
def test_slugs_drop_accents_instead_of_breaking_words(title: str, expected: str) -> None:
    assert slug(title) == expected
