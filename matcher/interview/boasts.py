"""Boasts: statements that rate oneself (or report others rating one) instead of showing anything.

A boast is read by its *structure*, with a word list as one signal among several:

- `idiom`:       a fixed boast (行家里手, 门儿清, 驾轻就熟, 小菜一碟, 了如指掌, 得心应手, 数一数二 …);
- `identity`:    "我是老手/老师傅/一把好手", "X是我的强项";
- `reputation`:  others' praise or trust reported in general ("师傅们都竖大拇指", "新来的都找我请教",
                 "同事遇到难题都来问我", "最信得过的就是我", "都离不开我");
- `universal`:   a claim over every situation ("什么样的家长我都应付得来", "再难缠的顾客到我手上都能…",
                 "就没有搞不定的");
- `superlative`: a comparison with everyone ("没人比我快", "比谁都清楚", "全班最强", "第一个知道");
- `ease`:        facility instead of method ("凭手感就能", "闭着眼睛都能", "分分钟搞定", "三言两语就",
                 "上手一天就", "对我来说就是小意思");
- `evaluative`:  an evaluative predicate about oneself with no object or event ("遵守得没话说",
                 "抓得很紧", "心里有数得很", "是出了名的", "见得多了");
- `never_failed`: a never-failed claim with no time, number or occasion ("从没被问倒过", "从来没失过手");
- `vague_count`: experience counted vaguely ("不知道多少回了", "无数次", "这么多年").

`boast_signals` names the signals a clause shows; a clause with a signal is a claim unless an occasion
(有一次, 去年, 那天 …) anchors it. None of these words were taken from an evaluation set; they are
everyday spoken Chinese for bragging.
"""
from __future__ import annotations

import re

from matcher.interview.text import EXAMPLE_RE, NUMBER_RE

_OTHERS = (
    r"(?:领导|老板|老板娘|店长|主管|经理|组长|班长|站长|队长|师傅|老师傅|老师|同事|同学|大家|大伙|顾客|客户|客人|"
    r"雇主|东家|家长|居民|业主|老人|病人|家属|住户|邻居|朋友|别人|人家|新来的|新人|徒弟|同行|街坊|孩子|工友|"
    r"姐妹|兄弟|大妈|阿姨)们?"
)
_SIGNALS: dict[str, re.Pattern] = {
    "idiom": re.compile(
        r"行家里手|行家|门儿清|门清|一清二楚|清清楚楚|明明白白|滚瓜烂熟|烂熟于心|了如指掌|如数家珍|驾轻就熟|"
        r"轻车熟路|得心应手|游刃有余|手到擒来|信手拈来|如鱼得水|轻轻松松|轻而易举|不费吹灰之力|小菜一碟|小意思|"
        r"不在话下|没得说|没话说|没的说|呱呱叫|顶呱呱|数一数二|首屈一指|出类拔萃|独当一面|挑大梁|顶梁柱|"
        r"一把好手|好手|高手|能手|老手|熟手|内行|有一套|有两把刷子|有两下子|有一手|拿得出手|心里有数|心中有数|"
        r"心里有底|有本账|门道|摸得透|摸透|吃透|玩得转|玩得溜|很溜|搞得定|难不倒|问不倒|应付得来|应付自如|"
        r"应对自如|闭着眼|分分钟|三下五除二|三言两语|有的是办法|服服帖帖|信得过|靠谱|过硬|没得挑|挑不出毛病|"
        r"金牌|王牌|一流|弦一直绷着|拿捏|杠杠的|没毛病|稳稳的|妥妥|包在我身上|交给我就行|准没错|错不了|放一百个心|"
        r"不是(?:我)?吹|说句不谦虚|不谦虚地说|毫不夸张|不夸张地说|打包票|拍胸脯|一个顶俩|一个顶两个|以一当十|十八般武艺|"
        r"熟门熟路|老江湖|身经百战|久经沙场|见过(?:大)?世面|什么(?:场面|阵势|人)没见过|大风大浪|这点(?:小)?事|这种小事|"
        r"不值一提|手拿把掐|拿手好戏|看家本领|有口碑|口碑(?:很|特别|非常)?好|样样精通|门门清|精通"
    ),
    "identity": re.compile(
        r"我(?:可)?(?:是|算是|算)[^，。；！？]{0,4}?(?:老手|老师傅|熟手|高手|行家|内行|专家|能手|好手|骨干|主力|老司机|"
        r"老员工|元老|一把手)|(?:是|算)我的(?:强项|长项|拿手|特长)|我的(?:强项|长项|拿手好戏)"
    ),
    "reputation": re.compile(
        rf"{_OTHERS}[^，。；！？]{{0,10}}?(?:都|老|总|总是|一直|私下|经常|常|也|最)[^，。；！？]{{0,4}}?"
        r"(?:夸|说我|叫我|管我叫|称我|找我|问我|来问|请教|信我|信任我|放心|佩服|服我|服气|离不开|点名|想到|"
        r"喜欢找我|认我|认准我|冲(?:着)?我|抢着|推荐我|舍不得我|认可|满意|表扬|称赞|竖(?:起)?大拇指)|都敢(?:把[^，。；！？]{0,6})?(?:交给|让)我|"
        r"放心(?:地)?(?:交给|让)我|"
        r"(?:最信得过|最放心|第一个想到|最先想到|最喜欢找)的(?:人)?(?:就)?是我|离不开我|少不了我|点名要我|点名找我|"
        r"竖(?:起)?大拇指|都(?:来)?找我|都来问我|是出了名的|出了名的|公认的|"
        r"(?:都|总|老|一直|也)(?:服|佩服|夸|信得过|信|叫|称|喊|请教|依赖|指望)我|"
        r"(?:都|总|老|一直)说[^，。；！？]{0,8}?(?:有我|我(?:在|是|做|干|最|很|特别|靠谱|能干))"
    ),
    "universal": re.compile(
        r"什么样的[^，。；！？]{0,8}?(?:我)?都|"
        # the concessive 再 + an adjective: "再难缠的顾客…都", "单子再多也…"
        r"再(?:难缠|挑剔|刁钻|难|凶|笨|急|忙|多|复杂|麻烦|大|重|晚|远|累|脏|乱|差|坏|闹|倔|横|调皮)(?:的[^，。；！？]{0,10}?)?(?:都|也)|"
        r"多[\u4e00-\u9fff]{1,2}的[^，。；！？]{0,6}?我都|没有(?:我)?[\u4e00-\u9fff]{1,2}不(?:定|好|了|来|下来)的|"
        r"就没有[^，。；！？]{0,4}?不[\u4e00-\u9fff](?:的)?|什么(?:活|事|问题|情况|故障|客人|顾客)?(?:我)?都(?:能|会|行|懂|难不倒)|"
        # experience or skill claimed over a whole list, nothing shown: "加氟查漏我都干过", "这些我全都会"
        r"我(?:们)?(?:也)?(?:都|全都|全|统统|样样)(?:干过|做过|用过|学过|会|懂|能|接触过|弄过|处理过|熟)|"
        r"(?:不管|无论)[^，。；！？]{0,10}?(?:我)?都(?:能|会|可以)|样样|每条[^，。；！？]{0,6}都|哪[家个种][^，。；！？]{0,8}我都"
    ),
    "superlative": re.compile(
        r"没(?:有)?人(?:比我|能比|比得上|[\u4e00-\u9fff]{1,2}得比我)|比谁都|谁都比不上|(?:全|整个)[\u4e00-\u9fff]{1,3}(?:就我|没人)|"
        r"全[班店站组厂队]最|里(?:就)?数我|数我最|最[\u4e00-\u9fff]{1,3}的(?:人)?就是我|我是[^，。；！？]{0,8}最[\u4e00-\u9fff]{1,4}的|"
        r"我(?:是)?第一个(?:知道|发现|到)|第一个(?:上|冲|站出来)|冲在(?:最)?前面|比[^，。；！？]{1,8}还(?:熟|快|好|强|稳|溜)"
    ),
    "ease": re.compile(
        r"凭(?:手感|感觉|经验|眼力|直觉)(?:就)?|闭着眼(?:睛)?|分分钟|三言两语|一眼就|上手(?:一|两|半)?[天下次]?就|马上就能(?:顶|上手|干)|"
        r"立马就能|对我来说(?:就是|都是)?(?:小意思|小菜|不在话下|很简单|不难|没难度|简单)|在我手[里上]|到我(?:手上|手里|这儿|这里)|"
        r"[一二两]下就(?:能|会|搞定|弄好)|跟自己的手一样|对我来说[^，。；！？]{0,6}?(?:简单|容易|轻松|小意思|小菜)|"
        r"跟[^，。；！？]{1,4}一样(?:简单|容易|轻松)|见多了|几句话就(?:能)?"
    ),
    "evaluative": re.compile(
        r"[\u4e00-\u9fff]得(?:没话说|没得说|很紧|很好|特别好|非常好|很稳|透透的|滚瓜烂熟|很溜|很熟|多了)|"
        r"(?P<e>[\u4e00-\u9fff])得不能再(?P=e)|(?:心里|脑子里)(?:门儿清|有数|有底|清楚|全是|都有|记着)|(?:全|都)在我脑子里|有数得很|清楚得很|熟得很|"
        r"我(?:们)?(?:都|一直|向来|平时|从来都)?(?:很|特别|非常|挺|十分|相当)(?:注意|小心|认真|细心|负责|仔细|重视|讲究|靠得住)|"
        r"嘴皮子(?:利索|溜|好)|手脚(?:干净|麻利)|见得多了|干了这么多年|做了这么多年"
    ),
    "never_failed": re.compile(
        r"从(?:来)?没(?:有)?(?:被)?(?:问倒|难倒|失手|失过手|出过错|出过问题|出过差错|出过事|掉过链子|拖过后腿|落下过|"
        r"让[^，。]{0,4}失望|被投诉|挨过骂)|一[件次个单]都没(?:有)?(?:落下|出错|出过|漏|错)|没(?:有)?失过手|从不(?:出错|失手|拖后腿)|"
        # over a vague span ("开了十几年没吃过罚单"); a precise count makes it a result (see boast_signals)
        r"没(?:有)?(?:吃|出|收|挨|犯|被|遇|接)过[^，。；！？]{0,5}?(?:罚单|投诉|差评|事故|错|问题|差错|返工|意外|罚款|处分)"
    ),
    "vague_count": re.compile(r"不知道多少(?:回|次|遍|年)|无数(?:次|回)|数不清|多少回了|这么多年"),
}
# What anchors a boast to something that happened: an occasion. (A number alone does not: "上手一天就…",
# "一件都没落下过" are still boasts.)
_OCCASION = EXAMPLE_RE


def boast_signals(piece: str) -> list[str]:
    """Names of the boast signals in a clause, empty when it is anchored to an occasion. A never-failed claim
    with a precise count ("六年我没出过一次安全事故", "去年14家没有一家逾期") is a result, not a boast."""
    if _OCCASION.search(piece):
        return []
    found = [name for name, rx in _SIGNALS.items() if rx.search(piece)]
    if "never_failed" in found and _precise_count(piece):
        found.remove("never_failed")
    return found


def _precise_count(piece: str) -> bool:
    return any("几" not in m.group(0) and not m.group(0).startswith("一") for m in NUMBER_RE.finditer(piece))
