"""Over a whole simulated day the mix matches public industry figures (the design document lists
each with its source), pages read in their site's language, and consent names the publisher's
country."""

from __future__ import annotations

from collections import Counter, defaultdict

from decoders import decode_tc_string
from faker.providers.lorem.la import Provider as LatinLorem
from supply_samples import channel, placement, supply_samples

# Share of each banner size among display impressions: AdPiler, "Banner sizes: most common and
# popular" (2020, 500 billion impressions), with a tolerance around each figure.
BANNER_SIZES = {
    (300, 250): (0.30, 0.40),  # 35.0%
    (320, 50): (0.25, 0.35),  # 30.2%
    (728, 90): (0.10, 0.16),  # 12.6%
    (300, 600): (0.025, 0.055),  # 4.0%
    (160, 600): (0.02, 0.045),  # 3.3%
    (300, 50): (0.01, 0.035),  # 2.2%
    (336, 280): (0.01, 0.025),  # 1.7%
    (320, 100): (0.01, 0.025),  # 1.6%
    (970, 250): (0.007, 0.02),  # 1.3%
}
OTHER_SIZE_MAX = 0.01  # "other formats all less than 1% each"
# Extreme Reach Video Benchmarks 2020-2022: CTV 35-41% of video ad impressions.
CTV_VIDEO_SHARE = (0.33, 0.43)
# Publisher country by the ccTLD of its domain (".com" publishers are American).
TLD_COUNTRY = {
    "com": "US", "ca": "CA", "com.mx": "MX", "com.br": "BR", "com.ar": "AR", "co.uk": "GB",
    "de": "DE", "fr": "FR", "it": "IT", "es": "ES", "nl": "NL", "se": "SE", "pl": "PL",
    "in": "IN", "co.id": "ID", "jp": "JP", "com.au": "AU", "co.za": "ZA",
}  # fmt: skip
LATIN = frozenset(LatinLorem.word_list)


def _tld(domain: str) -> str:
    parts = domain.split(".")
    return ".".join(parts[-2:]) if parts[-2] in ("com", "co") else parts[-1]


def test_ctv_share_of_video_first_price_auctions_and_banner_sizes_over_a_day() -> None:
    video: Counter[str] = Counter()
    auctions: Counter[int] = Counter()
    sizes: Counter[tuple[int, int]] = Counter()
    for seed, samples in supply_samples().items():
        seed_video: Counter[str] = Counter()
        for request in samples.day.requests:
            auctions[request["at"]] += 1
            kind = channel(request)
            for imp in request["imp"]:
                if "video" in imp and kind != "dooh":
                    seed_video[kind] += 1
                if "banner" in imp and kind != "dooh":
                    sizes[(imp["banner"]["w"], imp["banner"]["h"])] += 1
        share = seed_video["ctv"] / seed_video.total()
        assert CTV_VIDEO_SHARE[0] - 0.05 < share < CTV_VIDEO_SHARE[1] + 0.05, (seed, seed_video)
        video += seed_video
    low, high = CTV_VIDEO_SHARE
    assert low < video["ctv"] / video.total() < high, video
    # First price everywhere at the major exchanges; second price only a small residual.
    assert 0.95 < auctions[1] / auctions.total() < 0.995 and auctions[2] > 0, auctions
    total = sizes.total()
    shares = {size: count / total for size, count in sizes.items()}
    for size, (lowest, highest) in BANNER_SIZES.items():
        assert lowest <= shares.get(size, 0.0) <= highest, (size, shares.get(size))
    others = {s: v for s, v in shares.items() if s not in BANNER_SIZES and v >= OTHER_SIZE_MAX}
    assert not others, others


def test_pages_have_their_own_titles_in_their_sites_language() -> None:
    for seed, samples in supply_samples().items():
        domains: dict[str, set[str]] = defaultdict(set)
        words: dict[str, set[str]] = defaultdict(set)
        latin: Counter[str] = Counter()
        checked: Counter[str] = Counter()
        for request in samples.requests:
            site = request.get("site")
            if site is None or "content" not in site:
                continue
            content = site["content"]
            domains[content["title"]].add(site["domain"])
            language = content["language"]
            if _tld(site["domain"]) == "com.br":
                assert language == "pt", (seed, site["domain"], language)
            for word in content["title"].lower().split():
                if len(word) >= 4:
                    checked[language] += 1
                    latin[language] += word in LATIN
            words[language].update(content.get("kwarray", []))
        # An article's title belongs to its page, not to dozens of sites.
        assert max(len(d) for d in domains.values()) <= 2, seed
        assert len(domains) > 1_000, seed
        for language, count in checked.items():
            assert latin[language] < 0.1 * count, (seed, language, latin[language], count)
        assert {"pt", "de", "fr", "ja"} <= set(checked) | set(words), (seed, sorted(checked))
        assert len(words["en"]) > 300 and len(words["pt"]) > 60, (seed, len(words["pt"]))


def test_tcf_publisher_country_is_the_publishers_not_the_users() -> None:
    for seed, samples in supply_samples().items():
        pairs: Counter[tuple[str, str]] = Counter()
        for request in samples.requests:
            consent = request.get("user", {}).get("consent")
            if consent is None:
                continue
            publisher_cc = decode_tc_string(consent).publisher_cc
            domain = placement(request)["publisher"]["domain"]
            assert publisher_cc == TLD_COUNTRY[_tld(domain)], (seed, domain, publisher_cc)
            pairs[(publisher_cc, request["device"]["geo"]["country"])] += 1
        # European users read American sites and apps too: their consent names the US.
        assert pairs[("US", "DEU")] > 5 and pairs[("DE", "DEU")] > 5, (seed, pairs)
