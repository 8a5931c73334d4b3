"""docker-compose.yml: valid Compose, and every service configured the way its image reads it.

The image facts checked here were read in the images' sources: apache/kafka's docker/ folder and
KafkaDockerWrapper (3.8.1), MinIO's Dockerfile.release and mc's config (RELEASE.2025-09-07),
tabular-io/iceberg-rest-image's Dockerfile and RESTCatalogServer.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from mock_data_gen.lakehouse.setup import SetupSettings
from mock_data_gen.settings import Settings
from platform_common.settings import DEFAULT_NAMESPACE, DEFAULT_TABLE
from stack_files import (
    KAFKA_BIN_SCRIPTS,
    compose,
    compose_raw,
    compose_schema,
    defaults_in_compose,
    dotenv,
    service_env,
)

SEED_SERVICES = {
    "kafka": "apache/kafka:3.8.1",
    "minio": None,  # a dated quay.io release, checked below
    "iceberg-rest": "tabulario/iceberg-rest:0.10.0",
}
LONG_RUNNING = ("kafka", "minio", "iceberg-rest", "mock-data-gen", "iceberg-sink")


def _services(env: dict[str, str] | None = None) -> dict[str, Any]:
    services: dict[str, Any] = compose(env)["services"]
    return services


def _ports(service: str, env: dict[str, str] | None = None) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of each published port."""
    published = []
    for entry in _services(env)[service].get("ports", []):
        address, host, container = str(entry).rsplit(":", 2)
        published.append((address, int(host), int(container)))
    return published


def _listeners(value: str) -> dict[str, tuple[str, int]]:
    """``NAME://host:port,...`` -> {NAME: (host, port)}."""
    found = {}
    for item in value.split(","):
        name, _, address = item.partition("://")
        host, _, port = address.rpartition(":")
        found[name] = (host, int(port))
    return found


# --- the file as a whole --------------------------------------------------------------------------


@pytest.mark.parametrize("resolved", [False, True], ids=["as written", "interpolated"])
def test_compose_file_follows_the_compose_specification(resolved: bool) -> None:
    document = compose() if resolved else compose_raw()
    schema = compose_schema()
    jsonschema.validators.validator_for(schema)(schema).validate(document)


def test_every_variable_defaults_to_its_dotenv_value() -> None:
    # The stack behaves the same with or without .env.
    for name, defaults in defaults_in_compose().items():
        assert len(defaults) == 1, f"{name} has different defaults: {defaults}"
        if name in dotenv():
            assert defaults == {dotenv()[name]}, name
    assert set(dotenv()) <= set(defaults_in_compose()), "a .env variable the compose file ignores"
    assert compose({}) == compose(), "the defaults in the compose file differ from .env"


def test_seed_services_images_and_container_names() -> None:
    services = _services()
    assert set(services) >= {*SEED_SERVICES, "setup", "mock-data-gen"}
    for name, image in SEED_SERVICES.items():
        if image:
            assert services[name]["image"] == image
    assert re.fullmatch(
        r"quay\.io/minio/minio:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z",
        services["minio"]["image"],
    )
    # The README's `docker exec kafka|minio ...` commands name containers.
    assert services["kafka"]["container_name"] == "kafka"
    assert services["minio"]["container_name"] == "minio"
    # Built from the repository root, as the sink is: the image installs ./platform-common too.
    for name in ("setup", "mock-data-gen"):
        assert services[name]["build"] == {"context": ".", "dockerfile": "mock-data-gen/Dockerfile"}
        assert services[name]["image"] == services["mock-data-gen"]["image"]


def test_published_ports_are_the_seeds_and_listen_on_loopback() -> None:
    assert _ports("kafka") == [("127.0.0.1", 29092, 29092)]
    assert _ports("minio") == [("127.0.0.1", 9000, 9000), ("127.0.0.1", 9001, 9001)]
    assert _ports("iceberg-rest") == [("127.0.0.1", 8181, 8181)]
    assert _ports("setup") == _ports("mock-data-gen") == _ports("iceberg-sink") == []
    moved = {"BIND_ADDRESS": "0.0.0.0", "KAFKA_HOST_PORT": "39092", "ICEBERG_REST_PORT": "18181"}
    assert _ports("kafka", moved) == [("0.0.0.0", 39092, 29092)]
    assert _ports("iceberg-rest", moved) == [("0.0.0.0", 18181, 8181)]


def test_healthchecks_and_start_order() -> None:
    services = _services()
    for name in ("kafka", "minio", "iceberg-rest"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    # mock-data-gen's is the image's HEALTHCHECK (see test_dockerfile); the one-shot has none.
    assert "healthcheck" not in services["mock-data-gen"]
    assert services["setup"]["healthcheck"] == {"disable": True}
    assert services["setup"]["restart"] == "no"
    assert services["iceberg-rest"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    assert services["setup"]["depends_on"] == {
        name: {"condition": "service_healthy"} for name in ("kafka", "minio", "iceberg-rest")
    }
    assert services["mock-data-gen"]["depends_on"] == {
        "setup": {"condition": "service_completed_successfully"},
        "kafka": {"condition": "service_healthy"},
    }
    for name in LONG_RUNNING:
        assert services[name]["restart"] in ("unless-stopped", "on-failure:5"), name


def test_state_lives_in_named_volumes() -> None:
    document = compose()
    mounts = {
        name: [str(volume) for volume in service.get("volumes", [])]
        for name, service in document["services"].items()
    }
    assert mounts["kafka"] == ["kafka-data:/var/lib/kafka/data"]
    assert mounts["minio"] == ["minio-data:/data"]
    assert mounts["iceberg-rest"] == ["iceberg-catalog:/home/iceberg"]
    assert set(document["volumes"]) == {"kafka-data", "minio-data", "iceberg-catalog"}


# --- kafka ----------------------------------------------------------------------------------------


def _kafka_properties(env: dict[str, str]) -> dict[str, str]:
    """server.properties as apache/kafka's KafkaDockerWrapper builds it from KAFKA_* variables."""
    excluded = {"KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS",
                "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL",
                "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME",
                "KAFKA_VERSION"}  # fmt: skip
    return {
        key.removeprefix("KAFKA_").lower().replace("_", ".").replace("...", "-").replace("..", "_"):
        value
        for key, value in env.items()
        if key.startswith("KAFKA_") and key not in excluded
    }  # fmt: skip


def test_kafka_gets_a_complete_single_node_kraft_configuration() -> None:
    env = service_env("kafka")
    props = _kafka_properties(env)

    # Any KAFKA_* variable replaces the image's whole server.properties, so nothing may be missing.
    assert set(props) == {
        "node.id", "process.roles", "controller.quorum.voters", "controller.listener.names",
        "listeners", "advertised.listeners", "listener.security.protocol.map",
        "inter.broker.listener.name", "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
        "min.insync.replicas", "group.initial.rebalance.delay.ms", "auto.create.topics.enable",
        "log.dirs",
    }  # fmt: skip
    assert env["CLUSTER_ID"] and re.fullmatch(r"[A-Za-z0-9_-]{22}", env["CLUSTER_ID"])
    assert props["process.roles"] == "broker,controller"
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "min.insync.replicas"):  # fmt: skip
        assert props[key] == "1", key

    listeners = _listeners(props["listeners"])
    advertised = _listeners(props["advertised.listeners"])
    protocols = dict(item.split(":") for item in props["listener.security.protocol.map"].split(","))
    controller = props["controller.listener.names"]
    assert set(listeners) == set(protocols)
    assert set(advertised) == set(listeners) - {controller}
    assert props["inter.broker.listener.name"] in advertised
    node_id, _, voter = props["controller.quorum.voters"].partition("@")
    assert node_id == props["node.id"]
    assert voter == f"{compose()['services']['kafka']['hostname']}:{listeners[controller][1]}"


def test_kafka_listeners_match_the_ports_and_the_clients() -> None:
    props = _kafka_properties(service_env("kafka"))
    listeners = _listeners(props["listeners"])
    advertised = _listeners(props["advertised.listeners"])
    internal = advertised[props["inter.broker.listener.name"]]
    (host_listener,) = set(advertised) - {props["inter.broker.listener.name"]}

    # Containers reach the internal listener by service name; the clients in the stack use it.
    assert internal == ("kafka", listeners[props["inter.broker.listener.name"]][1])
    for client in ("setup", "mock-data-gen", "iceberg-sink"):
        assert service_env(client)["KAFKA_BOOTSTRAP_SERVERS"] == f"kafka:{internal[1]}"
    # Host clients get back the address they connected to: localhost and the published port.
    ((_, host_port, container_port),) = _ports("kafka")
    assert advertised[host_listener] == ("localhost", host_port)
    assert listeners[host_listener][1] == container_port
    assert f"localhost:{host_port}" == Settings.model_fields["kafka_bootstrap_servers"].default
    moved = _kafka_properties(service_env("kafka", {"KAFKA_HOST_PORT": "39092"}))
    assert _listeners(moved["advertised.listeners"])[host_listener] == ("localhost", 39092)


def test_kafka_data_and_healthcheck_fit_the_image() -> None:
    kafka = compose()["services"]["kafka"]
    props = _kafka_properties(service_env("kafka"))
    # The image declares VOLUME /var/lib/kafka/data, owned by its user appuser.
    assert props["log.dirs"] == "/var/lib/kafka/data"
    test = kafka["healthcheck"]["test"]
    assert test[1] in KAFKA_BIN_SCRIPTS  # no curl in the image, /opt/kafka/bin not on PATH
    internal_port = _listeners(props["listeners"])[props["inter.broker.listener.name"]][1]
    assert test[2:] == ["--bootstrap-server", f"localhost:{internal_port}"]


# --- minio ----------------------------------------------------------------------------------------


def test_minio_credentials_and_the_mc_alias_of_the_readme() -> None:
    env = service_env("minio")
    user, password = env["MINIO_ROOT_USER"], env["MINIO_ROOT_PASSWORD"]
    assert len(user) >= 3 and len(password) >= 8  # MinIO refuses shorter ones
    # mc's built-in alias "local" has no credentials; MC_HOST_local supplies them.
    alias = urlsplit(env["MC_HOST_local"])
    assert (alias.scheme, alias.hostname, alias.port) == ("http", "localhost", 9000)
    assert (alias.username, alias.password) == (user, password)
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", user) and re.fullmatch(r"[A-Za-z0-9._~-]+", password)
    minio = compose()["services"]["minio"]
    assert minio["command"] == ["server", "/data", "--console-address", ":9001"]
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]


# --- iceberg-rest ---------------------------------------------------------------------------------


def _catalog_properties(env: dict[str, str]) -> dict[str, str]:
    """Catalog properties as the image's RESTCatalogServer derives them from CATALOG_* variables."""
    return {
        key.removeprefix("CATALOG_").replace("__", "-").replace("_", ".").lower(): value
        for key, value in env.items()
        if key.startswith("CATALOG_")
    }


def test_catalog_stores_tables_in_the_bucket_and_itself_on_its_volume() -> None:
    env = service_env("iceberg-rest")
    props = _catalog_properties(env)
    setup = service_env("setup")

    assert props["warehouse"] == f"s3://{setup['WAREHOUSE_BUCKET']}/"
    assert props["io-impl"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert props["s3.endpoint"] == setup["S3_ENDPOINT"] == "http://minio:9000"
    assert props["s3.path-style-access"] == "true"
    # The image's default catalog database is SQLite in /tmp of the container.
    assert props["uri"] == "jdbc:sqlite:/home/iceberg/iceberg_catalog.db"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == (
        service_env("minio")["MINIO_ROOT_USER"],
        service_env("minio")["MINIO_ROOT_PASSWORD"],
    )
    assert env["AWS_REGION"]


def test_catalog_healthcheck_needs_no_curl() -> None:
    test = compose()["services"]["iceberg-rest"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "bash", "-c"]
    assert "/dev/tcp/127.0.0.1/8181" in test[3] and "GET /v1/config" in test[3]
    assert "curl" not in test[3]
    # `$$` in the file reaches the container as `$`.
    assert "$status" in test[3] and "$$" not in test[3]


# --- setup and generator --------------------------------------------------------------------------


def test_setup_service_settings_are_setup_settings_with_their_defaults() -> None:
    env = service_env("setup")
    fields = SetupSettings.model_fields
    for key in env:
        if key.startswith("PYICEBERG_") or key in ("LOG_LEVEL", "LOG_FORMAT"):
            continue
        assert key.lower() in fields, f"setup service sets {key}, which setup does not read"
    for key in ("TOPIC_BID_REQUESTS", "TOPIC_PARTITIONS", "TOPIC_REPLICATION_FACTOR",
                "SETUP_TIMEOUT_SECONDS", "AWS_REGION", "WAREHOUSE_BUCKET"):  # fmt: skip
        assert str(env[key]) == str(fields[key.lower()].default).removesuffix(".0"), key
    assert (env["ICEBERG_NAMESPACE"], env["ICEBERG_TABLE"]) == (DEFAULT_NAMESPACE, DEFAULT_TABLE)


def test_setup_service_catalog_configuration() -> None:
    env = service_env("setup")
    catalog = env["ICEBERG_CATALOG"].upper()
    prefix = f"PYICEBERG_CATALOG__{catalog}__"
    assert env[f"{prefix}URI"] == "http://iceberg-rest:8181"
    assert env[f"{prefix}S3__ENDPOINT"] == env["S3_ENDPOINT"]
    assert env[f"{prefix}S3__ACCESS_KEY_ID"] == env["AWS_ACCESS_KEY_ID"]
    assert env[f"{prefix}S3__SECRET_ACCESS_KEY"] == env["AWS_SECRET_ACCESS_KEY"]
    assert env[f"{prefix}S3__REGION"] == env["AWS_REGION"]
    assert env["AWS_ACCESS_KEY_ID"] == service_env("minio")["MINIO_ROOT_USER"]


def test_generator_settings_are_run_settings_with_their_defaults() -> None:
    env = service_env("mock-data-gen")
    fields = Settings.model_fields
    assert set(env) <= {name.upper() for name in fields}
    for key, value in env.items():
        default = fields[key.lower()].default
        expected = "" if default is None else str(default)
        if key not in ("KAFKA_BOOTSTRAP_SERVERS", "METRICS_PORT", "METRICS_HOST"):
            assert value in (expected, expected.removesuffix(".0")), key
    # Loopback by default; in the stack other containers scrape /metrics.
    assert fields["metrics_host"].default == "127.0.0.1"
    assert env["METRICS_HOST"] == "0.0.0.0"
    assert env["TOPIC_BID_REQUESTS"] == service_env("setup")["TOPIC_BID_REQUESTS"]
    # Empty counts as unset for the generator's settings.
    assert Settings.model_config.get("env_ignore_empty") is True
