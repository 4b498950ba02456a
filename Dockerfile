# One image for the five services: `docker run IMAGE services.router.main:create_app`, and
# `--entrypoint python IMAGE -m services.box` for the box. The `identity` stage is the
# development identity provider of compose.yaml (never part of the service image).
FROM python:3.11.11-slim-bookworm AS build
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY shared ./shared
COPY services ./services
COPY tools ./tools
COPY deploy/agencies.json ./deploy/agencies.json

FROM build AS identity
RUN uv sync --frozen --no-dev --group identity --no-install-project
COPY scripts/__init__.py scripts/identity_provider.py scripts/identity_server.py ./scripts/
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
ENTRYPOINT ["python", "-m", "scripts.identity_provider", "--host", "0.0.0.0"]

FROM python:3.11.11-slim-bookworm
RUN useradd --system --uid 10001 --no-create-home berichtenbox && mkdir /spool && chown berichtenbox /spool
WORKDIR /app
COPY --from=build /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
USER berichtenbox
ENTRYPOINT ["faststream", "run", "--factory"]
CMD ["services.ingest.main:create_app"]
