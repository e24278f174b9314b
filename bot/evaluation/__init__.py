"""`newsdigest eval`: score the text core on `../shared/eval` beside the baselines it ships.

Each task module exposes `run(data_dir: Path) -> list[Table]`; the CLI prints the tables.
"""
