# The NSAI API. It migrates the database, then serves; settings come from NSAI_* variables.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN useradd --system --create-home --home-dir /srv/nsai nsai
WORKDIR /srv/nsai

COPY pyproject.toml README.md ./
COPY nsai ./nsai
COPY loaders ./loaders
COPY api ./api
COPY sql ./sql
# The dashboard extra: the Dask scheduler of docker-compose's dask profile serves its dashboard.
RUN pip install '.[dashboard]' && rm -rf nsai loaders api sql

USER nsai
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]

# Migrations first (a no-op when up to date), the API's own login (NSAI_API_DATABASE_URL), then
# the API with two workers.
CMD ["sh", "-c", "nsai db migrate && nsai db api-login && exec nsai serve --host 0.0.0.0 --port 8000 --workers 2"]
