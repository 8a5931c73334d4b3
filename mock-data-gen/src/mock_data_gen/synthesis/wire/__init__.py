"""The wire layout of a bid request: which object opens and closes where, and the members' order.

The domain modules produce members, serialised once at start-up: ``media`` and ``placements``
an impression's members, ``floors`` its deals, ``inventory`` the ``site``/``app``/``dooh`` object,
``publishers`` the seller's request members, ``content`` the page or content, ``devices``,
``users`` and ``geo`` the device and its geo, ``users`` and ``identity`` the user and ``regs``.
This package alone wraps them into the pieces a request is joined from (``pieces``), and joins
them per request (``join``, :meth:`Wire.join`), so every brace and the order of the members are
written here. A request (OpenRTB 2.6 §3.2.1 BidRequest) reads::

    {"id":ID,"imp":[                                        Wire.join
      {IMP,"tagid":T,"bidfloor":F,"bidfloorcur":C           imp_opening, imp_tag, floor_values
      |{IMP,"tagid":T,"video":{POD,FLOORS},"bidfloor":F,..  pod_slot_tag, pod_floor
       [,"ext":{EXT,"tid":TID}]                             imp_ext_tid_opening, late_members
       [,"pmp":{..}][,"refresh":{..,"count":N}]             pmp_member, refresh_opening
       [,"qty":{..},"dt":D]},...],                          quantity_format
     "site"|"app"|"dooh":{PROPERTY[,PAGE]},                 property_opening, property_closing
     "device":{TEMPLATE,DEVICE,"geo":{GEO,"utcoffset":M}},  device_template, device_members,
                                                            utcoffset_closings
     ["user":{USER[,"consent":TC]}],                        user_object, screen_user
     SELLER,"source":{SOURCE,"tid":TID},                    seller_members
     "regs":{REGS[,"ext":{"dsa":{..}}]}}                    request_closing, regs_with_ext

Each piece closes what the previous one left open: an impression's members end with the floor
currency and its extras, so the next impression starts with ``},{`` and the site (or app, or
DOOH screen) with ``}],``; the page's piece closes the property and opens ``device``; the hour's
``utcoffset`` closes ``geo`` and ``device``; the seller's members open ``source`` and its ``tid``,
which the ``regs`` piece closes together with the request.

Members written per request sit at the end of their object: a CTV pod slot's ``video`` ends
with its duration floors, which follow the request's floor, in the floor's piece
(:func:`pod_floor`); an ``ext`` holding a transaction id follows the floor currency, among the
impression's extras (:meth:`Wire.late_members`); a TC string takes the publisher's country code
(PublisherCC) in its place; the DSA transparency of a request in the EU is the last member of
``regs``.
"""

from __future__ import annotations

from mock_data_gen.synthesis.wire.join import (
    ImpressionPieces,
    Impressions,
    PropertyPieces,
    Requests,
    UserPieces,
    Wire,
)
from mock_data_gen.synthesis.wire.pieces import (
    consent_split,
    device_members,
    device_template,
    floor_values,
    imp_ext_tid_opening,
    imp_opening,
    imp_tag,
    pmp_member,
    pod_floor,
    pod_slot_tag,
    property_closing,
    property_opening,
    quantity_format,
    refresh_opening,
    regs_with_ext,
    request_closing,
    screen_user,
    seller_members,
    user_object,
    utcoffset_closings,
)

__all__ = [
    "ImpressionPieces",
    "Impressions",
    "PropertyPieces",
    "Requests",
    "UserPieces",
    "Wire",
    "consent_split",
    "device_members",
    "device_template",
    "floor_values",
    "imp_ext_tid_opening",
    "imp_opening",
    "imp_tag",
    "pmp_member",
    "pod_floor",
    "pod_slot_tag",
    "property_closing",
    "property_opening",
    "quantity_format",
    "refresh_opening",
    "regs_with_ext",
    "request_closing",
    "screen_user",
    "seller_members",
    "user_object",
    "utcoffset_closings",
]
