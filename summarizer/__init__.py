"""The text core of newsdigest: pure functions over data, no network and no database.

Data flows one way: Article -> Story -> Digest / Answer (see `summarizer.types`).
"""
