"""The rules a bid must obey, checked from the decoded request and response alone.

Written from the spec text, independently of ``mock_data_gen.funnel``: the floor by OpenRTB 2.6
implementation guide §7.11.2 and §3.2.35, blocks by §3.2.1 (``badv``, ``bcat``) and the media
objects' ``battr``, sizes by §3.2.6/§3.2.10, ``mtype`` by §4.2.3, deals by §3.2.12. Used by
the funnel's own tests (``tests/funnel/``) and by ``test_funnel_at_scale.py`` on what the service
delivers to Kafka.
"""

from __future__ import annotations

from typing import Any

from mock_data_gen.funnel.opportunity import USD_PER_UNIT

MTYPE = {"banner": 1, "video": 2, "audio": 3, "native": 4}
SPOT_MEDIA = ("video", "audio")


def in_currency(amount: float, from_cur: str, to_cur: str) -> float:
    return amount if from_cur == to_cur else amount * USD_PER_UNIT[from_cur] / USD_PER_UNIT[to_cur]


def covers(durfloor: dict[str, Any], dur: int) -> bool:
    return durfloor.get("mindur", dur) <= dur <= durfloor.get("maxdur", dur)


def floor_of(request: dict[str, Any], imp: dict[str, Any], bid: dict[str, Any]) -> float:
    """The floor the bid must meet, in the request's (and so the response's) currency."""
    cur = (request.get("cur") or ["USD"])[0]
    imp_cur = imp.get("bidfloorcur", "USD")
    imp_floor = in_currency(imp.get("bidfloor", 0.0), imp_cur, cur)
    dur = bid.get("dur")
    places: list[tuple[dict[str, Any], str, bool]] = []
    if "dealid" in bid:
        deal = next(d for d in imp["pmp"]["deals"] if d["id"] == bid["dealid"])
        places.append((deal, deal.get("bidfloorcur", "USD"), True))
    media = next((imp[name] for name in SPOT_MEDIA if name in imp), None)
    if media is not None:
        places.append((media, imp_cur, False))
    for obj, obj_cur, has_bidfloor in places:
        if has_bidfloor and "bidfloor" in obj:
            return in_currency(obj["bidfloor"], obj_cur, cur)
        if "mincpmpersec" in obj:
            return in_currency(obj["mincpmpersec"] * dur, obj_cur, cur)
        if "durfloors" in obj:
            matching = [d for d in obj["durfloors"] if covers(d, dur)]
            if matching:
                return in_currency(matching[0].get("bidfloor", 0.0), obj_cur, cur)
            return imp_floor
    return imp_floor


def blocked_category(cat: str, bcat: list[str]) -> bool:
    return any(cat == b or cat.startswith(b + "-") for b in bcat)


def bid_problems(request: dict[str, Any], response: dict[str, Any]) -> list[str]:
    """Every way the response's bids break the request's rules (empty when they obey)."""
    problems: list[str] = []
    imps = {imp["id"]: imp for imp in request["imp"]}
    if response["id"] != request["id"]:
        problems.append(f"response id {response['id']} is not the request's")
    if "seatbid" in response and response.get("cur", "USD") != (request.get("cur") or ["USD"])[0]:
        problems.append(f"currency {response.get('cur')} is not the request's {request.get('cur')}")
    for seatbid in response.get("seatbid", []):
        for bid in seatbid["bid"]:
            where = f"{request['id']} seat {seatbid.get('seat')} bid {bid['id']}"
            imp = imps.get(bid["impid"])
            if imp is None:
                problems.append(f"{where}: impid {bid['impid']} is not an imp of the request")
                continue
            problems += [f"{where}: {p}" for p in _one_bid(request, imp, seatbid, bid)]
    return problems


def _one_bid(
    request: dict[str, Any], imp: dict[str, Any], seatbid: dict[str, Any], bid: dict[str, Any]
) -> list[str]:
    problems = []
    media_name = next(name for name in MTYPE if name in imp)
    media = imp[media_name]
    if bid.get("mtype") != MTYPE[media_name]:
        problems.append(f"mtype {bid.get('mtype')} on a {media_name} imp")
    pmp = imp.get("pmp", {})
    if "dealid" in bid:
        deal = next((d for d in pmp.get("deals", []) if d["id"] == bid["dealid"]), None)
        if deal is None:
            return [*problems, f"dealid {bid['dealid']} is not a deal of the imp"]
        if "wseat" in deal and seatbid.get("seat") not in deal["wseat"]:
            problems.append(f"seat not in the deal's wseat {deal['wseat']}")
        if "wadomain" in deal and not set(bid["adomain"]) <= set(deal["wadomain"]):
            problems.append(f"adomain {bid['adomain']} not in wadomain {deal['wadomain']}")
    elif pmp.get("private_auction") == 1:
        problems.append("an open-market bid on a private auction")
    if media_name in SPOT_MEDIA:
        dur = bid.get("dur")
        allowed = media.get("rqddurs")
        low, high = media.get("minduration", 0), media.get("maxduration", 10**6)
        if dur is None or (dur not in allowed if allowed else not low <= dur <= high):
            problems.append(f"dur {dur} not allowed (rqddurs {allowed}, {low}-{high} s)")
    if bid.get("dur") is not None or media_name not in SPOT_MEDIA:
        floor = floor_of(request, imp, bid)
        if round(bid["price"], 6) < round(floor, 6):
            problems.append(f"price {bid['price']} below the floor {floor}")
    if media_name == "banner":
        sizes = {(f["w"], f["h"]) for f in media.get("format", [])}
        if "w" in media:
            sizes.add((media["w"], media["h"]))
        if (bid.get("w"), bid.get("h")) not in sizes:
            problems.append(f"size {bid.get('w')}x{bid.get('h')} not in the formats {sizes}")
    elif media_name == "video" and "w" in bid and (bid["w"], bid["h"]) != (media["w"], media["h"]):
        problems.append(f"video size {bid['w']}x{bid['h']} is not the player's")
    if set(bid.get("adomain", [])) & set(request.get("badv", [])):
        problems.append(f"adomain {bid['adomain']} is blocked by badv")
    bcat = request.get("bcat", [])
    if any(blocked_category(cat, bcat) for cat in bid.get("cat", [])):
        problems.append(f"cat {bid['cat']} is blocked by bcat {bcat}")
    if set(bid.get("attr", [])) & set(media.get("battr", [])):
        problems.append(f"attr {bid['attr']} is blocked by battr {media['battr']}")
    for url, macros in (
        ("nurl", ("${AUCTION_PRICE}", "${AUCTION_ID}", "${AUCTION_IMP_ID}")),
        ("burl", ("${AUCTION_PRICE}", "${AUCTION_ID}", "${AUCTION_IMP_ID}")),
        ("lurl", ("${AUCTION_LOSS}", "${AUCTION_ID}", "${AUCTION_MIN_TO_WIN}")),
    ):
        if not all(macro in bid.get(url, "") for macro in macros):
            problems.append(f"{url} lacks one of {macros}: {bid.get(url)}")
    return problems
