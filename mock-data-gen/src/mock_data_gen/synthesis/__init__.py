"""Realistic OpenRTB 2.6 bid request synthesis: pure logic, no network.

``BidRequestGenerator(seed).generate_batch(event_times_ms)`` returns ``BidRequestRecord`` objects
carrying the compact JSON payload and the ids a Kafka sink keys on; see ``generator`` for the
determinism and speed design and ``profile`` for the traffic mix.
"""

from mock_data_gen.synthesis.generator import BidRequestGenerator, BidRequestRecord
from mock_data_gen.synthesis.profile import DEFAULT_PROFILE, TrafficProfile

__all__ = ["DEFAULT_PROFILE", "BidRequestGenerator", "BidRequestRecord", "TrafficProfile"]
