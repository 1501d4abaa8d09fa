"""Environment for running the claims example fast in tests: short timeouts and
retry delays so the demo's slow and hanging cases settle in seconds, and free
admin ports. Used by the
client tests and by tests/chaos/chaos.py."""

# `sluice up` picks free admin ports (kept across restarts) instead of 9464 and
# up: many run in parallel. The only setting a pipeline without the claims stages
# takes (the others name its stages, and a variable naming an unknown stage is refused).
FREE_PORTS = {"SLUICE_ADMIN_BASE_PORT": "0"}

FAST = {
    "SLUICE_STAGE_DOWNLOAD_OPTIONS_TOTAL_TIMEOUT": "2s",
    "SLUICE_STAGE_DOWNLOAD_OPTIONS_CONNECT_TIMEOUT": "1s",
    "SLUICE_STAGE_DOWNLOAD_RETRY_MAX_ATTEMPTS": "2",
    "SLUICE_STAGE_DOWNLOAD_RETRY_INITIAL_BACKOFF_MS": "50",
    "SLUICE_STAGE_DOWNLOAD_RETRY_DELAY_TOPICS": "1s",
    "SLUICE_STAGE_INGEST_RETRY_DELAY_TOPICS": "1s",
    **FREE_PORTS,
}
