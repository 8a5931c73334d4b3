"""``BidRequestGenerator``: realistic OpenRTB 2.6 bid requests at 100k+ events per second.

Each event consumes exactly ``RAW_WORDS`` 64-bit words of a PCG64 stream seeded from the seed,
whatever the batch size, so ``generate_batch(times)`` equals ``[generate(t) for t in times]`` and
the same seed with the same event times gives byte-identical payloads. The words are turned into
decisions with vectorised numpy (market by local time, device class, user, property, layout,
floors, deals), then each request is joined from pre-serialised byte pieces. The event time only
steers the mix (diurnal curves, ``utcoffset``, consent dates, DOOH display time); OpenRTB requests
carry no timestamp of their own.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

import numpy as np

from mock_data_gen.synthesis import privacy
from mock_data_gen.synthesis.assembly import Tables, build_tables
from mock_data_gen.synthesis.diurnal import ACTIVITY
from mock_data_gen.synthesis.floors import box_muller, floor_cents
from mock_data_gen.synthesis.fragments import MAX_CENTS, uuid4_texts
from mock_data_gen.synthesis.geo import MS_PER_HOUR
from mock_data_gen.synthesis.identity import consent_day
from mock_data_gen.synthesis.media import MAX_SLOTS
from mock_data_gen.synthesis.profile import DEFAULT_PROFILE, TrafficProfile
from mock_data_gen.synthesis.records import BidRequestRecord, RecordBatch

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
_REFRESH_COUNTS: Final = [b"%d}" % c for c in range(8)]
# Quantity measured by a DOOH audience vendor (AdCOM 1.0 DOOH Multiplier Measurement Source
# Types: 1 = measurement vendor) and the expected display time.
_DOOH_EXTRA: Final = b',"qty":{"multiplier":%.1f,"sourcetype":1,"vendor":"geopath.org"},"dt":%d'


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
        self._cents = self._tables.cents
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

    def _coppa_user(self, user: int, event_time: int) -> bytes:
        """The user object of a child-directed app: under GDPR only the consent string, else
        none; no user id, buyer id, extended IDs or audience data (COPPA)."""
        pool = self._tables.users
        phase = pool.consent_phase[user]
        if phase < 0:
            return b""
        prefix = self._consent_prefix_for(consent_day(event_time // _MS_PER_DAY, phase))
        return b',"user":{"consent":"' + prefix + pool.consent_body[user] + b'"}'

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
            _, hours_by_market = tb.markets.local_time(hour)
            local_hour[sel] = hours_by_market[m]
            offset_pieces.append(tb.markets.utcoffset_pieces(hour))
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
        user = tb.users.block_start[block] + zipf_rank(
            u[:, C_USER], tb.users.block_size[block], tb.user_zipf
        )
        app = u[:, C_APP] < tb.app_share[device]
        web_pool = np.where(u[:, C_LOCAL] < tb.local_share, tb.local_pool[market], tb.global_pool)
        pool = np.where(dooh, tb.dooh_pool[market], np.where(app, tb.user_app_pool[user], web_pool))
        prop = tb.pool_members[
            tb.pool_start[pool] + zipf_rank(u[:, C_PROP], tb.pool_size[pool], tb.property_zipf)
        ]
        form = (~app & ~dooh & tb.mobile_class[device]).astype(np.int64)
        layout = tb.layout_start[prop, form] + (
            u[:, C_LAYOUT] * tb.layout_count[prop, form]
        ).astype(np.int64)
        slots = tb.layout_slots[layout]
        valid = slots >= 0
        safe = np.where(valid, slots, 0)
        normals = box_muller(u[:, C_FLOOR : C_FLOOR + 3], u[:, C_FLOOR + 3 : C_FLOOR + 6])
        cents = floor_cents(
            tb.place_base[safe],
            tb.floor_mult[market][:, None],
            normals[:, :MAX_SLOTS],
            tb.floor_sigma,
            MAX_CENTS,
        )
        deal_u = u[:, C_DEAL : C_DEAL + MAX_SLOTS]
        deal_p = tb.place_deal_prob[safe]
        has_deal = valid & (deal_u < deal_p)
        variant = np.minimum((deal_u / np.maximum(deal_p, 1e-12) * 3).astype(np.int64), 2)
        deal = np.where(has_deal, tb.place_pmp_start[safe] + variant, -1)
        # Deals are negotiated above the open auction: the open floor never exceeds them.
        cents = np.where(has_deal, np.minimum(cents, tb.pmp_cap[np.maximum(deal, 0)]), cents)
        content = tb.content_start[prop] + zipf_rank(
            u[:, C_CONTENT], tb.content_count[prop], tb.page_zipf
        )
        ids = uuid4_texts(raw[:, UNIFORMS:RAW_WORDS].reshape(-1, 2))
        extras = self._extras(t, u, dooh, valid, safe, deal, local_hour, prop)
        # Per-user pieces are stored context-major: web (0), app (1), COPPA-restricted app (2).
        count = tb.users.count
        coppa = tb.prop_coppa[prop] & app
        context = app.astype(np.int64) + coppa
        return self._assemble(
            times, ids, valid.sum(axis=1).tolist(), slots[valid].tolist(), cents[valid].tolist(),
            extras, prop.tolist(), content.tolist(), dooh.tolist(), utcoffset, app.tolist(),
            (user + count * context).tolist(), (user + count * app).tolist(), coppa.tolist(),
            user.tolist(),
        )  # fmt: skip

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
    ) -> dict[int, bytes]:
        """Rare per-impression members (deals, refresh count, DOOH quantity and display time),
        keyed by the impression's position among the chunk's impressions."""
        tb = self._tables
        refresh = valid & tb.place_has_refresh[safe]
        wanted = (deal >= 0) | refresh | (valid & dooh[:, None])
        if not wanted.any():
            return {}
        position = np.cumsum(valid.ravel()) - 1
        rows, cols = np.nonzero(wanted)
        counts = (u[:, C_REFRESH : C_REFRESH + MAX_SLOTS] * 6).astype(np.int64)
        # DOOH: viewers per play follow the local hour; the spot shows 1-15 minutes later.
        qty = tb.screen_audience[prop] * ACTIVITY[local_hour] * (0.75 + 0.5 * u[:, C_QTY])
        display = t + 60_000 + (u[:, C_QTY] * 840_000).astype(np.int64)
        out = {}
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            piece = b""
            chosen = int(deal[row, col])
            if chosen >= 0:
                piece += tb.pmp_pieces[chosen]
            if refresh[row, col]:
                piece += (
                    tb.place_refresh[int(safe[row, col])] + _REFRESH_COUNTS[int(counts[row, col])]
                )
            if dooh[row]:
                piece += _DOOH_EXTRA % (max(float(qty[row]), 0.1), int(display[row]))
            out[int(position[row * MAX_SLOTS + col])] = piece
        return out

    def _assemble(
        self,
        times: list[int],
        ids: bytes,
        slot_counts: list[int],
        placements: list[int],
        cents: list[int],
        extras: dict[int, bytes],
        props: list[int],
        contents: list[int],
        dooh: list[bool],
        utcoffset: list[bytes],
        apps: list[bool],
        devices: list[int],
        user_pieces: list[int],
        coppa: list[bool],
        users: list[int],
    ) -> RecordBatch:
        tb = self._tables
        pool = tb.users
        heads, tags, curs, cents_table = tb.place_head, tb.place_tag, tb.place_cur, self._cents
        prop_head, prop_tail = tb.inventory.head, tb.inventory.tail
        content_pieces = tb.content_pieces
        exchange = tb.inventory.exchange
        templates, device_pieces, ready = tb.templates, pool.device_pieces, pool.ready
        web_template, app_template = pool.web_template, pool.app_template
        user_heads, user_tails, user_ids = pool.user_heads, pool.user_tails, pool.ids
        bodies, phases, consent_prefix = (
            pool.consent_body,
            pool.consent_phase,
            self._consent_prefix_for,
        )
        regs_index, regs_plain, regs_coppa = (
            pool.regs,
            pool.regs_catalog.pieces,
            pool.regs_catalog.coppa,
        )
        payloads: list[bytes] = []
        user_id_column: list[str] = []
        k = 0
        for i, event_time in enumerate(times):
            o = i * 72
            parts = [b'{"id":"', ids[o : o + 36], b'","imp":[']
            for _ in range(slot_counts[i]):
                placement = placements[k]
                parts += (heads[placement], tags[placement], cents_table[cents[k]], curs[placement])
                if k in extras:
                    parts.append(extras[k])
                k += 1
            p = props[i]
            parts += (prop_head[p], content_pieces[contents[i]])
            if dooh[i]:
                user_id = tb.screen_user[p]
                parts += (
                    tb.screen_device[p],
                    utcoffset[i],
                    b',"user":{"id":"',
                    user_id.encode(),
                    b'"}',
                )
                regs_piece = tb.screen_regs[p]
            else:
                u = users[i]
                if not ready[u]:
                    pool.materialise(u)
                user_id = user_ids[u]
                template = app_template[u] if apps[i] else web_template[u]
                parts += (templates[template], device_pieces[devices[i]], utcoffset[i])
                phase = phases[u]
                if coppa[i]:
                    user_id = ""  # child-directed: no persistent identifier at all
                    parts.append(self._coppa_user(u, event_time))
                elif phase < 0:
                    parts.append(exchange[p].join(user_heads[user_pieces[i]]))
                else:
                    piece = user_pieces[i]
                    prefix = consent_prefix(consent_day(event_time // _MS_PER_DAY, phase))
                    parts += (
                        b"".join(user_heads[piece]),
                        prefix,
                        bodies[u],
                        exchange[p].join(user_tails[piece]),
                    )
                regs_piece = (regs_coppa if coppa[i] else regs_plain)[regs_index[u]]
            parts += (prop_tail[p], ids[o + 36 : o + 72], regs_piece)
            payloads.append(b"".join(parts))
            user_id_column.append(user_id)
        return RecordBatch(
            payloads=payloads,
            user_ids=user_id_column,
            event_times_ms=times,
            id_text=ids.decode("ascii"),
            properties=props,
            publisher_of_property=tb.inventory.publisher_id,
        )
