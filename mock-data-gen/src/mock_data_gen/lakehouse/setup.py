"""Creates what the pipeline needs, idempotently: Kafka topics, warehouse bucket, Iceberg table.

Each step first waits (up to ``SETUP_TIMEOUT_SECONDS``) for its service to answer, then creates its
resource or reports that it exists; a second run changes nothing. Configuration comes from the
environment (:class:`SetupSettings`); the Iceberg catalog is configured the pyiceberg way
(``PYICEBERG_CATALOG__<NAME>__URI``, ``PYICEBERG_CATALOG__<NAME>__S3__ENDPOINT``, ... or
``~/.pyiceberg.yaml``) and chosen by ``ICEBERG_CATALOG``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from platform_common.kafka_config import parse_extra_config
from platform_common.settings import (
    DEFAULT_BOOTSTRAP_SERVERS,
    DEFAULT_TOPIC,
    BootstrapServers,
    IcebergTableSettings,
    TopicName,
    dead_letter_topic,
    missing_catalog,
)
from platform_common.table_contract import (
    JSON_TEXT_FIELDS_PROPERTY,
    format_json_text_fields,
    parse_json_text_fields,
)
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from mock_data_gen.kafka_clients import (
    CONNECTION_RESERVED,
    admin_config,
    build_client,
    refused_extra_config,
)
from mock_data_gen.lakehouse.table_schema import TableLayout
from mock_data_gen.settings import ConfigError

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

T = TypeVar("T")

_POLL_START_SECONDS = 0.5
_POLL_MAX_SECONDS = 3.0
_PROBE_SECONDS = 5.0


class SetupSettings(IcebergTableSettings):
    """Environment variables read by ``mock-data-gen setup`` (names are the upper-case fields)."""

    model_config = SettingsConfigDict(extra="ignore")

    kafka_bootstrap_servers: BootstrapServers = DEFAULT_BOOTSTRAP_SERVERS
    # The same variable as the generator's and the sink's: a cluster that asks for SASL or TLS
    # asks it of the admin client too.
    kafka_extra_config: SecretStr = SecretStr("")
    topic_bid_requests: TopicName = DEFAULT_TOPIC
    # FUNNEL=full: the funnel topics and tables too (lakehouse.funnel_tables), named as by `run`.
    funnel: Literal["requests", "full"] = "requests"
    topic_bid_responses: TopicName = "bid_responses"
    topic_wins: TopicName = "wins"
    topic_impressions: TopicName = "impressions"
    topic_clicks: TopicName = "clicks"
    topic_partitions: int = Field(6, ge=1)
    topic_replication_factor: int = Field(1, ge=1)
    # Empty means the AWS default endpoint.
    s3_endpoint: str = "http://localhost:9000"
    aws_access_key_id: str | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_region: str = "us-east-1"
    # Empty skips the bucket step (a warehouse on a local file system needs none).
    warehouse_bucket: str = "warehouse"
    setup_timeout_seconds: float = Field(60.0, gt=0)

    @field_validator("kafka_extra_config")
    @classmethod
    def _extra_config(cls, value: SecretStr) -> SecretStr:
        parse_extra_config(value.get_secret_value(), CONNECTION_RESERVED)
        return value

    def kafka_properties(self) -> dict[str, str]:
        """Additional librdkafka properties from ``KAFKA_EXTRA_CONFIG``."""
        return parse_extra_config(self.kafka_extra_config.get_secret_value(), CONNECTION_RESERVED)


class SetupError(RuntimeError):
    """A service did not answer in time or refused to create a resource (exit code 1)."""


class SetupConfigError(SetupError):
    """The configuration cannot work, whatever the services do (exit code 2)."""


class _NotReady(Exception):
    """The service is not (yet) answering; worth asking again until the deadline."""


Outcome = Literal["created", "exists", "updated", "skipped"]


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one step did to one resource; ``details`` are extra ``key=value`` log fields."""

    resource: str
    name: str
    outcome: Outcome
    details: dict[str, str | int] = field(default_factory=dict)


def run_setup(
    settings: SetupSettings, report: Callable[[StepResult], None] = lambda result: None
) -> list[StepResult]:
    """Run every step in order (topics, bucket, namespace, table, then with ``FUNNEL=full`` the
    funnel's topics and tables); raises :class:`SetupError`."""
    from mock_data_gen.lakehouse.funnel_tables import ensure_funnel_tables, ensure_funnel_topics

    # A configuration mistake is reported before any waiting for services.
    catalog_properties(settings)
    results: list[StepResult] = []
    for step in (
        ensure_topic,
        ensure_dead_letter_topic,
        ensure_bucket,
        ensure_namespace_and_table,
        ensure_funnel_topics,
        ensure_funnel_tables,
    ):
        for result in step(settings):
            report(result)
            results.append(result)
    return results


def _wait_for(service: str, timeout: float, attempt: Callable[[float], T]) -> T:
    """Call ``attempt(seconds_left)`` until it stops raising :class:`_NotReady` or time runs out."""
    deadline = time.monotonic() + timeout
    pause = _POLL_START_SECONDS
    while True:
        left = deadline - time.monotonic()
        try:
            return attempt(max(left, 0.1))
        except _NotReady as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SetupError(
                    f"{service} did not answer within {timeout:g}s (last error: {exc}); "
                    "is it running and is the address right? (SETUP_TIMEOUT_SECONDS sets the wait)"
                ) from None
            time.sleep(min(pause, left))
            pause = min(pause * 2, _POLL_MAX_SECONDS)


# --- Kafka -------------------------------------------------------------------------------------


def ensure_topic(settings: SetupSettings) -> list[StepResult]:
    """Create the bid request topic with the configured partitions and replication factor."""
    return [_ensure_kafka_topic(settings, settings.topic_bid_requests)]


def ensure_dead_letter_topic(settings: SetupSettings) -> list[StepResult]:
    """Create ``<topic>.dlq``, where the sink sets aside records it cannot write to the table.

    The broker does not create topics on first use, so without it the sink could not set a bad
    record aside. It gets the bid request topic's partition count: dead letters keep their
    record's key, so they spread over the partitions as the topic's records do.
    """
    return [_ensure_kafka_topic(settings, dead_letter_topic(settings.topic_bid_requests))]


def _ensure_kafka_topic(settings: SetupSettings, name: str) -> StepResult:
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient
    from confluent_kafka.cimpl import NewTopic

    bootstrap = settings.kafka_bootstrap_servers
    extra = settings.kafka_properties()
    try:
        admin = build_client(AdminClient, admin_config(bootstrap, extra), extra)
    except ConfigError as exc:
        raise SetupConfigError(refused_extra_config(exc, extra)) from None

    def metadata(left: float) -> Any:
        try:
            return admin.list_topics(timeout=min(left, _PROBE_SECONDS))
        except KafkaException as exc:
            raise _NotReady(exc.args[0].str()) from None

    cluster = _wait_for(f"Kafka at {bootstrap}", settings.setup_timeout_seconds, metadata)
    topic = cluster.topics.get(name)
    if topic is not None and topic.error is None:
        return StepResult("topic", name, "exists", _partition_note(topic, settings))
    # Without a known controller, CreateTopics only times out (an embedded mock cluster has none).
    if cluster.controller_id not in cluster.brokers:
        raise SetupError(
            f"Kafka at {bootstrap} has no topic {name!r} and reports no controller, so it cannot "
            "create one; an embedded broker creates its topics when it starts "
            f"(mock-data-gen broker --topic {name}:{settings.topic_partitions})"
        )
    spec = NewTopic(
        name,
        num_partitions=settings.topic_partitions,
        replication_factor=settings.topic_replication_factor,
    )
    timeout = settings.setup_timeout_seconds
    future = admin.create_topics([spec], operation_timeout=timeout, request_timeout=timeout)[name]
    try:
        future.result()
    except KafkaException as exc:
        error = exc.args[0]
        if error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
            return StepResult("topic", name, "exists", {"note": "created concurrently"})
        raise SetupError(
            f"Kafka at {bootstrap} refused to create topic {name!r} "
            f"(partitions={settings.topic_partitions}, "
            f"replication factor={settings.topic_replication_factor}): {error.str()}"
        ) from None
    return StepResult(
        "topic",
        name,
        "created",
        {
            "partitions": settings.topic_partitions,
            "replication_factor": settings.topic_replication_factor,
        },
    )


def _partition_note(topic: Any, settings: SetupSettings) -> dict[str, str | int]:
    partitions = len(topic.partitions)
    note: dict[str, str | int] = {"partitions": partitions}
    if partitions != settings.topic_partitions:
        # Changing a live topic's partition count moves keys to other partitions; left to a human.
        note["wanted_partitions"] = settings.topic_partitions
        note["note"] = "partition count left unchanged"
    return note


# --- S3 ----------------------------------------------------------------------------------------


def ensure_bucket(settings: SetupSettings) -> list[StepResult]:
    """Create the warehouse bucket (skipped when ``WAREHOUSE_BUCKET`` is empty)."""
    bucket = settings.warehouse_bucket
    if not bucket:
        return [StepResult("bucket", "-", "skipped", {"reason": "WAREHOUSE_BUCKET is empty"})]
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    endpoint = settings.s3_endpoint or "the AWS default endpoint"
    secret = settings.aws_secret_access_key
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint or None,
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        region_name=settings.aws_region,
        config=Config(
            s3={"addressing_style": "path"},
            connect_timeout=_PROBE_SECONDS,
            read_timeout=_PROBE_SECONDS * 2,
            retries={"max_attempts": 1},
        ),
    )

    def bucket_exists(left: float) -> bool:
        try:
            client.head_bucket(Bucket=bucket)
            return True
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = exc.response.get("Error", {}).get("Code", "")
            if status == 404:
                return False
            if status in (401, 403):
                raise SetupError(
                    f"S3 at {endpoint} denied access to bucket {bucket!r} ({code or status}); "
                    "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                ) from None
            # MinIO answers 503 while it is still starting.
            raise _NotReady(f"HTTP {status} {code}") from None
        except NoCredentialsError:
            raise SetupConfigError(
                f"no S3 credentials for {endpoint}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ) from None
        except BotoCoreError as exc:
            raise _NotReady(str(exc)) from None

    if _wait_for(f"S3 at {endpoint}", settings.setup_timeout_seconds, bucket_exists):
        return [StepResult("bucket", bucket, "exists")]
    location = (
        {}
        if settings.aws_region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": settings.aws_region}}
    )
    try:
        client.create_bucket(Bucket=bucket, **location)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "BucketAlreadyOwnedByYou":
            return [StepResult("bucket", bucket, "exists", {"note": "created concurrently"})]
        raise SetupError(f"S3 at {endpoint} refused to create bucket {bucket!r}: {exc}") from None
    except BotoCoreError as exc:
        raise SetupError(f"S3 at {endpoint} failed to create bucket {bucket!r}: {exc}") from None
    return [StepResult("bucket", bucket, "created")]


# --- Iceberg -----------------------------------------------------------------------------------


def ensure_namespace_and_table(settings: SetupSettings) -> list[StepResult]:
    """Create the namespace and the bid request table (adding columns the models gained, and
    keeping the table's ``json-text-fields`` property up to date)."""
    from mock_data_gen.lakehouse.table_schema import bid_request_layout

    catalog = connect_catalog(settings)
    identifier = settings.table_identifier
    namespace, table_name = identifier[0], settings.table_name
    results: list[StepResult] = []
    with _catalog_errors(settings, f"namespace {namespace!r}"):
        state = create_namespace(catalog, namespace)
        if state == "created":
            results.append(StepResult("namespace", namespace, "created"))
        else:
            note: dict[str, str | int] = {"note": state} if state == "created concurrently" else {}
            results.append(StepResult("namespace", namespace, "exists", note))
    results.append(ensure_table(settings, catalog, identifier, table_name, bid_request_layout()))
    return results


def ensure_table(
    settings: SetupSettings,
    catalog: Catalog,
    identifier: tuple[str, str],
    name: str,
    layout: TableLayout,
) -> StepResult:
    """Create the table with ``layout``, or bring an existing one's schema up to it; ``name``
    is how the result and errors call it."""
    with _catalog_errors(settings, f"table {name!r}"):
        if catalog.table_exists(identifier):
            return _evolve_table(catalog, identifier, layout)
        if create_table(catalog, identifier, layout)[1]:
            details: dict[str, str | int] = {
                "columns": len(layout.schema.fields),
                "partitioning": "hour(event_time)",
                "json_text_fields": len(layout.json_column_paths),
            }
            return StepResult("table", name, "created", details)
        return StepResult("table", name, "exists", {"note": "created concurrently"})


def create_namespace(
    catalog: Catalog, namespace: str
) -> Literal["created", "existed", "created concurrently"]:
    """Create ``namespace`` unless it exists; says which (or that another process just did)."""
    from pyiceberg.exceptions import NamespaceAlreadyExistsError

    if catalog.namespace_exists(namespace):
        return "existed"
    try:
        catalog.create_namespace(namespace)
    except NamespaceAlreadyExistsError:
        return "created concurrently"
    return "created"


def create_table(
    catalog: Catalog, identifier: tuple[str, str], layout: TableLayout
) -> tuple[Any, bool]:
    """Create the bid request table in an existing namespace; returns it and whether this call
    created it (False: another process did meanwhile). Tables are created here only: the sink
    lands records in a table that exists, reading its schema from the catalog and the columns that
    hold JSON text from the table's ``json-text-fields`` property, which is set here."""
    from pyiceberg.exceptions import TableAlreadyExistsError

    properties = {
        "format-version": "2",
        JSON_TEXT_FIELDS_PROPERTY: format_json_text_fields(layout.json_column_paths),
    }
    try:
        table = catalog.create_table(
            identifier,
            schema=layout.schema,
            partition_spec=layout.partition_spec,
            properties=properties,
        )
    except TableAlreadyExistsError:
        return catalog.load_table(identifier), False
    return table, True


def _evolve_table(catalog: Catalog, identifier: tuple[str, str], layout: TableLayout) -> StepResult:
    """Add the columns the models gained and list every JSON-text column in the table's
    property, in one commit; columns the models lost are kept (old data stays readable), and so
    is their place in the property."""
    table = catalog.load_table(identifier)
    present = set(table.schema().column_names)
    missing = [name for name in layout.schema.column_names if name not in present]
    listed = parse_json_text_fields(table.properties)
    kept = [path for path in listed if path in present and path not in layout.json_column_paths]
    json_text_fields = format_json_text_fields([*layout.json_column_paths, *kept])
    stale = table.properties.get(JSON_TEXT_FIELDS_PROPERTY) != json_text_fields
    name = ".".join(identifier)
    if not missing and not stale:
        return StepResult("table", name, "exists")
    details: dict[str, str | int] = {}
    with table.transaction() as transaction:
        if missing:
            with transaction.update_schema() as update:
                update.union_by_name(layout.schema)
            details["added"] = ",".join(missing)
        if stale:
            transaction.set_properties({JSON_TEXT_FIELDS_PROPERTY: json_text_fields})
            details["set"] = JSON_TEXT_FIELDS_PROPERTY
    return StepResult("table", name, "updated", details)


def connect_catalog(settings: SetupSettings) -> Catalog:
    """Load the configured catalog, waiting for it to answer (a REST catalog may be starting)."""
    from pyiceberg.catalog import load_catalog
    from pyiceberg.exceptions import ServerError

    name = settings.iceberg_catalog
    properties = catalog_properties(settings)
    uri = properties.get("uri", "?")

    def load(left: float) -> Catalog:
        try:
            return load_catalog(name, **properties)
        except (OSError, ServerError) as exc:
            raise _NotReady(str(exc)) from None
        except ValueError as exc:
            raise SetupConfigError(f"Iceberg catalog {name!r} is misconfigured: {exc}") from None

    return _wait_for(f"Iceberg catalog {name!r} at {uri}", settings.setup_timeout_seconds, load)


def catalog_properties(settings: SetupSettings) -> dict[str, str]:
    """The pyiceberg properties of the catalog named by ``ICEBERG_CATALOG``."""
    from pyiceberg.utils.config import Config

    name = settings.iceberg_catalog
    # Read now rather than at import, so the environment of this call is what counts.
    properties = Config().get_catalog_config(name)
    if not properties:
        raise SetupConfigError(missing_catalog(name))
    return cast(dict[str, str], properties)


@contextmanager
def _catalog_errors(settings: SetupSettings, what: str) -> Iterator[None]:
    """Turn a catalog failure into one :class:`SetupError` naming the resource."""
    try:
        yield
    except SetupError:
        raise
    except Exception as exc:
        raise SetupError(
            f"Iceberg catalog {settings.iceberg_catalog!r} failed on {what}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
