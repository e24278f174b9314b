"""Abstractive backends: the guard, a tiny random-weight local model, and an HTTP endpoint on loopback."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.llm import ChatRewriter, LLMError, completions_url
from summarizer.digest import sentence_id
from summarizer.generative import (
    TransformersRewriter,
    build_prompt,
    guard,
    parse_lines,
    rewrite_digest,
    unsupported,
)
from summarizer.types import Article, StoryDigest, SummarySentence

ARTICLES = (
    Article(id="a", title="Talks resume", text=(
        "Pakistan and Afghanistan will resume talks in Istanbul on November 6. "
        "Defence Minister Khawaja Asif said a monitoring mechanism would be set up.")),
    Article(id="b", title="Ceasefire holds", text="The ceasefire agreed in Doha on October 19 is holding."),
)
EXTRACTIVE = (
    SummarySentence(id=sentence_id(t), text=t, sources=src) for t, src in (
        ("Pakistan and Afghanistan will resume talks in Istanbul on November 6.", ("a",)),
        ("The ceasefire agreed in Doha on October 19 is holding.", ("b",)),
    )
)
DIGEST = StoryDigest(story_id="s", headline="Talks resume", summary=tuple(EXTRACTIVE), quotes=(),
                     articles=ARTICLES)


class Fixed:
    """A rewriter that answers with a fixed text (implements the protocol; not a mock of our code)."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.prompts: list[str] = []

    def rewrite(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answer


class Broken:
    def rewrite(self, prompt: str) -> str:
        raise TimeoutError("backend took too long")


def test_prompt_and_parsing() -> None:
    prompt = build_prompt(["One fact here.", "Another fact here."])
    assert "1. One fact here.\n2. Another fact here." in prompt
    assert parse_lines("Sure:\n1. First line.\n2) Second line.\n") == ["First line.", "Second line."]
    assert parse_lines("Just one line.") == ["Just one line."]


def test_unsupported_names_and_numbers() -> None:
    sources = [a.text for a in ARTICLES]
    assert unsupported("Talks in Istanbul resume on November 6.", sources) == []
    assert unsupported("However, the talks in Istanbul resume on November 6.", sources) == []
    assert unsupported("Talks in Ankara resume on November 7.", sources) == ["7", "Ankara"]


def test_guard_keeps_faithful_rewrites_and_drops_inventions() -> None:
    answer = ("1. Talks between Pakistan and Afghanistan resume in Istanbul on November 6.\n"
              "2. The Doha ceasefire of October 20 is holding, Erdogan said.")
    out = rewrite_digest(DIGEST, Fixed(answer))
    assert out.summary[0].text == "Talks between Pakistan and Afghanistan resume in Istanbul on November 6."
    assert out.summary[0].id == sentence_id(out.summary[0].text)
    assert out.summary[0].sources == ("a",)
    assert out.summary[1] == DIGEST.summary[1]  # invented date and name: the extractive one stays


def test_guard_checks_each_sentence_against_its_own_sources() -> None:
    # "Khawaja Asif" is only in article a, so it cannot appear in the sentence article b supports
    generated = ["Pakistan and Afghanistan will resume talks in Istanbul on November 6.",
                 "Khawaja Asif said the ceasefire agreed in Doha on October 19 is holding."]
    out = guard(DIGEST.summary, generated, {a.id: a.text for a in ARTICLES})
    assert out[1] == DIGEST.summary[1]


def test_guard_aligns_by_content_when_counts_differ() -> None:
    out = rewrite_digest(DIGEST, Fixed("The ceasefire agreed in Doha on October 19 is still holding."))
    assert out.summary[0] == DIGEST.summary[0]
    assert out.summary[1].text == "The ceasefire agreed in Doha on October 19 is still holding."


def test_failing_backend_falls_back_with_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        out = rewrite_digest(DIGEST, Broken(), name="test-backend")
    assert out == DIGEST
    assert len(caplog.records) == 1 and "test-backend" in caplog.records[0].getMessage()


# --- (a) a tiny transformers model built here, no downloads -----------------------------------------


def _tiny_tokenizer(words: list[str]) -> Any:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "</s>", "<unk>"]
    vocab = {w: i for i, w in enumerate(dict.fromkeys([*specials, *words]))}
    core = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="</s>",
                                   unk_token="<unk>")


def _vocab() -> list[str]:
    text = " ".join(a.text for a in ARTICLES) + " " + build_prompt([s.text for s in DIGEST.summary])
    return [*text.split(), "Zanzibar", "1999", "\n", "1.", "2."]


@pytest.fixture(scope="module")
def tiny_t5() -> TransformersRewriter:
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    tok = _tiny_tokenizer(_vocab())
    config = T5Config(vocab_size=len(tok), d_model=16, d_ff=32, d_kv=8, num_layers=1, num_decoder_layers=1,
                      num_heads=2, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
    config.decoder_start_token_id = tok.pad_token_id
    return TransformersRewriter(T5ForConditionalGeneration(config), tok, max_new_tokens=24, max_time=10.0)


def test_tiny_seq2seq_model_runs_and_is_guarded(tiny_t5: TransformersRewriter) -> None:
    raw = tiny_t5.rewrite(build_prompt([s.text for s in DIGEST.summary]))
    assert isinstance(raw, str) and len(raw.split()) <= 24
    out = rewrite_digest(DIGEST, tiny_t5)
    assert len(out.summary) == len(DIGEST.summary)
    for old, new in zip(DIGEST.summary, out.summary, strict=True):
        assert new.sources == old.sources
        if new != old:  # whatever random weights produce, a kept rewrite adds no name or number
            assert unsupported(new.text, [a.text for a in ARTICLES if a.id in new.sources]) == []


def test_tiny_causal_model_from_a_local_path(tmp_path: Path) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    tok = _tiny_tokenizer(_vocab())
    config = GPT2Config(vocab_size=len(tok), n_embd=16, n_layer=1, n_head=2, n_positions=512,
                        bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    GPT2LMHeadModel(config).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    rewriter = TransformersRewriter.from_pretrained(str(tmp_path), max_new_tokens=8)
    assert not rewriter.seq2seq
    prompt = build_prompt([s.text for s in DIGEST.summary])
    raw = rewriter.rewrite(prompt)
    assert len(raw.split()) <= 8  # only the generated continuation, not the prompt
    assert rewrite_digest(DIGEST, rewriter).summary[0].sources == ("a",)


# --- (b) an OpenAI-compatible endpoint served on 127.0.0.1 -----------------------------------------


class _Handler(BaseHTTPRequestHandler):
    mode = "ok"
    calls: list[dict[str, Any]] = []  # noqa: RUF012 - shared on purpose, reset by the fixture

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        if self.mode == "bad-request":
            self.send_response(400)
            self.end_headers()
            return
        answer = ("1. Pakistan and Afghanistan resume their talks in Istanbul on November 6.\n"
                  "2. The ceasefire agreed in Doha on October 19 still holds.")
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    _Handler.mode = "ok"
    _Handler.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_completions_url() -> None:
    assert completions_url("http://h:8080/v1/") == "http://h:8080/v1/chat/completions"
    assert completions_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"


def test_endpoint_rewrites_the_digest(endpoint: str) -> None:
    client = ChatRewriter(base_url=endpoint, model="tiny", api_key="sk-test", timeout=5)
    out = rewrite_digest(DIGEST, client)
    assert [s.text for s in out.summary] == [
        "Pakistan and Afghanistan resume their talks in Istanbul on November 6.",
        "The ceasefire agreed in Doha on October 19 still holds."]
    call = _Handler.calls[0]
    assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer sk-test"
    assert call["body"]["model"] == "tiny" and call["body"]["messages"][-1]["role"] == "user"


def test_endpoint_500_retries_then_falls_back(endpoint: str, caplog: pytest.LogCaptureFixture) -> None:
    _Handler.mode = "error"
    client = ChatRewriter(base_url=endpoint, model="tiny", timeout=5, retries=2, backoff=0.01)
    with pytest.raises(LLMError, match="HTTP 500"):
        client.rewrite("x")
    assert len(_Handler.calls) == 3
    with caplog.at_level(logging.WARNING):
        assert rewrite_digest(DIGEST, client) == DIGEST
    assert len(caplog.records) == 1


def test_endpoint_timeout_falls_back(endpoint: str, caplog: pytest.LogCaptureFixture) -> None:
    _Handler.mode = "slow"
    client = ChatRewriter(base_url=endpoint, model="tiny", timeout=0.2, retries=1, backoff=0.01)
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING):
        assert rewrite_digest(DIGEST, client) == DIGEST
    assert time.perf_counter() - started < 2.0
    assert len(caplog.records) == 1 and "Timeout" in caplog.records[0].getMessage()


def test_endpoint_client_error_is_not_retried(endpoint: str) -> None:
    _Handler.mode = "bad-request"
    client = ChatRewriter(base_url=endpoint, model="tiny", timeout=5, retries=3, backoff=0.01)
    with pytest.raises(LLMError, match="HTTP 400"):
        client.rewrite("x")
    assert len(_Handler.calls) == 1


def test_unreachable_endpoint_falls_back() -> None:
    client = ChatRewriter(base_url="http://127.0.0.1:9/v1", model="tiny", timeout=0.5, retries=0)
    assert rewrite_digest(DIGEST, client) == DIGEST
