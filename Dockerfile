# newsdigest: one image for `newsdigest run` and `newsdigest worker` (see docs/operations.md).
#   docker build -t newsdigest .
#   docker run --rm -e TELEGRAM_BOT_TOKEN=... -v newsdigest-data:/app/data newsdigest
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HUB_DISABLE_PROGRESS_BARS=1 \
    OMP_NUM_THREADS=2 \
    HF_HOME=/app/data/hf \
    XDG_CACHE_HOME=/tmp/cache \
    OPS_PORT=9464

WORKDIR /app

# torch first, pinned and CPU-only: the PyPI wheel would pull the CUDA libraries (gigabytes) a CPU
# bot never uses. `pip install .` below then finds torch==2.13.0 satisfied.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip install --index-url "$TORCH_INDEX" torch==2.13.0

# Dependencies change less often than the code: install them in their own layer.
COPY pyproject.toml README.md ./
RUN mkdir -p bot summarizer && touch bot/__init__.py summarizer/__init__.py \
    && pip install . && pip uninstall -y newsdigest && rm -rf bot summarizer build

COPY bot ./bot
COPY summarizer ./summarizer
COPY config ./config
COPY seeds ./seeds
RUN pip install --no-deps . && rm -rf build

# A fixed unprivileged user; the store (SQLite), model caches and nothing else are writable.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin newsdigest \
    && mkdir -p /app/data && chown newsdigest /app/data
USER newsdigest
VOLUME ["/app/data"]

# /healthz and /metrics (the ops endpoint; ops.listen must be 0.0.0.0 to be scraped from outside).
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['OPS_PORT'] + '/healthz', timeout=4)"]

ENTRYPOINT ["newsdigest"]
CMD ["run"]
