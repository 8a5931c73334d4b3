"""The wire layout of a bid request: which object opens and closes where, and the members' order.

The domain modules produce members, serialised once at start-up: ``media`` and ``placements``
an impression's members, ``floors`` its deals, ``inventory`` the ``site``/``app``/``dooh`` object,
``publishers`` the seller's request members, ``content`` the page or content, ``devices``,
``users`` and ``geo`` the device and its geo, ``users`` and ``identity`` the user and ``regs``.
This module alone wraps them into the pieces a request is joined from, and joins them per request
(:meth:`Wire.join`), so every brace and the order of the members are written here. A request
(OpenRTB 2.6 §3.2.1 BidRequest) reads::

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

from dataclasses import dataclass, field
from typing import Final

from mock_data_gen.synthesis.fragments import dumps
from mock_data_gen.synthesis.privacy import TCF_PUBLISHER_CC_CHARS, TCF_TIMESTAMP_CHARS

_REQUEST_OPENING: Final = b'{"id":"'
_IMPS_OPENING: Final = b'","imp":['
# A child-directed app's user object: under GDPR the consent string alone (COPPA).
_COPPA_USER_OPENING: Final = b',"user":{"consent":"'
_CONSENT_CLOSING: Final = b'"}'
# Refresh counts (OpenRTB 2.6 §3.2.33 Refresh.count), each closing the refresh object.
_REFRESH_COUNTS: Final = [b"%d}" % count for count in range(8)]
# Where the publisher's country code sits in a TC string's body (after its timestamp prefix).
_CC_AT: Final = TCF_PUBLISHER_CC_CHARS[0] - TCF_TIMESTAMP_CHARS
_CC_END: Final = TCF_PUBLISHER_CC_CHARS[1] - TCF_TIMESTAMP_CHARS
_TID_CLOSING: Final = b'"}'


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


@dataclass(frozen=True, slots=True)
class ImpressionPieces:
    """Pieces of impressions, by placement (a templated slot of a property)."""

    opening: list[bytes]  # imp_opening
    tag: list[bytes]  # imp_tag
    # bidfloor and bidfloorcur by floor key (floor_values), for each currency, then for CTV pod
    # slots (pod_slot_tag) by form of duration floors and currency (pod_floor, b"" until a
    # request first needs it): see assembly.FLOOR_STRIDE.
    floor: list[bytes]
    pmp: list[bytes]  # pmp_member, by deal variant
    refresh: list[bytes]  # refresh_opening, b"" for slots that do not refresh
    quantity: bytes  # quantity_format
    # The opening of an ext each request closes with a transaction id (imp_ext_tid_opening), b""
    # for placements without one.
    late: list[bytes]


@dataclass(frozen=True, slots=True)
class PropertyPieces:
    """Pieces of the property (site, app or DOOH screen) and the seller, by property; ``closing``
    by page or content."""

    opening: list[bytes]  # property_opening
    closing: list[bytes]  # property_closing
    seller: list[bytes]  # seller_members
    exchange: list[bytes]  # the selling exchange's domain, for user.eids[].inserter
    # DOOH screens only (b"" / "" for other properties):
    screen_device: list[bytes]  # device_members
    screen_user: list[bytes]  # screen_user
    screen_user_id: list[str]
    screen_closing: list[bytes]  # request_closing
    # The TC string characters that hold the publisher's country code (b"" for DOOH screens).
    publisher_cc: list[bytes]
    # The publisher's DSA transparency: an index into ``dsa_ext`` (0: it sends none), and the
    # members of ``regs.ext`` by index.
    dsa: list[int]
    dsa_ext: list[bytes]


@dataclass(frozen=True, slots=True)
class UserPieces:
    """Pieces of users (by user, or context-major: ``user + count * context``), filled as users
    are first seen."""

    ids: list[str]  # user.id
    template: list[int]  # index into ``templates``, by user and context (0 web, 1 app)
    templates: list[bytes]  # device_template
    device: list[bytes]  # device_members, by user and context (0 web, 1 app, 2 COPPA app)
    # user_object's head and tail by user and context (0 web, 1 app), each split where the
    # selling exchange's domain goes (eids[].inserter).
    heads: list[tuple[bytes, ...]]
    tails: list[tuple[bytes, ...]]
    # The TC string after its timestamp prefix, up to PublisherCC (consent_split), and the end
    # of it after PublisherCC (GDPR users).
    consent: list[bytes]
    consent_end: list[bytes]
    regs: list[int]  # index into ``closing`` and ``coppa_closing``
    closing: list[bytes]  # request_closing
    coppa_closing: list[bytes]  # request_closing with regs.coppa


@dataclass(frozen=True, slots=True)
class Impressions:
    """A chunk's impressions, request after request: request ``i`` has ``counts[i]`` of them."""

    counts: list[int]
    placements: list[int]
    cents: list[int]  # the key of its bidfloor piece (ImpressionPieces.floor), by impression
    extras: dict[int, bytes]  # by position among the chunk's impressions (see Wire.extras)


@dataclass(frozen=True, slots=True)
class Requests:
    """A chunk of requests, column-wise (index ``i`` = request ``i``)."""

    ids: bytes  # per request: its id then its source.tid, 36 bytes each
    impressions: Impressions
    properties: list[int]
    pages: list[int]  # index into PropertyPieces.closing
    utcoffset: list[bytes]  # utcoffset_closings
    screen: list[bool]  # DOOH
    # Non-DOOH requests: the user, the user by context (0 web, 1 app) and the user by device
    # context (0 web, 1 app, 2 COPPA app).
    users: list[int]
    user_context: list[int]
    device_context: list[int]
    consent: list[bytes]  # the consent string's timestamp prefix, b"" without one
    coppa: list[bool]
    # Whether the request carries its publisher's DSA transparency (users in the EU).
    dsa: list[bool]


@dataclass(frozen=True, slots=True)
class Wire:
    """Joins requests from the pieces."""

    imps: ImpressionPieces
    properties: PropertyPieces
    users: UserPieces
    # request_closing pieces with DSA transparency, made when first used, by regs, DSA and
    # COPPA (see join). Int keys and bytes, which the garbage collector does not track.
    _regs_with_dsa: dict[int, bytes] = field(default_factory=dict)

    def extras(
        self,
        positions: list[int],
        pmp: list[int],
        refresh: list[int],
        refresh_count: list[int],
        screen: list[bool],
        multiplier: list[float],
        display_time: list[int],
        late: dict[int, bytes] | None = None,
    ) -> dict[int, bytes]:
        """The rare impression members after the floor currency (deals, refresh count, DOOH
        quantity and display time), keyed by the impression's position among the chunk's
        impressions, after the impression's ``late_members`` if it has some. Per impression:
        the pmp piece (-1 none), the placement whose refresh it counts (-1 none) and the count,
        whether it is DOOH and then its quantity and time."""
        pmp_pieces, refresh_pieces, quantity = self.imps.pmp, self.imps.refresh, self.imps.quantity
        out = {} if late is None else late
        for position, deal, placement, count, dooh, qty, display in zip(
            positions, pmp, refresh, refresh_count, screen, multiplier, display_time, strict=True
        ):
            piece = b""
            if deal >= 0:
                piece += pmp_pieces[deal]
            if placement >= 0:
                piece += refresh_pieces[placement] + _REFRESH_COUNTS[count]
            if dooh:
                piece += quantity % (qty, display)
            out[position] = out.get(position, b"") + piece
        return out

    def late_members(
        self, positions: list[int], placements: list[int], ids: bytes
    ) -> dict[int, bytes]:
        """The ``ext`` members each request closes with a transaction id
        (``ImpressionPieces.late``), keyed by impression position like the extras they lead: the
        impressions' positions, their placements and their ids (36 bytes each, in turn)."""
        late = self.imps.late
        # Joined here rather than kept as tuples: a chunk's worth of tuples would wake the
        # garbage collector, which then walks the chunk's big lists.
        return dict(
            zip(
                positions,
                [
                    late[p] + ids[at : at + 36] + _TID_CLOSING
                    for p, at in zip(placements, range(0, len(ids), 36), strict=True)
                ],
                strict=True,
            )
        )

    def join(self, requests: Requests) -> tuple[list[bytes], list[str]]:
        """Each request's payload and its ``user.id`` ("" for child-directed requests). Users must
        have their pieces (every non-DOOH request's user)."""
        # Everything the loop reads, as locals (the loop runs for every request).
        imp, prop, user, imps = self.imps, self.properties, self.users, requests.impressions
        heads, tags, floors = imp.opening, imp.tag, imp.floor
        counts, placements, cents, extras = imps.counts, imps.placements, imps.cents, imps.extras
        openings, closings, sellers = prop.opening, prop.closing, prop.seller
        exchange, screen_device, screen_user = prop.exchange, prop.screen_device, prop.screen_user
        screen_user_id, screen_closing = prop.screen_user_id, prop.screen_closing
        publisher_cc, prop_dsa = prop.publisher_cc, prop.dsa
        with_dsa = self._regs_with_dsa
        user_ids, template, templates, device = user.ids, user.template, user.templates, user.device
        user_heads, user_tails, bodies, body_ends = (
            user.heads,
            user.tails,
            user.consent,
            user.consent_end,
        )
        regs, regs_closing, coppa_closing = user.regs, user.closing, user.coppa_closing
        r = requests
        ids, props, pages, utcoffset = r.ids, r.properties, r.pages, r.utcoffset
        screen, users, consent, coppa, dsa = r.screen, r.users, r.consent, r.coppa, r.dsa
        user_context, device_context = r.user_context, r.device_context
        payloads: list[bytes] = []
        user_id_column: list[str] = []
        k = 0
        for i, count in enumerate(counts):
            o = i * 72
            # imp: most requests have one impression, written without a loop
            placement = placements[k]
            parts = [
                _REQUEST_OPENING,
                ids[o : o + 36],
                _IMPS_OPENING,
                heads[placement],
                tags[placement],
                floors[cents[k]],
            ]
            if k in extras:
                parts.append(extras[k])
            k += 1
            for _ in range(count - 1):
                placement = placements[k]
                parts += (heads[placement], tags[placement], floors[cents[k]])
                if k in extras:
                    parts.append(extras[k])
                k += 1
            # site / app / dooh, then device and user
            p = props[i]
            if screen[i]:
                user_id = screen_user_id[p]
                parts += (
                    openings[p],
                    closings[pages[i]],
                    screen_device[p],
                    utcoffset[i],
                    screen_user[p],
                )
                closing = screen_closing[p]
            else:
                u = users[i]
                context = user_context[i]
                parts += (
                    openings[p],
                    closings[pages[i]],
                    templates[template[context]],
                    device[device_context[i]],
                    utcoffset[i],
                )
                # The TC string: the user's choices with the publisher's country code.
                prefix = consent[i]
                if coppa[i]:
                    user_id = ""  # child-directed: no persistent identifier at all
                    if prefix:
                        parts += (
                            _COPPA_USER_OPENING,
                            prefix,
                            bodies[u],
                            publisher_cc[p],
                            body_ends[u],
                            _CONSENT_CLOSING,
                        )
                    closing = coppa_closing[regs[u]]
                else:
                    user_id = user_ids[u]
                    if prefix:
                        parts += (
                            b"".join(user_heads[context]),
                            prefix,
                            bodies[u],
                            publisher_cc[p],
                            body_ends[u],
                            exchange[p].join(user_tails[context]),
                        )
                    else:
                        parts.append(exchange[p].join(user_heads[context]))
                    closing = regs_closing[regs[u]]
                if dsa[i]:
                    key = (regs[u] << 8 | prop_dsa[p]) << 1 | coppa[i]
                    closing = with_dsa.get(key) or self._dsa_closing(key, prop_dsa[p], closing)
            # the seller's members, source and regs
            parts += (sellers[p], ids[o + 36 : o + 72], closing)
            payloads.append(b"".join(parts))
            user_id_column.append(user_id)
        return payloads, user_id_column

    def _dsa_closing(self, key: int, dsa: int, closing: bytes) -> bytes:
        """``closing`` (the user's regs, COPPA or not) with the publisher's DSA transparency
        (``dsa``), kept under ``key`` for the next request with the same."""
        piece = self._regs_with_dsa[key] = regs_with_ext(closing, self.properties.dsa_ext[dsa])
        return piece
