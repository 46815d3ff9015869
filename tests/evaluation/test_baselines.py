import pytest
from sklearn.exceptions import NotFittedError

from evaluation.baselines import BM25Ranker, PopularityRanker, RandomRanker, TfidfCharRanker, jieba_tokens

# Short synthetic postings in the style of community job-station listings.
POSTINGS = {
    "cashier": "招聘超市收银员，负责商品结算和收银台日常管理，需有耐心。",
    "courier": "招聘快递配送员，负责片区包裹派送，会骑电动车。",
    "carer": "社区养老护理员，照护失能老人日常起居，持养老护理员证书优先。",
    "cook": "餐厅厨师，负责中式热菜烹饪，有五年以上后厨经验。",
    "guard": "物业保安，负责小区门岗值守和夜间巡逻。",
    "cleaner": "写字楼保洁员，负责办公区域清洁，早班。",
}
IDS = list(POSTINGS)
TEXTS = list(POSTINGS.values())

QUERIES = [
    ("想找养老护理的工作，可以照护老人", "carer"),
    ("会骑电动车，想做快递派送", "courier"),
    ("超市收银", "cashier"),
    ("做过后厨，会烹饪热菜", "cook"),
]


@pytest.mark.parametrize("ranker_cls", [TfidfCharRanker, BM25Ranker])
@pytest.mark.parametrize("query,expected", QUERIES)
def test_text_baselines_put_the_document_sharing_words_first(ranker_cls, query, expected):
    ranker = ranker_cls().fit(IDS, TEXTS)
    assert ranker.rank(query, k=3)[0] == expected


@pytest.mark.parametrize("ranker", [TfidfCharRanker(), BM25Ranker(), RandomRanker(1), PopularityRanker({})])
def test_rank_returns_at_most_k_distinct_known_ids(ranker):
    ranker.fit(IDS, TEXTS)
    top = ranker.rank("保安 巡逻", k=4)
    assert len(top) == 4 and len(set(top)) == 4 and set(top) <= set(IDS)
    assert sorted(ranker.rank("保安", k=100)) == sorted(IDS)


@pytest.mark.parametrize("ranker", [TfidfCharRanker(), BM25Ranker(), RandomRanker(0), PopularityRanker({})])
def test_rank_before_fit_says_what_to_do(ranker):
    with pytest.raises(NotFittedError, match="fit"):
        ranker.rank("保安")


def test_random_ranker_is_seeded():
    ids = [f"job{i}" for i in range(30)]
    texts = ["岗位"] * 30
    a = RandomRanker(seed=7).fit(ids, texts).rank("保洁", k=30)
    b = RandomRanker(seed=7).fit(ids, texts).rank("保洁", k=30)
    c = RandomRanker(seed=8).fit(ids, texts).rank("保洁", k=30)
    assert a == b
    assert a != c
    assert a != ids  # actually shuffled


def test_popularity_ranker_orders_by_counts_and_ignores_the_query():
    ranker = PopularityRanker({"guard": 9, "cook": 5, "carer": 5, "unknown": 100}).fit(IDS, TEXTS)
    assert ranker.rank("养老护理", k=3) == ["guard", "carer", "cook"]  # tie keeps fitted order
    assert ranker.rank("收银", k=3) == ranker.rank("养老护理", k=3)


def test_fit_rejects_mismatched_or_duplicate_ids():
    with pytest.raises(ValueError):
        TfidfCharRanker().fit(["a", "b"], ["只有一条"])
    with pytest.raises(ValueError):
        BM25Ranker().fit(["a", "a"], ["保安", "保洁"])


def test_jieba_tokens_drop_punctuation():
    tokens = jieba_tokens("招聘快递配送员，会骑电动车！")
    assert "，" not in tokens and "！" not in tokens
    assert "快递" in tokens
