"""Refit /ask's two logistic models on a qa half: `newsdigest eval --task qa --fit` (dev half only).

The answerer (`summarizer.answers`) ships global weights fitted once on the dev half; this module is
how they were fitted, so a change of features, retrieval or embeddings can be refitted and checked:
1. evidence, per passage: the features named in `EVIDENCE_WEIGHTS` (read off each considered hit's
   `Evidence`), label "the passage window holds the gold answer"; answerable questions only;
2. confidence, per question: the `Signals` named in `CONFIDENCE_WEIGHTS` under the new evidence
   weights, label "answerable"; questions decided outside the model (a quote or who-is answer, no
   passage mentioning the predicate) are left out; the threshold refuses `FIT_FRR` (9%) of the
   answerable questions.
Both are checked out of fold (5 folds grouped by week, QuAIL by text). The printed constants are what
goes into `summarizer/evidence.py` (evidence) and `summarizer/answers.py` (confidence).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.evaluation import load_baseline
from bot.evaluation.qa import (
    K,
    cross_validated_refusal,
    frr_threshold,
    indexed,
    load,
    score_questions,
    summarise,
)
from bot.evaluation.report import Table
from summarizer.answers import AnswerOptions, build_answer
from summarizer.embeddings import Embedder
from summarizer.retrieval import MemoryIndex

FOLDS = 5
# the threshold's false-refusal rate on the dev half: about one standard error (0.009 at 1,133 answerable
# questions) under the 0.10 target, for int8 vectors that differ a little between CPUs and for unseen
# questions
FIT_FRR = 0.09


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=3000).fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def passage_rows(index: MemoryIndex, questions: Sequence[dict[str, Any]], qvecs: np.ndarray,
                 base: Any, options: AnswerOptions) -> tuple[np.ndarray, np.ndarray, list[Any], list[int]]:
    """Evidence features, labels, groups and question numbers of every considered hit of every
    answerable question."""
    names = [name for name, _ in options.evidence]
    always = replace(options, threshold=-1.0)
    x: list[list[float]] = []
    y: list[bool] = []
    groups: list[Any] = []
    owner: list[int] = []
    for n, (q, qvec) in enumerate(zip(questions, qvecs, strict=True)):
        if not q["answerable"]:
            continue
        hits = index.search(q["question"], qvec, scope=set(q["scope"]), k=K)
        for ev in build_answer(q["question"], hits, always).evidence:
            x.append([float(getattr(ev, name)) for name in names])
            y.append(any(base.contains(ev.hit.passage.window, a) for a in q["answers"]))
            groups.append(q.get("week") or q["scope"][0])
            owner.append(n)
    return np.array(x), np.array(y), groups, owner


def top3_out_of_fold(x: np.ndarray, y: np.ndarray, groups: list[Any], owner: list[int]) -> float:
    """Share of questions whose three best passages, by a model fitted without their week, hold
    the answer."""
    from sklearn.model_selection import GroupKFold

    score = np.zeros(len(y))
    for train, test in GroupKFold(FOLDS).split(x, y, groups):
        coef, bias = _logistic(x[train], y[train])
        score[test] = x[test] @ coef + bias
    by_question: dict[int, list[tuple[float, bool]]] = {}
    for s, label, n in zip(score, y, owner, strict=True):
        by_question.setdefault(n, []).append((float(s), bool(label)))
    hits = sum(any(label for _, label in sorted(rows, key=lambda r: -r[0])[:3])
               for rows in by_question.values())
    return hits / max(len(by_question), 1)


def fit(index: MemoryIndex, questions: Sequence[dict[str, Any]], qvecs: np.ndarray, base: Any,
        options: AnswerOptions | None = None) -> tuple[AnswerOptions, dict[str, float]]:
    """New evidence weights, then confidence weights and threshold under them; with out-of-fold checks."""
    options = options or AnswerOptions()
    x, y, groups, owner = passage_rows(index, questions, qvecs, base, options)
    coef, bias = _logistic(x, y)
    names = [name for name, _ in options.evidence]
    options = replace(options, evidence=tuple(zip(names, (round(float(c), 3) for c in coef), strict=True)),
                      evidence_bias=round(bias, 3))
    records = score_questions(index, questions, qvecs, base, "hybrid", options)
    model = [r for r in records if not r["gated"]]
    coef, bias = _logistic(np.array([r["signals"] for r in model]),
                           np.array([r["answerable"] for r in model]))
    signal_names = [name for name, _ in options.confidence]
    options = replace(options, confidence=tuple(zip(signal_names, (round(float(c), 3) for c in coef),
                                                    strict=True)),
                      confidence_bias=round(bias, 3))
    records = score_questions(index, questions, qvecs, base, "hybrid", options)
    # rounded down: rounding up could refuse the answerable question the threshold sits on
    options = replace(options, threshold=math.floor(frr_threshold(records, FIT_FRR) * 10_000) / 10_000)
    fitted = summarise(records, options.threshold)
    cv = cross_validated_refusal(records, FOLDS)
    checks = {"top3_out_of_fold": top3_out_of_fold(x, y, groups, owner), "TRR": fitted["TRR"],
              "FRR": fitted["FRR"], "ans+3": fitted["ans+3"], "cv_TRR": cv["TRR"], "cv_FRR": cv["FRR"]}
    return options, checks


def constants(options: AnswerOptions) -> list[str]:
    """The fitted models as the lines of `summarizer/answers.py` (confidence) and
    `summarizer/evidence.py` (evidence) that hold them."""
    return [f"CONFIDENCE_WEIGHTS = {options.confidence!r}", f"CONFIDENCE_BIAS = {options.confidence_bias!r}",
            f"CONFIDENCE_THRESHOLD = {options.threshold!r}", f"EVIDENCE_WEIGHTS = {options.evidence!r}",
            f"EVIDENCE_BIAS = {options.evidence_bias!r}"]


def run(data_dir: Path, embedder: Embedder | None = None) -> list[Table]:
    """Fit on `data_dir/qa` and report the weights beside the shipped ones."""
    folder = data_dir / "qa"
    base = load_baseline(folder)
    corpus, questions = load(folder)
    index, qvecs = indexed(corpus, questions, embedder)
    shipped = AnswerOptions()
    fitted, checks = fit(index, questions, qvecs, base, shipped)
    table = Table(f"qa --fit: /ask's evidence and confidence models refitted on {folder}",
                  ["model", "term", "shipped", "fitted"])
    for model, old, new in (("evidence", shipped.evidence, fitted.evidence),
                            ("confidence", shipped.confidence, fitted.confidence)):
        table.rows += [[model, name, w0, w1] for (name, w0), (_, w1) in zip(old, new, strict=True)]
    table.rows += [["evidence", "bias", shipped.evidence_bias, fitted.evidence_bias],
                   ["confidence", "bias", shipped.confidence_bias, fitted.confidence_bias],
                   ["confidence", "threshold", shipped.threshold, fitted.threshold]]
    table.notes += [
        f"evidence, out of fold: the 3 best windows hold the answer for {checks['top3_out_of_fold']:.3f} "
        "of the answerable questions",
        f"fitted (in sample): TRR {checks['TRR']:.3f} at FRR {checks['FRR']:.3f}, "
        f"ans+3 {checks['ans+3']:.3f}; "
        f"5-fold by week: TRR {checks['cv_TRR']:.3f} at FRR {checks['cv_FRR']:.3f}",
        "to adopt, replace these lines of summarizer/answers.py (CONFIDENCE_*) and summarizer/evidence.py "
        "(EVIDENCE_*):", *constants(fitted)]
    return [table]
