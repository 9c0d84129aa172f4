"""The deployment: the production settings pass Django's deployment checks (as CI runs
them), and docker-compose.yml lays OSM out as docs/operations.md describes it (a proxy in
front of two web replicas, PgBouncer, a migrate service, scalable workers, one beat, health
checks), read as files since Docker cannot run here."""

import configparser
import ipaddress
import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "osm.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "osm.example.org",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_short_or_missing_secret_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "osm.settings.production",
        "SECRET_KEY": "short",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random string of 32 characters" in result.stderr


# docker-compose.yml, deploy/nginx/osm.conf and deploy/pgbouncer, read as files ------------


def compose() -> dict:
    """docker-compose.yml with every `${NAME:-default}` at its default (no env file)."""
    text = (ROOT / "docker-compose.yml").read_text()
    text = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", text)
    return yaml.safe_load(text)  # YAML merge keys (<<) resolved


def services() -> dict:
    return compose()["services"]


def url(service: str) -> urllib.parse.SplitResult:
    return urllib.parse.urlsplit(services()[service]["environment"]["DATABASE_URL"])


def test_only_the_proxy_publishes_ports():
    published = {name for name, service in services().items() if "ports" in service}
    assert published == {"proxy"}
    assert services()["proxy"]["ports"] == ["80:80", "443:443"]
    assert not any("network_mode" in service for service in services().values())


def test_two_web_replicas_behind_nginx_which_alone_they_believe():
    web, proxy = services()["web"], services()["proxy"]
    assert web["deploy"]["replicas"] == 2
    assert "command" not in web  # the image's CMD: gunicorn
    assert proxy["image"] == "nginx:1.27-alpine"
    assert "./deploy/nginx/osm.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    address = proxy["networks"]["edge"]["ipv4_address"]
    assert web["environment"]["FORWARDED_ALLOW_IPS"] == address
    assert "edge" in web["networks"]
    # The proxy's fixed address is on the network but outside the replicas' range.
    (edge,) = compose()["networks"]["edge"]["ipam"]["config"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(edge["subnet"])
    assert ipaddress.ip_address(address) not in ipaddress.ip_network(edge["ip_range"])
    # One proxy appends to X-Forwarded-For: the client is the last entry (core/addresses.py).
    assert str(web["environment"]["NUM_PROXIES"]) == "1"


def test_migrations_run_once_straight_to_postgresql():
    migrate = services()["migrate"]
    assert migrate["command"] == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    assert url("migrate").netloc.endswith("@db:5432")
    assert "DATABASE_POOLER" not in migrate["environment"]
    for name in ("web", "worker", "beat"):
        depends = services()[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in str(services()[name].get("command", "")), name


def test_the_app_goes_through_pgbouncer_in_transaction_mode():
    for name in ("web", "worker", "beat"):
        assert url(name).netloc.endswith("@pgbouncer:6432"), name
        assert services()[name]["environment"]["DATABASE_POOLER"] == "pgbouncer", name
        assert services()[name]["depends_on"]["pgbouncer"] == {"condition": "service_healthy"}
    assert services()["pgbouncer"]["build"] == "./deploy/pgbouncer"
    ini = pgbouncer_ini()
    assert ini["pool_mode"] == "transaction"
    assert ini["listen_port"] == "6432"
    assert ini["auth_type"] == "scram-sha-256"
    dockerfile = (ROOT / "deploy/pgbouncer/Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "FROM debian:bookworm-slim" in dockerfile
    assert "USER 999:999" in dockerfile  # PgBouncer refuses root


def test_workers_scale_and_beat_runs_once():
    worker, beat = services()["worker"], services()["beat"]
    # --scale worker=N: nothing that names one container or port.
    assert "container_name" not in worker and "ports" not in worker
    # A fixed container name: compose refuses to start a second beat.
    assert beat["container_name"] == "osm-beat" and "deploy" not in beat
    beats = [name for name, s in services().items() if " beat " in f" {s.get('command', '')} "]
    assert beats == ["beat"]


def test_every_service_that_keeps_running_has_a_health_check():
    for name, service in services().items():
        if name == "migrate":  # runs once; its exit status is what the others wait for
            assert "healthcheck" not in service
        else:
            assert service["healthcheck"]["test"], name
    assert set(services()) == {
        "proxy", "migrate", "web", "worker", "beat", "pgbouncer", "db", "redis",
    }  # fmt: skip


def test_compose_accepts_the_file():
    if shutil.which("docker-compose") is None:
        reason = "docker-compose (Debian's package) is not installed"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires it.")
        pytest.skip(reason)
    result = subprocess.run(
        ["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env={**os.environ, "POSTGRES_PASSWORD": "x", "SECRET_KEY": "y"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def nginx_directives() -> list[list[str]]:
    """deploy/nginx/osm.conf as directives (words, quotes kept), comments out."""
    text = re.sub(r"#[^\n]*", "", (ROOT / "deploy/nginx/osm.conf").read_text())
    return [s.split() for s in re.split(r"[;{}]", text) if s.strip()]


def test_the_proxy_passes_what_gunicorn_and_django_need():
    directives = nginx_directives()
    headers = {d[1].lower(): " ".join(d[2:]) for d in directives if d[0] == "proxy_set_header"}
    assert headers == {
        "host": "$http_host",
        "x-forwarded-host": "$http_host",
        "x-forwarded-for": "$proxy_add_x_forwarded_for",
        "x-forwarded-proto": "$scheme",
        # gunicorn's other two scheme headers, cleared: a client cannot contradict the proxy
        "x-forwarded-ssl": '""',
        "x-forwarded-protocol": '""',
    }
    assert ["server", "web:8000", "resolve"] in directives
    assert ["location", "=", "/healthz/"] in directives
    assert ["ssl_certificate", "/etc/nginx/certs/fullchain.pem"] in directives


def test_the_proxy_takes_the_largest_body_and_waits_longer_than_gunicorn():
    from communication.api.practices import MULTIPART_SLACK

    (size,) = [d[1] for d in nginx_directives() if d[0] == "client_max_body_size"]
    assert size.endswith("m")
    largest = max(settings.BULK_MAX_BYTES, settings.ATTACHMENT_MAX_BYTES + MULTIPART_SLACK)
    assert int(size[:-1]) * 1024 * 1024 >= largest
    gunicorn_timeout = 60  # the Dockerfile's --timeout (tests/osm/test_docker.py)
    for name in ("proxy_read_timeout", "proxy_send_timeout"):
        (value,) = [d[1] for d in nginx_directives() if d[0] == name]
        assert int(value.removesuffix("s")) > gunicorn_timeout, name


def pgbouncer_ini() -> dict[str, str]:
    text = (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text()
    parser = configparser.ConfigParser(comment_prefixes=(";", "%"), interpolation=None)
    parser.read_string(text)
    return dict(parser["pgbouncer"])
