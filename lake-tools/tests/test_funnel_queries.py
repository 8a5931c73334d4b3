"""The ``funnel-*`` named queries against the funnel's real tables (SQLite catalog, local files).

The tables hold the simulated funnels of generated requests (``funnel_lakehouse``); every figure
a query answers is checked against the same figure counted here, in Python, from the events.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import LakeRunner, S3Server, local_lakehouse
from funnel_lakehouse import Funnel, fill_funnel_tables, simulate
from lakehouse import Lakehouse, Record, append, generate
from mock_data_gen.funnel.opportunity import read_request

from lake_tools.exit_codes import EXIT_NO_TABLE, EXIT_OK
from lake_tools.named_queries import NAMED_QUERIES
from lake_tools.views import REFERENCE_USD_RATES

Lake = Callable[[Lakehouse], LakeRunner]
MEDIA = {1: "banner", 2: "video", 3: "audio", 4: "native"}


@dataclass(frozen=True)
class FunnelLake:
    lakehouse: Lakehouse
    requests: list[Record]
    funnel: Funnel


@cache
def _sample(count: int = 300) -> tuple[list[Record], Funnel]:
    """``count`` requests and, so that clicks (about 3 in 1,000 requests) are there to count,
    every request with a click among 2,000 (7 with the funnel's seed 5); each request's whole
    funnel, as simulated."""
    generated = generate(2000, partitions=3, rate=1.0)
    funnel = simulate(generated)
    clicked = {record.request["request_id"] for record in funnel.events["click"]}
    kept = [r for i, r in enumerate(generated) if i < count or r.request["id"] in clicked]
    # Offsets consecutive again per partition, as the topic would hold them.
    offsets: Counter[int] = Counter()
    requests = []
    for record in kept:
        requests.append(replace(record, offset=offsets[record.partition]))
        offsets[record.partition] += 1
    return requests, simulate(requests)


def _fill(lakehouse: Lakehouse) -> FunnelLake:
    requests, funnel = _sample()
    append(lakehouse.create_bid_request_table(), requests)
    fill_funnel_tables(lakehouse, funnel)
    return FunnelLake(lakehouse, requests, funnel)


@pytest.fixture(scope="module")
def funnel_lake(tmp_path_factory: pytest.TempPathFactory) -> FunnelLake:
    return _fill(local_lakehouse(tmp_path_factory.mktemp("funnel")))


@pytest.fixture(scope="module")
def requests_only(tmp_path_factory: pytest.TempPathFactory) -> Lakehouse:
    """A lake set up without FUNNEL=full: the request table alone (empty)."""
    lakehouse = local_lakehouse(tmp_path_factory.mktemp("requests-only"))
    lakehouse.create_bid_request_table()
    return lakehouse


def _query(lake: Lake, where: FunnelLake, name: str, **env: str) -> list[dict[str, Any]]:
    run = lake(where.lakehouse)("query", "--name", name, "--format", "json", **env)
    assert run.code == EXIT_OK, run.err
    rows: list[dict[str, Any]] = json.loads(run.out)
    return rows


def _rate(part: int, whole: int, digits: int = 4, scale: int = 1) -> float:
    return round(scale * part / whole, digits)


def _channel(request: dict[str, Any]) -> str:
    """The channel the funnel gives the request's events: web, app, ctv or dooh."""
    return read_request(request).channel


def _media(imp: dict[str, Any]) -> str:
    return "+".join(m for m in ("banner", "video", "audio", "native") if m in imp)


def test_there_is_something_to_count(funnel_lake: FunnelLake) -> None:
    sizes = {kind: len(events) for kind, events in funnel_lake.funnel.events.items()}
    assert sizes["bid_response"] > 3000 and sizes["win"] > 250, sizes
    assert sizes["impression"] > 220 and sizes["click"] >= 3, sizes


def test_fill_rate_by_channel_and_media(funnel_lake: FunnelLake, lake: Lake) -> None:
    won = {(w["request_id"], w["imp_id"]) for w in funnel_lake.funnel.payloads("win")}
    offered: Counter[tuple[str, str]] = Counter()
    filled: Counter[tuple[str, str]] = Counter()
    for record in funnel_lake.requests:
        for imp in record.request["imp"]:
            key = (_channel(record.request), _media(imp))
            offered[key] += 1
            filled[key] += (record.request["id"], imp["id"]) in won

    rows = _query(lake, funnel_lake, "funnel-fill-rate")

    assert {(r["channel"], r["media_type"]): r for r in rows} == {
        key: {
            "channel": key[0],
            "media_type": key[1],
            "offered": n,
            "filled": filled[key],
            "fill_rate": _rate(filled[key], n),
        }
        for key, n in offered.items()
    }


def test_fill_rate_gives_connected_tv_its_own_channel(funnel_lake: FunnelLake, lake: Lake) -> None:
    """A request from a connected TV or set-top box (an app's, in the sample) is counted as ctv,
    the channel its impressions name, not folded into app or web."""
    ctv_requests = [
        r.request
        for r in funnel_lake.requests
        if r.request.get("device", {}).get("devicetype") in (3, 7) and "dooh" not in r.request
    ]
    channel_of = {r.request["id"]: _channel(r.request) for r in funnel_lake.requests}
    shown = funnel_lake.funnel.payloads("impression")

    rows = _query(lake, funnel_lake, "funnel-fill-rate")

    assert ctv_requests and any(i["channel"] == "ctv" for i in shown)
    channels = {r["channel"] for r in rows}
    assert "ctv" in channels and channels <= {"web", "app", "ctv", "dooh"}
    assert sum(r["offered"] for r in rows if r["channel"] == "ctv") == sum(
        len(request["imp"]) for request in ctv_requests
    )
    # Each impression's own channel is the one its offer is counted under.
    assert all(channel_of[i["request_id"]] == i["channel"] for i in shown)


def _bids_in_time(funnel: Funnel) -> Counter[tuple[str, str]]:
    bids: Counter[tuple[str, str]] = Counter()
    for response in funnel.payloads("bid_response"):
        if response["late"] or "response" not in response:
            continue
        for seatbid in response["response"].get("seatbid", []):
            for bid in seatbid["bid"]:
                bids[response["seat"], MEDIA[bid["mtype"]]] += 1
    return bids


def _billed_usd(
    impressions: list[dict[str, Any]],
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Each billable impression's price (its win's clearing price, a CPM) in USD and how many
    impressions it counts as (a DOOH play: its multiplier), by seat and media."""
    prices: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for impression in impressions:
        rate = REFERENCE_USD_RATES[impression["cur"]]
        prices[impression["seat"], MEDIA[impression["mtype"]]].append(
            (impression["price"] * rate, impression.get("multiplier", 1.0))
        )
    return prices


def _ecpm(billed: list[tuple[float, float]]) -> Any:
    """USD per 1,000 impressions, rounded to the tenth of a cent as the query rounds it (the sums
    may differ in their last bit); None with nothing billed."""
    if not billed:
        return None
    cost = sum(price / 1000 * count for price, count in billed)
    return pytest.approx(1000 * cost / sum(count for _, count in billed), abs=1e-3)


def test_win_rate_and_ecpm_by_seat_and_media(funnel_lake: FunnelLake, lake: Lake) -> None:
    bids = _bids_in_time(funnel_lake.funnel)
    wins = Counter((w["seat"], MEDIA[w["mtype"]]) for w in funnel_lake.funnel.payloads("win"))
    billed = _billed_usd(funnel_lake.funnel.payloads("impression"))

    rows = _query(lake, funnel_lake, "funnel-win-rate-by-seat")

    assert len(rows) == len(bids)
    for row in rows:
        key = (row["seat"], row["media_type"])
        prices = billed.get(key, [])
        assert row["bids_in_time"] == bids[key], key
        assert row["wins"] == wins[key], key
        assert row["win_rate"] == _rate(wins[key], bids[key]), key
        assert row["impressions"] == len(prices), key
        assert row["ecpm_usd"] == _ecpm(prices), key
        assert row["impressions_without_usd_rate"] == 0
    assert sum(row["wins"] for row in rows) == len(funnel_lake.funnel.events["win"])
    assert sum(row["impressions"] for row in rows) == len(funnel_lake.funnel.events["impression"])


def test_ecpm_counts_billable_impressions_not_wins(funnel_lake: FunnelLake, lake: Lake) -> None:
    """Impressions read from a table (TOPIC_IMPRESSIONS) holding every other one, and none of
    one seat and media, as if the other wins had never rendered: the wins and win rate stay,
    eCPM is that of the billed impressions alone, and with nothing billed there is none."""

    def key(impression: Record) -> tuple[str, str]:
        return impression.request["seat"], MEDIA[impression.request["mtype"]]

    impressions = funnel_lake.funnel.events["impression"]
    gone = key(impressions[0])
    kept = [i for n, i in enumerate(impressions) if n % 2 == 0 and key(i) != gone]
    names = {"impression": "impressions_half"}
    fill_funnel_tables(funnel_lake.lakehouse, Funnel({"impression": kept}), names)
    billed = _billed_usd([i.request for i in kept])
    wins = Counter((w["seat"], MEDIA[w["mtype"]]) for w in funnel_lake.funnel.payloads("win"))

    rows = _query(
        lake, funnel_lake, "funnel-win-rate-by-seat", TOPIC_IMPRESSIONS="impressions_half"
    )

    assert sum(row["wins"] for row in rows) == len(funnel_lake.funnel.events["win"])
    assert sum(row["impressions"] for row in rows) == len(kept)
    for row in rows:
        key = (row["seat"], row["media_type"])
        prices = billed.get(key, [])
        assert row["wins"] == wins[key], key
        assert row["ecpm_usd"] == _ecpm(prices), key
    (unbilled,) = [row for row in rows if (row["seat"], row["media_type"]) == gone]
    assert unbilled["wins"] > 0 and unbilled["impressions"] == 0
    assert unbilled["ecpm_usd"] is None


def _by_media(payloads: list[dict[str, Any]]) -> Counter[str]:
    counts = Counter(MEDIA[p["mtype"]] for p in payloads)
    counts["all"] = len(payloads)
    return counts


def test_render_rate_is_impressions_per_win(funnel_lake: FunnelLake, lake: Lake) -> None:
    wins = _by_media(funnel_lake.funnel.payloads("win"))
    impressions = _by_media(funnel_lake.funnel.payloads("impression"))

    rows = _query(lake, funnel_lake, "funnel-render-rate")

    assert rows[-1]["media_type"] == "all"
    assert {r["media_type"]: (r["wins"], r["impressions"], r["render_rate"]) for r in rows} == {
        media: (n, impressions[media], _rate(impressions[media], n)) for media, n in wins.items()
    }
    assert 0.8 < rows[-1]["render_rate"] < 0.97


def test_ctr_is_clicks_per_impression_by_format(funnel_lake: FunnelLake, lake: Lake) -> None:
    impressions = _by_media(funnel_lake.funnel.payloads("impression"))
    clicks = _by_media(funnel_lake.funnel.payloads("click"))

    rows = _query(lake, funnel_lake, "funnel-ctr-by-format")

    assert {r["media_type"]: (r["impressions"], r["clicks"], r["ctr_percent"]) for r in rows} == {
        media: (n, clicks[media], _rate(clicks[media], n, 3, 100))
        for media, n in impressions.items()
    }


def test_time_from_request_to_click(funnel_lake: FunnelLake, lake: Lake) -> None:
    asked = {r.request["id"]: r.timestamp_ms for r in funnel_lake.requests}
    seconds: dict[str, list[float]] = defaultdict(list)
    for click in funnel_lake.funnel.events["click"]:
        waited = (click.timestamp_ms - asked[click.request["request_id"]]) / 1000
        seconds[MEDIA[click.request["mtype"]]].append(waited)
        seconds["all"].append(waited)

    rows = _query(lake, funnel_lake, "funnel-time-to-click")

    assert rows[-1]["media_type"] == "all"
    assert len(rows) == len(seconds)
    for row in rows:
        waits = seconds[row["media_type"]]
        assert row["clicks"] == len(waits)
        for column, q in (("p50_seconds", 0.5), ("p90_seconds", 0.9), ("p99_seconds", 0.99)):
            assert row[column] == pytest.approx(round(float(np.quantile(waits, q)), 3), abs=1e-3)
        assert row["max_seconds"] == round(max(waits), 3)
        assert row["p50_seconds"] > 0


def _integrity(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int, int]]:
    return {r["event"]: (r["events"], r["without_cause"], r["not_after_cause"]) for r in rows}


def test_integrity_is_all_zeros_on_a_whole_funnel(funnel_lake: FunnelLake, lake: Lake) -> None:
    rows = _query(lake, funnel_lake, "funnel-integrity")

    assert _integrity(rows) == {
        "bid_response": (len(funnel_lake.funnel.events["bid_response"]), 0, 0),
        "win": (len(funnel_lake.funnel.events["win"]), 0, 0),
        "impression": (len(funnel_lake.funnel.events["impression"]), 0, 0),
        "click": (len(funnel_lake.funnel.events["click"]), 0, 0),
    }


def test_integrity_counts_events_without_their_cause_or_before_it(
    funnel_lake: FunnelLake, lake: Lake
) -> None:
    """Tables of the same namespace with some wins lost and a click timed before its
    impression, read in place of the whole ones through TOPIC_WINS and TOPIC_CLICKS."""
    funnel = funnel_lake.funnel
    wins = funnel.events["win"]
    lost = wins[::10]
    lost_ids = {(w.request["request_id"], w.request["imp_id"]) for w in lost}
    orphans = [
        i
        for i in funnel.events["impression"]
        if (i.request["request_id"], i.request["imp_id"]) in lost_ids
    ]
    clicks = funnel.events["click"]
    shown = {
        (i.request["request_id"], i.request["imp_id"]): i.timestamp_ms
        for i in funnel.events["impression"]
    }
    first = clicks[0]
    early = replace(
        first, timestamp_ms=shown[first.request["request_id"], first.request["imp_id"]] - 1
    )
    broken = Funnel(
        {
            "bid_response": [],
            "win": [w for w in wins if w not in lost],
            "impression": [],
            "click": [early, *clicks[1:]],
        }
    )
    names = {"win": "wins_holey", "click": "clicks_early"}
    fill_funnel_tables(funnel_lake.lakehouse, Funnel({k: broken.events[k] for k in names}), names)

    rows = _query(
        lake, funnel_lake, "funnel-integrity", TOPIC_WINS="wins_holey", TOPIC_CLICKS="clicks_early"
    )

    assert orphans  # a lost win that was rendered
    counted = _integrity(rows)
    assert counted["bid_response"] == (len(funnel.events["bid_response"]), 0, 0)
    assert counted["win"] == (len(wins) - len(lost), 0, 0)
    assert counted["impression"] == (len(funnel.events["impression"]), len(orphans), 0)
    assert counted["click"] == (len(clicks), 0, 1)


def test_a_dotted_topic_is_read_from_its_table_named_without_the_dots(
    funnel_lake: FunnelLake, lake: Lake
) -> None:
    """TOPIC_WINS=adtech.wins: setup names its table adtech_wins (a dot in a table's name would
    end its namespace), and that is the table read as funnel_wins."""
    wins = funnel_lake.funnel.events["win"][::2]
    names = {"win": "adtech_wins"}
    fill_funnel_tables(funnel_lake.lakehouse, Funnel({"win": wins}), names)

    rows = _query(lake, funnel_lake, "funnel-integrity", TOPIC_WINS="adtech.wins")

    assert _integrity(rows)["win"] == (len(wins), 0, 0)


def test_each_query_reads_only_the_tables_it_needs(funnel_lake: FunnelLake, lake: Lake) -> None:
    run = lake(funnel_lake.lakehouse)("query", "--name", "funnel-ctr-by-format")

    assert run.code == EXIT_OK, run.err
    scans = [line for line in run.err.splitlines() if "event=scan_planned" in line]
    read = {re.search(r"relation=(\w+)", line)[1]: line for line in scans}  # type: ignore[index]
    assert set(read) == {"funnel_impressions", "funnel_clicks"}
    assert "columns_read=event_time" not in read["funnel_impressions"]
    assert "columns_read=request_id,imp_id,mtype" in read["funnel_impressions"]


def test_explain_names_each_table_a_query_reads(funnel_lake: FunnelLake, lake: Lake) -> None:
    run = lake(funnel_lake.lakehouse)("query", "--explain", "--name", "funnel-time-to-click")

    assert run.code == EXIT_OK, run.err
    assert "relation: bid_requests" in run.out and "relation: funnel_clicks" in run.out
    assert "columns_read: event_time,id" in run.out
    assert "relation: funnel_impressions" not in run.out


def test_a_count_of_a_funnel_table_reads_that_table(funnel_lake: FunnelLake, lake: Lake) -> None:
    run = lake(funnel_lake.lakehouse)(
        "query", "--format", "csv", "SELECT count(*) AS n FROM funnel_wins"
    )

    assert run.code == EXIT_OK, run.err
    assert run.out.splitlines()[1] == str(len(funnel_lake.funnel.events["win"]))


@pytest.mark.parametrize("name", sorted(n for n in NAMED_QUERIES if n.startswith("funnel-")))
def test_without_the_funnel_tables_a_funnel_query_says_what_to_run(
    name: str, requests_only: Lakehouse, lake: Lake
) -> None:
    run = lake(requests_only)("query", "--name", name)

    assert run.code == EXIT_NO_TABLE
    assert "does not exist" in run.err and "FUNNEL=full" in run.err
    assert re.search(r"Iceberg table db\.(bid_responses|wins|impressions|clicks)\b", run.err)
    assert "Traceback" not in run.err


def test_queries_lists_the_funnel_queries(lake: Lake, tmp_path: Path) -> None:
    run = lake(local_lakehouse(tmp_path))("queries")

    assert run.code == EXIT_OK
    listed = [line.split()[0] for line in run.out.splitlines()]
    assert listed == list(NAMED_QUERIES)
    assert {
        "funnel-fill-rate",
        "funnel-win-rate-by-seat",
        "funnel-render-rate",
        "funnel-ctr-by-format",
        "funnel-time-to-click",
        "funnel-integrity",
    } <= set(listed)


def test_the_funnel_queries_read_tables_in_s3_too(
    tmp_path: Path, s3_server: S3Server, lake: Lake
) -> None:
    where = _fill(
        Lakehouse(
            f"sqlite:///{tmp_path / 'catalog.db'}",
            f"s3://warehouse/funnel-{tmp_path.name}/",
            s3_endpoint=s3_server.endpoint,
        )
    )

    rows = _query(lake, where, "funnel-integrity")
    (overall,) = [r for r in _query(lake, where, "funnel-render-rate") if r["media_type"] == "all"]

    assert [r["events"] for r in rows] == [len(v) for v in where.funnel.events.values()]
    assert all(r["without_cause"] == r["not_after_cause"] == 0 for r in rows)
    assert overall["impressions"] == len(where.funnel.events["impression"])


def test_as_of_reads_the_funnel_tables_as_of_the_same_moment(
    funnel_lake: FunnelLake, lake: Lake
) -> None:
    """The request table was committed before the funnel's tables were created: as of its
    snapshot, they held nothing yet."""
    requests = funnel_lake.lakehouse.table()
    first = requests.current_snapshot().snapshot_id
    sql = "SELECT (SELECT count(*) FROM funnel_wins) AS wins, count(*) AS requests FROM requests"
    then = lake(funnel_lake.lakehouse)("query", "--as-of", str(first), "--format", "csv", sql)
    now = lake(funnel_lake.lakehouse)("query", "--format", "csv", sql)

    assert then.code == EXIT_OK, then.err
    assert then.out.splitlines()[1] == f"0,{len(funnel_lake.requests)}"
    wins = len(funnel_lake.funnel.events["win"])
    assert now.out.splitlines()[1] == f"{wins},{len(funnel_lake.requests)}"
