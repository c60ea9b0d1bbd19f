# monitor's image for docker-compose users. Our own machines run without Docker (see README).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY monitor ./monitor
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip install --no-cache-dir -e .
ENV MONITOR_VAR_DIR=/var/lib/monitor
VOLUME /var/lib/monitor
ENTRYPOINT ["monitor"]
CMD ["run"]
