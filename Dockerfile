# peercoach in a container: `peercoach serve` as a non-root user, listening on port 3000.
# Build:  docker build -t peercoach .
# With the optional LLM package (needed when OPENAI_API_KEY is set):
#         docker build --build-arg EXTRAS="[llm]" -t peercoach .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Empty, or an extra such as "[llm]".
ARG EXTRAS=""

# Only what .dockerignore lets through: the packages, pyproject.toml and README.md.
COPY . /tmp/peercoach-src
RUN pip install "/tmp/peercoach-src${EXTRAS}" && rm -rf /tmp/peercoach-src

# The working folder is where a SQLite database (the default DATABASE_URL) and an optional
# .env are found; mount a volume here to keep a SQLite file across restarts.
RUN useradd --create-home --uid 10001 --user-group peercoach \
    && mkdir /data \
    && chown peercoach:peercoach /data
USER peercoach
WORKDIR /data

EXPOSE 3000

# /healthz answers 200 when the database answers and 503 when it does not; urlopen raises on
# a 503 or no answer, which makes the check fail.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PEERCOACH_PORT', '3000') + '/healthz', timeout=4)"]

CMD ["peercoach", "serve"]
