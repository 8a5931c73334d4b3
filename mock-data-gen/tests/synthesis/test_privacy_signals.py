"""Privacy signals are consistent with where the user is and what they chose; IDs follow consent."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from decoders import decode_gpp_header, decode_tc_string, decode_us_section
from samples import Sample

from mock_data_gen.synthesis.geo_data import GDPR_COUNTRIES, MARKETS

ALPHA2 = {m.country: m.alpha2 for m in MARKETS}
STATE_SECTIONS = {"CA": 8, "VA": 9, "CO": 10, "CT": 12}
ZERO_IFA = "00000000-0000-0000-0000-000000000000"
DAY_DECISECONDS = 864_000


def _user_requests(sample: Sample) -> list[tuple[int, dict[str, Any]]]:
    return [
        (record.event_time_ms, request)
        for record, request in zip(sample.records, sample.requests, strict=True)
        if "dooh" not in request
    ]


def test_gdpr_flag_and_consent_string_only_for_eea_and_uk_users(big_sample: Sample) -> None:
    gdpr = 0
    for _, request in _user_requests(big_sample):
        country = request["device"]["geo"]["country"]
        in_scope = country in GDPR_COUNTRIES
        assert request["regs"]["gdpr"] == (1 if in_scope else 0)
        assert ("consent" in request.get("user", {})) == in_scope
        gdpr += in_scope
    for request in big_sample.requests:
        if "dooh" in request:
            assert "consent" not in request.get("user", {})  # a screen has no user to ask
    assert gdpr > 2000


def test_consent_strings_decode_as_tcf_v2_with_the_users_language_and_a_recent_date(
    big_sample: Sample,
) -> None:
    checked = 0
    for event_ms, request in _user_requests(big_sample):
        consent = request.get("user", {}).get("consent")
        if consent is None or checked >= 2000:
            continue
        checked += 1
        tc = decode_tc_string(consent)
        assert tc.version == 2 and tc.policy_version == 4 and tc.service_specific == 1
        assert tc.created == tc.last_updated and tc.created % DAY_DECISECONDS == 0
        event_ds = event_ms // 100
        assert event_ds - 395 * DAY_DECISECONDS <= tc.created <= event_ds
        assert tc.cmp_id > 0 and tc.vendor_list_version > 0
        device = request["device"]
        language = device.get("language") or device["langb"].split("-")[0]
        assert tc.consent_language == language.upper()
        # The publisher's country (test_mix_over_a_day checks it is the publisher's).
        assert tc.publisher_cc in ALPHA2.values()
        assert not tc.purposes_li & {3, 4, 5, 6}  # TCF 2.2: no legitimate interest for 3-6
        assert tc.disclosed_vendors and tc.vendors_consent <= tc.disclosed_vendors
    assert checked == 2000


def test_extended_ids_only_where_consent_and_tracking_state_allow(big_sample: Sample) -> None:
    sources = Counter()
    atypes = set()
    for _, request in _user_requests(big_sample):
        eids = request.get("user", {}).get("eids", [])
        regs, device = request["regs"], request["device"]
        for eid in eids:
            sources[eid["source"]] += 1
            atypes.update(uid["atype"] for uid in eid["uids"])
        if not eids:
            continue
        assert regs.get("coppa") != 1 and device.get("lmt") != 1
        if "consent" in request.get("user", {}):
            tc = decode_tc_string(request.get("user", {})["consent"])
            assert {1, 3, 4} <= tc.purposes_consent
        if "us_privacy" in regs:
            assert regs["us_privacy"][2] == "N", "opted-out US users get no IDs"
    assert {"id5-sync.com", "liveramp.com", "uidapi.com", "criteo.com", "pubcid.org"} <= set(
        sources
    )
    assert atypes == {1, 2, 3}


def test_users_who_refused_consent_get_no_ids_and_a_truncated_ip(big_sample: Sample) -> None:
    refused = 0
    for _, request in _user_requests(big_sample):
        consent = request.get("user", {}).get("consent")
        if consent is None:
            continue
        tc = decode_tc_string(consent)
        if {1, 3, 4} <= tc.purposes_consent:
            continue
        refused += 1
        assert "eids" not in request.get("user", {})
        if "ip" in request["device"]:
            assert request["device"]["ip"].endswith(".0")
        if 1 not in tc.purposes_consent:
            assert "ifa" not in request["device"]
    assert refused > 100


def test_us_users_carry_us_privacy_and_a_gpp_string_whose_header_lists_the_sections(
    big_sample: Sample,
) -> None:
    sections_seen = Counter()
    for _, request in _user_requests(big_sample):
        regs = request["regs"]
        is_us = request["device"]["geo"]["country"] == "USA"
        assert ("us_privacy" in regs) == is_us and ("gpp" in regs) == is_us
        if not is_us:
            continue
        assert re.fullmatch(r"1[YN-][YN-][YN-]", regs["us_privacy"])
        header, *sections = regs["gpp"].split("~")
        ids = decode_gpp_header(header)
        assert len(ids) == len(sections) and set(regs["gpp_sid"]) <= set(ids)
        (applied,) = regs["gpp_sid"]
        sections_seen[applied] += 1
        state = request["device"]["geo"]["region"]
        assert applied in (7, STATE_SECTIONS.get(state, 7))
        decoded = decode_us_section(applied, sections[ids.index(applied)])
        assert decoded["version"] == 1
        opted_out = regs["us_privacy"][2] == "Y"
        assert set(decoded["opt_outs"]) == {1 if opted_out else 2}
        if 6 in ids:
            assert sections[ids.index(6)] == regs["us_privacy"]
    assert sections_seen[7] > 1000 and sections_seen[8] > 100


def test_coppa_requests_come_from_apps_and_carry_no_personal_identifiers(
    big_sample: Sample,
) -> None:
    coppa = [
        (record, request)
        for record, request in zip(big_sample.records, big_sample.requests, strict=True)
        if request["regs"].get("coppa") == 1
    ]
    assert len(coppa) > 50
    for record, request in coppa:
        assert "app" in request
        device, user = request["device"], request.get("user", {})
        assert "ifa" not in device and "lat" not in device["geo"] and "zip" not in device["geo"]
        assert device["ip"].endswith(".0")
        # Child-directed: no persistent identifier (user.id, buyeruid, eids, ifa) at all.
        assert set(user) <= {"consent"} and record.user_id == ""


def test_limited_ad_tracking_zeroes_or_drops_the_advertising_id(big_sample: Sample) -> None:
    states = Counter()
    for _, request in _user_requests(big_sample):
        device = request["device"]
        if "app" not in request or request["regs"].get("coppa") == 1:
            continue
        states[device["lmt"]] += 1
        if device["lmt"] == 1:
            assert device.get("ifa", ZERO_IFA) == ZERO_IFA
        if device["os"] == "iOS":
            atts = device["ext"]["atts"]
            assert atts in (0, 1, 2, 3) and (device["lmt"] == 0) == (atts == 3)
    assert states[0] > states[1] > 0
    zeroed = sum(1 for _, r in _user_requests(big_sample) if r["device"].get("ifa") == ZERO_IFA)
    assert zeroed > 100


def test_source_has_a_transaction_id_and_a_complete_supply_chain(big_sample: Sample) -> None:
    tids = set()
    exchange_of: dict[str, str] = {}
    reseller_account: dict[tuple[str, str], str] = {}
    resold = 0
    for request in big_sample.requests:
        source = request["source"]
        tids.add(source["tid"])
        chain = source["schain"]
        assert chain["complete"] == 1 and chain["ver"] == "1.0"
        nodes = chain["nodes"]
        assert all(node["asi"] and node["sid"] and node["hp"] == 1 for node in nodes)
        last = nodes[-1]
        assert "." in last["asi"] and not last["asi"].endswith(".example")
        publisher = (request.get("site") or request.get("app") or request["dooh"])["publisher"]
        # Each publisher is sold by one exchange.
        assert exchange_of.setdefault(publisher["id"], last["asi"]) == last["asi"]
        if len(nodes) == 1:
            assert last["sid"] == publisher["id"]
        else:
            # The exchange's seller is the reseller, under the reseller's one account there.
            resold += 1
            assert len(nodes) == 2 and nodes[0]["asi"] != last["asi"]
            assert last["sid"] != publisher["id"]
            key = (nodes[0]["asi"], last["asi"])
            assert reseller_account.setdefault(key, last["sid"]) == last["sid"]
        # The site's wrapper inserts the EIDs where it decides (fd 1), else the exchange.
        inserter = request["site"]["domain"] if source["fd"] == 1 else last["asi"]
        for eid in request.get("user", {}).get("eids", []):
            assert eid["inserter"] == inserter
    assert len(tids) == len(big_sample.requests)
    assert len(set(exchange_of.values())) >= 6 and resold > 1000
