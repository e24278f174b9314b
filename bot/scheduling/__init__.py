"""Timed work: source polling and per-subscription digest slots, on APScheduler (see docs/scaling.md)."""
