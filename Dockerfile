# monitor's image for docker-compose users. Our own machines run without Docker (see README).
# The package is built into a wheel and installed as users install it (not editable): the
# migrations, topic, default feed list and fixture feeds travel inside it, and the source
# tree stays out of the image.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY monitor ./monitor
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MONITOR_VAR_DIR=/var/lib/monitor
COPY --from=build /dist /tmp/dist
RUN pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist
WORKDIR /var/lib/monitor
VOLUME /var/lib/monitor
ENTRYPOINT ["monitor"]
CMD ["run"]
