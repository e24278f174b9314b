"""The /ask eval's scoring and `--fit` on a small slice of the qa dev half (five QuAIL texts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.cli.evaluate import default_data_dir
from bot.evaluation import load_baseline
from bot.evaluation.qa import DiskVectorCache, build_index, frr_threshold, load, score_questions, summarise
from bot.evaluation.qa_fit import constants, fit
from summarizer.answers import AnswerOptions
from summarizer.embeddings import CachedEmbedder

DATA = default_data_dir()
needs_data = pytest.mark.skipif(not (DATA / "qa").is_dir(), reason="no eval data at ../shared/eval")


def test_fit_needs_the_qa_task(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--task", "quotes", "--fit"]) != 0
    assert "--fit" in capsys.readouterr().err


def test_frr_threshold_refuses_at_most_the_share_asked() -> None:
    records = [{"answerable": True, "confidence": c / 20, "has_hits": True} for c in range(20)]
    records += [{"answerable": False, "confidence": 0.01, "has_hits": True}]
    threshold = frr_threshold(records, 0.10)
    scores = summarise([dict(r, r5=True, short=True, ans3=True) for r in records], threshold)
    assert scores["FRR"] == pytest.approx(0.10)
    assert scores["TRR"] == 1.0 and scores["ans+3"] == pytest.approx(0.90)


@needs_data
def test_fit_on_five_texts(tmp_path: Path, embedder: CachedEmbedder) -> None:
    folder = DATA / "qa"
    corpus, questions = load(folder)
    texts = sorted({q["scope"][0] for q in questions if q["source"] == "quail"})[:5]
    questions = [q for q in questions if q["source"] == "quail" and q["scope"][0] in texts]
    corpus = {t: corpus[t] for t in texts}
    base = load_baseline(folder)
    cache = DiskVectorCache(tmp_path / "vectors.npz")
    index = build_index(corpus, cache, embedder)
    qvecs = cache.embed(embedder, [q["question"] for q in questions])
    assert (tmp_path / "vectors.npz").exists() and qvecs.shape == (len(questions), 384)

    fitted, checks = fit(index, questions, qvecs, base)
    shipped = AnswerOptions()
    assert [n for n, _ in fitted.evidence] == [n for n, _ in shipped.evidence]
    assert [n for n, _ in fitted.confidence] == [n for n, _ in shipped.confidence]
    assert fitted.evidence != shipped.evidence and all(np.isfinite(w) for _, w in fitted.evidence)
    assert 0.0 <= checks["top3_out_of_fold"] <= 1.0
    assert checks["FRR"] <= 0.10  # the threshold is set to refuse at most 10% of the answerable
    records = score_questions(index, questions, qvecs, base, "hybrid", fitted)
    assert summarise(records, fitted.threshold)["FRR"] == pytest.approx(checks["FRR"])
    lines = constants(fitted)
    assert lines[0].startswith("CONFIDENCE_WEIGHTS = (('dense_top', ")
    namespace: dict[str, object] = {}
    exec("\n".join(lines), namespace)  # the printed constants are valid Python holding the fit
    assert namespace["EVIDENCE_WEIGHTS"] == fitted.evidence
