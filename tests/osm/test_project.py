"""The project's wiring: health check, home page, login, real services."""

import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_json_without_auth(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_post(client):
    assert client.post("/healthz/").status_code == 405


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to OSM" in response.content


def test_home_without_organisation_explains_how_to_start(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-long-enough-1")
    user.groups.add(Group.objects.get(name="Executive"))
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    # Said to a person, not as a command to run (no page tells anyone to run one).
    assert b"No organisation yet: the OSM staff set it up" in response.content
    assert b"manage.py" not in response.content


def test_ci_runs_on_postgresql(postgres):
    assert connection.vendor == "postgresql"


def test_redis_serves_the_cache(redis_url):
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("osm-test-key", {"n": 1}, 30)
    assert cache.get("osm-test-key") == {"n": 1}
    cache.delete("osm-test-key")


def test_celery_broker_is_redis_and_answers(redis_url):
    from osm.celery import app

    assert app.conf.broker_url == os.environ["REDIS_URL"]
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    assert client.get("/static/favicon.svg").status_code == 200
