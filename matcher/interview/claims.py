"""How an answer's clauses stand, read as a person reads them.

Each clause (a piece between commas and full stops) gets a *stance*:

- `denied`: a negator (没有, 还没, 未, 不会, 从没, 不太, 没用过 …) scopes over its own clause:
  "养老护理员证我还没有", "也没在后厨干过", "不会切配". A negated *bad outcome* is not a denial but a
  result ("没出过差错", "没有一个长过压疮", "基本不会超时"), and "没问题" / "没关系" are not negations.
- `hedged`: 可能, 应该 (会/可以/能/没问题 …), 大概 (not before a number), 也许, 好像, 记不太清, a final 吧.
- `planned`: 打算, 准备, 计划, 正在学, 想去考, 报名 …: a plan, not an experience.
- `affirmed`: everything else.

and a *concreteness*: it shows something (a number with a unit, a situation, a tool or procedure,
an action verb in plain speech, an order of steps) rather than only claiming ("这些我都会", "没问题").

Only an affirmed, concrete clause is evidence that a requirement is met; a denied clause that matches
a requirement is evidence that it is not. `keyword_list` spots an answer that is only the role's
words strung together, and `is_chinese` an answer written in another language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dataclasses import replace

from matcher.interview.boasts import boast_signals
from matcher.interview.text import CJK, EXAMPLE_RE, NUMBER_RE, TOOL_RE, VAGUE_RE, words

# A negated bad outcome is a result: "没出过差错", "没有一个长过压疮", "不会超时", "没人投诉".
_BAD_OUTCOME = (
    r"差错|出错|错过|错|跳|事故|投诉|受伤|伤|压疮|褥疮|摔|跳闸|超时|迟到|丢|漏|损坏|坏|出事|烧到|烧着|问题|纰漏|"
    r"吵|计较|发火|发脾气|红脸|抱怨|返工|退货|罚|扣分|差评|倒|着火|浪费|积压|缺|少|短|过期|违规|漏登|罚单|色差|"
    r"失手|失误|问倒|难倒|落下|拖后腿|掉链子|挨骂|挨批|赔|闯|逆行|违章|碰撞|撞|逾期|延误|扣钱|扣款"
)
_NEGATOR = re.compile(
    r"(?:还没有|还没|没有|没|从没有|从没|从来没有?|从来不|未曾|未|不会|不太会|不太|不懂|不熟|不清楚|不知道|不了解|"
    r"不行|不能|看不懂|不是很|不是我|不是|一窍不通|外行|门外汉|零基础|生疏|手生|不擅长|不在行|不拿手|短板|弱项|"
    # a potential complement: 记不住, 分不太清, 讲不清楚, 控制不好, 干不了 (not 好不好, 会不会)
    r"(?![我你他她它也都还就并又更再绝决肯根从可倒却才只天年月日次个])([\u4e00-\u9fff])不太?(?!\1)"
    r"(?:住|清|好|懂|会|来|动|了|透|明白|进去))"
)
# Not negations: fixed affirmations (没话说 = excellent, 不在话下, 不成问题), set phrases, double negatives.
_NOT_NEGATION = re.compile(
    r"没问题|没什么问题|没关系|没事|不错|不少|不久|没多久|不仅|不光|不但|不管|不论|不断|差不多|"
    r"没话说|没得说|没的说|不在话下|不成问题|不含糊|不差|不赖|没二话|没得挑|挑不出毛病|难不倒|问不倒|不费劲|不费事|"
    r"离不开|少不了|免不了|错不了|差不了|了不起|对不起|不好意思|忍不住|受不了|数不清|不知道多少|不简单|说不定|"
    r"没(?:有)?人(?:比我|能比|比得上)|谁都比不上|没有[^，。；]{0,6}?不[\u4e00-\u9fff]{1,2}的"
)
# A question inside the answer ("看看有没有发红", "问她是不是想妈妈") negates nothing.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])(?:没|不)\1")
# A negation inside a condition or a relative clause is procedure, not a lack: "没有处方的我会解释政策",
# "看不清的面单就手输单号", "解决不了就叫主管", "如果还是不行".
_CONDITIONAL_NEGATION = re.compile(
    r"(?:如果|要是|万一|假如|实在)[^，。；;！？\n]*|"
    r"(?:没有?|不(?!是))[^，。；;！？\n]{0,3}?的(?=[\u4e00-\u9fff])|(?:没有?|不(?!是))[^，。；;！？\n]{0,6}?(?:的话|就|才)"
)
# What makes a negation a *lack* of the speaker's (experience, ability, credential), as opposed to a negated act
# in a story ("我没放口袋", "我就没卖布洛芬", "师傅也没说什么"), which is not a denial of a requirement.
_LACK = re.compile(
    r"还没|从(?:来)?没|没(?:有)?[^，。；;！？\n]{0,12}?过|没怎么|没学会|没考|没接触|没参与|没(?:有)?(?:取得|拿到|考到)|"
    r"未(?:曾|取得|考|拿|获得|持|做|干|接触|参与|学|掌握|从事)|"
    r"没(?:有)?[^，。；;！？\n]{0,6}?(?:证|经验|资格|执照|学历|基础)|"
    r"不(?:太)?会(?!动|碰|拿|乱|随便|让|给|跟|去|再|有|被|超|出|影响|放|把|说|告诉)|不懂|不熟|不清楚|不了解|不知道|"
    r"不太|不行|不能|不是(?:很|太|我)|看不懂|一窍不通|外行|门外汉|零基础|生疏|手生|不擅长|不在行|不拿手|短板|弱项|"
    r"(?![我你他她它也都还就并又更再绝决肯根从可倒却才只天年月日次个])([\u4e00-\u9fff])不太?(?!\1)"
    r"(?:住|清|好|懂|会|来|动|了|透|明白|进去)"
)
# Someone else's lack in a story ("发现她摔在卫生间起不来", "别人换了空开也不行", "查了是系统还没改价"), or a
# negation inside an occasion told without 我 before it ("有一次一台车保养灯归零不了"): narrative, not a lack.
_THIRD_PARTY = re.compile(r"(?:他|她|它|别人|人家|对方|发现|看到|查了?是|结果)[^，。；;！？\n]{0,10}?(?:没|不|未)")
_OWN_NEGATION = re.compile(r"我[^，。；;！？\n]{0,8}?(?:没|不|未)")
# A negation after a marker of what followed ("那之后…再没有过期原料被查到", "后来再也没人投诉"), or of a
# passive bad event ("没被罚过款"), reports a result, not a lack.
_RESULT_NEGATION = re.compile(
    r"(?:再也|再|之后|以后|后来|从此|从那以后|那之后)[^，。；;！？\n]{0,8}?(?:没有?|不|未)|"
    r"(?:没有?|未)[^，。；;！？\n]{0,10}?被"
)
_GOOD_NEGATION = re.compile(
    rf"(?:没有?|从没有?|从来没有?|从来不|不会|不太会|基本不|很少|未|不)(?:(?!遇|碰|处理|见|经历|接触|做|干)[^，。；;！？\n]){{0,8}}?(?:{_BAD_OUTCOME})"
)
# "不能马上躺平", "不要", "不留空档": cautions and manners inside a procedure, not denials of ability.
_CAUTION = re.compile(r"不能(?!做|干|胜任|接受)|不要|不留|不让|不可以|以免|免得|防止|避免|千万别|别")
_HEDGE = re.compile(
    r"可能|应该(?=会|可以|能|没问题|行|不难|就是|算|做过|用过|是|还|也|差不多|问题不大|懂|学)|"
    r"大概(?![一二两三四五六七八九十百千几半\d])|也许|或许|好像|估计|说不定|记不太清|记不清|不太记得|"
    r"差不多吧|吧[。！？]?$|兴许|八成|多半|似乎|貌似|印象中|印象里|我猜|估摸|大约(?![一二两三四五六七八九十百千几半\d])|"
    r"差不离|大差不差|说不准|不一定|未必|或多或少|马马虎虎|凑合|还算可以|算是吧|应该吧"
)
_PLAN = re.compile(
    r"打算|准备(?:去|考|报|学)|计划|正在学|在学|想去考|想考|要去考|去考|报名|报了名|争取|下个月|明年|今年(?:内|底)|"
    r"以后会|将来|会去学|马上去学"
)
_ACTION_VERB = (
    r"做|干|弄|翻|喂|擦|洗|切|配|装|拆|量|测|摇|喷|关|拉|拔|开|锁|点|排|搬|送|扫|收|找|查|看|记|写|填|签|报|问|帮|教|"
    r"带|换|接|打|跑|拿|放|挂|泡|冲|兑|晒|铺|叠|贴|剪|抠|调|画|改|导|对|核|盘|录|回|讲|劝|哄|陪|抱|扶|推|提醒|"
    r"联系|通知|安排|处理|检查|确认|说明|道歉|解释|沟通|汇报|整理|清点|巡|维修|修|用|按|跟|给|把"
)
_ACTION = re.compile(
    rf"我(?:们)?[^，。；\n]{{0,4}}?(?<!一)(?:{_ACTION_VERB})(?!不|得)|先|然后|接着|再(?!也)|之后|以后|完了|做完|好以后|"
    rf"每次|每天|首先|最后|于是|马上|赶紧|立刻|"
    # procedural knowledge said plainly: cautions and precautions
    rf"戴|分开|混在一起|注意|小心|防止|避免|以免|免得|不能混|"
    # a step said without 我: an operation with its tool or rule ("用电子秤称料", "按品种设上下火"), or a verb
    # with a result complement ("设好温度", "称好", "搅匀", "拧干")
    rf"用[^，。；\n]{{1,8}}?(?:称|量|测|扫|擦|洗|拖|喷|刷|调|拧|切|记|查|拍|敷|刮|读|对|核|设)|"
    rf"按[^，。；\n]{{1,8}}?(?:称|做|设|调|排|切|装|出|走|分|放|加|兑|配|拧|上)|"
    rf"(?:设|调|称|放|加|倒|搅|揉|洗|切|擦|拖|装|拆|拧|扫|贴|填|记|写|摆|叠|包|封|标|核|盘|锁|关|挂)(?:好|完|匀|齐|清|干|紧|上)"
)
# "擦擦洗洗", "做做图", "让用什么我就用什么": vague by form.
# "一看就知道", "一听就明白", "一摸就有数": the 一V就 construction claims a facility; it reports no act.
_CLAIM_FORMS = re.compile(r"([\u4e00-\u9fff])\1([\u4e00-\u9fff])\2|"
                          # trivialising: "喂一喂就好了", "扫一下就行", "就是扫一下嘛"
                          r"(?P<t>[\u4e00-\u9fff])一(?P=t)(?=[^，。；！？]{0,4}就)|(?:一下|一一)?就(?:好|行|可以|完事|得了|没事)(?:了|啦|嘛|呗)?$|"
                          r"就是[^，。；！？]{1,10}?(?:嘛|呗|而已|罢了)|^(?![^，。；！？]*(?:主要|工作|职责|任务))[^，。；！？]{1,6}?(?:应该|可能)?就是(?!说)|"
                          # "做做图", "打打杂": a reduplicated verb with a bare one-character object ends the clause
                          # (not "看看有没有发红", "慢慢", "天天")
                          r"(?!慢慢|天天|常常|刚刚|渐渐|好好|早早|稍稍|悄悄|偷偷|轻轻|多多|人人|个个|样样)"
                          r"([\u4e00-\u9fff])\4[\u4e00-\u9fff](?![\u4e00-\u9fff])|"
                          r"让[^，。]{0,4}什么[^，。]{0,3}就[^，。]{0,3}什么|"
                          r"一[\u4e00-\u9fff]{1,2}就(?:知道|明白|懂|会|能|清楚|看出|看得出|听出|发现|有数|上手)")
_CLAIM_WORDS = re.compile(
    r"能处理好|能做好|能干好|能搞好|一定(?:能|会|不会)|肯定(?:能|会)|冲在前面|没有问题|难不倒|都会|全都会|都能|都懂|"
    r"都没问题|没问题|很熟|非常熟练|很熟练|都做过|很简单|一学就会|难不倒|"
    # self-assessment: a degree adverb before a word of proficiency ("我很擅长", "非常熟悉", "最拿手")
    r"(?:很|非常|特别|最|十分|相当|比较|挺|都)(?:擅长|熟练|熟悉|拿手|在行|精通|专业|能干|厉害|内行|有经验)|"
    r"擅长|拿手|在行|精通|胜任|强项|特长|"
    # an evaluative complement about oneself: "我都做得很好", "我干得非常出色"
    r"我[^，。；！？]{0,8}?[\u4e00-\u9fff]得(?:很|非常|特别|挺|比较|相当|十分|最|更|又|也)|"
    # praise reported in general, with no occasion: "领导都夸我", "顾客都说我服务好", "店长每次检查都表扬我"
    # (room for an adverbial of time or place between the praiser and the habitual 都/一直/总)
    r"(?:领导|老板|店长|主管|经理|组长|同事|大家|顾客|客户|客人|雇主|家长|别人|朋友|师傅|邻居)[^，。；]{0,8}?"
    r"(?:都|一直|总|总是|也|经常)(?:夸|说我|表扬|认可|信任|满意|称赞|觉得我)|"
    # a universal claim: "样样都行", "什么都会"
    r"样样|什么(?:活|事)?都(?:会|能|行|干|懂)|"
    # reassurance instead of evidence: "这个您放心", "你们完全可以放心"
    r"放心"
)
# Spoken function words, counted as whole jieba words: "对" and "会" are function words on their own
# ("我对顾客", "我会用") but not inside "对账" or "会计".
_SPOKEN_FUNCTION = frozenset(
    "我 你 他 她 我们 你们 他们 的 了 是 在 就 都 也 很 要 会 把 被 给 跟 和 对 说 做 过 着 吧 呢 啊 "
    "这些 那些 就是 然后 因为 所以 还 又 再 先 让 能 可以 一下 什么 怎么".split()
)


@dataclass(frozen=True)
class Clause:
    text: str
    start: int
    stance: str  # affirmed | denied | hedged | planned
    concrete: bool
    claim_only: bool
    good_negation: bool  # a negated bad outcome: a result


def clauses(text: str) -> list[Clause]:
    """The answer cut at commas and full stops, each with its stance and concreteness."""
    out: list[Clause] = []
    for match in re.finditer(r"[^，,。；;！!？?\n]+", text):
        piece = match.group(0).strip()
        if not re.search(f"[{CJK}A-Za-z0-9]", piece):
            continue
        out.append(classify_clause(piece, match.start()))
    return out


# Someone else does it: "烤箱温度师傅都设好了", "店里都是师傅自己配", "清洁剂公司都配好了". Deferring is not an act.
_OTHERS_DO = re.compile(r"(?:师傅|别人|同事|老板|店长|主管|领导|班长|组长|他们|她们|人家|公司)(?:们)?[^，。；！？]{0,3}?"
                        r"(?:都|会|来|帮|给|已经|自己)")


def classify_clause(piece: str, start: int = 0) -> Clause:
    good = bool(_GOOD_NEGATION.search(piece) or _RESULT_NEGATION.search(piece))
    cleaned = _NOT_NEGATION.sub("", piece)
    cleaned = _RESULT_NEGATION.sub("", cleaned)
    cleaned = _GOOD_NEGATION.sub("", cleaned)
    cleaned = _CAUTION.sub("", cleaned)
    cleaned = _A_NOT_A.sub("", cleaned)
    cleaned = _CONDITIONAL_NEGATION.sub("", cleaned)
    if _PLAN.search(piece):
        stance = "planned"
    elif _NEGATOR.search(cleaned) and _LACK.search(cleaned) and not (
            _THIRD_PARTY.search(cleaned) or (EXAMPLE_RE.search(piece) and not _OWN_NEGATION.search(cleaned))):
        stance = "denied"
    elif _HEDGE.search(piece):
        stance = "hedged"
    else:
        stance = "affirmed"
    concrete = bool(
        NUMBER_RE.search(piece) or EXAMPLE_RE.search(piece) or (_ACTION.search(piece) and not _OTHERS_DO.search(piece))
        or (TOOL_RE.search(piece) and len(re.findall(f"[{CJK}]", piece)) >= 6)
    )
    claim_only = bool(boast_signals(piece)) or bool(
        _CLAIM_WORDS.search(piece) or VAGUE_RE.search(piece) or _CLAIM_FORMS.search(piece)) and not (
        NUMBER_RE.search(piece) or EXAMPLE_RE.search(piece)
    )
    if claim_only:
        concrete = False
    return Clause(piece, start, stance, concrete, claim_only, good)


def keyword_list(text: str) -> bool:
    """True for a bare list of words ("健康证 切配 炒锅 出餐 …"): many short pieces split by spaces or
    enumeration commas, almost no function words, no verb phrase of a spoken sentence."""
    pieces = [p for p in re.split(r"[\s、，,；;/|]+", text.strip()) if p]
    if len(pieces) < 4:
        return False
    short = sum(1 for p in pieces if len(p) <= 8)
    if short / len(pieces) < 0.8:
        return False  # decided without segmenting: most answers end here
    cjk = re.findall(f"[{CJK}]", text)
    # jieba glues a pronoun to its neighbour ("我先"): a word holding a personal pronoun is speech too
    function = sum(1 for w in words(text) if w in _SPOKEN_FUNCTION or re.search("[我你他她]", w))
    return function <= max(1, len(cjk) // 25)


# An opinion frame opening the answer: "我觉得现在的顾客都太挑了".
_OPINION_OPENING = re.compile(r"^\s*(?:我(?:个人)?(?:觉得|认为|感觉)|说实话|说实在的|依我看|在我看来)")
# The speaker's own conduct or experience: "我先…", "我们会处理", "我做过".
_OWN_CONDUCT = re.compile(rf"我(?:们)?[^，。；\n]{{0,4}}?(?<!一)(?:{_ACTION_VERB})(?!不|得)|我[^，。；\n]{{0,6}}?(?:做|干|用|学|处理|遇到|碰到)过")


def commentary(text: str) -> bool:
    """True for an opinion about the world instead of an account of one's own conduct: the answer opens
    with an opinion frame (我觉得, 我认为, 说实话 …) and no clause says what the speaker did or would do.
    "我觉得现在的顾客都太挑了，有时候一点小事就要给差评" is commentary; "我觉得首先要安抚，我会先道歉" is not."""
    if not _OPINION_OPENING.search(text):
        return False
    body = _OPINION_OPENING.sub("", text, count=1)
    return not _OWN_CONDUCT.search(body)


def is_chinese(text: str) -> bool:
    """False when the answer is mostly written in another language (Latin letters outnumber Chinese)."""
    cjk = len(re.findall(f"[{CJK}]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return not (latin >= 20 and cjk < latin / 4)


def evidence_text(found: list[Clause]) -> str:
    """The affirmed clauses that are more than a bare claim, joined again: what specificity and
    structure are judged on."""
    return "，".join(c.text for c in found if c.stance == "affirmed" and not c.claim_only)


# What shows rather than tells: a number other than a bare 一 ("上手一天就…" is a boast), an occasion, an
# order of steps.
_ANCHOR = re.compile(r"先[^，。]{0,12}(?:再|然后)|首先|然后|接着|第一步|之后|最后")


def _anchored(clause: Clause) -> bool:
    numbers = [m.group(0) for m in NUMBER_RE.finditer(clause.text)]
    return bool(any(not n.startswith("一") for n in numbers) or EXAMPLE_RE.search(clause.text)
                or _ANCHOR.search(clause.text))


def answer_claims_only(found: list[Clause]) -> bool:
    """True when an answer tells instead of shows: it affirms, some of it is a boast or a bare claim, and
    nothing it affirms is concrete, or at least half of it (by length) boasts and nothing is anchored
    by a number, an occasion or an order of steps ("火候这一块我是行家里手，我凭手感就能把握")."""
    affirmed = [c for c in found if c.stance == "affirmed"]
    claimed = [c for c in affirmed if c.claim_only]
    if not affirmed or not claimed:
        return False
    if not any(c.concrete for c in affirmed):
        return True
    share = sum(len(c.text) for c in claimed) / sum(len(c.text) for c in affirmed)
    return share >= 0.5 and not any(_anchored(c) for c in affirmed if not c.claim_only)


def mark_claims(chunk_clauses: list[list[Clause]]) -> list[list[Clause]]:
    """The clauses of a whole answer, read as a whole. When the answer only tells (`answer_claims_only`), every
    affirmed clause is a claim and none is concrete: a bragging answer does not lend its neighbouring clause
    substance. When most of it hedges or denies (by length) and nothing it affirms is anchored by a number, an
    occasion or an order of steps, its affirmed clauses are not concrete either ("洗菜切配应该不难吧，我可能在家里
    做过。步骤大概就是先洗后切，安全的话应该注意一下刀")."""
    flat = [c for cs in chunk_clauses for c in cs]
    if answer_claims_only(flat):
        return [[replace(c, claim_only=True, concrete=False) if c.stance == "affirmed" else c for c in cs]
                for cs in chunk_clauses]
    total = sum(len(c.text) for c in flat) or 1
    unsure = sum(len(c.text) for c in flat if c.stance in ("hedged", "denied", "planned"))
    affirmed = [c for c in flat if c.stance == "affirmed"]
    if unsure / total >= 0.5 and not any(_anchored(c) for c in affirmed if not c.claim_only):
        return [[replace(c, concrete=False) if c.stance == "affirmed" else c for c in cs] for cs in chunk_clauses]
    return chunk_clauses


def only_claims(found: list[Clause]) -> bool:
    """True when the answer affirms things but shows none of them ("这些我都会，没问题，我很认真")."""
    affirmed = [c for c in found if c.stance == "affirmed"]
    return bool(affirmed) and not any(c.concrete for c in affirmed) and any(c.claim_only for c in affirmed)


# Markers of an aside about one's own life or the job's terms instead of an answer: hobbies and interests,
# family and home, commute, health and tiredness, asking back about pay or shifts.
_ASIDE = re.compile(
    r"喜欢|爱好|兴趣|感兴趣|想问|请问|问一下|工资|待遇|补贴|提成|五险|倒班|几休几|休息|宿舍|包吃|包住|"
    r"我家|家里人|我家里|家里有|老公|老婆|爱人|儿子|女儿|孩子|父母|爸妈|老家|住在|离家|上下班|下班|路上|坐公交|地铁|"
    r"我(?:自己)?的?(?:孩子|小孩|儿子|女儿|老公|老婆|爱人|父母|爸妈)|开销|生活费|找工作|找份工作|"
    r"小区|房子|房价|房租|停车|身体|腰|(?:挺|很|太|有点|特别|比较)(?:累|忙)|吃饭|零食|周末|平时|以后想|打算开"
)


ASIDE_SHARE = 0.4


def aside(found: list[Clause], topic_text: str) -> bool:
    """True when at least 40% of the answer (by length) is in clauses that carry an aside marker (hobbies,
    family, commute, health, asking about pay or shifts), markers the question and the role's own words
    do not use: "我上夜班的时候一般都会带点零食" to a question about a complaint."""
    total = sum(len(c.text) for c in found) or 1
    marked = sum(len(c.text) for c in found if any(m.group(0) not in topic_text for m in _ASIDE.finditer(c.text)))
    return marked / total >= ASIDE_SHARE


def conduct(found: list[Clause]) -> bool:
    """True when some clause says what the speaker does, did or would do (an act, a step, a response):
    "我会打个电话", "先道歉再换房", "捡起来放桌上", "就跟他说不行". A denial or a boast is not conduct."""
    return any(c.concrete or _RESPONSE.search(c.text) for c in found if c.stance != "denied" and not c.claim_only)


def acts(found: list[Clause]) -> int:
    """How many affirmed, concrete clauses say what the speaker did or does (an action or a step)."""
    return sum(1 for c in found if c.stance == "affirmed" and c.concrete and not c.claim_only and _ACTION.search(c.text))


# A response to a situation, said plainly: "就跟他说…", "那就先扔掉", "捡起来放桌上", "让隔壁小声点".
_RESPONSE = re.compile(
    rf"(?:就|那就|会|先|再|马上|直接|赶紧)[^，。；！？]{{0,3}}(?:{_ACTION_VERB}|扔|捡|等|停|走|拍|报|劝|说)|"
    rf"[把将让叫请][^，。；！？]{{1,8}}(?:{_ACTION_VERB}|小声|别|不要|离开|下来|过来)"
)


def self_assessment(found: list[Clause], role_terms: set[str]) -> bool:
    """True when the answer rates the speaker's own ability *in the role's own words*: a claim, a hedge or a
    denial in a clause that shares a term with the role's title, question or requirements ("独居老人的走访我
    没参与过", "老人们的情况我一清二楚"); "没有电梯" or "身体还行" are not about the role."""
    from matcher.interview.text import terms

    return any((c.claim_only or c.stance in ("hedged", "denied")) and terms(c.text) & role_terms for c in found)
