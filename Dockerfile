# OSM production image: gunicorn serves the app, the same image runs the Celery worker and beat
# and the migrations (docker-compose.yml). Three stages: the translations, the builder (a venv
# with the locked dependencies and the project, the static files collected), and the image,
# which gets only the venv, the code, the .mo files and the static files.

# The translations, compiled in a stage of their own so the image gets the .mo files and not
# gettext: each app's catalogues (<app>/locale/<language>/LC_MESSAGES/django.po) through GNU
# gettext's msgfmt, with the checks Django's compilemessages asks of it (`make install`).
FROM python:3.11-slim AS translations
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mkdir /compiled \
    && find . -path '*/locale/*/LC_MESSAGES/*.po' -print0 | xargs -0 -n 1 sh -c \
       'msgfmt --check-format -o "${1%.po}.mo" "$1" && cp --parents "${1%.po}.mo" /compiled' sh

# The builder: everything pip does happens here, so its cache, the project's build folder and
# the build tools never reach the image. The venv sits at the path it has in the image (its
# scripts name /opt/venv/bin/python), on the same base image (its python is /usr/local's).
FROM python:3.11-slim AS builder
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first, in a layer that changes only with the lock. requirements-prod.lock is
# written by `make lock` beside requirements.lock: pyproject.toml's dependencies, setuptools
# and pip at the versions the tests ran with, hashes checked; no dev tools.
COPY requirements-prod.lock ./
RUN pip install --require-hashes -r requirements-prod.lock
# The project installs alone: its dependencies came from the lock, and setuptools too (no
# build isolation, nothing fetched unhashed).
COPY . .
RUN pip install --no-deps --no-build-isolation .
# collectstatic needs settings but no secrets: a throwaway key for this one command.
RUN SECRET_KEY=collectstatic-only-build-time-key-not-used-at-runtime \
    STATIC_ROOT=/opt/staticfiles python manage.py collectstatic --noinput
# What runs nothing in the image: the packages' own test suites (about 130 MB, nothing
# imports them) and the build tools, pip and setuptools.
RUN find /opt/venv/lib/python3.11/site-packages -type d -name tests -prune -exec rm -rf {} + \
    && python -m pip uninstall -y pip setuptools

FROM python:3.11-slim

# PYTHONPATH: every process imports the code in /app, with its .mo files, and never the
# copy of the packages that `pip install .` put in the venv (gunicorn, manage.py and Celery's
# Django fix-up would put the working directory first anyway; this holds for any command).
# FORWARDED_ALLOW_IPS (read by gunicorn itself): the addresses whose X-Forwarded-Proto is
# believed. Loopback only here; docker-compose.yml names its proxy, Kubernetes the Ingress
# controller's addresses. Django does not read the header (osm/settings/production.py).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=osm.settings.production \
    STATIC_ROOT=/app/staticfiles \
    FORWARDED_ALLOW_IPS=127.0.0.1

WORKDIR /app
# The processes run as osm, uid 1000. Everything in /app and /opt/venv belongs to root: osm
# reads the code and the static files but cannot change them (nothing writes there at run time).
RUN useradd --create-home --uid 1000 --user-group osm
# The PDF report packs: Pango for WeasyPrint, and fonts for every script people write names
# in (DejaVu; WenQuanYi Micro Hei for Chinese, Japanese and Korean), as `make install` adds.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

COPY --from=builder /opt/venv /opt/venv
# The code: whatever .dockerignore lets through (no tests, docs, deploy files, venv, git, env
# files), so a new package needs no line here; then the compiled translations and the
# collected static files.
COPY . .
COPY --from=translations /compiled/ ./
COPY --from=builder /opt/staticfiles ./staticfiles

# Practices' documents (MEDIA_ROOT): the one place the processes write, osm's own; a volume
# in docker-compose.yml keeps them (a new named volume takes this folder's owner).
ENV MEDIA_ROOT=/data/media
RUN install -d -o 1000 -g 1000 -m 0750 /data/media
# By number, so a runtime that refuses root (e.g. Kubernetes' runAsNonRoot) can tell.
USER 1000:1000
EXPOSE 8000
# --timeout 60: room for the slowest request (a report pack made in the request,
# docs/performance.md); the proxy in front waits longer (deploy/nginx/osm.conf).
CMD ["gunicorn", "osm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-", "--logger-class", "accounts.access_log.TokenRedactingLogger"]
