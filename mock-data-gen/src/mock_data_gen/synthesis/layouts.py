"""Layouts: the ad slots a page or an app screen offers together, from the slot templates of
``media`` and the page layouts of ``inventory_data``, registered in the media catalog.

A web page's layouts follow its device (desktop or mobile web) and the site's choices
(auto-refresh, header bidding's GPID and transaction ids); an app's follow its layout family
(game, content, audio) and the screen it runs on: full-screen slots are the size of a phone or a
tablet, turned for landscape games.
"""

from __future__ import annotations

import random
from typing import Any

from mock_data_gen.synthesis import inventory_data as idata
from mock_data_gen.synthesis import media
from mock_data_gen.synthesis.floors import EUR_PER_USD
from mock_data_gen.synthesis.placements import MediaCatalog, Slot
from mock_data_gen.synthesis.profile import TrafficProfile
from mock_data_gen.synthesis.publishers import Publisher


class Layouts:
    """Makes the layouts of pages and app screens of one inventory."""

    def __init__(self, rnd: random.Random, catalog: MediaCatalog, profile: TrafficProfile) -> None:
        self.rnd = rnd
        self.catalog = catalog
        self.profile = profile

    def layout(
        self,
        pub: Publisher,
        slots: list[Slot],
        refresh: list[bool] | None = None,
        tid: bool = False,
    ) -> int:
        """Register a layout of ``pub``'s slots in the media catalog; returns its id."""
        fx = EUR_PER_USD if pub.currency == "EUR" else 1.0
        return self.catalog.add_layout(
            self.rnd,
            slots,
            pub.id,
            pub.currency,
            fx,
            pub.quality,
            self.profile.deal_rate,
            refresh,
            tid,
        )

    def _web_layout(
        self,
        pub: Publisher,
        spec: tuple[tuple[Any, ...], ...],
        slug_: str,
        gpid_root: str | None,
        tid: bool,
        site_slots: dict[tuple[Any, ...], Slot],
    ) -> int:
        """A layout of a page; ``site_slots``: the site's slots made so far, so that a slot
        offered in several layouts is the same slot (and placement) in each."""
        slots: list[Slot] = []
        refresh: list[bool] = []
        for item in spec:
            kind, *rest = item
            name = rest[-2] if kind == "banner" else rest[-1]
            ext = {"gpid": f"{gpid_root}/{name}"} if gpid_root else None
            slot = site_slots.get(item)
            if kind == "banner":
                sizes, pos, _, refreshes = rest
                if slot is None:
                    slot = media.banner(
                        self.rnd, sizes, pos, f"{slug_}_{name}", app=False, battr=pub.battr, ext=ext
                    )
                refresh.append(refreshes)
            elif kind == "native":
                plcmttype, _ = rest
                if slot is None:
                    slot = media.native(f"{slug_}_{name}", plcmttype, app=False, ext=ext)
                refresh.append(False)
            else:
                plcmt, size, _ = rest
                if slot is None:
                    slot = media.web_video(f"{slug_}_{name}", plcmt, size, pub.battr, ext)
                refresh.append(False)
            site_slots[item] = slot
            slots.append(slot)
        return self.layout(pub, slots, refresh, tid)

    def web(
        self,
        pub: Publisher,
        specs: list[tuple[int, tuple[tuple[Any, ...], ...]]],
        slug_: str,
        refreshing: bool,
        gpid_root: str | None,
        tid: bool,
    ) -> list[int]:
        """Layout ids repeated by weight, so a uniform pick follows the weights."""
        out: list[int] = []
        site_slots: dict[tuple[Any, ...], Slot] = {}
        for weight, spec in specs:
            layout = self._web_layout(
                pub, spec if refreshing else _no_refresh(spec), slug_, gpid_root, tid, site_slots
            )
            out += [layout] * weight
        return out

    def app(
        self,
        pub: Publisher,
        family: str,
        tag: str,
        audio: tuple[int, bool],
        sdk: tuple[str, str],
        landscape: bool,
        ext: dict[str, dict[str, Any] | None],
        tid: bool,
    ) -> tuple[list[int], list[int]]:
        """Layout ids of an app on phones and on tablets (their full-screen slots differ);
        ``ext`` holds each slot's impression extensions by slot name."""
        rnd, battr = self.rnd, pub.battr
        weights = idata.APP_LAYOUT_WEIGHTS
        banner = media.banner(
            rnd, [(320, 50)], 5, f"{tag}_banner", app=True, battr=battr, sdk=sdk,
            ext=ext["banner"],
        )  # fmt: skip
        mrec = media.banner(
            rnd, [(300, 250)], 3, f"{tag}_mrec", app=True, battr=battr, sdk=sdk, ext=ext["mrec"]
        )
        common = [self.layout(pub, [banner], tid=tid)] * weights["banner"]
        common += [self.layout(pub, [mrec], tid=tid)] * weights["mrec"]
        if family == "audio":
            # Streaming, radio and podcast apps earn mostly from audio breaks.
            feed, server_side = audio
            slot = media.audio(f"{tag}_audio_break", feed, server_side, sdk)
            common += [self.layout(pub, [slot])] * weights["audio"]
        elif family == "content":
            native = media.native(f"{tag}_feed", 1, app=True, sdk=sdk, ext=ext["feed"])
            common += [self.layout(pub, [native], tid=tid)] * weights["native"]
        forms = []
        orientation = "landscape" if landscape else "portrait"
        for form in ("phone", "tablet"):
            layouts = list(common)
            sizes = idata.INTERSTITIAL_SIZES[(form, orientation)]
            if family != "audio":
                video = media.app_video(f"{tag}_inter", False, sdk, sizes[0], ext["inter"])
                layouts += [self.layout(pub, [video], tid=tid)] * weights["interstitial"]
            if family == "game":
                rewarded = media.app_video(f"{tag}_rewarded", True, sdk, sizes[0], ext["rewarded"])
                static = media.banner(
                    rnd, sizes, 7, f"{tag}_inter_static", app=True, battr=battr, sdk=sdk,
                    instl=True, ext=ext["inter_static"],
                )  # fmt: skip
                layouts += [self.layout(pub, [rewarded], tid=tid)] * weights["rewarded"]
                layouts += [self.layout(pub, [static], tid=tid)] * weights["interstitial_static"]
            forms.append(layouts)
        return forms[0], forms[1]


def _no_refresh(spec: tuple[tuple[Any, ...], ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple((*slot[:4], False) if slot[0] == "banner" else slot for slot in spec)
