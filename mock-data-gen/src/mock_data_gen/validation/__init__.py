"""Checking OpenRTB 2.6 bid requests produced elsewhere, one JSON document or JSON Lines at a time.

Errors make a request invalid: malformed JSON, wrong JSON types, missing required fields, values
the spec does not allow (flags other than 0/1, negative floors, ...) and broken "only one of"
rules (``model_errors``). Warnings leave it valid (``notes``): members the spec does not define
for their object (most often a misspelling, hence the "did you mean" hint; errors in strict
mode), country codes that are not ISO 3166-1 alpha-3 and currencies that are not ISO 4217 codes
(errors in strict mode), consent strings that are not TCF v2, explicit ``null`` members (read as
absent) and coded values that their AdCOM list does not define (lists grow, so these are only
suspicious).

Warnings are read from the JSON itself rather than from the parsed request, so one pass reports
them next to the errors of an invalid request.
"""

from mock_data_gen.validation.check import check_document, check_stream
from mock_data_gen.validation.documents import Document, split_documents
from mock_data_gen.validation.findings import CheckedRequest, Finding, Severity, Summary

__all__ = [
    "CheckedRequest",
    "Document",
    "Finding",
    "Severity",
    "Summary",
    "check_document",
    "check_stream",
    "split_documents",
]
