# The production image: gunicorn for the web service, the same image runs Celery worker and beat.
# Build: docker compose build   (see docker-compose.yml and README.md)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.base

# WeasyPrint's one system need is Pango; DejaVu gives the PDF a complete font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (read from pyproject.toml), so a code change does not reinstall them.
# XStatic-Bootstrap's sdist still imports pkg_resources: build it with setuptools<81.
COPY pyproject.toml build-constraints.txt ./
RUN pip install --upgrade "pip>=25.3" \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --build-constraint build-constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself, installed editable as `make` does, so templates, static files and
# message catalogues stay next to the code in /app.
COPY . .
RUN pip install --build-constraint build-constraints.txt --no-deps -e .

# Static files with hashed names for whitenoise; the key is only used for this build step.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && mkdir -p /app/media /app/private \
    && chown app:app /app/media /app/private
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
