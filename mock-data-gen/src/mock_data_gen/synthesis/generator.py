"""``BidRequestGenerator``: realistic OpenRTB 2.6 bid requests at 100k+ events per second.

Each event consumes exactly ``RAW_WORDS`` 64-bit words of a PCG64 stream seeded from the seed,
whatever the batch size, so ``generate_batch(times)`` equals ``[generate(t) for t in times]`` and
the same seed with the same event times gives byte-identical payloads. The words are turned into
decisions with vectorised numpy (market by local time, device class, user, property, layout,
floors, deals), then ``wire`` joins each request from pre-serialised byte pieces. The event time
steers the mix (diurnal curves, ``utcoffset``, consent dates, DOOH display time) and is mixed
into the ids (request, ``source.tid``, impression transaction ids), so runs of one seed over
other times do not repeat them; OpenRTB requests carry no timestamp of their own.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

import numpy as np

from mock_data_gen.synthesis import privacy, wire
from mock_data_gen.synthesis.assembly import (
    FLOOR_CURRENCIES,
    FLOOR_STRIDE,
    PLAIN_FLOOR_KEYS,
    Tables,
    build_tables,
)
from mock_data_gen.synthesis.diurnal import ACTIVITY
from mock_data_gen.synthesis.floors import box_muller, floor_cents, pod_floor_member
from mock_data_gen.synthesis.fragments import MAX_CENTS, cents_text, uuid4_texts
from mock_data_gen.synthesis.geo import MS_PER_HOUR
from mock_data_gen.synthesis.identity import consent_days
from mock_data_gen.synthesis.placements import MAX_SLOTS
from mock_data_gen.synthesis.profile import DEFAULT_PROFILE, TrafficProfile
from mock_data_gen.synthesis.records import BidRequestRecord, RecordBatch
from mock_data_gen.synthesis.users import session_users

# Layout of the per-event random words: uniforms first, then the two UUIDs' words.
C_MARKET, C_DOOH, C_DEVICE, C_USER, C_APP, C_LOCAL, C_PROP, C_LAYOUT, C_CONTENT, C_QTY = range(10)
C_FLOOR: Final = 10  # 6 columns: 3 Box-Muller pairs -> 6 normals
C_DEAL: Final = C_FLOOR + 6  # MAX_SLOTS columns
C_REFRESH: Final = C_DEAL + MAX_SLOTS  # MAX_SLOTS columns
UNIFORMS: Final = C_REFRESH + MAX_SLOTS
RAW_WORDS: Final = UNIFORMS + 4
_CHUNK: Final = 4096
_MS_PER_DAY: Final = 86_400_000
_DECISECONDS_PER_DAY: Final = 864_000


def zipf_rank(u: np.ndarray, size: np.ndarray, exponent: float) -> np.ndarray:
    """Power-law rank in [0, size) from uniforms (continuous inverse CDF, fixed consumption)."""
    n1 = size.astype(np.float64) + 1.0
    x: np.ndarray
    if abs(exponent - 1.0) < 1e-9:
        x = np.exp(u * np.log(n1))
    else:
        a = 1.0 - exponent
        x = ((n1**a - 1.0) * u + 1.0) ** (1.0 / a)
    rank: np.ndarray = np.minimum(x.astype(np.int64) - 1, size - 1)
    return rank


class BidRequestGenerator:
    """Synthesises bid requests.

    Building one takes about a second (the pools); users' pieces are built when first seen, or
    all at once by :meth:`build_all_users`. ``generate_columns`` is the fast path (~4-5 us per
    event once the users are built), ``generate_batch`` the same as one record object per event;
    ``generate`` pays the vectorised set-up for a single event (~0.1 ms) and suits low rates.
    """

    def __init__(self, seed: int | None = None, profile: TrafficProfile | None = None) -> None:
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        self.seed: int = secrets.randbits(63) if seed is None else seed
        self.profile = profile or DEFAULT_PROFILE
        build_seq, stream_seq = np.random.SeedSequence(self.seed).spawn(2)
        self._tables: Tables = build_tables(
            np.random.Generator(np.random.PCG64(build_seq)), self.profile
        )
        self._bits = np.random.PCG64(stream_seq)
        self._consent_prefix: dict[int, bytes] = {}

    def generate(self, event_time_ms: int) -> BidRequestRecord:
        """One request for an event at ``event_time_ms`` (epoch milliseconds)."""
        return self.generate_batch([event_time_ms])[0]

    def generate_batch(self, event_times_ms: Sequence[int]) -> list[BidRequestRecord]:
        """Requests for consecutive events; same stream as repeated :meth:`generate`."""
        return self.generate_columns(event_times_ms).records()

    def generate_columns(self, event_times_ms: Sequence[int]) -> RecordBatch:
        """The same requests as :meth:`generate_batch`, column-wise (no object per event)."""
        times = [int(t) for t in event_times_ms]
        chunks = [
            self._chunk(times[start : start + _CHUNK]) for start in range(0, len(times), _CHUNK)
        ]
        if len(chunks) == 1:
            return chunks[0]
        return RecordBatch(
            payloads=[p for chunk in chunks for p in chunk.payloads],
            user_ids=[u for chunk in chunks for u in chunk.user_ids],
            event_times_ms=times,
            id_text="".join(chunk.id_text for chunk in chunks),
            properties=[p for chunk in chunks for p in chunk.properties],
            publisher_of_property=self._tables.inventory.publisher_id,
        )

    def build_all_users(self) -> None:
        """Build every simulated user's pieces now rather than on first appearance.

        Takes under a second with the default profile; afterwards every event costs the same, so a
        service that calls this at start-up runs at full speed from its first event.
        """
        self._tables.users.materialise_all()

    def _consent_prefixes(self, days: np.ndarray) -> list[bytes]:
        """Per request, the TCF string's timestamp prefix for the day its user last saved their
        choices; b"" where the day is negative (no consent string)."""
        unique, inverse = np.unique(days, return_inverse=True)
        pieces = [self._consent_prefix_for(day) if day >= 0 else b"" for day in unique.tolist()]
        return [pieces[k] for k in inverse.tolist()]

    def _consent_prefix_for(self, day: int) -> bytes:
        piece = self._consent_prefix.get(day)
        if piece is None:
            if len(self._consent_prefix) >= 4096:
                self._consent_prefix.clear()
            piece = privacy.tcf_timestamp_prefix(day * _DECISECONDS_PER_DAY).encode()
            self._consent_prefix[day] = piece
        return piece

    def _chunk(self, times: list[int]) -> RecordBatch:
        tb = self._tables
        n = len(times)
        t = np.asarray(times, dtype=np.int64)
        raw = self._bits.random_raw(n * RAW_WORDS).reshape(n, RAW_WORDS)
        u = (raw[:, :UNIFORMS] >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
        hours = t // MS_PER_HOUR
        market = np.empty(n, dtype=np.int64)
        device = np.empty(n, dtype=np.int64)
        local_hour = np.empty(n, dtype=np.int64)
        hour_index = np.zeros(n, dtype=np.int64)
        unique_hours = np.unique(hours)
        offset_pieces = []
        for k, hour in enumerate(unique_hours.tolist()):
            sel = hours == hour
            hour_index[sel] = k
            market_cdf, device_cdf = tb.diurnal.at(hour)
            m = np.searchsorted(market_cdf, u[sel, C_MARKET], side="right")
            market[sel] = m
            device[sel] = (u[sel, C_DEVICE][:, None] >= device_cdf[m][:, :-1]).sum(axis=1)
            offsets, hours_by_market = tb.markets.local_time(hour)
            local_hour[sel] = hours_by_market[m]
            offset_pieces.append(wire.utcoffset_closings(offsets))
        market_list = market.tolist()
        if len(offset_pieces) == 1:
            only = offset_pieces[0]
            utcoffset = [only[m] for m in market_list]
        else:
            utcoffset = [
                offset_pieces[h][m] for h, m in zip(hour_index.tolist(), market_list, strict=True)
            ]
        dooh = (u[:, C_DOOH] < tb.dooh_share) & tb.market_has_dooh[market]
        block = market * tb.device_classes + device
        # Users are active in sessions: one context and one site or app per session window.
        activity = ACTIVITY[local_hour] / ACTIVITY.max()
        user, session = session_users(
            t, block, tb.users.block_start, tb.users.block_size, activity, u[:, C_USER]
        )
        app = session[:, 0] < tb.app_share[device]
        web_pool = np.where(session[:, 1] < tb.local_share, tb.local_pool[market], tb.global_pool)
        pool = np.where(dooh, tb.dooh_pool[market], np.where(app, tb.user_app_pool[user], web_pool))
        u_prop = np.where(dooh, u[:, C_PROP], session[:, 2])
        prop = tb.pool_members[
            tb.pool_start[pool] + zipf_rank(u_prop, tb.pool_size[pool], tb.property_zipf)
        ]
        # Layout forms: 0 desktop, phone app, CTV or DOOH; 1 mobile web; 2 tablet app.
        form = (~app & ~dooh & tb.mobile_class[device]).astype(np.int64)
        form += 2 * (app & ~dooh & tb.tablet_class[device])
        layout = tb.layout_start[prop, form] + (
            u[:, C_LAYOUT] * tb.layout_count[prop, form]
        ).astype(np.int64)
        slots = tb.layout_slots[layout]
        valid = slots >= 0
        safe = np.where(valid, slots, 0)
        normals = box_muller(u[:, C_FLOOR : C_FLOOR + 3], u[:, C_FLOOR + 3 : C_FLOOR + 6])
        slot_normals = normals[:, :MAX_SLOTS]
        deal_u = u[:, C_DEAL : C_DEAL + MAX_SLOTS]
        # The slots of a CTV pod share the request's floor draw and deal draw: one floor a pod
        # (a pod is the whole layout of its request).
        pods = np.flatnonzero(tb.place_pod[safe[:, 0]])
        if len(pods):
            slot_normals[pods] = slot_normals[pods, :1]
            deal_u[pods] = deal_u[pods, :1]
        cents = floor_cents(
            tb.place_base[safe],
            tb.floor_mult[market][:, None],
            slot_normals,
            tb.floor_sigma,
            MAX_CENTS,
        )
        deal_p = tb.place_deal_prob[safe]
        has_deal = valid & (deal_u < deal_p)
        variant = np.minimum((deal_u / np.maximum(deal_p, 1e-12) * 3).astype(np.int64), 2)
        deal = np.where(has_deal, tb.place_pmp_start[safe] + variant, -1)
        # Deals are negotiated above the open auction: the open floor never exceeds them.
        cents = np.where(has_deal, np.minimum(cents, tb.pmp_cap[np.maximum(deal, 0)]), cents)
        content = tb.content_start[prop] + zipf_rank(
            u[:, C_CONTENT], tb.content_count[prop], tb.page_zipf
        )
        # The ids' words are the stream's mixed with the event time: the stream alone repeats
        # for each run of a seed, so runs or backfills over other times would reuse its ids
        # (readers de-duplicate by id). Same seed and times still give the same ids.
        id_words = _mix64(raw[:, UNIFORMS:RAW_WORDS], t)
        ids = uuid4_texts(id_words.reshape(-1, 2))
        # Users' pieces are built when first seen; DOOH requests carry their screen's instead.
        users = tb.users
        # Once the pool has filled, a chunk's users are all built: look them up at once (a view of
        # ``ready``), and build only the new ones.
        seen = user[~dooh]
        new = seen[np.frombuffer(users.ready, dtype=np.uint8)[seen] == 0]
        for fresh in np.unique(new).tolist():
            users.materialise(fresh)
        # A GDPR user's consent string starts with the day they last saved their choices.
        phase = users.consent_phase[user]
        days = consent_days(t // _MS_PER_DAY, phase)
        consent = self._consent_prefixes(np.where((phase >= 0) & ~dooh, days, -1))
        # Per-user pieces are stored context-major: web (0), app (1), COPPA-restricted app (2).
        coppa = tb.prop_coppa[prop] & app
        context = app.astype(np.int64) + coppa
        placements = slots[valid]
        imp_cents = cents[valid]
        imp_counts = valid.sum(axis=1)
        late = self._late(id_words, imp_counts, placements)
        impressions = wire.Impressions(
            counts=imp_counts.tolist(),
            placements=placements.tolist(),
            cents=self._floor_keys(placements, imp_cents).tolist(),
            extras=self._extras(t, u, dooh, valid, safe, deal, local_hour, prop, late),
        )
        requests = wire.Requests(
            ids=ids,
            impressions=impressions,
            properties=prop.tolist(),
            pages=content.tolist(),
            utcoffset=utcoffset,
            screen=dooh.tolist(),
            users=user.tolist(),
            user_context=(user + users.count * app).tolist(),
            device_context=(user + users.count * context).tolist(),
            consent=consent,
            coppa=coppa.tolist(),
            # The Digital Services Act: the publisher's DSA transparency for users in the EU.
            dsa=(tb.prop_dsa[prop] & tb.market_dsa[market] & ~dooh).tolist(),
        )
        payloads, user_ids = tb.wire.join(requests)
        return RecordBatch(
            payloads=payloads,
            user_ids=user_ids,
            event_times_ms=times,
            id_text=ids.decode("ascii"),
            properties=requests.properties,
            publisher_of_property=tb.inventory.publisher_id,
        )

    def _extras(
        self,
        t: np.ndarray,
        u: np.ndarray,
        dooh: np.ndarray,
        valid: np.ndarray,
        safe: np.ndarray,
        deal: np.ndarray,
        local_hour: np.ndarray,
        prop: np.ndarray,
        late: dict[int, bytes],
    ) -> dict[int, bytes]:
        """Rare per-impression members (deals, refresh count, DOOH quantity and display time),
        keyed by the impression's position among the chunk's impressions, after its ``late``
        members."""
        tb = self._tables
        refresh = valid & tb.place_has_refresh[safe]
        wanted = (deal >= 0) | refresh | (valid & dooh[:, None])
        if not wanted.any():
            return late
        position = np.cumsum(valid.ravel()) - 1
        rows, cols = np.nonzero(wanted)
        counts = (u[:, C_REFRESH : C_REFRESH + MAX_SLOTS] * 6).astype(np.int64)
        # DOOH: viewers per play follow the local hour; the spot shows 1-15 minutes later.
        qty = tb.screen_audience[prop] * ACTIVITY[local_hour] * (0.75 + 0.5 * u[:, C_QTY])
        display = t + 60_000 + (u[:, C_QTY] * 840_000).astype(np.int64)
        return tb.wire.extras(
            positions=position[rows * MAX_SLOTS + cols].tolist(),
            pmp=deal[rows, cols].tolist(),
            refresh=np.where(refresh[rows, cols], safe[rows, cols], -1).tolist(),
            refresh_count=counts[rows, cols].tolist(),
            screen=dooh[rows].tolist(),
            multiplier=np.maximum(qty[rows], 0.1).tolist(),
            display_time=display[rows].tolist(),
            late=late,
        )

    def _floor_keys(self, placements: np.ndarray, cents: np.ndarray) -> np.ndarray:
        """Per impression, the key of its floor piece (``wire.ImpressionPieces.floor``, see
        ``assembly.FLOOR_STRIDE``): its cents in its currency, or for a CTV pod slot those of its
        form of duration floors, which follow this request's floor (after any deal's cap); pieces
        other than plain floors in the first currency (most impressions') are made when first
        needed."""
        tb = self._tables
        keys: np.ndarray = cents + tb.place_floor_key[placements]
        lazy = keys >= FLOOR_STRIDE
        if lazy.any():
            table = tb.wire.imps.floor
            for key in np.unique(keys[lazy]).tolist():
                if not table[key]:
                    table[key] = _floor_piece(table, key)
        return keys

    def _late(
        self, id_words: np.ndarray, counts: np.ndarray, placements: np.ndarray
    ) -> dict[int, bytes]:
        """Impression members closed per request, keyed by the impression's position among the
        chunk's impressions (``placements`` is in that order, ``counts`` of them per request):
        an ext by the impression's transaction id. ``id_words``: per request, the words of its
        id and its source.tid."""
        tb = self._tables
        tid = np.flatnonzero(tb.place_late[placements])
        if not len(tid):
            return {}
        # Transaction ids: UUIDs drawn from the request's source.tid words mixed with the slot.
        ends = np.cumsum(counts)
        rows = np.searchsorted(ends, tid, side="right")
        slot = tid - ends[rows] + counts[rows]
        words = id_words[rows, 2:]
        return tb.wire.late_members(
            tid.tolist(), placements[tid].tolist(), uuid4_texts(_mix64(words, slot))
        )


def _floor_piece(table: list[bytes], key: int) -> bytes:
    """The floor piece of ``key`` (see ``assembly.FLOOR_STRIDE``), made from its plain floor's."""
    form, plain = divmod(key, PLAIN_FLOOR_KEYS)
    currency, cents = divmod(plain, FLOOR_STRIDE)
    if form == 0:
        (piece,) = wire.floor_values([cents_text(cents)], FLOOR_CURRENCIES[currency])
        return piece
    if not table[plain]:
        table[plain] = _floor_piece(table, plain)
    return wire.pod_floor(pod_floor_member(form, cents), table[plain])


def _mix64(words: np.ndarray, salt: np.ndarray) -> np.ndarray:
    """Fresh 64-bit words from random ones and a small salt per row (SplitMix64's finaliser):
    distinct salts give unrelated words."""
    z = words + (salt.astype(np.uint64) + np.uint64(1))[:, None] * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: np.ndarray = z ^ (z >> np.uint64(31))
    return mixed
