"""The lexical index: Okapi BM25 computed directly, kept in step with writes through the change feed."""
import math
from collections import Counter

import pytest

from matcher.inputs import PostingInput
from matcher.search.lexical import B, K1, LexicalIndex, tokens

DOCS = {1: "小区保安 门岗值班 夜间巡逻", 2: "商场保洁员 拖地 擦玻璃 保洁", 3: "叉车司机 持叉车证 仓库装卸", 4: "仓库管理员 出入库 盘点"}


def _direct_bm25(query: str, docs: dict[int, str]) -> dict[int, float]:
    toks = {i: tokens(t) for i, t in docs.items()}
    n, avg = len(docs), sum(map(len, toks.values())) / len(docs)
    out = {}
    for i, words in toks.items():
        counts, score = Counter(words), 0.0
        for word in tokens(query):
            df = sum(word in w for w in toks.values())
            if not df or word not in counts:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = counts[word]
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(words) / avg))
        out[i] = score
    return out


def test_scores_are_okapi_bm25_and_never_negative():
    index = LexicalIndex()
    for i, text in DOCS.items():
        index.upsert(i, text)
    query = "在仓库开叉车，也做过保洁"
    expected = _direct_bm25(query, DOCS)
    got = index.scores(query, list(DOCS))
    assert got.tolist() == pytest.approx([expected[i] for i in DOCS])
    assert got.min() >= 0 and got[2] > got[0]  # 叉车司机 (id 3) above 小区保安 (id 1)
    one = LexicalIndex()
    one.upsert(1, "平面设计 Photoshop")
    assert one.scores("会用Photoshop", [1])[0] > 0  # a one-document pool still scores a shared word


def test_upsert_and_remove_keep_the_index_exact():
    index = LexicalIndex()
    for i, text in DOCS.items():
        index.upsert(i, text)
    index.upsert(3, "厨师 炒菜")  # an edit replaces the old words
    index.remove(4)
    rest = {1: DOCS[1], 2: DOCS[2], 3: "厨师 炒菜"}
    assert index.scores("叉车 仓库", [1, 2, 3]).tolist() == [0.0, 0.0, 0.0]
    assert index.scores("炒菜", [1, 2, 3]).tolist() == pytest.approx([_direct_bm25("炒菜", rest)[i] for i in (1, 2, 3)])
    assert index.search("炒菜", 5) == {3: pytest.approx(_direct_bm25("炒菜", rest)[3])}


def test_the_posting_index_follows_writes(service):
    first, = service.upsert_postings([PostingInput(title="叉车司机", requirements="持叉车证，仓库装卸")])
    lexical = service.postings.lexical
    service.refresh(force=True)
    assert first in lexical.search("叉车", 5)
    service.update_posting(first, {"title": "面点师", "requirements": "会做包子馒头"})
    service.refresh(force=True)
    assert first not in lexical.search("叉车", 5) and first in lexical.search("包子", 5)
    service.close_posting(first)
    service.refresh(force=True)
    assert first not in lexical and lexical.search("包子", 5) == {}
