"""A keyword mock encoder: one-hot keyword vectors, so every cosine in a test is known exactly
(as sentence-transformers tests its evaluators with mocked `encode`)."""
from __future__ import annotations

import numpy as np


class KeywordEncoder:
    """Each text becomes the normalised indicator vector of the keywords it contains (a text with
    none gets the last, 'other' dimension)."""

    def __init__(self, keywords):
        self.keywords = list(keywords)
        self.dim = len(self.keywords) + 1
        self.name = "keywords-" + "-".join(self.keywords)

    def _encode(self, texts) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for column, word in enumerate(self.keywords):
                if word in text:
                    out[row, column] = 1.0
            if not out[row].any():
                out[row, -1] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def encode_queries(self, texts) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts, *, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts)
