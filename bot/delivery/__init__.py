"""Exactly-once digests: the outbox (build -> store -> deliver), per-message state, retries, rate limits."""
