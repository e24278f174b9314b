"""Benchmarks behind `newsdigest bench` (bench.run); each `*_bench` module also runs alone with
`python -m bench.NAME` from the repository root. Not installed with the package: the fan-out part
needs the checkout's fake Telegram server (tests/), so `newsdigest bench` runs from a checkout."""
