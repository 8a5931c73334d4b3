"""Checking OpenRTB 2.6 bid requests produced elsewhere, one JSON document or JSON Lines at a time.

Three kinds of check, all in one pass over each request and all reported together, each on the
input line of the member concerned:

- the models' errors (``model_errors``): malformed JSON, wrong JSON types, missing required
  fields and values the spec does not allow (flags other than 0/1, negative floors, ...);
- the semantic rules (``catalogue``): what the spec and its implementation guidance require or
  advise across fields and inside strings (an impression with no media, a maximum below its
  minimum, a GPP string whose header does not decode, ...), errors or warnings by what the spec
  says (see ``rules``);
- notes on single members (``notes``): unknown fields, ``null`` members, unlisted codes, country,
  currency and consent string formats; warnings, some of them errors in strict mode.

Rules and notes read the JSON itself rather than the parsed request, so that they report on a
request the models reject too, and every case rather than the first one of an object.
"""

from mock_data_gen.validation.catalogue import RULES, RULES_BY_ID
from mock_data_gen.validation.check import check_document, check_stream
from mock_data_gen.validation.documents import Document, split_documents
from mock_data_gen.validation.findings import CheckedRequest, Finding, Severity, Summary
from mock_data_gen.validation.rules import Rule

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "CheckedRequest",
    "Document",
    "Finding",
    "Rule",
    "Severity",
    "Summary",
    "check_document",
    "check_stream",
    "split_documents",
]
