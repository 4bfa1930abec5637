# The forum bot: slim Python, dependencies before code, a non-root user, data on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/forum.db

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir -p bot handlers storage config emulator \
    && touch bot/__init__.py handlers/__init__.py storage/__init__.py config/__init__.py \
       emulator/__init__.py \
    && pip install . \
    && pip uninstall -y forum-bot

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
CMD ["python", "-m", "bot"]
