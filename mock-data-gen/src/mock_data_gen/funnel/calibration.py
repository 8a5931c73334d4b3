"""The funnel's rates and delays, each with the public figure it is calibrated to.

The design document (§3.6, "The auction funnel") tabulates the same figures with what the
generator measures; ``tests/funnel/test_calibration.py`` checks that generated streams land in
the cited ranges. Where no public figure exists the constant says so: it is an assumption.
"""

from __future__ import annotations

from typing import Final

from mock_data_gen.openrtb.reasons import MarkupType

# --- Bidders: bid rate, timeouts, latency ---------------------------------------------------------

# Bid rate of one demand source = bid responses / bid requests sent to it. "Typical bid rates range
# from 15-60% depending on app category, geography, and inventory quality" (Rivermob glossary,
# "Bid rate"); Pubstack's worked example of a header bidder: 30% bids, 50% no-bids, 20% timeouts
# (pubstack.io, "Optimising Prebid timeouts"). Each simulated DSP's measured rate lands in this
# band: it has demand for a larger share of its calls (``dsps.population``), of which valuations
# below the floor, its filters, unmatched users and timeouts remove some.
BID_RATE_RANGE: Final = (0.15, 0.60)

# Timeout rate of a bidder = responses past the deadline / requests: "usually <5%, at most 10%"
# (pubstack.io, "Timeouts: immediate results"). Latencies are drawn per DSP (log-normal around its
# median) so that, against the requests' own ``tmax`` (200-3000 ms), the mean lands near 3%.
TIMEOUT_RATE_RANGE: Final = (0.005, 0.10)
# Medians of DSP response times (ms) and the log-normal spread; a small share of calls stalls (a
# GC pause, a saturated link) and answers only after 1-3x the deadline.
LATENCY_MEDIAN_MS_RANGE: Final = (60.0, 130.0)
LATENCY_SIGMA: Final = 0.45
STALL_SHARE: Final = 0.015

# A bidder without demand for a request answers an empty HTTP 204: "an empty HTTP response
# constitutes a no-bid and is in fact the most bandwidth friendly form of this signal although
# returning a response with a 'no-bid reason' is encouraged" (OpenRTB 2.6 §4). Where it declines
# for a reason of the No-Bid Reason list it sends a BidResponse with ``nbr`` this often (the rest
# 204); an assumption, as are the shares of the reasons below.
NBR_SHARE: Final = 0.6
# A bidder's own filters decline some calls with a reason, consistently, as real filters do:
# - each DSP blocks a share of publishers outright (brand safety, past invalid traffic, terms),
#   and declines every call for one of them (nbr 7, Blocked Publisher or Site);
# - a share of requests shows signs of non-human traffic or comes from a data-centre or proxy IP,
#   and most bidders' pre-bid filters (often fed by the same verification vendors) flag the same
#   requests: each flags such a request this often (nbr 4 or 5, weighted);
# - at random, a technical error on the bidder's side (nbr 1).
# About 4.5% of calls in all; the shares are assumptions.
BLOCKED_PUBLISHER_SHARE: Final = 0.02
SUSPECTED_TRAFFIC_SHARE: Final = 0.03
SUSPECTED_TRAFFIC_DETECTION: Final = 0.75
SUSPECTED_TRAFFIC_REASONS: Final = {4: 0.6, 5: 0.4}
TECHNICAL_ERROR_SHARE: Final = 0.0025
FILTER_REASONS: Final = frozenset({1, 4, 5, 7})
# Bidders bid less often on users they cannot recognise (no buyeruid, eids or device id): their
# audience targeting has nothing to match, so this share of such requests is declined with nbr 8.
UNMATCHED_DECLINE: Final = 0.6

# Fill (impressions auctioned with a winner / impressions offered): "industry average fill rates on
# open exchanges range from 70-90% for premium publishers and 40-70% for long-tail inventory"
# (MV3 Marketing glossary, "Fill rate"). It is not set directly: it follows from how bidders'
# demand gathers on some inventory and shuns the rest (``funnel.demand``). Each publisher's demand
# level (log-odds added to every DSP's bid rate) is normal around 0 with this spread, and each
# request's level spreads around its publisher's by the second; fitted so that the least
# sought-after fifth of the inventory fills as the long tail does, the middle as premium
# publishers do, and the most sought-after as header bidding does ("85-95%", the same source).
FILL_RATE_PREMIUM: Final = (0.70, 0.90)
FILL_RATE_LONG_TAIL: Final = (0.40, 0.70)
FILL_RATE_HEADER_BIDDING: Final = (0.85, 0.95)
PUBLISHER_DEMAND_SIGMA: Final = 2.0
REQUEST_DEMAND_SIGMA: Final = 3.0

# --- The auction ---------------------------------------------------------------------------------

# Win rate of a bid = wins / bids. Industry benchmarks (Rivermob glossary, "Win rate"): display
# 10-25%, video 5-20%, mobile apps 8-22%. It is not set directly: it follows from how many DSPs bid
# on an impression and how they price, and tests check that it lands in this band.
WIN_RATE_RANGE: Final = (0.05, 0.25)

# The second-price increment: "the clearing price is the second-best price plus $0.01" (OpenRTB
# 2.6 §4.4.1, the ${AUCTION_MIN_TO_WIN} second-price example). In the request's currency.
SECOND_PRICE_INCREMENT: Final = 0.01

# Time the exchange takes to run the auction after the last awaited response (ms).
AUCTION_PROCESSING_MS: Final = (2, 12)

# --- Rendering (the billable impression) ---------------------------------------------------------

# Share of wins that render and fire the billing notice. The accepted discrepancy between the
# parties' impression counts is 10% (IAB Canada glossary, "Discrepancy": "the discrepancy tolerance
# threshold is 10%"; likewise AdLibertas, "The ad industry benchmark for discrepancies is +/- 10%");
# a gap above 25% between ads served and impressions signals a render-rate problem (Google IMA SDK
# team, ima-sdk forum). Apps render less (ads prefetched for a level's end are never shown, OpenRTB
# 2.6 implementation guide §7.2), screens and server-stitched streams almost always.
RENDER_RATE: Final = {"web": 0.92, "app": 0.87, "ctv": 0.95, "dooh": 0.97}
RENDER_RATE_RANGE: Final = (0.75, 1.0)

# Delay from the win to the render (seconds; log-normal median and spread). A web ad renders as
# the page lays it out; apps often cache the ad ("can delay the rendering of the ad for many
# minutes", implementation guide §7.2); a CTV break plays when the stream reaches it; DOOH plays
# are scheduled ("significant delay between winning an auction, and the creative actually being
# rendered", implementation guide §7.9). The render never happens after ``imp.exp``.
RENDER_DELAY_S: Final = {
    "web": (0.8, 0.8),
    "app": (3.0, 1.4),
    "ctv": (20.0, 1.2),
    "dooh": (90.0, 0.9),
}

# Viewable share of measured impressions (MRC: 50% of pixels for 1 s, video 2 s). DoubleVerify,
# Global Quality Benchmarks Q1 2024: display viewable rate 64-74% by region (North America 73%),
# video 76-84% (North America 79%); IAS, Viewability Essentials Guide: "viewability averages stand
# above 65% across nearly all formats" (H2 2020 Media Quality Report). Where the request carries the
# exchange's own viewability prediction (``imp.metric`` type "viewability") that prediction is the
# probability; otherwise these means are.
VIEWABLE_RATE: Final = {MarkupType.BANNER: 0.70, MarkupType.NATIVE: 0.70, MarkupType.VIDEO: 0.79}
VIEWABLE_RATE_RANGE: Final = (0.60, 0.85)

# --- Clicks --------------------------------------------------------------------------------------

# Click-through rate by markup type, and for video by screen:
# - banner 0.10%: display CTR 0.05% across all formats (Google/DoubleClick Display Benchmarks, via
#   Smart Insights, "Average display advertising clickthrough rates", 2018), standard banners
#   0.16% (Sizmek H1 2016, via MarketingCharts), "display banners: 0.05%-0.15%" (C Wire, 2025);
# - native 0.30%: "native ads: 0.20%-0.60%" (C Wire, 2025);
# - video off the TV 0.50%: in-stream video 1.03% (MediaMind 2012, via MarketingCharts), clickable
#   video formats 0.30-0.80% (C Wire, 2025);
# - connected TV and DOOH 0: the screen has no pointer (clickable CTV formats are not simulated);
# - audio 0.05%: only the companion banner is clickable; an assumption (no public figure).
CTR: Final = {
    MarkupType.BANNER: 0.0010,
    MarkupType.NATIVE: 0.0030,
    MarkupType.VIDEO: 0.0050,
    MarkupType.AUDIO: 0.0005,
}
CTR_RANGE: Final = {
    MarkupType.BANNER: (0.0005, 0.0016),
    MarkupType.NATIVE: (0.0020, 0.0060),
    MarkupType.VIDEO: (0.0030, 0.0103),
}

# Delay from the impression to the click (seconds; log-normal median and spread): most clicks
# come within seconds of the ad appearing, some after minutes on the page. Capped at 30 minutes.
CLICK_DELAY_S: Final = (8.0, 1.2)
CLICK_DELAY_MAX_S: Final = 1800.0
# Share of clicks reported late (the tracker retries, the device was offline), and by how much
# (seconds): produced after later events, so stream joins see out-of-order input. An assumption.
LATE_CLICK_SHARE: Final = 0.02
LATE_CLICK_DELAY_S: Final = (300.0, 3600.0)
