"""Telegram adapter (python-telegram-bot 22): HTML formatting, flood limits, polling and webhook."""
