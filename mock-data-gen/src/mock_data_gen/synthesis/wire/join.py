"""Joining: the pieces by placement, property and user, what each request of a chunk is made of,
and the join that writes each request's payload from them (the layout of the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from mock_data_gen.synthesis.wire.pieces import regs_with_ext

_REQUEST_OPENING: Final = b'{"id":"'
_IMPS_OPENING: Final = b'","imp":['
# A child-directed app's user object: under GDPR the consent string alone (COPPA).
_COPPA_USER_OPENING: Final = b',"user":{"consent":"'
_CONSENT_CLOSING: Final = b'"}'
# Refresh counts (OpenRTB 2.6 §3.2.33 Refresh.count), each closing the refresh object.
_REFRESH_COUNTS: Final = [b"%d}" % count for count in range(8)]
_TID_CLOSING: Final = b'"}'


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
