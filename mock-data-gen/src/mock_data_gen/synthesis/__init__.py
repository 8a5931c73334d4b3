"""Realistic OpenRTB 2.6 bid request synthesis: pure logic, no network.

``BidRequestGenerator(seed).generate_batch(event_times_ms)`` returns ``BidRequestRecord`` objects
carrying the compact JSON payload and the ids a Kafka sink keys on (``generate_columns`` the same
as one column-wise ``RecordBatch``); see ``generator`` for the determinism and speed design and
``profile`` for the traffic mix.
"""

from mock_data_gen.synthesis.generator import BidRequestGenerator
from mock_data_gen.synthesis.profile import DEFAULT_PROFILE, TrafficProfile
from mock_data_gen.synthesis.records import BidRequestRecord, RecordBatch

__all__ = [
    "DEFAULT_PROFILE",
    "BidRequestGenerator",
    "BidRequestRecord",
    "RecordBatch",
    "TrafficProfile",
]
