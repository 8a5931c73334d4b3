"""How much demand a request meets: the bidders' appetite for a publisher's inventory and for the
impression at hand, which is what separates premium fill from long-tail fill.

A DSP called on a request has demand for it (a campaign that targets it, with budget left) with a
probability set by its own bid rate and the request's demand level: the log-odds of the one plus
the other. The level is the publisher's, drawn once per publisher from the seed (sought-after
publishers draw many bidders, the long tail few), plus the request's own draw (the user, the page,
the moment). Every DSP called sees the same level, so bids gather on the same requests and an
impression nobody wants goes unfilled, as on real exchanges (``calibration.FILL_RATE_PREMIUM`` and
``FILL_RATE_LONG_TAIL``); DSPs deciding independently of each other, about 13 called a request,
would leave almost no impression unfilled.
"""

from __future__ import annotations

import math
import random
from typing import Final

from mock_data_gen.funnel import calibration


class DemandLevels:
    """Each publisher's demand level (log-odds), drawn from the seed the first time it is asked
    for, so that it does not depend on which requests came first."""

    # Far more than the generator's publishers (a few thousand); a bound all the same, as the
    # simulator also reads requests from elsewhere.
    MAX_PUBLISHERS: Final = 65_536

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._levels: dict[str, float] = {}

    def of_publisher(self, publisher_id: str) -> float:
        level = self._levels.get(publisher_id)
        if level is None:
            rnd = random.Random(f"funnel-demand:{self.seed}:{publisher_id}")
            level = rnd.gauss(0.0, calibration.PUBLISHER_DEMAND_SIGMA)
            if len(self._levels) >= self.MAX_PUBLISHERS:
                self._levels.clear()
            self._levels[publisher_id] = level
        return level

    def of_request(self, publisher_id: str, rnd: random.Random) -> float:
        """The level of one request of the publisher, drawn with the request's ``rnd``."""
        return self.of_publisher(publisher_id) + rnd.gauss(0.0, calibration.REQUEST_DEMAND_SIGMA)


def has_demand_probability(bid_rate: float, level: float) -> float:
    """The chance a DSP of this bid rate has demand for a request of this demand level."""
    return 1.0 / (1.0 + math.exp(-(math.log(bid_rate / (1.0 - bid_rate)) + level)))
