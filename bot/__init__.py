"""The newsdigest application: configuration, store, ingestion, CLI, adapters and scheduling."""
