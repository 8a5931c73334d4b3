"""Realised traffic distributions of generated bid requests: aggregation, text tables, a PNG.

:class:`TrafficReport` only counts (pure, no I/O); :func:`render_text` and :func:`render_png`
present a finished report. Shares of requests unless noted: the deal share is a share of
impressions, the LMT share a share of app requests.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

# AdCOM 1.0 List: Device Types.
DEVICE_TYPES: Final = {
    1: "mobile/tablet",
    2: "personal computer",
    3: "connected TV",
    4: "phone",
    5: "tablet",
    6: "connected device",
    7: "set top box",
    8: "out-of-home",
}
MEDIA: Final = ("banner", "video", "audio", "native")
# Privacy and identity flags, in report order: (key, label, denominator).
FLAGS: Final = (
    ("gdpr", "regs.gdpr = 1", "requests"),
    ("consent", "user.consent (TCF string)", "requests"),
    ("us_privacy", "regs.us_privacy", "requests"),
    ("gpp", "regs.gpp + gpp_sid", "requests"),
    ("coppa", "regs.coppa = 1", "requests"),
    ("lmt", "device.lmt = 1", "app requests"),
    ("eids", "user.eids present", "requests"),
    ("deal", "imp.pmp (deals)", "impressions"),
)


@dataclass
class TrafficReport:
    """Counts over a set of bid requests; feed them with :meth:`add`."""

    requests: int = 0
    impressions: int = 0
    app_requests: int = 0
    media: Counter[str] = field(default_factory=Counter)
    device_type: Counter[str] = field(default_factory=Counter)
    os: Counter[str] = field(default_factory=Counter)
    country: Counter[str] = field(default_factory=Counter)
    inventory: Counter[str] = field(default_factory=Counter)
    banner_sizes: Counter[str] = field(default_factory=Counter)
    floors: dict[str, list[float]] = field(default_factory=dict)
    flags: Counter[str] = field(default_factory=Counter)

    def add(self, request: dict[str, Any]) -> None:
        self.requests += 1
        inventory = next((k for k in ("site", "app", "dooh") if k in request), "unknown")
        self.inventory[inventory] += 1
        device = request.get("device", {})
        self.device_type[DEVICE_TYPES.get(device.get("devicetype"), "unknown")] += 1
        self.os[device.get("os", "unknown")] += 1
        self.country[device.get("geo", {}).get("country", "unknown")] += 1
        regs, user = request.get("regs", {}), request.get("user", {})
        self.flags["gdpr"] += regs.get("gdpr") == 1
        self.flags["consent"] += "consent" in user
        self.flags["us_privacy"] += "us_privacy" in regs
        self.flags["gpp"] += "gpp" in regs and bool(regs.get("gpp_sid"))
        self.flags["coppa"] += regs.get("coppa") == 1
        self.flags["eids"] += bool(user.get("eids"))
        if inventory == "app":
            self.app_requests += 1
            self.flags["lmt"] += device.get("lmt") == 1
        for imp in request.get("imp", []):
            self.impressions += 1
            self.flags["deal"] += "pmp" in imp
            kinds = [kind for kind in MEDIA if kind in imp]
            for kind in kinds:
                self.media[kind] += 1
            if "banner" in imp and "w" in imp["banner"]:
                self.banner_sizes[f"{imp['banner']['w']}x{imp['banner']['h']}"] += 1
            if kinds and imp.get("bidfloorcur", "USD") == "USD" and "bidfloor" in imp:
                self.floors.setdefault(kinds[0], []).append(float(imp["bidfloor"]))

    def add_all(self, requests: Iterable[dict[str, Any]]) -> TrafficReport:
        for request in requests:
            self.add(request)
        return self

    def flag_share(self, key: str) -> float:
        denominator = {"lmt": self.app_requests, "deal": self.impressions}.get(key, self.requests)
        return self.flags[key] / denominator if denominator else 0.0

    def floor_percentiles(self) -> dict[str, tuple[int, float, float, float]]:
        """Per media type: (count, p10, median, p90) of USD floors."""
        out = {}
        for kind in MEDIA:
            values = sorted(self.floors.get(kind, []))
            if len(values) >= 2:
                deciles = statistics.quantiles(values, n=10)
                out[kind] = (len(values), deciles[0], statistics.median(values), deciles[-1])
            elif values:
                out[kind] = (1, values[0], values[0], values[0])
        return out


def _table(title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        title,
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        ),
    ]
    for row in rows:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return [*lines, ""]


def _counts(title: str, counts: Counter[str], total: int, limit: int = 12) -> list[str]:
    rows = [(name, str(n), f"{100 * n / total:.1f}%") for name, n in counts.most_common(limit)]
    rest = sum(counts.values()) - sum(n for _, n in counts.most_common(limit))
    if rest:
        rows.append(("(other)", str(rest), f"{100 * rest / total:.1f}%"))
    return _table(title, ("value", "count", "share"), rows)


def render_text(report: TrafficReport) -> str:
    """Aligned text tables of every distribution."""
    lines = [f"requests: {report.requests}  impressions: {report.impressions}", ""]
    lines += _counts("media type (impressions)", report.media, report.impressions)
    lines += _counts("inventory type", report.inventory, report.requests)
    lines += _counts("device type", report.device_type, report.requests)
    lines += _counts("operating system", report.os, report.requests)
    lines += _counts("country (device.geo)", report.country, report.requests, limit=15)
    lines += _counts(
        "banner size (primary)", report.banner_sizes, sum(report.banner_sizes.values())
    )
    floor_rows = [
        (kind, str(n), f"{p10:.2f}", f"{p50:.2f}", f"{p90:.2f}")
        for kind, (n, p10, p50, p90) in report.floor_percentiles().items()
    ]
    lines += _table("bid floor, USD CPM", ("media", "count", "p10", "median", "p90"), floor_rows)
    flag_rows = [
        (label, str(report.flags[key]), f"{100 * report.flag_share(key):.1f}%", base)
        for key, label, base in FLAGS
    ]
    lines += _table("privacy and identity", ("signal", "count", "share", "of"), flag_rows)
    return "\n".join(lines).rstrip() + "\n"


def render_png(report: TrafficReport, path: Path) -> None:
    """Draw every distribution into one PNG (whatever the file name's suffix): shares as bars,
    floors as box plots.

    Raises ``OSError`` when the file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(24, 12), constrained_layout=True)
    fig.suptitle(
        f"Generated bid requests: {report.requests:,} requests, {report.impressions:,} impressions",
        fontsize=15,
    )
    banners = sum(report.banner_sizes.values())
    panels = [
        ("Media type", report.media, report.impressions, "% of impressions"),
        ("Inventory type", report.inventory, report.requests, "% of requests"),
        ("Device type", report.device_type, report.requests, "% of requests"),
        ("Operating system", report.os, report.requests, "% of requests"),
        ("Country (device.geo)", report.country, report.requests, "% of requests"),
        ("Banner size (primary)", report.banner_sizes, banners, "% of banner impressions"),
    ]
    for ax, (title, counts, total, unit) in zip(axes.flat, panels, strict=False):
        items = counts.most_common(12)[::-1]
        shares = [100 * n / max(total, 1) for _, n in items]
        ax.barh([name for name, _ in items], shares, color="#3b75af")
        ax.set_title(title)
        ax.set_xlabel(unit)
    ax = axes.flat[6]
    kinds = [kind for kind in MEDIA if report.floors.get(kind)]
    if kinds:
        # Boxes, not bars: a bar's length on a log axis means nothing, and floors span decades.
        ax.boxplot(
            [report.floors[kind] for kind in kinds],
            whis=(10, 90),
            showfliers=False,
            patch_artist=True,
            boxprops={"facecolor": "#f3c89a"},
            medianprops={"color": "#a04a00"},
        )
        ax.set_xticks(
            range(1, len(kinds) + 1),
            [f"{kind}\n(n={len(report.floors[kind]):,})" for kind in kinds],
        )
        ax.set_yscale("log")
        ax.set_ylabel("USD CPM (log scale)")
    else:
        ax.text(0.5, 0.5, "no USD floors", ha="center", va="center", transform=ax.transAxes)
    ax.set_title("Bid floor, USD CPM (box: quartiles, whiskers: p10-p90)")
    ax = axes.flat[7]
    labels = [f"{label} (of {base})" for _, label, base in FLAGS][::-1]
    shares = [100 * report.flag_share(key) for key, _, _ in FLAGS][::-1]
    ax.barh(labels, shares, color="#4f9a58")
    ax.set_xlim(0, 100)
    ax.set_title("Privacy and identity signals (% of the base named)")
    for y, share in enumerate(shares):
        ax.text(share + 1, y, f"{share:.1f}%", va="center")
    try:
        # An explicit format: the option promises a PNG, and a suffix such as ".out" or none
        # would otherwise make matplotlib guess or refuse.
        fig.savefig(path, dpi=100, format="png")
    finally:
        plt.close(fig)
