"""The pieces of a request: each wraps members that a domain module serialised once into the
opening or closing of its object, in the layout the package docstring draws (OpenRTB 2.6 §3.2)."""

from __future__ import annotations

from typing import Final

from mock_data_gen.synthesis.fragments import dumps
from mock_data_gen.synthesis.privacy import TCF_PUBLISHER_CC_CHARS, TCF_TIMESTAMP_CHARS

# Where the publisher's country code sits in a TC string's body (after its timestamp prefix).
_CC_AT: Final = TCF_PUBLISHER_CC_CHARS[0] - TCF_TIMESTAMP_CHARS
_CC_END: Final = TCF_PUBLISHER_CC_CHARS[1] - TCF_TIMESTAMP_CHARS


def imp_opening(position: int, members: bytes) -> bytes:
    """The start of the impression at ``position`` (0-based) of the ``imp`` array, up to its
    ``tagid`` (OpenRTB 2.6 §3.2.4 Imp): later ones first close the previous impression."""
    return (b"{" if position == 0 else b"},{") + members + b","


def imp_tag(tagid: str, ext: bytes = b"") -> bytes:
    """An impression's ``ext`` with these members (none if empty) and ``tagid``, followed by the
    name of its floor (the value is per request)."""
    opening = b'"ext":{' + ext + b"}," if ext else b""
    return opening + b'"tagid":' + dumps(tagid) + b',"bidfloor":'


def floor_values(values: list[bytes], currency: str) -> list[bytes]:
    """``bidfloor`` values (JSON numbers) followed by ``bidfloorcur``: the currency of an
    impression's floor and deals; one piece per floor and currency, which placements share."""
    cur = b',"bidfloorcur":"' + currency.encode() + b'"'
    return [value + cur for value in values]


def pod_slot_tag(tagid: str, video: bytes) -> bytes:
    """A CTV pod slot's ``tagid`` and its ``video`` (OpenRTB 2.6 §3.2.7) with these members, left
    open for the duration floors that its floor's piece writes (:func:`pod_floor`)."""
    return b'"tagid":' + dumps(tagid) + b',"video":{' + video + b","


def pod_floor(duration_floors: bytes, value: bytes) -> bytes:
    """The floor piece of a CTV pod slot (after :func:`pod_slot_tag`): the video's duration floors
    for this floor, closing the video, then the floor's ``value`` (a :func:`floor_values` piece)."""
    return duration_floors + b'},"bidfloor":' + value


def imp_ext_tid_opening(members: bytes) -> bytes:
    """An impression's ``ext`` with its static members (may be empty), left open at the
    per-impression transaction id (``ext.tid``) each request writes, which closes it
    (:meth:`Wire.late_members`)."""
    return b',"ext":{' + (members + b"," if members else b"") + b'"tid":"'


def pmp_member(pmp: bytes) -> bytes:
    """An impression's ``pmp`` (OpenRTB 2.6 §3.2.11 Pmp) from its serialised object."""
    return b',"pmp":' + pmp


def refresh_opening(refsettings: bytes) -> bytes:
    """An impression's ``refresh`` (OpenRTB 2.6 §3.2.33) up to its ``count``, which each request
    writes (closing the object)."""
    return b',"refresh":{"refsettings":' + refsettings + b',"count":'


def quantity_format(source: bytes) -> bytes:
    """A DOOH impression's ``qty`` (OpenRTB 2.6 §3.2.31 Qty) and ``dt`` as a ``%`` format of the
    multiplier and the display time; ``source`` holds the members that name the measurement."""
    return b',"qty":{"multiplier":%.1f,' + source + b'},"dt":%d'


def property_opening(kind: str, members: bytes) -> bytes:
    """Closes the last impression and the ``imp`` array, then opens the request's ``site``, ``app``
    or ``dooh`` (``kind``; OpenRTB 2.6 §3.2.13, §3.2.14, §3.2.32) with its members."""
    return b'}],"' + kind.encode() + b'":{' + members


def property_closing(page: bytes) -> bytes:
    """The property's last members (a site's ``page``/``ref``/``content``, an app's ``content``;
    empty for none), closing it and opening ``device`` (OpenRTB 2.6 §3.2.18)."""
    return (b"," + page if page else b"") + b'},"device":{'


def device_template(members: bytes) -> bytes:
    """The device members shared by every user of a model (make, ua, sua, screen...)."""
    return members + b","


def device_members(members: bytes, geo: bytes) -> bytes:
    """One user's or screen's own ``device`` members, then its ``geo`` (OpenRTB 2.6 §3.2.19),
    left open for the hour's ``utcoffset``."""
    return members + b',"geo":{' + geo


def utcoffset_closings(offsets: list[int]) -> list[bytes]:
    """``geo.utcoffset`` (minutes) closing ``geo`` and ``device``, one piece per offset."""
    return [b',"utcoffset":%d}}' % offset for offset in offsets]


def user_object(members: bytes, rest: bytes, consent: bool) -> tuple[bytes, bytes]:
    """The ``user`` object (OpenRTB 2.6 §3.2.20) as (head, tail): ``members`` its ids, ``rest``
    its ``eids`` and ``data`` members (may be empty). With ``consent`` the head ends where the
    consent string begins and the tail follows it; otherwise the head is the whole object."""
    tail = (b"," + rest if rest else b"") + b"}"
    head = b',"user":{' + members
    if not consent:
        return head + tail, b""
    return head + b',"consent":"', b'"' + tail


def consent_split(body: bytes) -> tuple[bytes, bytes]:
    """A TC string's body (after its timestamp prefix) without its publisher's country code
    (PublisherCC), which each request puts in: (the characters before it, those after it)."""
    return body[:_CC_AT], body[_CC_END:]


def screen_user(user_id: str) -> bytes:
    """The ``user`` of a DOOH screen: the screen's audience id only."""
    return b',"user":{"id":"' + user_id.encode() + b'"}'


def seller_members(members: bytes, source: bytes) -> bytes:
    """The request's seller-dependent members (``at``, ``tmax``, ``cur``, ``bcat``, ``badv``),
    then ``source`` (OpenRTB 2.6 §3.2.2) with its members, left open at its ``tid``."""
    return b"," + members + b',"source":{' + source + b',"tid":"'


def request_closing(regs: bytes) -> bytes:
    """Closes ``source.tid`` and ``source``, adds ``regs`` (OpenRTB 2.6 §3.2.3) and closes the
    request."""
    return b'"},"regs":' + regs + b"}"


def regs_with_ext(closing: bytes, ext: bytes) -> bytes:
    """A ``request_closing`` piece whose ``regs`` gains an ``ext`` with these members."""
    if not closing.endswith(b"}}") or b'"ext":' in closing:
        raise ValueError(f"regs already has an ext or is not a request closing: {closing!r}")
    return closing[:-2] + b',"ext":{' + ext + b"}}}"
