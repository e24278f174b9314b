"""Slack adapter (slack-bolt): Block Kit formatting, HTTP mode and Socket Mode."""
