"""Text helpers of the interview: key terms, sentence pieces, spoken-Chinese patterns, vector cache."""
from __future__ import annotations

import logging
import re
from collections import OrderedDict
from functools import lru_cache
from typing import Sequence

import numpy as np

from models.encoder import Encoder
from matcher.interview.types import CHUNK_CHARS

# ----------------------------------------------------------------------------------------------
# Text helpers
# ----------------------------------------------------------------------------------------------
CJK = r"\u4e00-\u9fff"
_STOP_CHARS = set("的了吗呢吧啊嗯哦呀着我你他她它们这那是在和就也都很把被个有不")
_STOP_BIGRAMS = set(
    "一个 这个 那个 就是 然后 因为 所以 可以 觉得 自己 没有 什么 时候 非常 比较 一些 一下 已经 还是 "
    "但是 如果 应该 知道 工作 岗位 要求 请你 请结 结合 具体 说说 怎么 如何 为什 一次 以上 相关 能力 "
    "经验 熟悉 熟练 掌握 具备 良好 优先 负责 进行 需要 问题 情况 说明 例子 谈谈 介绍 简单".split()
)
NUMBER_RE = re.compile(
    r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万几半]+)\s*"
    r"(?:年|个月|月|周|天|日|小时|分钟|秒|个|次|位|人|名|户|家|单|件|份|张|台|床|间|层|栋|元|块|万|"
    r"%|％|斤|公斤|吨|公里|米|平|箱|包|袋|桌|道|遍|岁|级|项|套|屏|款|页|篇|车|趟|"
    # measures of a procedure: temperature, weight, volume, length, torque, multiples
    r"度|℃|克|千克|毫升|升|厘米|公分|毫米|寸|牛米|瓦|伏|倍|勺|杯|瓶|桶|盒|托|圈|档|粒|片|针)"
)
EXAMPLE_RE = re.compile(r"有一次|有次|有一回|那次|那一次|比如|例如|举个例子|记得|当时|那时候|上次|去年|前年")
TOOL_RE = re.compile(
    r"证书?|执照|资格|[A-Za-z]{2,}|系统|软件|表格|台账|记录|登记|流程|规范|步骤|制度|手册|"
    r"灭火器|消防|监控|对讲机|扫码|收银机|验钞|工具|仪表|万用表|电笔|绝缘|消毒|血压|体温|"
    r"翻身|轮椅|叉车|手持终端|PDA|导航|刀工|火候|留样|晨检|打印机|复印|排班|盘点"
)
VAGUE_RE = re.compile(
    r"我觉得我(?:可以|能行|行|没问题)|应该(?:没问题|可以|行吧)|肯定(?:没问题|可以|行)|什么都(?:能|会|可以|愿意)|"
    r"吃苦耐劳|认真负责|踏实肯干|很努力|一定会|学习能力强|随便|都行|还行吧|差不多吧|看情况|到时候再说|"
    r"没什么(?:问题|特别)|反正|不太清楚|不知道|(?:性格|脾气)(?:挺|很|比较|还)?好|能力(?:也)?(?:挺|很|比较|特别|非常)?强|"
    r"都(?:懂|会|做过|没问题)|一学就会|很简单|没问题|认真细致|工作细心|做事细心|踏实|勤快|手脚麻利|反应快|责任心强|"
    r"有爱心|有耐心|爱干净|技术过硬|审美好"
)
NEGATIVE_RE = re.compile(
    r"(?:老板|领导|前公司|上家|上一家|以前(?:的)?公司|原来(?:的)?公司|之前(?:的)?公司|公司|经理|主管|店长|"
    r"同事|单位|厂里|那家)[^。！？\n]{0,10}?"
    r"(?:坑|太差|很差|真差|垃圾|黑心|抠门|太抠|很抠|烂|不是人|恶心|奇葩|傻|脑子有病|有病|不讲理|"
    r"压榨|剥削|欺负人|太黑|很黑|素质差|没素质|不行)"
)
FILLER_RE = re.compile(r"嗯+|呃+|额+|那个那个|就是就是|然后然后")
DONT_KNOW_RE = re.compile(r"不知道|不清楚|没想过|说不好|不太懂|没考虑过")

STAR = {
    "situation": re.compile(
        r"有一次|有次|有一回|那次|那一次|当时|那时|之前在|以前在|原来在|在[^，。]{1,15}(?:的时候|期间|工作时|上班时|那年|那[几两]年)|"
        r"去年|前年|\d+年|[一二三四五六七八九十两]+年|刚[^，。]{0,6}时候|遇到(?:过)?|碰到|半夜|高峰|冬天|夏天|下雨|暴雨|"
        r"双十一|月底|年底|节假日|那天|一天"
    ),
    "task": re.compile(r"负责|任务|需要|要求|目标|让我|安排我|交给我|职责|我的工作是|要把|得把|必须|手上|一个人|一个班|每周|每个月"),
    # Plain spoken actions: "我先…", "拿…喷", "跟顾客道歉", "把…锁住", a first-person verb, an order of steps.
    "action": re.compile(
        r"我(?:们)?(?:就|先|马上|立刻|赶紧|主动|用|把|去|跟|和|给|帮|查|检查|安排|联系|提醒|耐心|一边|每天|"
        r"每次|按照|坚持|自己|做了|带着|带|拿|打|跑|教|改|对|做|当面|没跟|一个一个)|首先|然后|接着|之后|于是|采取|处理|第一|第二|"
        r"先[^，。]{1,8}(?:再|然后)|打电话|通知|联系|道歉|说明|解释|检查|确认|记下|登记|报给|汇报|拿[^，。]{0,6}(?:喷|擦|量|测)|"
        r"用[^，。]{1,10}(?:做|量|测|摇|擦|洗|扫|喷|排|对|查|标|汇总|抠|调|出)|按[^，。]{1,8}(?:兑|做|排|切|装|出)|"
        r"[把将][^，。]{1,12}(?:锁|关|拿|放|挂|擦|洗|倒|冲|泡|排|改|导|搬|送|装|拆|烘|换|做|切|记|收|对)"
    ),
    "result": re.compile(
        r"结果|最后|后来|最终|效果|得到|获得|表扬|感谢|谢谢|好评|锦旗|提高|减少|降低|没有再|没再|顺利|按时|准时|解决了|"
        r"满意|学到|收获|评上|评过|优秀|涨|从[^，。]{0,10}到|再也没|没有一个|没出过|从没出|没有人受伤|没人投诉|就灭了|"
        r"就到了|就好了|相符|对上了|半天就|省了|没关系|说没事|通过了|合格"
    ),
}
STEPS = {
    "order": re.compile(r"先|首先|第一|然后|接着|再|之后|最后|完了|做完|以后"),
    "method": TOOL_RE,
    "caution": re.compile(r"注意|安全|防止|避免|以免|免得|小心|不能|不要|要分开|检查|确认|看看|戴"),
    "check": re.compile(r"记录|登记|签字|填|报给|汇报|告诉|复核|检查|没出过|合格|没有出现|优秀"),
}
INTRO = {
    "background": re.compile(r"我叫|我是|我姓|今年|\d+岁|岁|毕业|来自|老家|住在|家住|学历"),
    "experience": re.compile(r"做过|干过|在[^，。]{1,20}(?:工作|上班|干|做)|\d+年|经验|经历|之前|以前"),
    "strengths": re.compile(r"擅长|优势|特长|证|会|熟悉|熟练|拿手|比较[^，。]{0,4}(?:细心|耐心)|性格"),
    "fit": re.compile(r"想|希望|应聘|这个(?:岗位|工作|职位)|适合|喜欢|来这|贵"),
}
MOTIVATION = {
    "reason": re.compile(r"因为|原因|想|希望|喜欢|看重|离家|稳定"),
    "understanding": re.compile(r"了解|知道|这个(?:岗位|工作|职位)|主要(?:是|做|工作)|每天|需要"),
    "fit": re.compile(r"我有|经验|做过|干过|证|擅长|适合|熟悉|会"),
    "commitment": re.compile(r"长期|稳定|一直|学习|打算|计划|努力|争取|好好|踏实|坚持"),
}
CONDITIONS = {
    "answer": re.compile(r"可以|能|接受|没问题|符合|有|愿意|行|不能|不行"),
    "facts": re.compile(r"\d|证|岁|体检|身体|学历|毕业|住|离"),
    "flexibility": re.compile(r"配合|调整|安排|倒班|夜班|周末|加班|随时|提前"),
}
STRUCTURE_LABELS = {
    "situation": "情境（当时的情况）", "task": "任务（你要负责什么）", "action": "行动（你具体怎么做）",
    "result": "结果（最后怎样、有什么数字或评价）",
    "background": "个人基本情况", "experience": "相关经历", "strengths": "自己的优势/证书",
    "fit": "与岗位的匹配/求职意向",
    "reason": "求职原因", "understanding": "对岗位的了解", "commitment": "长期打算",
    "order": "步骤顺序", "method": "用到的工具/方法", "caution": "安全和注意事项",
    "check": "记录、检查或汇报",
    "answer": "明确表态", "facts": "具体情况/事实", "flexibility": "可以配合的安排",
}


def ramp_share(x: float, lo: float, hi: float) -> float:
    if hi <= lo:
        return 1.0 if x >= hi else 0.0
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


def terms(text: str) -> set[str]:
    """Key terms of a text: lower-cased latin words and CJK character bigrams minus function words."""
    text = text.lower()
    out = {w for w in re.findall(r"[a-z][a-z0-9+#]+", text)}
    for run in re.findall(f"[{CJK}]+", text):
        for a, b in zip(run, run[1:]):
            bigram = a + b
            if a in _STOP_CHARS or b in _STOP_CHARS or bigram in _STOP_BIGRAMS:
                continue
            out.add(bigram)
    return out


@lru_cache(maxsize=1)
def _jieba():
    import jieba  # imported on first use: loading its dictionary is a one-off cost

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """The jieba words of a text, without whitespace and punctuation."""
    return [w for w in _jieba().lcut(text) if re.search(f"[{CJK}A-Za-z0-9]", w)]


def term_recall(target: set[str], text_terms: set[str]) -> float:
    return len(target & text_terms) / len(target) if target else 0.0


def split_sentences(text: str, *, max_chars: int = CHUNK_CHARS) -> list[str]:
    """Sentence-like pieces that are exact substrings of `text` (stripped), long ones cut at commas."""
    pieces: list[str] = []
    for raw in re.split(r"(?<=[。！？!?；;\n])", text):
        sentence = raw.strip()
        if not sentence:
            continue
        if len(sentence) <= max_chars:
            pieces.append(sentence)
            continue
        current = ""
        for part in re.split(r"(?<=[，,、：:])", sentence):
            if current and len(current) + len(part) > max_chars:
                pieces.append(current.strip())
                current = ""
            current += part
            while len(current) > max_chars:
                pieces.append(current[:max_chars].strip())
                current = current[max_chars:]
        if current.strip():
            pieces.append(current.strip())
    return [p for p in pieces if re.search(f"[{CJK}A-Za-z0-9]", p)]


def short_quote(piece: str, limit: int = 60) -> str:
    """A quote that is still an exact substring: trailing punctuation dropped, long pieces cut."""
    quote = piece.rstrip("。！？!?；;，, ")
    return quote[:limit] if quote else piece[:limit]


def join_items(items: Sequence[str], sep: str = "、") -> str:
    return sep.join(items)


# ----------------------------------------------------------------------------------------------
# Similarity between texts (embedding + lexical), with a small cache of vectors
# ----------------------------------------------------------------------------------------------
class VectorCache:
    def __init__(self, encoder: Encoder | None, size: int = 4096):
        self.encoder = encoder
        self.size = size
        self._store: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray | None:
        if self.encoder is None:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._store]
        if missing:
            vectors = self.encoder.encode_documents(missing)
            for text, vector in zip(missing, vectors):
                self._store[text] = vector
                if len(self._store) > self.size:
                    self._store.popitem(last=False)
        for t in texts:
            self._store.move_to_end(t)
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self._store[t] for t in texts])


    def encode_with(self, cached: Sequence[str], fresh: Sequence[str]) -> np.ndarray:
        """Vectors of `fresh` (not cached), encoding them together with the uncached ones of `cached`
        in one encoder call; the `cached` texts are stored."""
        missing = [t for t in dict.fromkeys(cached) if t not in self._store]
        vectors = self.encoder.encode_documents(missing + list(fresh))
        for text, vector in zip(missing, vectors[:len(missing)]):
            self._store[text] = vector
            if len(self._store) > self.size:
                self._store.popitem(last=False)
        return vectors[len(missing):]


def cosine(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None or b is None:
        return None
    # Rounded so that tiny float noise cannot flip a threshold between runs.
    return np.round(a @ b.T, 4)


def match_strength(cos: float | None, recall: float, ramp: tuple[float, float]) -> float:
    semantic = ramp_share(cos, *ramp) if cos is not None else 0.0
    return max(semantic, min(1.0, recall * 1.5))

