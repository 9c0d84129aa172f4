# OSM production image: gunicorn serves the app, the same image runs the Celery worker and beat.

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

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=osm.settings.production

WORKDIR /app
# The processes run as osm, uid 1000. Everything in /app belongs to root: osm reads the code
# and the static files but cannot change them (nothing writes there at run time).
RUN useradd --create-home --uid 1000 --user-group osm
# The PDF report packs: Pango for WeasyPrint, and fonts for every script people write names
# in (DejaVu; WenQuanYi Micro Hei for Chinese, Japanese and Korean), as `make install` adds.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in a layer that changes only with the lock. requirements-prod.lock is
# written by `make lock` beside requirements.lock: pyproject.toml's dependencies, setuptools
# and pip at the versions the tests ran with, hashes checked; no dev tools.
COPY requirements-prod.lock ./
RUN pip install --require-hashes -r requirements-prod.lock

# The code: whatever .dockerignore lets through (no tests, docs, venv, git, env files), so a
# new package needs no line here. The project installs alone: its dependencies came from the
# lock, and setuptools too (no build isolation, nothing fetched unhashed).
COPY . .
RUN pip install --no-deps --no-build-isolation . && rm -rf build ./*.egg-info
COPY --from=translations /compiled/ ./

# collectstatic needs settings but no secrets: a throwaway key for this one command.
RUN SECRET_KEY=collectstatic-only-build-time-key-not-used-at-runtime \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput

ENV STATIC_ROOT=/app/staticfiles
# Practices' documents (MEDIA_ROOT): the one place the processes write, osm's own; a volume
# in docker-compose.yml keeps them (a new named volume takes this folder's owner).
ENV MEDIA_ROOT=/data/media
RUN install -d -o 1000 -g 1000 -m 0750 /data/media
# By number, so a runtime that refuses root (e.g. Kubernetes' runAsNonRoot) can tell.
USER 1000:1000
EXPOSE 8000
CMD ["gunicorn", "osm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--logger-class", "accounts.access_log.TokenRedactingLogger"]
