"""An OpenAI-compatible chat-completions client used as a digest `Rewriter` (llama.cpp, Ollama, vLLM).

Network code lives here, not in `summarizer/`: the core only sees the `Rewriter` protocol. Failures
raise `LLMError` after a bounded number of retries; `summarizer.generative.rewrite_digest` turns that
into a fallback to the extractive digest with one logged line.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.config import DigestConfig
from bot.ingestion.fetch import redact_url
from summarizer.generative import Rewriter

SYSTEM_PROMPT = ("You edit news summaries. You never add facts, names or numbers that are not in the text "
                 "you are given.")
ENV_URL, ENV_MODEL, ENV_KEY = "NEWSDIGEST_LLM_URL", "NEWSDIGEST_LLM_MODEL", "NEWSDIGEST_LLM_API_KEY"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class LLMError(RuntimeError):
    """The endpoint could not produce an answer (after retries)."""


def completions_url(base_url: str) -> str:
    """`http://host:8080/v1` -> `http://host:8080/v1/chat/completions` (a full URL is kept)."""
    base = base_url.rstrip("/")
    return base if base.endswith("/chat/completions") else base + "/chat/completions"


@dataclass
class ChatRewriter:
    """POSTs the prompt to `{base_url}/chat/completions`; retries timeouts, 429 and 5xx answers."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5
    temperature: float = 0.0
    max_tokens: int = 512
    system_prompt: str = SYSTEM_PROMPT
    transport: httpx.BaseTransport | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, **kwargs: Any) -> ChatRewriter | None:
        """From NEWSDIGEST_LLM_URL / _MODEL / _API_KEY (OPENAI_API_KEY also works); None if unset."""
        url = os.environ.get(ENV_URL)
        if not url:
            return None
        key = os.environ.get(ENV_KEY) or os.environ.get("OPENAI_API_KEY")
        return cls(base_url=url, model=os.environ.get(ENV_MODEL, ""), api_key=key, **kwargs)

    def payload(self, prompt: str) -> dict[str, Any]:
        return {"model": self.model, "temperature": self.temperature, "max_tokens": self.max_tokens,
                "messages": [{"role": "system", "content": self.system_prompt},
                             {"role": "user", "content": prompt}]}

    def rewrite(self, prompt: str) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = completions_url(self.base_url)
        last = "no attempt"
        with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
            for attempt in range(self.retries + 1):
                if attempt:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                try:
                    response = client.post(url, json=self.payload(prompt), headers=headers)
                except httpx.TransportError as exc:  # includes timeouts and refused connections
                    last = f"{type(exc).__name__}"
                    continue
                if response.status_code in RETRY_STATUS:
                    last = f"HTTP {response.status_code}"
                    continue
                if response.status_code >= 400:
                    raise LLMError(f"HTTP {response.status_code} from {redact_url(url)}")
                return _content(response)
        raise LLMError(f"{last} from {redact_url(url)} after {self.retries + 1} attempts")


def _content(response: httpx.Response) -> str:
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"unexpected chat-completions answer ({type(exc).__name__})") from exc
    if not isinstance(content, str):
        raise LLMError("chat-completions answer has no text content")
    return content


def make_rewriter(config: DigestConfig) -> Rewriter | None:
    """The configured rewrite backend, or None for the default extractive digest."""
    if config.backend == "openai":
        key = os.environ.get(ENV_KEY) or os.environ.get("OPENAI_API_KEY")
        url = config.backend_url or os.environ.get(ENV_URL, "")
        if not url:
            raise ValueError("digest.backend = openai needs digest.backend_url (or NEWSDIGEST_LLM_URL)")
        return ChatRewriter(base_url=url, model=config.backend_model or os.environ.get(ENV_MODEL, ""),
                            api_key=key, timeout=config.backend_timeout)
    if config.backend == "transformers":
        from summarizer.generative import TransformersRewriter

        if not config.backend_model:
            raise ValueError("digest.backend = transformers needs digest.backend_model (a name or path)")
        return TransformersRewriter.from_pretrained(config.backend_model, max_time=config.backend_timeout)
    return None
