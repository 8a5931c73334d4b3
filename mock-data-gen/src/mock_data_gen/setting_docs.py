"""The user-facing documentation of each ``run`` setting: how ``--help``, error messages and the
README's settings table present it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class SettingDoc:
    """How one setting is presented in ``--help``, error messages and the README table."""

    env: str
    option: str
    accepted: str
    description: str
    default: str


_FRACTION = "a fraction from 0 to 1; all FAULT_* together at most 1"
_FAULTS_NOTE = (
    "Each such record has the header fault naming the kind (README: Faults on purpose); "
    "not together with a scenario that has faults."
)


# Each setting's environment variable, what it accepts and what it does, in the order shown.
_TEXTS: tuple[tuple[str, str, str], ...] = (
    (
        "KAFKA_BOOTSTRAP_SERVERS",
        "comma-separated host:port list",
        "Kafka brokers to bootstrap from.",
    ),
    (
        "EVENTS_PER_SECOND",
        "a number >= 0 (0 = as fast as possible)",
        "Target rate of bid requests; per simulated second when the run is simulated, "
        "each UTC day's mean with RATE_PROFILE=diurnal.",
    ),
    (
        "TOPIC_BID_REQUESTS",
        "a Kafka topic name (letters, digits, '.', '_', '-')",
        "Topic the bid requests are written to.",
    ),
    (
        "FUNNEL",
        "requests, full",
        "requests = the bid requests alone; full = also each request's bid responses, wins, "
        "impressions and clicks, each to its topic (below) when its event time comes, keyed "
        "like its request. EVENTS_PER_SECOND and MAX_EVENTS still count bid requests.",
    ),
    (
        "TOPIC_BID_RESPONSES",
        "a Kafka topic name",
        "Topic of the bid responses (FUNNEL=full).",
    ),
    ("TOPIC_WINS", "a Kafka topic name", "Topic of the auction outcomes (FUNNEL=full)."),
    (
        "TOPIC_IMPRESSIONS",
        "a Kafka topic name",
        "Topic of the billable impressions (FUNNEL=full).",
    ),
    ("TOPIC_CLICKS", "a Kafka topic name", "Topic of the clicks (FUNNEL=full)."),
    (
        "SEED",
        "an integer >= 0",
        "Seed of the generator; unset = random (the start-up log names the one drawn).",
    ),
    (
        "MAX_EVENTS",
        "an integer >= 1",
        "Stop after this many events (records: a duplicate's copy counts), flush and exit.",
    ),
    ("DURATION_SECONDS", "a number > 0", "Stop after this many seconds, flush and exit."),
    (
        "SIMULATED_START",
        "an ISO 8601 date-time, e.g. 2026-11-27T00:00:00Z (no offset = UTC)",
        "Simulated time of the first event, in the past or the future: record timestamps "
        "(the table's event_time) and the traffic mix follow a simulated clock from there. "
        "Unset = now.",
    ),
    (
        "SIMULATED_END",
        "an ISO 8601 date-time after SIMULATED_START (or now)",
        "Stop when the simulated clock reaches this time (the last event is before it), "
        "flush and exit; with SPEED=max, a backfill of the range.",
    ),
    (
        "SPEED",
        "a number > 0, or max",
        "Simulated seconds per real second (60 = an hour a minute); max = as fast as "
        "events can be generated. Any value but 1, like SIMULATED_START or SIMULATED_END, "
        "makes the run simulated; otherwise event time is the wall clock.",
    ),
    (
        "RATE_PROFILE",
        "flat, diurnal",
        "flat = EVENTS_PER_SECOND throughout; diurnal = the rate follows the traffic level "
        "of the (simulated) UTC hour, as the generator's market mix has it, with "
        "EVENTS_PER_SECOND each UTC day's mean.",
    ),
    (
        "SCENARIO_FILE",
        "a JSON scenario file (examples in scenarios/)",
        "Stages with a duration, a rate or a ramp, and bursts, set the rate instead of "
        "EVENTS_PER_SECOND and RATE_PROFILE (in simulated seconds when the run is simulated); "
        "the run stops at the end of the last stage; its optional mix changes the traffic "
        "profile for the run. An invalid file stops the start (exit 2) naming its line.",
    ),
    (
        "KAFKA_COMPRESSION",
        "none, gzip, snappy, lz4, zstd",
        "Producer batch compression.",
    ),
    (
        "KEY_STRATEGY",
        "user, request, publisher, none",
        "Record key: user id (one user's requests stay in one partition), request id, "
        "publisher id, or no key.",
    ),
    (
        "KAFKA_QUEUE_MAX_MESSAGES",
        "an integer >= 1",
        "Events held for delivery at most (and 64 MiB); when full (e.g. brokers down), "
        "generation pauses.",
    ),
    (
        "KAFKA_EXTRA_CONFIG",
        "comma-separated librdkafka key=value pairs",
        "Extra producer properties, e.g. security.protocol=SASL_SSL,"
        "sasl.mechanism=SCRAM-SHA-512,sasl.username=...,sasl.password=...; secrets are "
        "masked in logs; a property the Kafka client refuses is an invalid setting.",
    ),
    (
        "FLUSH_TIMEOUT_SECONDS",
        "a number > 0",
        "On stop, how long to wait for queued events to be delivered.",
    ),
    ("METRICS_PORT", "0-65535 (0 = off)", "Port of the /metrics and /healthz endpoints."),
    (
        "METRICS_HOST",
        "an IPv4 address or host name",
        "Address the /metrics and /healthz endpoints listen on: 127.0.0.1 = this machine "
        "only, 0.0.0.0 = every interface (the compose file sets it for the containers).",
    ),
    (
        "UNHEALTHY_AFTER_SECONDS",
        "a number > 0",
        "/healthz answers 503, with the reason, once events have waited this long without "
        "an acknowledgement from Kafka or no broker has been reachable this long; 200 again "
        "as soon as deliveries resume.",
    ),
    ("LOG_LEVEL", "DEBUG, INFO, WARNING, ERROR", "Lowest level logged."),
    ("LOG_FORMAT", "text, json", "text = key=value lines, json = one JSON object a line."),
    (
        "STATS_INTERVAL_SECONDS",
        "a number >= 0 (0 = off)",
        "Interval of the stats log line.",
    ),
    (
        "TARGET",
        "dsp, prebid-server",
        "dsp = requests as an exchange sends them to its bidders; prebid-server = requests "
        "Prebid Server's /openrtb2/auction accepts: no imp.metric, the PREBID_BIDDERS in "
        "each imp.ext.prebid.bidder, ext.prebid with targeting and cache.",
    ),
    (
        "PREBID_BIDDERS",
        "a JSON object of bidder codes to their parameters",
        "With TARGET=prebid-server, the bidders every imp names: bidders the server is "
        "configured with, each with parameters its bidder schema accepts.",
    ),
    *(
        (f"FAULT_{kind.upper()}", _FRACTION, f"Fraction of events {what}. {_FAULTS_NOTE}")
        for kind, what in (
            ("malformed_json", "sent cut off mid-value (not JSON)"),
            ("schema_invalid", "sent with a string imp[0].bidfloor or without imp"),
            ("duplicate", "sent twice (same key, value, timestamp and headers)"),
            ("late", "whose timestamp (event time) is 2 to 10 minutes behind"),
            ("oversize", "grown to 900,000 bytes by an ext.padding string"),
        )
    ),
)


def _doc(env: str, accepted: str, description: str, defaults: Mapping[str, Any]) -> SettingDoc:
    name = env.lower()
    default = defaults[name]
    return SettingDoc(
        env=env,
        option="--" + name.replace("_", "-"),
        accepted=accepted,
        description=description,
        default="(unset)"
        if default in (None, "") or isinstance(default, SecretStr)
        else str(default),
    )


def document_settings(defaults: Mapping[str, Any]) -> dict[str, SettingDoc]:
    """Each setting's documentation by field name, in the order shown, from its default value."""
    return {
        doc.env.lower(): doc
        for doc in (_doc(env, accepted, text, defaults) for env, accepted, text in _TEXTS)
    }
