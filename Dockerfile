# OSM production image: gunicorn serves the app, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=osm.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 osm

COPY pyproject.toml README.md ./
COPY osm ./osm
COPY scorecards ./scorecards
COPY initiatives ./initiatives
COPY budgets ./budgets
COPY people ./people
COPY reviews ./reviews
COPY alignment ./alignment
RUN pip install --upgrade pip && pip install .

COPY manage.py ./
COPY templates ./templates
COPY static ./static
# collectstatic needs settings but no secrets: a throwaway key for this one command.
RUN SECRET_KEY=collectstatic-only-build-time-key-not-used-at-runtime \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput

ENV STATIC_ROOT=/app/staticfiles
USER osm
EXPOSE 8000
CMD ["gunicorn", "osm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
