"""Peak memory of `newsdigest run` with the model loaded and the /ask index warm, on a given store.

Runs the real command (`python -m bot.cli run --no-schedule`, console adapter) on a copy of the
configuration pointed at the store, feeds it commands on stdin and lets it end at end of input; the
child's own peak RSS is its VmHWM from /proc (Linux). Two sessions: start-up ingest of the seeds and
`/ask` (model + /ask index), then `/ask` and `/digest` (story assignment and summaries too), so the
figures say which part costs the memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.config import Config

REPO = Path(__file__).resolve().parent.parent
TARGET_MB = 1024.0


def _toml(db: Path, data_dir: Path, config: Config) -> str:
    m = config.models
    return (f'[store]\nurl = "sqlite:///{db}"\ndata_dir = "{data_dir}"\n'
            f'[sources]\nlocations = ["{REPO / "seeds"}"]\n'
            f'[models]\nembedding = "{m.embedding}"\ndevice = "{m.device}"\nruntime = "{m.runtime}"\n'
            '[digest]\nmax_stories = 3\n[schedule]\nenabled = false\n[ops]\nenabled = false\n')


def _high_water_kb(pid: int) -> int:
    """The process's peak RSS so far (VmHWM, kB), 0 once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def session(db: Path, config: Config, commands: list[str], timeout: float = 900.0) -> dict[str, float]:
    """Peak RSS (MB) and seconds of one `run` session on the store at `db` given `commands`.

    The peak is the child's VmHWM, read every 20 ms until it exits (monotonic, so any reading after
    the peak holds it; the session's peak comes while answering, well before shutdown). Not
    getrusage: Linux carries the parent's ru_maxrss over fork and exec, so a child started from
    this (large) process would report at least the parent's size.
    """
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "bench.toml"
        data = Path(tmp) / "data"
        data.mkdir()
        # the configured model's exports (ONNX) as a bot has them after its first start: the one-time
        # export runs in a child process of its own and is not what a running bot holds
        models = (config.store.data_dir / "models").resolve()
        models.mkdir(parents=True, exist_ok=True)
        (data / "models").symlink_to(models, target_is_directory=True)
        cfg.write_text(_toml(db, data, config), encoding="utf-8")
        err = Path(tmp) / "stderr.txt"
        started = time.perf_counter()
        with err.open("wb") as err_fh:
            command = ["run", "--no-schedule", "--no-progress", "--config", str(cfg)]
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *command],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err_fh, cwd=REPO,
                env=dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1"))
            assert proc.stdin is not None
            proc.stdin.write("".join(f"{c}\n" for c in commands).encode())
            proc.stdin.close()
            peak_kb = 0
            while proc.poll() is None:
                peak_kb = max(peak_kb, _high_water_kb(proc.pid))
                if time.perf_counter() - started > timeout:
                    proc.kill()
                time.sleep(0.02)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            tail = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"run exited {proc.returncode}: {' | '.join(tail)}")
    return {"peak_rss_mb": peak_kb / 1024, "seconds": seconds}


def measure(db: Path, config: Config, question: str) -> dict[str, Any]:
    """Two sessions on the same store; the first also ingests and indexes the seeds at start-up (the
    model embeds their passages), the second finds them done and adds a /digest. The peak is the
    larger of the two."""
    first = session(db, config, [f"/ask {question}"])
    second = session(db, config, [f"/ask {question}", "/digest"])
    return {"peak_rss_mb": max(first["peak_rss_mb"], second["peak_rss_mb"]),
            "ask_peak_rss_mb": first["peak_rss_mb"], "ask_seconds": first["seconds"],
            "digest_peak_rss_mb": second["peak_rss_mb"], "digest_seconds": second["seconds"]}
