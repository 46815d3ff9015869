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


def _model_bm25(model: dict[int, Counter]):
    """BM25 of a query against one document of `model` (id -> word counts), computed directly."""
    avg = sum(sum(c.values()) for c in model.values()) / len(model)

    def direct(query: Counter, doc: int) -> float:
        counts, total = model.get(doc), 0.0
        for word, q in (query.items() if counts else ()):
            df = sum(word in c for c in model.values())
            if word in counts:
                tf, norm = counts[word], K1 * (1 - B + B * sum(counts.values()) / avg)
                total += math.log(1 + (len(model) - df + 0.5) / (df + 0.5)) * q * tf * (K1 + 1) / (tf + norm)
        return total

    return direct


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


def test_search_top_k_equals_scoring_every_document_even_after_edits():
    """The top k found from cached impacts must be the exact one (ties by id), after edits as well."""
    import numpy as np

    rng = np.random.default_rng(3)
    vocabulary = [f"w{n}" for n in range(60)]
    weights = 1.0 / np.arange(1, 61)  # Zipf-like: a few words in most documents, many rare ones
    index, model = LexicalIndex(), {}
    for doc in range(1, 801):
        words = rng.choice(vocabulary, size=int(rng.integers(3, 15)), p=weights / weights.sum())
        model[doc] = Counter(words.tolist())
        index.upsert_terms(doc, Counter(model[doc]))
    for doc in range(1, 801, 7):  # edits and removals after the postings arrays were first built
        index.search_terms(Counter(["w0", "w5"]), 5)
        model[doc] = Counter(rng.choice(vocabulary, size=5).tolist())
        index.upsert_terms(doc, Counter(model[doc]))
        index.remove(doc + 1)
        model.pop(doc + 1, None)
    assert len(index) == len(model) and index.terms(1) == model[1] and index.terms(2) == Counter()
    everyone = np.arange(1, 802)
    direct = _model_bm25(model)

    for trial in range(30):
        query = Counter(rng.choice(vocabulary, size=int(rng.integers(1, 8)), p=weights / weights.sum()).tolist())
        full = index.score_terms(query, everyone)
        if trial < 3:
            assert full.tolist() == pytest.approx([direct(query, int(d)) for d in everyone])
        for k in (1, 10, 50):
            order = np.lexsort((everyone, -full))[:k]
            expected = {int(everyone[n]): float(full[n]) for n in order if full[n] > 0}
            got = index.search_terms(query, k)
            assert list(got) == list(expected)
            assert list(got.values()) == pytest.approx(list(expected.values()))


def test_rewritten_documents_keep_their_own_words_when_the_pools_are_packed():
    """Every rewrite leaves its old run behind in the word pools; packing them keeps each document's words."""
    index = LexicalIndex()
    words = [f"词{n}" for n in range(40)]
    for round_ in range(120):  # 120 x 30 documents x ~25 words: well past the packing threshold
        for doc in range(1, 31):
            index.upsert_terms(doc, Counter({w: 1 + (doc + round_) % 3 for w in words[doc % 15:doc % 15 + 25]}))
    assert len(index._texts.pool_words) < 120 * 30 * 25  # packed at least once
    index.remove(5)
    assert len(index) == 29 and 5 not in index and index.terms(5) == Counter()
    assert index.terms(7) == Counter({w: 1 + (7 + 119) % 3 for w in words[7:32]})
    assert set(index.search_terms(Counter(["词38"]), 5)) == {14, 29}  # the only documents holding it


def test_search_stays_exact_while_cached_impacts_lag_the_average_length():
    """Impacts are cached until the average length drifts by IMPACT_DRIFT; near-ties at the k-th place
    (many documents of similar length and counts) must still come out exactly as a full scoring orders
    them, at every k."""
    import numpy as np

    from matcher.search.lexical import IMPACT_DRIFT

    index, rng = LexicalIndex(), np.random.default_rng(11)
    words = ["叉车", "仓库", "装卸", "夜班"]
    for doc in range(1, 3001):
        counts = Counter({w: int(rng.integers(0, 4)) for w in words})
        counts.update({f"填充{n}": 1 for n in range(int(rng.integers(5, 80)))})
        index.upsert_terms(doc, +counts)
    query = Counter(words)
    index.search_terms(query, 50)  # impacts cached at this average length
    before, doc = index._avg(), 3000
    while abs(index._avg() - before) / before < 0.9 * IMPACT_DRIFT:  # the average drifts, the cache stays
        doc += 1
        index.upsert_terms(doc, Counter({f"其他{n}": 1 for n in range(int(before) + 10)}))
    assert abs(index._avg() - before) / before < IMPACT_DRIFT
    everyone = np.arange(1, doc + 1)
    full = index.score_terms(query, everyone)
    for k in range(1, 600, 2):
        order = np.lexsort((everyone, -full))[:k]
        assert list(index.search_terms(query, k)) == [int(everyone[n]) for n in order if full[n] > 0], k


def test_scoring_few_documents_from_their_own_words_gives_the_same_floats():
    """`_score_docs` (a document's own word runs) and `_score` (each word's postings) add the same
    contributions in the same order: equal to the last bit, so ties between copies stay ties."""
    import numpy as np

    rng = np.random.default_rng(4)
    index = LexicalIndex()
    for doc in range(1, 3001):
        index.upsert_terms(doc, Counter(rng.choice([f"w{n}" for n in range(50)], size=12).tolist()))
    for doc in range(1, 3001, 5):  # rewrites leave old runs in the pools
        index.upsert_terms(doc, Counter(rng.choice([f"w{n}" for n in range(50)], size=6).tolist()))
    for doc in range(2, 3001, 50):
        index.remove(doc)
    query = index._query(Counter({"w1": 2, "w7": 1, "w30": 1, "w49": 1, "没有的词": 1}))
    ids = np.asarray(sorted(rng.choice(np.arange(1, 3001), size=40, replace=False)), np.int64)
    ids = np.concatenate([ids, [2, 52, 0, 5000, -3, ids[0]]])  # removed, never held, out of range, repeated
    texts = index._texts_of(ids)
    expected = index._texts.score(query, texts, index._avg())
    got = index._texts.score_runs(query, texts, index._avg())
    assert got.tolist() == expected.tolist() and (got > 0).any()
    assert index.score_terms(Counter({"w1": 2, "w7": 1, "w30": 1, "w49": 1}), ids).tolist() == got.tolist()
    # A handful of texts (a search's best) are scored in plain Python: the same floats again.
    for start in range(0, len(texts), 3):
        few = texts[start:start + 3]
        assert index._texts.score_runs(query, few, index._avg()).tolist() == expected[start:start + 3].tolist()


def test_documents_sharing_a_text_score_and_rank_as_separate_documents():
    """A chain's posting repeated under many ids is one text of the engine, but BM25 still counts
    documents (N, document frequency, average length), and the top k still lists documents, ties by
    id, after members (the first one included) leave, move to another text or come back."""
    import numpy as np

    rng = np.random.default_rng(8)
    vocabulary = [f"词{n}" for n in range(30)]
    templates = [Counter(rng.choice(vocabulary, size=int(rng.integers(2, 9))).tolist()) for _ in range(12)]
    index, model = LexicalIndex(), {}
    for doc in range(1, 701):
        model[doc] = templates[int(rng.integers(len(templates)))]
        index.upsert_terms(doc, Counter(model[doc]))
    for doc in range(1, 701, 3):  # leave, move to another shared text, or take a text of one's own
        index.search_terms(Counter(vocabulary[:4]), 400)  # member lists read (and cached) between edits
        choice = doc % 9
        if choice == 1:
            index.remove(doc)
            model.pop(doc)
        else:
            model[doc] = templates[choice] if choice < 6 else Counter(rng.choice(vocabulary, size=5).tolist())
            index.upsert_terms(doc, Counter(model[doc]))
    index.upsert_terms(1, Counter(templates[0]))  # a removed document comes back
    model[1] = templates[0]
    assert index._texts.live < 12 + 700 // 3 and index._texts.extra  # texts are shared
    everyone = np.arange(0, 705)
    direct = _model_bm25(model)

    for trial in range(12):
        query = Counter(rng.choice(vocabulary, size=int(rng.integers(1, 6))).tolist())
        full = index.score_terms(query, everyone)
        assert full.tolist() == pytest.approx([direct(query, int(d)) for d in everyone])
        for k in (1, 5, 40, 300):
            order = np.lexsort((everyone, -full))[:k]
            assert list(index.search_terms(query, k)) == [int(everyone[n]) for n in order if full[n] > 0]
    assert index.terms(1) == templates[0] and 1 in index and len(index) == len(model)


def test_an_import_cuts_each_text_once_and_scores_as_a_rebuild_does(service, monkeypatch):
    """The writer cuts the BM25 words while the encoder works and hands them to the change feed: the
    feed cuts no text again, and the index answers exactly as one rebuilt from the database."""
    from data import demo
    from matcher.search import lexical as lexical_module

    rows = [PostingInput.model_validate(row) for row in demo.postings(40, seed=5)]
    service.upsert_postings(rows[:5])
    calls = Counter()
    real_tokens = lexical_module.tokens
    monkeypatch.setattr(lexical_module, "tokens", lambda text: calls.update([text]) or real_tokens(text))
    edited = rows[5].model_copy(update={"external_id": rows[0].external_id})  # an update of a stored posting
    ids = service.upsert_postings(rows[5:] + [edited])
    assert calls and max(calls.values()) == 1  # every text cut once: while writing, not again in the feed
    lexical = service.postings.lexical
    assert ids[-1] in lexical.search(rows[5].title, 50)
    query = "会开叉车，做过仓库管理和保洁，也能做饭"
    live = sorted(set(ids) | set(service.catalog.ids()))
    fed = lexical.scores(query, live).tolist()
    service.postings.rebuild()
    assert service.postings.lexical is not lexical
    assert service.postings.lexical.scores(query, live).tolist() == pytest.approx(fed)
    assert max(fed) > 0


def test_words_stored_for_an_old_text_are_not_used(service):
    """Stored words carry a digest of the text they were cut from: a posting whose text was changed
    behind the writer's back (an SQL edit) is cut again, never given the words of what it said before."""
    from sqlalchemy import update

    from data.schema import Posting

    first, = service.upsert_postings([PostingInput(title="叉车司机", requirements="持叉车证，仓库装卸")])
    with service.db.session() as session, session.begin():
        session.execute(update(Posting).where(Posting.id == first).values(
            title="面点师", requirements="会做包子馒头", change_seq=Posting.change_seq + 1000))
    service.postings.refresh(force=True)
    lexical = service.postings.lexical
    assert first not in lexical.search("叉车", 5) and first in lexical.search("包子", 5)
    service.postings.rebuild()
    lexical = service.postings.lexical
    assert first not in lexical.search("叉车", 5) and first in lexical.search("包子", 5)


def test_a_pickled_index_still_shares_texts_in_a_process_with_another_hash_seed(tmp_path):
    """The start-up snapshot is loaded by other processes, whose string hashes differ: a posting with
    the words of a text already indexed must still join that text there."""
    import os
    import pickle
    import subprocess
    import sys

    index = LexicalIndex()
    index.upsert_terms(1, Counter({"叉车": 2, "仓库": 1}))
    index.upsert_terms(2, Counter({"保洁": 1}))
    path = tmp_path / "lexical.pkl"
    path.write_bytes(pickle.dumps(index))
    script = (
        "import pickle, sys\n"
        "from collections import Counter\n"
        f"index = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "index.upsert_terms(3, Counter({'仓库': 1, '叉车': 2}))\n"
        "print(index._texts.live, sorted(index.search_terms(Counter({'叉车': 1}), 5)))\n"
    )
    for seed in ("1", "777"):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             env=os.environ | {"PYTHONHASHSEED": seed}).stdout.split()
        assert out[0] == "2" and " ".join(out[1:]) == "[1, 3]"
