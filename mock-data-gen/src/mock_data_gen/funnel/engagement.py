"""After the auction: whether and when the won ad renders (the billable impression, ``burl``
fired), whether it was viewable where viewability is measured, and whether and when it is clicked.

Rendering follows the billing-notice practice of the OpenRTB 2.6 implementation guide §7.8: the
exchange fires ``burl`` server-side once the ad has rendered. A render later than the bid's
advisory window (``imp.exp``, §7.2) does not happen: the ad expired in the cache. Viewability
(MRC: 50% of pixels for 1 s, video 2 s) is measured where the placement is measurable (Open
Measurement, API 7, or a viewability metric in the request), never for audio, CTV or screens.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from mock_data_gen.funnel import calibration
from mock_data_gen.funnel.opportunity import Slot
from mock_data_gen.openrtb.reasons import MarkupType

_UNMEASURED_CHANNELS = frozenset({"ctv", "dooh"})


@dataclass(slots=True)
class Render:
    delay_ms: int
    measured: bool
    viewable: bool  # False where not measured


@dataclass(slots=True)
class Click:
    delay_ms: int  # after the impression
    report_delay_ms: int  # how much later than its event time it is reported (0: on time)


def render(slot: Slot, channel: str, rnd: random.Random) -> Render | None:
    """The won ad's render, or None where it never renders."""
    if rnd.random() >= calibration.RENDER_RATE[channel]:
        return None
    median, sigma = calibration.RENDER_DELAY_S[channel]
    delay_s = rnd.lognormvariate(math.log(median), sigma)
    if slot.exp is not None and delay_s > slot.exp:
        return None
    measured = (
        slot.mtype in calibration.VIEWABLE_RATE
        and channel not in _UNMEASURED_CHANNELS
        and (slot.omid or slot.viewability is not None)
    )
    viewable = False
    if measured:
        chance = slot.viewability
        if chance is None:
            chance = calibration.VIEWABLE_RATE[slot.mtype]
        viewable = rnd.random() < chance
    return Render(max(1, round(delay_s * 1000)), measured, viewable)


def click_through_rate(mtype: MarkupType, channel: str) -> float:
    """The chance an impression is clicked: none on a TV or a screen, which have no pointer."""
    if channel in _UNMEASURED_CHANNELS:
        return 0.0
    return calibration.CTR[mtype]


def click(mtype: MarkupType, channel: str, rnd: random.Random) -> Click | None:
    """A click on the impression, or None."""
    if rnd.random() >= click_through_rate(mtype, channel):
        return None
    median, sigma = calibration.CLICK_DELAY_S
    delay_s = min(rnd.lognormvariate(math.log(median), sigma), calibration.CLICK_DELAY_MAX_S)
    report_s = 0.0
    if rnd.random() < calibration.LATE_CLICK_SHARE:
        report_s = rnd.uniform(*calibration.LATE_CLICK_DELAY_S)
    return Click(max(1, round(delay_s * 1000)), round(report_s * 1000))
