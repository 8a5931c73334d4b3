"""Impression templates: the ad slots (banner, native, video, CTV pods, audio, DOOH) as ``Slot``s
for ``placements``, each with its media object, placement signals and base floor (OpenRTB 2.6
§3.2.4-§3.2.10).

All coded values come from AdCOM 1.0 lists: API frameworks (3 MRAID-1, 5 MRAID-2, 6 MRAID-3,
7 OMID-1, 1/2 VPAID), protocols (2 VAST 2.0, 3 VAST 3.0, 5/6 wrappers, 7/8 VAST 4.0, 11-14 VAST
4.1/4.2, 9/10 DAAST), Plcmt Subtypes - Video (1 instream, 2 accompanying content, 3 interstitial,
4 no content/standalone), placement positions, playback methods, etc.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Final

from mock_data_gen.synthesis.floors import BASE_FLOOR, SIZE_PREMIUM
from mock_data_gen.synthesis.fragments import dumps, members
from mock_data_gen.synthesis.placements import (
    POD_FLOOR_DURFLOORS,
    POD_FLOOR_NONE,
    POD_FLOOR_PER_SECOND,
    Slot,
)

VIDEO_PROTOCOLS: Final = [2, 3, 5, 6, 7, 8, 11, 12, 13, 14]
CTV_PROTOCOLS: Final = [2, 3, 7, 11, 13, 15]
AUDIO_PROTOCOLS: Final = [2, 3, 7, 9, 10]
# Viewability by placement position (AdCOM 1.0 Placement Positions): beta(a, b) with means from
# published viewability benchmarks: above the fold ~0.65, below ~0.4, sidebar ~0.55, sticky
# footer ~0.8, full screen ~0.9.
_VIEWABILITY: Final = {1: (6.5, 3.5), 3: (4.0, 6.0), 5: (8.0, 2.0), 6: (5.5, 4.5), 7: (9.0, 1.0)}
WEB_VIDEO_MIMES: Final = ["video/mp4", "video/webm", "application/javascript"]
APP_VIDEO_MIMES: Final = ["video/mp4", "video/3gpp"]
CTV_MIMES: Final = ["video/mp4", "application/x-mpegURL"]
AUDIO_MIMES: Final = ["audio/mp4", "audio/mpeg", "audio/aac"]
IMAGE_MIMES: Final = ["image/jpeg", "image/png", "image/gif"]
# Who measured a DOOH impression's quantity: a DOOH audience vendor (AdCOM 1.0 DOOH Multiplier
# Measurement Source Types: 1 = measurement vendor); the multiplier is added per request.
DOOH_QTY_SOURCE: Final = members({"sourcetype": 1, "vendor": "geopath.org"})


def banner(
    rnd: random.Random,
    sizes: Sequence[tuple[int, int]],
    pos: int,
    tagid: str,
    *,
    app: bool,
    battr: list[int],
    sdk: tuple[str, str] | None = None,
    instl: bool = False,
    ext: dict[str, Any] | None = None,
) -> Slot:
    """A display slot accepting the given sizes (first size = primary); ``battr`` is the
    publisher's creative policy, ``sdk`` the app's ad SDK (``displaymanager``), ``ext`` the
    impression's extensions (GPID, SKAdNetwork)."""
    w, h = sizes[0]
    body: dict[str, Any] = {"format": [{"w": sw, "h": sh} for sw, sh in sizes], "w": w, "h": h}
    body.update(pos=pos, btype=[1])
    if battr:
        body["battr"] = battr
    if app:
        body["api"] = [3, 5, 6, 7]
    else:
        body.update(topframe=1 if pos == 1 else 0, api=[7])
    imp: dict[str, Any] = {"banner": body}
    if sdk is not None:
        imp.update(displaymanager=sdk[0], displaymanagerver=sdk[1])
    imp.update(tagid=tagid, secure=1)
    if instl:
        imp["instl"] = 1
    # Each slot has its own measured history, so its predicted viewability is its own.
    a, b = _VIEWABILITY.get(pos, (5.0, 5.0))
    viewability = min(max(round(rnd.betavariate(a, b), 2), 0.01), 0.99)
    imp["metric"] = [{"type": "viewability", "value": viewability, "vendor": "EXCHANGE"}]
    if ext:
        imp["ext"] = ext
    if instl:
        kind = "interstitial_app"
    elif app:
        kind = "banner_app"
    else:
        kind = (
            "banner_desktop"
            if w >= 728 or h >= 600 or (w, h) == (336, 280)
            else "banner_mobile_web"
        )
    return Slot("banner", imp, BASE_FLOOR[kind] * SIZE_PREMIUM.get((w, h), 1.0))


def native(
    tagid: str,
    plcmttype: int,
    *,
    app: bool,
    sdk: tuple[str, str] | None = None,
    ext: dict[str, Any] | None = None,
) -> Slot:
    """A native slot; ``request`` is a Native Ads 1.2 request object serialised as a string."""
    assets: list[dict[str, Any]] = [
        {"id": 1, "required": 1, "title": {"len": 90}},
        {
            "id": 2,
            "required": 1,
            "img": {"type": 3, "wmin": 627, "hmin": 328, "mimes": IMAGE_MIMES[:2]},
        },
        {"id": 3, "required": 0, "img": {"type": 1, "w": 80, "h": 80}},
        {"id": 4, "required": 1, "data": {"type": 1, "len": 25}},
        {"id": 5, "required": 0, "data": {"type": 2, "len": 140}},
    ]
    if app:
        assets.append({"id": 6, "required": 0, "data": {"type": 12, "len": 15}})
    request = {
        "ver": "1.2",
        "context": 1,
        "contextsubtype": 11 if not app else 10,
        "plcmttype": plcmttype,
        "plcmtcnt": 1,
        "assets": assets,
        "eventtrackers": [{"event": 1, "methods": [1, 2]}, {"event": 2, "methods": [1]}],
        "privacy": 1,
    }
    imp: dict[str, Any] = {
        "native": {"request": dumps(request).decode(), "ver": "1.2", "api": [7], "battr": [9, 10]}
    }
    if sdk is not None:
        imp.update(displaymanager=sdk[0], displaymanagerver=sdk[1])
    imp.update(tagid=tagid, secure=1)
    if ext:
        imp["ext"] = ext
    return Slot("native", imp, BASE_FLOOR["native"])


def web_video(
    tagid: str,
    plcmt: int,
    size: tuple[int, int],
    battr: list[int],
    ext: dict[str, Any] | None = None,
) -> Slot:
    """Web video: in-stream (plcmt 1), accompanying content (2) or outstream (4)."""
    video: dict[str, Any] = {
        "mimes": WEB_VIDEO_MIMES,
        "minduration": 5,
        "maxduration": 30 if plcmt != 4 else 20,
        "protocols": VIDEO_PROTOCOLS,
        "w": size[0],
        "h": size[1],
        "startdelay": 0,
        "plcmt": plcmt,
        "linearity": 1,
        "skip": 1,
        "skipmin": 15,
        "skipafter": 5,
        # In-stream starts with sound on; accompanying/outstream autoplay muted in view.
        "playbackmethod": [1] if plcmt == 1 else [6],
        "playbackend": 1 if plcmt == 1 else 2,
        "delivery": [2],
        "pos": 1,
        "api": [1, 2, 7],
    }
    if battr:
        video["battr"] = battr
    imp: dict[str, Any] = {"video": video, "tagid": tagid, "secure": 1}
    imp["metric"] = [
        {
            "type": "video_completion_rate",
            "value": 0.74 if plcmt == 1 else 0.41,
            "vendor": "EXCHANGE",
        }
    ]
    if ext:
        imp["ext"] = ext
    kind = "video_instream_web" if plcmt == 1 else "video_outstream"
    return Slot("video", imp, BASE_FLOOR[kind])


def app_video(
    tagid: str,
    rewarded: bool,
    sdk: tuple[str, str],
    size: tuple[int, int],
    ext: dict[str, Any] | None = None,
) -> Slot:
    """Full-screen in-app video (plcmt 3, interstitial) of the screen's ``size``, rewarded or
    not."""
    w, h = size
    video = {
        "mimes": APP_VIDEO_MIMES,
        "minduration": 5,
        "maxduration": 30,
        "protocols": VIDEO_PROTOCOLS,
        "w": w,
        "h": h,
        "startdelay": 0,
        "plcmt": 3,
        "linearity": 1,
        "skip": 0 if rewarded else 1,
        "playbackmethod": [1],
        "delivery": [2],
        "pos": 7,
        "api": [7],
        "companiontype": [1, 2],
    }
    imp: dict[str, Any] = {"video": video, "displaymanager": sdk[0], "displaymanagerver": sdk[1]}
    imp.update(instl=1, tagid=tagid, secure=1, clickbrowser=1)
    if rewarded:
        imp["rwdd"] = 1
    imp["exp"] = 3600
    if ext:
        imp["ext"] = ext
    return Slot("video", imp, BASE_FLOOR["video_rewarded" if rewarded else "interstitial_app"])


def ctv_pod(tagid: str, podseq: int, slots: int, live: bool, dynamic: bool) -> list[Slot]:
    """One CTV ad break: a structured pod of ``slots`` impressions or one dynamic-pod impression.

    Live content uses exact durations (``rqddurs``) to avoid dead air, VOD uses min/max
    durations; never both (OpenRTB 2.6 §3.2.7). A dynamic pod states ``poddur`` and ``maxseq``
    and its floor per second of ad (``mincpmpersec``), structured VOD slots floors by duration
    (``durfloors``): both written per request from the slot's floor (§7.11: one form of floor
    guidance per video object). The slots of a pod share one floor.
    """
    startdelay = {1: 0, 0: 600, -1: -2}[podseq]
    out = []
    for slot in range(1 if dynamic else slots):
        video: dict[str, Any] = {"mimes": CTV_MIMES}
        if live:
            video["rqddurs"] = [15, 30]
        else:
            video.update(minduration=15, maxduration=30 if not dynamic else 60)
        video.update(startdelay=startdelay, protocols=CTV_PROTOCOLS, w=1920, h=1080, plcmt=1)
        video.update(
            linearity=1, skip=0, playbackmethod=[1], delivery=[1], pos=7, podid="1", podseq=podseq
        )
        pod_floor = POD_FLOOR_NONE
        if dynamic:
            video.update(poddur=30 * slots, maxseq=slots, poddedupe=[1, 3])
            pod_floor = POD_FLOOR_PER_SECOND
        else:
            # Sellers can guarantee the first and the last slot of a structured pod.
            video["slotinpod"] = 1 if slot == 0 else (-1 if slot == slots - 1 else 0)
            if not live:
                pod_floor = POD_FLOOR_DURFLOORS
        # exp (§3.2.4: seconds between the auction and the impression): a VOD break may be
        # decided when the stream starts, a live one only when its cue arrives, seconds ahead.
        exp = 30 if live else 7200
        imp = {"video": video, "tagid": tagid, "secure": 1, "ssai": 3, "exp": exp}
        out.append(Slot("ctv", imp, BASE_FLOOR["video_ctv"], pod_floor, pod=True))
    return out


def audio(tagid: str, feed: int, server_side: bool, sdk: tuple[str, str]) -> Slot:
    """An audio ad break slot in a music, radio or podcast stream, with a companion banner.

    AdCOM 1.0 Feed Types: on-demand music services (``feed`` 1) stitch ads into the stream
    (``stitched`` 1) and leave tracking to the player's SDK (``ssai`` 2); broadcast radio
    streams (2) are live: exact durations (``rqddurs``), ads and tracking all server-side
    (``ssai`` 3); podcasts (3) are mostly stitched into the episode at download by the hosting
    platform's dynamic ad insertion (``server_side``: ``stitched`` 1, ``ssai`` 3), otherwise
    inserted by the player between segments (``stitched`` 0, ``ssai`` 1).
    """
    live = feed == 2
    stitched = feed != 3 or server_side
    body: dict[str, Any] = {"mimes": AUDIO_MIMES}
    if live:
        body["rqddurs"] = [15, 30]
    else:
        body.update(minduration=10, maxduration=30)
    body.update(protocols=AUDIO_PROTOCOLS, startdelay=0 if not live else -1, podid="1", podseq=0)
    body.update(poddur=60, maxseq=3, feed=feed, stitched=int(stitched), nvol=1, delivery=[1])
    body["api"] = [7]
    body.update(companiontype=[1], companionad=[{"id": "1", "w": 300, "h": 250}])
    imp: dict[str, Any] = {"audio": body, "displaymanager": sdk[0], "displaymanagerver": sdk[1]}
    ssai = 2 if feed == 1 else (3 if stitched else 1)
    imp.update(tagid=tagid, secure=1, ssai=ssai)
    return Slot("audio", imp, BASE_FLOOR["audio"])


def dooh_slot(tagid: str, portrait: bool, video: bool, exp: int) -> Slot:
    """A digital-out-of-home spot; ``qty`` and ``dt`` are added per request."""
    w, h = (1080, 1920) if portrait else (1920, 1080)
    imp: dict[str, Any]
    if video:
        imp = {
            "video": {
                "mimes": ["video/mp4"],
                "minduration": 5,
                "maxduration": 15,
                "protocols": [2, 3, 7],
                "w": w,
                "h": h,
                "plcmt": 4,
                "linearity": 1,
                "boxingallowed": 0,
                "playbackmethod": [1],
            }
        }
    else:
        imp = {
            "banner": {
                "format": [{"w": w, "h": h}],
                "w": w,
                "h": h,
                "mimes": ["image/jpeg", "image/png"],
            }
        }
    imp.update(tagid=tagid, secure=1, exp=exp)
    return Slot("dooh", imp, BASE_FLOOR["dooh"])
