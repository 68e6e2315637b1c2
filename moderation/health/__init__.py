"""Health: heartbeats of workers and beat in Redis, and the /healthz and /readyz endpoints."""
