"""Optional abstractive polish of an extractive digest, guarded so it can never add a fact.

A backend only *rewrites* the extractive sentences. Each rewritten sentence is checked against the
articles that support it: a name (capitalised word) or number that those articles do not contain means
the model invented something, so that sentence falls back to its extractive original. A backend that
fails or times out leaves the whole digest extractive, with one logged line. The core stays pure: it
talks to a backend only through the `Rewriter` protocol (HTTP clients live in `bot/`); the transformers
backend here runs a local model, loaded from a directory or the local Hugging Face cache.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from summarizer.digest import content_words, sentence_id
from summarizer.extractive import CONNECTIVES, STOPWORDS
from summarizer.types import Article, StoryDigest, SummarySentence

log = logging.getLogger(__name__)

PROMPT = (
    "Rewrite each numbered sentence of this news summary so the summary reads smoothly. Keep every "
    "fact, name and number exactly; add nothing that is not in the sentence; keep one sentence per "
    "numbered line and the same numbering.\n\n{sentences}\n"
)
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.):]|[-*•])\s+")
_NAME = re.compile(r"\b[A-Z][\w’'-]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[\w’'-]+")
MIN_OVERLAP = 0.3  # a rewritten line must share this much content with the sentence it replaces


class Rewriter(Protocol):
    """Anything that turns a prompt into text: a local model, an HTTP endpoint, a test double."""

    def rewrite(self, prompt: str) -> str: ...


def build_prompt(sentences: Sequence[str]) -> str:
    return PROMPT.format(sentences="\n".join(f"{n}. {s}" for n, s in enumerate(sentences, 1)))


def parse_lines(output: str) -> list[str]:
    """The sentences of a model answer: numbered lines if there are any, else every non-empty line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    numbered = [_NUMBERED.sub("", line).strip() for line in lines if _NUMBERED.match(line)]
    return [line for line in (numbered or lines) if line]


def _number(token: str) -> str:
    return token.replace(",", "").rstrip(".")


def unsupported(sentence: str, sources: Sequence[str]) -> list[str]:
    """Names and numbers of `sentence` that no source contains (case-insensitive for names)."""
    words = {w.lower().strip("’'-") for text in sources for w in _WORD.findall(text)}
    numbers = {_number(n) for text in sources for n in _NUMBER.findall(text)}
    missing = [n for n in _NUMBER.findall(sentence) if _number(n) not in numbers]
    for name in _NAME.findall(sentence):
        if name.lower() in STOPWORDS or name.lower() in CONNECTIVES:  # "The", "However": not names
            continue
        parts = [p for p in re.split(r"[-’']", name.lower()) if p]
        if name.lower().strip("’'-") not in words and not all(p in words for p in parts):
            missing.append(name)
    return missing


def _overlap(a: str, b: str) -> float:
    wa, wb = set(content_words(a)), set(content_words(b))
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def guard(extractive: Sequence[SummarySentence], generated: Sequence[str],
          source_texts: dict[str, str]) -> tuple[SummarySentence, ...]:
    """Pair each extractive sentence with its rewrite and keep the rewrite only if it adds nothing.

    Lines are paired in order when the counts match, else each extractive sentence takes the unused
    line that shares most content with it. A rewrite is dropped (the extractive sentence stays) when it
    is missing, too short, unrelated, or names a person, place or number its sources do not contain.
    """
    pairs: list[str | None]
    if len(generated) == len(extractive):
        pairs = list(generated)
    else:
        free = list(generated)
        pairs = []
        for sent in extractive:
            best = max(free, key=lambda g: _overlap(sent.text, g), default=None)
            if best is not None and _overlap(sent.text, best) >= MIN_OVERLAP:
                free.remove(best)
            else:
                best = None
            pairs.append(best)
    out = []
    for sent, new in zip(extractive, pairs, strict=True):
        sources = [source_texts.get(s, "") for s in sent.sources]
        ok = (new is not None and len(new.split()) >= 4 and _overlap(sent.text, new) >= MIN_OVERLAP
              and not unsupported(new, sources))
        out.append(replace(sent, id=sentence_id(new), text=new) if ok and new is not None else sent)
    return tuple(out)


def rewrite_digest(digest: StoryDigest, rewriter: Rewriter, name: str = "") -> StoryDigest:
    """The digest with its summary rewritten by `rewriter` where the guard allows it."""
    if not digest.summary:
        return digest
    try:
        output = rewriter.rewrite(build_prompt([s.text for s in digest.summary]))
    except Exception as exc:  # any backend failure means: keep the extractive digest
        log.warning("rewrite backend %s failed (%s: %s); using the extractive summary",
                    name or type(rewriter).__name__, type(exc).__name__, exc)
        return digest
    return replace(digest, summary=guard(digest.summary, parse_lines(output), source_texts(digest.articles)))


def source_texts(articles: Sequence[Article]) -> dict[str, str]:
    return {a.id: f"{a.title}\n{a.text}" for a in articles}


class TransformersRewriter:
    """A local seq2seq (T5, BART, ...) or causal model run with `generate()`, greedy and bounded."""

    def __init__(self, model: Any, tokenizer: Any, max_new_tokens: int = 256, max_input_tokens: int = 1024,
                 max_time: float = 60.0) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        self.max_input_tokens = max_input_tokens
        self.max_time = max_time
        self.seq2seq = bool(getattr(model.config, "is_encoder_decoder", False))

    @classmethod
    def from_pretrained(cls, name_or_path: str, device: str = "cpu", **kwargs: Any) -> TransformersRewriter:
        """Load by local path or hub name (offline installs need it in the local cache)."""
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

        config = AutoConfig.from_pretrained(name_or_path)
        auto = AutoModelForSeq2SeqLM if getattr(config, "is_encoder_decoder", False) else AutoModelForCausalLM
        model: Any = auto.from_pretrained(name_or_path)
        model = model.to(device)
        return cls(model, AutoTokenizer.from_pretrained(name_or_path), **kwargs)

    def rewrite(self, prompt: str) -> str:
        import torch

        text = prompt
        if not self.seq2seq and getattr(self.tokenizer, "chat_template", None):
            text = self.tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                                      add_generation_prompt=True)
        enc = self.tokenizer(text, return_tensors="pt", truncation=True, max_length=self.max_input_tokens)
        enc = enc.to(self.model.device)
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        with torch.inference_mode():
            out = self.model.generate(**enc, max_new_tokens=self.max_new_tokens, do_sample=False,
                                      max_time=self.max_time, pad_token_id=pad)
        tokens = out[0] if self.seq2seq else out[0, enc["input_ids"].shape[1]:]
        decode: Any = self.tokenizer.decode
        return str(decode(tokens, skip_special_tokens=True))
