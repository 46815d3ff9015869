"""Pre-publication check of job postings for discriminatory requirements.

A posting that limits applicants by gender, age, ethnicity, religion, hukou or place of origin, health
status (hepatitis B and other infectious-pathogen carriers), disability, marriage and childbirth, height,
weight or looks, or the tier of the applicant's university (985/211, 双一流) is flagged with the offending span, the reason (in Chinese, for the counsellor and the employer) and the
rule it breaks; the caller keeps such a posting as a draft until it is edited (`blocks_publication`).

Patterns are kept as a table of `Rule` rows built from small vocabularies (gender words, restriction
verbs, exclusion phrases, place names, ethnic groups), so a new wording is usually one word added to a
vocabulary rather than a new sentence-shaped regex. Matching is plain `re` over the text with
full-width characters folded one-for-one, so every finding's `start`/`end` index the caller's text.

Where the law allows an exception (jobs the State lists as unsuitable for women; health certificates
for food handling; minimum working age 16/18; policy posts reserved for registered residents), the
finding carries a `note` saying so, and when the posting itself states the lawful context the finding
is kept but marked non-blocking rather than silently dropped.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace

__all__ = [
    "GROUNDS",
    "ComplianceResult",
    "Finding",
    "Rule",
    "RULES",
    "blocks_publication",
    "check_lines",
    "check_posting",
    "check_text",
]

#: Ground code -> Chinese label shown to counsellors.
GROUNDS: dict[str, str] = {
    "gender": "性别",
    "age": "年龄",
    "ethnicity": "民族",
    "religion": "宗教信仰",
    "hukou": "户籍或地域",
    "health": "健康状况（传染病病原携带）",
    "disability": "残疾",
    "marriage_childbirth": "婚姻或生育",
    "appearance": "身高或外貌",
    "school_tier": "毕业院校层次",
}

# --- Legal references -------------------------------------------------------------------------------
LAW_EPL_3 = "《就业促进法》第三条（不因民族、种族、性别、宗教信仰等不同而受歧视）"
LAW_EPL_26 = "《就业促进法》第二十六条（不得实施就业歧视）"
LAW_EPL_27 = "《就业促进法》第二十七条（不得以性别为由拒绝录用妇女；不得限制女职工结婚、生育）"
LAW_EPL_28 = "《就业促进法》第二十八条（各民族劳动者享有平等的劳动权利）"
LAW_EPL_29 = "《就业促进法》第二十九条（不得歧视残疾人）"
LAW_EPL_30 = "《就业促进法》第三十条（不得以是传染病病原携带者为由拒绝录用）"
LAW_EPL_31 = "《就业促进法》第三十一条（不得对农村劳动者进城就业设置歧视性限制）"
LAW_WRPL_43 = "《妇女权益保障法》第四十三条（不得限定男性或男性优先，不得询问婚育情况或以婚育状况为录用条件）"
LAW_ESR_20 = "《就业服务与就业管理规定》第二十条（招聘简章和广告不得包含歧视性内容）"
LAW_MOE_TIER = "教育部关于做好高校毕业生就业工作的通知（严禁发布含有限定985高校、211高校等字样的招聘信息）"
LAW_ONLINE_15 = "《网络招聘服务管理规定》第十五条（不得在户籍、地域等方面设置限制人力资源流动的条件）"

# --- Notes on lawful exceptions ---------------------------------------------------------------------
NOTE_GENDER = (
    "例外：国家规定不适合妇女的工种或岗位（《女职工劳动保护特别规定》附录，如矿山井下作业、"
    "第四级体力劳动强度作业）可以不安排女职工，请在岗位说明中写明具体依据。"
)
NOTE_GENDER_APPLIES = "岗位说明已写明属于女职工禁忌从事的劳动范围，此项可依法保留，请核实岗位确属该范围。"
NOTE_AGE = (
    "法律没有逐项列出年龄，但招聘信息中与岗位无关的年龄上限属于人社部门要求纠正的歧视性内容。"
    "可以保留的是：年满16周岁（禁止使用童工）或年满18周岁的最低年龄，以及有法规依据的特种作业年龄条件，请写明依据。"
)
NOTE_AGE_RETIREMENT = "上限与法定退休年龄相当，可改写为“未达法定退休年龄”或“退休返聘另议”，避免写死年龄数字。"
NOTE_HUKOU = "例外：公益性岗位等就业援助政策面向本市户籍就业困难人员时可以写明户籍条件，但须注明政策名称。"
NOTE_HEALTH = (
    "例外：接触直接入口食品等岗位可依《食品安全法》第四十五条要求持健康证明；"
    "但不得将乙肝等传染病病原携带者一概排除，也不得把乙肝项目列入入职体检。"
)
NOTE_APPEARANCE = (
    "身高、体重、相貌与多数岗位的工作能力无关，写入招聘条件会排斥应聘者。"
    "只有岗位确有行业标准（如民航乘务员体检标准）时才能保留，请写明标准名称。"
)
NOTE_APPEARANCE_APPLIES = "岗位属于模特、乘务、礼仪等以外形为工作内容的职业，可依行业标准保留，请写明依据。"
NOTE_SCHOOL = "可以写明学历层次与专业要求（如“本科及以上，计算机相关专业”），不要限定毕业院校的类别或名单。"
NOTE_HEALTH_FOOD = "岗位涉及食品或公共场所服务，可要求“持有效健康证明”；请删去针对病原携带者的笼统排除。"

# --- Vocabularies -----------------------------------------------------------------------------------
_STOP = r"，,。；;！!？?\n"  # clause boundaries; 、 stays inside a clause (lists like 维吾尔族、藏族)
_CLAUSE = rf"[^{_STOP}]"
_GENDER_WORD = r"(?:男|女)(?:性|生|士|孩子?|同志|的)?"
_GENDER_APPEAL = r"(?:美女|帅哥|靓女|靓仔|小姐姐|小哥哥|小伙子?|妹子|姑娘)"
_RESTRICT = r"(?<!不)(?:仅限于?|只限于?|限定为?|限于|限|只招收?|仅招收?|只收|只要|仅要|要求|需要?|须|必须(?:是|为)?|需为|须为)"
_EXCLUDE_AFTER = (
    r"(?:请|就|一律|均|概|暂)?(?:勿扰|勿投(?:递)?|勿|不予(?:录用|考虑|录取|聘用)?|恕不(?:录用|考虑|接待)?|免谈|谢绝|不考虑|不要|"
    r"不录用|不收|不招|拒收|拒绝|除外|不适合|不可以?|没戏|绕道|不接受)"
)
_EXCLUDE_BEFORE = r"(?:不招收?|不招聘|不要|不收|不录用|不聘用?|不安排|不接受|不考虑|谢绝|拒绝|拒收)"
_PREFER = r"(?:优先(?:录用|考虑|录取)?)"
_JOB_NOUN = (
    r"(?:服务员|司机|保安|店员|营业员|客服|文员|前台|秘书|助理|技术员|工人|操作工|普工|员工|老师|教师|模特|主播|"
    r"销售|会计|出纳|护工|保洁|厨师|收银员?|导购|门童|迎宾|学徒|骑手|配送员|快递员|工程师|程序员|"
    r"店长|经理|主管|保姆|育儿嫂|月嫂|家政|工(?![作会委部程资龄种艺具厂区地位号期时序人]))"
)
_PROVINCES = (
    "北京|天津|河北|山西|内蒙古|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西|"
    "海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|香港|澳门|台湾|"
    "江浙沪|江浙|长三角|珠三角|东北|西北|苏北|皖北|"
    "沪|京|津|冀|晋|辽|吉|黑|苏|浙|皖|闽|赣|鲁|豫|鄂|湘|粤|桂|琼|渝|川|蜀|黔|贵|滇|云|藏|陕|秦|甘|陇|青|宁|新"
)
_LOCAL = r"(?:本市|本地|本区|本省|本土|上海市?|外地|外省|外来|外埠|农村|农业|城镇|非农业?)"
_PLACE = rf"(?:{_LOCAL}|(?:{_PROVINCES})(?:省|市|自治区)?)"
_ETHNIC = (
    "汉|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|"
    "纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
    "鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_ETHNIC_GROUP = rf"(?:少数民族|(?:{_ETHNIC})族)"
_HBV = r"(?:乙型?肝炎?|乙肝|肝炎|HBV|HBsAg|澳抗|大三阳|小三阳|两对半|表面抗原)"
_INFECTIOUS = r"(?:HIV|艾滋病?|传染病|病原携带|病毒携带|结核病?|梅毒|性病)"
_DISABILITY = r"(?:残疾|残障|伤残|肢体(?:缺陷|不全)|身体缺陷|聋哑|盲人|智障|(?:听力|视力|言语|智力|精神|肢体)障碍)"
_MARITAL = r"(?:已婚已育|未婚未育|已婚未育|已婚|未婚|已育|未育|单身|离异|有孩子?|无孩子?|有子女|无子女)"
_CHILDBIRTH_ACT = r"(?:结婚|生育|怀孕|生孩子|生小孩|要孩子|要小孩|生二胎|生三胎|恋爱)"
_PREGNANT = r"(?:孕妇|孕期|怀孕|备孕|哺乳期|宝妈|宝爸|带娃|妈妈|二胎)"
_TIER = r"(?:985|211|双一流|一本|重点(?:院校|大学|高校|本科)|名校|名牌(?:大学|院校|高校)|QS\s*(?:世界)?\s*前\s*\d+(?:名|强)?)"
_TIER_LIST = rf"{_TIER}(?:\s*(?:、|/|和|及|或|\+|与)\s*{_TIER})*"
_SCHOOL = r"(?:院校|高校|大学|学校|名校)"
_HEIGHT_UNIT = r"(?:cm|CM|厘米|公分|米\d*)"
_LOOKS = (
    r"(?:五官端正|相貌端正|容貌端正|长相(?:甜美|端正|好|出众|姣好|清秀)|颜值(?:高|在线|要求)?|形象(?:气质)?(?:佳|好|优|出众)|"
    r"气质(?:佳|出众)|身材(?:高挑|匀称|好|苗条|姣好)|体型(?:匀称|标准|好)|体态(?:匀称|端正)|外形(?:好|佳|出众|条件好)|貌美|漂亮)"
)
_APPEARANCE_CONTEXT = r"模特|空乘|乘务|礼仪|演员|主播|车模|迎宾|安检员"
_DELIM_L = r"(?:^|(?<=[：:，,（(、；;\s/|]))"
_DELIM_R = r"(?=$|[，,）)。；;、\s/|])"
_NUM = r"(?:[1-9]\d|[一二三四五六七八九]?十[一二三四五六七八九]?)"
_RANGE_SEP = r"(?:-|~|—|–|至|到)"
_SUI = r"(?:周岁|岁)"


@dataclass(frozen=True)
class Rule:
    """One row of the pattern table: a regex over (folded) text and what a match means."""

    name: str
    ground: str
    pattern: re.Pattern[str]
    reason: str
    rule: str
    note: str | None = None


def _r(name: str, ground: str, pattern: str, reason: str, rule: str, note: str | None = None) -> Rule:
    return Rule(name, ground, re.compile(pattern, re.IGNORECASE), reason, rule, note)


_G_LAW = f"{LAW_WRPL_43}；{LAW_EPL_27}；{LAW_EPL_3}"
_A_LAW = f"{LAW_EPL_26}；{LAW_ESR_20}"
_H_LAW = f"{LAW_EPL_26}；{LAW_EPL_31}；{LAW_ONLINE_15}；{LAW_ESR_20}"
_E_LAW = f"{LAW_EPL_3}；{LAW_EPL_28}；{LAW_ESR_20}"
_M_LAW = f"{LAW_WRPL_43}；{LAW_EPL_27}"

#: The pattern table. Reasons use `{span}` for the matched words.
RULES: tuple[Rule, ...] = (
    # ---- gender ----
    _r("gender_field", "gender", rf"性别\s*(?:要求)?\s*[：:]?\s*(?:限|为|是)?\s*(?:男|女)(?:性|士|生)?(?![男女]|不限|均可|皆可)",
       "招聘条件写明了性别“{span}”，属于以性别限定应聘者。", _G_LAW, NOTE_GENDER),
    _r("gender_restrict", "gender", rf"{_RESTRICT}\s*(?:{_GENDER_WORD}|{_GENDER_APPEAL})(?![男女装职工])",
       "“{span}”把岗位限定为某一性别。", _G_LAW, NOTE_GENDER),
    _r("gender_prefer", "gender", rf"(?:{_GENDER_WORD}|{_GENDER_APPEAL})\s*{_PREFER}",
       "“{span}”规定某一性别优先，同样属于性别歧视。", _G_LAW, NOTE_GENDER),
    _r("gender_prefer_before", "gender", rf"{_PREFER}\s*(?:{_GENDER_WORD}|{_GENDER_APPEAL})(?:同事|员工|职工|候选人|应聘者)?(?![男女装科款鞋])",
       "“{span}”规定某一性别优先，同样属于性别歧视。", _G_LAW, NOTE_GENDER),
    _r("gender_young", "gender", rf"(?:年轻|青年|年青)(?:的)?\s*(?:女性|男性|女士|男士|女生|男生|女孩子?|男孩子?|姑娘|小伙子?|妹子|美女|帅哥)",
       "“{span}”按性别和年龄挑选应聘者。", f"{_G_LAW}；{LAW_EPL_26}", NOTE_GENDER),
    _r("gender_exclude_before", "gender", rf"{_EXCLUDE_BEFORE}\s*(?:{_GENDER_WORD}|{_GENDER_APPEAL})(?:职工|员工)?(?![男女装])",
       "“{span}”以性别为由拒绝应聘者。", _G_LAW, NOTE_GENDER),
    _r("gender_exclude_after", "gender", rf"(?<![男女])(?:{_GENDER_WORD}|{_GENDER_APPEAL})(?:应聘者|求职者)?\s*{_EXCLUDE_AFTER}",
       "“{span}”以性别为由拒绝应聘者。", _G_LAW, NOTE_GENDER),
    _r("gender_seek", "gender", rf"(?:招|要|找|聘|需要)(?:[一两几\d]个|[一两几\d]名){_CLAUSE}{{0,8}}?(?:{_GENDER_APPEAL}|男的|女的|男生|女生|男孩子?|女孩子?)",
       "“{span}”点名要某一性别的人。", _G_LAW, NOTE_GENDER),
    _r("gender_job_noun", "gender", rf"(?<![男女])(?<![男女][、/和及])(?:男|女)(?:性)?{_JOB_NOUN}",
       "“{span}”在岗位名称中限定了性别，请改为不限性别的岗位名称。", _G_LAW, NOTE_GENDER),
    _r("gender_bare", "gender", rf"{_DELIM_L}(?<![男女][、/和及])(?:男|女)(?:性|士|生)?{_DELIM_R}(?![、/和及]\s*[男女])",
       "条件中单列了性别“{span}”，属于以性别限定应聘者。", _G_LAW, NOTE_GENDER),
    # ---- age ----
    _r("age_range", "age", rf"{_NUM}\s*{_SUI}?\s*{_RANGE_SEP}\s*{_NUM}\s*{_SUI}",
       "年龄范围“{span}”设定了年龄上限。", _A_LAW, NOTE_AGE),
    _r("age_range_labelled", "age", rf"年龄{_CLAUSE}{{0,6}}?{_NUM}\s*{_RANGE_SEP}\s*{_NUM}(?!\s*{_SUI})",
       "年龄范围“{span}”设定了年龄上限。", _A_LAW, NOTE_AGE),
    _r("age_upper", "age", rf"{_NUM}\s*{_SUI}\s*(?:及|或)?(?:以下|以内|之内|之下)",
       "“{span}”设定了年龄上限。", _A_LAW, NOTE_AGE),
    _r("age_upper_labelled", "age", rf"年龄{_CLAUSE}{{0,6}}?{_NUM}\s*(?:及|或)?(?:以下|以内|之内)",
       "“{span}”设定了年龄上限。", _A_LAW, NOTE_AGE),
    _r("age_not_over", "age", rf"(?:不超过|不得超过|不能超过|不大于|不高于|小于|低于|限)\s*{_NUM}\s*{_SUI}",
       "“{span}”设定了年龄上限。", _A_LAW, NOTE_AGE),
    _r("age_over_excluded", "age", rf"{_NUM}\s*(?:{_SUI}\s*(?:以上|及以上|\+)|\+)\s*(?:的)?(?:者|人员|人士|朋友|求职者|应聘者)?\s*{_EXCLUDE_AFTER}",
       "“{span}”排除了一定年龄以上的应聘者。", _A_LAW, NOTE_AGE),
    _r("age_generation", "age", rf"(?:{_RESTRICT}\s*(?:[5-9][05]|0[05]|10)后|(?<!\d)(?:[5-9][05]|0[05]|10)后\s*(?:{_PREFER}|{_EXCLUDE_AFTER}))",
       "“{span}”按出生年代限定应聘者，属于年龄限制。", _A_LAW, NOTE_AGE),
    _r("age_words", "age", rf"(?:(?:年轻|青年)(?:人|的)?\s*{_PREFER}|{_RESTRICT}\s*年轻(?:人|的)?|"
       rf"(?:年纪|年龄|岁数)(?:偏|较|太)?大(?:的|者)?{_CLAUSE}{{0,6}}?{_EXCLUDE_AFTER}|"
       rf"(?:大龄|中年|中老年|老年人|老人|阿姨|叔叔)(?:人员|人士)?\s*{_EXCLUDE_AFTER})",
       "“{span}”以年龄为由排斥或偏好应聘者。", _A_LAW, NOTE_AGE),
    # ---- hukou / origin ----
    _r("hukou_restrict", "hukou", rf"{_RESTRICT}\s*(?:持有?|具有|具备|有)?\s*{_PLACE}{_CLAUSE}{{0,4}}?(?:户籍|户口|籍|生源)",
       "“{span}”以户籍或籍贯限定应聘者。", _H_LAW, NOTE_HUKOU),
    _r("hukou_holder", "hukou", rf"(?:具有|具备|持有?)\s*{_PLACE}{_CLAUSE}{{0,4}}?(?:户籍|户口)",
       "“{span}”以户籍作为录用条件。", _H_LAW, NOTE_HUKOU),
    _r("hukou_only_clause", "hukou", rf"{_PLACE}{_CLAUSE}{{0,4}}?(?:户籍|户口|籍)(?:人员|者|人士)?\s*(?:{_PREFER}|方可|才可|才能|者可)",
       "“{span}”以户籍或籍贯作为录用条件或优先条件。", _H_LAW, NOTE_HUKOU),
    _r("hukou_exclude", "hukou", rf"(?:(?:非|{_EXCLUDE_BEFORE})\s*{_PLACE}{_CLAUSE}{{0,2}}?(?:户籍|户口|籍|人|生源)|"
       rf"{_PLACE}(?:户籍|户口|籍|人|生源)(?:人员|人士|者|的)?{_CLAUSE}{{0,3}}?{_EXCLUDE_AFTER})",
       "“{span}”以户籍或地域为由排斥应聘者。", _H_LAW, NOTE_HUKOU),
    _r("hukou_locals", "hukou", rf"(?:{_RESTRICT}(?:招收?|收|要)?\s*(?:上海)?(?:本地|本市|上海|当地)人|(?:上海)?(?:本地|本市|上海|当地)人\s*{_PREFER})",
       "“{span}”以地域出身限定应聘者。", _H_LAW, NOTE_HUKOU),
    _r("hukou_bare", "hukou", rf"{_DELIM_L}{_PLACE}{_CLAUSE}{{0,3}}?(?:常住)?(?:户籍|户口)(?:人员|者|人士)?{_DELIM_R}",
       "条件中单列了户籍“{span}”，属于以户籍限定应聘者。", _H_LAW, NOTE_HUKOU),
    _r("hukou_location", "hukou", rf"(?:户口|户籍)(?:所在地|所在|性质|类型)?\s*(?:须|必须|需|要求|应)?\s*(?:为|是|在|属于?)\s*{_PLACE}",
       "“{span}”以户籍所在地作为录用条件。", _H_LAW, NOTE_HUKOU),
    # ---- appearance: height, weight, looks ----
    _r("appearance_height", "appearance", rf"(?:净)?身高{_CLAUSE}{{0,8}}?(?:1[4-9]\d|[12]\.\d{{1,2}})\s*{_HEIGHT_UNIT}?\s*(?:及|或)?(?:以上|以下|以内|左右|之间|\+)?",
       "“{span}”把身高作为录用条件。", f"{LAW_EPL_26}；{LAW_ESR_20}", NOTE_APPEARANCE),
    _r("appearance_weight", "appearance", rf"体重{_CLAUSE}{{0,8}}?\d{{2,3}}\s*(?:kg|KG|公斤|千克|斤)\s*(?:以下|以内|左右)?",
       "“{span}”把体重作为录用条件。", f"{LAW_EPL_26}；{LAW_ESR_20}", NOTE_APPEARANCE),
    _r("appearance_looks", "appearance", _LOOKS,
       "“{span}”以相貌、身材等外形条件挑选应聘者。", f"{LAW_EPL_26}；{LAW_ESR_20}", NOTE_APPEARANCE),
    # ---- school tier (985/211) ----
    _r("school_restrict", "school_tier", rf"(?:{_RESTRICT}|第一学历{_CLAUSE}{{0,4}}?(?:为|是)|毕业于{_CLAUSE}{{0,12}}?)\s*{_TIER_LIST}",
       "“{span}”限定了毕业院校的类别。", f"{LAW_MOE_TIER}；{LAW_ESR_20}", NOTE_SCHOOL),
    _r("school_prefer", "school_tier", rf"{_TIER_LIST}{_CLAUSE}{{0,6}}?{_PREFER}",
       "“{span}”规定某类院校毕业生优先，属于限定毕业院校。", f"{LAW_MOE_TIER}；{LAW_ESR_20}", NOTE_SCHOOL),
    _r("school_exclude", "school_tier", rf"(?:(?:非|{_EXCLUDE_BEFORE})\s*{_TIER_LIST}|{_TIER_LIST}{_CLAUSE}{{0,8}}?{_EXCLUDE_AFTER})",
       "“{span}”排除了某类院校以外的毕业生。", f"{LAW_MOE_TIER}；{LAW_ESR_20}", NOTE_SCHOOL),
    _r("school_bare", "school_tier", rf"{_DELIM_L}{_TIER_LIST}\s*{_SCHOOL}?(?:毕业生?|本科|硕士|博士|学历|背景)",
       "“{span}”限定了毕业院校的类别。", f"{LAW_MOE_TIER}；{LAW_ESR_20}", NOTE_SCHOOL),
    # ---- ethnicity / religion ----
    _r("ethnic_han", "ethnicity", r"(?<![不非])汉族(?!.{0,2}(?:不限|均可|皆可))",
       "招聘条件写明“{span}”，属于以民族限定应聘者。", _E_LAW),
    _r("ethnic_field", "ethnicity", rf"民族\s*[：:]\s*(?!不限|均可)(?:{_ETHNIC})族?",
       "招聘条件写明了民族“{span}”。", _E_LAW),
    _r("ethnic_restrict", "ethnicity", rf"{_RESTRICT}\s*{_ETHNIC_GROUP}",
       "“{span}”以民族限定应聘者。", _E_LAW),
    _r("ethnic_exclude", "ethnicity", rf"(?:{_EXCLUDE_BEFORE}\s*{_ETHNIC_GROUP}|{_ETHNIC_GROUP}{_CLAUSE}{{0,4}}?{_EXCLUDE_AFTER})",
       "“{span}”以民族为由排斥应聘者。", _E_LAW),
    _r("religion_exclude", "religion", rf"(?:(?:有|信仰|信奉)?(?:宗教信仰|宗教|信教)(?:的|者|人士|人员)?{_CLAUSE}{{0,4}}?{_EXCLUDE_AFTER}|"
       rf"(?:{_RESTRICT}|{_EXCLUDE_BEFORE})\s*(?:无宗教信仰|不信教|信教|[\u4e00-\u9fa5]{{1,3}}教(?:徒|信徒)))",
       "“{span}”以宗教信仰限定或排斥应聘者。", f"{LAW_EPL_3}；{LAW_ESR_20}"),
    # ---- health: hepatitis B and other infectious pathogens ----
    _r("health_hbv", "health", rf"(?<![防预])(?:{_CLAUSE}{{0,6}}?){_HBV}(?!{_CLAUSE}{{0,6}}(?:疫苗|接种|防治知识|科普)){_CLAUSE}{{0,12}}",
       "“{span}”把乙肝相关情况作为招聘条件或体检项目。", f"{LAW_EPL_30}；{LAW_ESR_20}", NOTE_HEALTH),
    _r("health_infectious", "health", rf"(?:(?:无|没有|非){_INFECTIOUS}(?:史|病史)?|{_INFECTIOUS}(?:阳性|携带者?|者|患者|病史)?{_CLAUSE}{{0,4}}?{_EXCLUDE_AFTER}|"
       rf"{_EXCLUDE_BEFORE}\s*{_INFECTIOUS})",
       "“{span}”以传染病病原携带等健康状况排斥应聘者。", f"{LAW_EPL_30}；{LAW_ESR_20}", NOTE_HEALTH),
    # ---- disability ----
    _r("disability_exclude", "disability", rf"(?:(?:无|没有|非)\s*{_DISABILITY}|{_DISABILITY}(?:人士|人员|人|者)?{_CLAUSE}{{0,4}}?{_EXCLUDE_AFTER}|"
       rf"{_EXCLUDE_BEFORE}\s*{_DISABILITY})",
       "“{span}”以残疾为由排斥应聘者。", f"{LAW_EPL_29}；{LAW_ESR_20}"),
    # ---- marriage / childbirth ----
    _r("marital_condition", "marriage_childbirth", rf"(?:{_RESTRICT}\s*{_MARITAL}|(?<![无非]){_MARITAL}(?:女性|男性|人士|人员|者)?\s*(?:{_PREFER}|{_EXCLUDE_AFTER}))",
       "“{span}”把婚姻或生育状况作为录用条件。", _M_LAW),
    _r("marital_bare", "marriage_childbirth", rf"{_DELIM_L}{_MARITAL}{_DELIM_R}",
       "条件中单列了婚育状况“{span}”。", _M_LAW),
    _r("childbirth_ban", "marriage_childbirth", rf"(?:不得|不能|不准|不许|不可|禁止|暂缓|不允许){_CLAUSE}{{0,2}}?{_CHILDBIRTH_ACT}",
       "“{span}”限制劳动者结婚或生育。", _M_LAW),
    _r("marital_inquiry", "marriage_childbirth", rf"(?:说明|告知|提供|填写|询问|如实|交代){_CLAUSE}{{0,8}}?(?:婚育|婚姻|生育|婚恋)(?:情况|状况|计划)|(?:婚育|生育)计划",
       "“{span}”要求应聘者说明婚育情况，法律禁止在基本信息之外询问婚育情况。", _M_LAW),
    _r("pregnancy", "marriage_childbirth", rf"(?:{_PREGNANT}(?:者|人员|人士)?\s*{_EXCLUDE_AFTER}|{_EXCLUDE_BEFORE}\s*{_PREGNANT}|妊娠测试|验孕|孕检)",
       "“{span}”以怀孕或生育状况排斥应聘者，或把妊娠检测作为入职条件。", _M_LAW),
)

# Wordings that look like a ground but state there is no limit; a finding inside one is dropped.
_LAWFUL = re.compile(
    r"男女不限|男女均可|男女皆可|男女各半|性别不限|不限性别|年龄不限|不限年龄|户籍不限|不限户籍|不限地域|地域不限|"
    r"民族不限|不限民族|婚否不限|不限婚否|院校不限|不限院校|学校不限|不限学校|身高不限|不限身高|身高体重无要求|"
    r"年满\s*1[68]\s*周?岁(?:以上)?|未满\s*1[68]\s*周?岁|不满\s*1[68]\s*周?岁"
)

# Context that makes a finding lawful (kept, not blocking), per ground.
_GENDER_EXEMPT_CONTEXT = re.compile(r"矿山井下|井下|第四级体力劳动|四级体力劳动|女职工禁忌|女职工劳动保护特别规定|高强度体力劳动")
_FOOD_CONTEXT = re.compile(r"食品|餐饮|后厨|厨房|餐厅|烘焙|公共场所|健康证")
_AGE_CLIENT_CONTEXT = re.compile(
    r"^\s*(?:的)?\s*(?:婴幼儿|幼儿|儿童|孩子|孩童|患儿|宝宝|青少年|少年|学生|学员|老年人|老人|长者|居民|用户|客户|会员|患者|病人|顾客)"
)
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Finding:
    """One discriminatory (or exception-worthy) span of a posting."""

    span: str
    start: int
    end: int
    ground: str
    reason: str
    rule: str
    note: str | None = None
    blocking: bool = True
    field: str | None = None

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["ground_name"] = GROUNDS[self.ground]
        return d


@dataclass(frozen=True)
class ComplianceResult:
    text: str
    compliant: bool
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """`{"text", "compliant", "findings": [{"span", "reason", "rule", ...}]}`, JSON-ready."""
        return {"text": self.text, "compliant": self.compliant, "findings": [f.to_dict() for f in self.findings]}


def _fold(text: str) -> str:
    """NFKC per character where it stays one character (full-width digits, colons, tildes), so offsets hold."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def _age_bounds(span: str) -> list[int]:
    """Ages written in a span, Arabic (35) or Chinese (三十五, 四十)."""
    out = [int(n) for n in re.findall(r"\d+", span)]
    for tens, ones in re.findall(r"([一二三四五六七八九]?)十([一二三四五六七八九]?)", span):
        out.append(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0))
    return out


def _adjust(rule: Rule, folded: str, start: int, end: int) -> tuple[bool, str | None, bool]:
    """Decide whether a raw match is kept, its note, and whether it blocks publication."""
    span = folded[start:end]
    note = rule.note
    if rule.ground == "age":
        bounds = _age_bounds(span)
        if _AGE_CLIENT_CONTEXT.match(folded[end:end + 6]):
            return False, None, False  # the ages of clients served (3周岁以下婴幼儿), not of applicants
        if bounds and max(bounds) < 16:
            return False, None, False
        if rule.name in ("age_upper", "age_upper_labelled", "age_not_over") and bounds and max(bounds) <= 18:
            return False, None, False  # "18周岁以下不得从事" keeps minors out; that is the lawful minimum
        if rule.name in ("age_range", "age_range_labelled") and bounds and max(bounds) >= 60:
            return True, f"{NOTE_AGE_RETIREMENT}{NOTE_AGE}", False
    if rule.ground == "gender" and _GENDER_EXEMPT_CONTEXT.search(folded):
        return True, f"{NOTE_GENDER_APPLIES}{NOTE_GENDER}", False
    if rule.ground == "appearance" and re.search(_APPEARANCE_CONTEXT, folded):
        return True, f"{NOTE_APPEARANCE_APPLIES}{NOTE_APPEARANCE}", False
    if rule.name == "health_infectious" and _FOOD_CONTEXT.search(folded):
        return True, f"{NOTE_HEALTH_FOOD}{NOTE_HEALTH}", True
    return True, note, True


def _find(text: str) -> list[Finding]:
    folded = _fold(text)
    lawful = [m.span() for m in _LAWFUL.finditer(folded)]
    raw: list[Finding] = []
    for rule in RULES:
        for m in rule.pattern.finditer(folded):
            start, end = m.span()
            while start < end and folded[start].isspace():
                start += 1
            while end > start and folded[end - 1].isspace():
                end -= 1
            if start == end or any(ls <= start and end <= le for ls, le in lawful):
                continue
            keep, note, blocking = _adjust(rule, folded, start, end)
            if not keep:
                continue
            span = text[start:end]
            raw.append(Finding(span, start, end, rule.ground, rule.reason.format(span=span), rule.rule, note, blocking))
    # Several rows may match the same words; keep the longest span per ground and overlap.
    raw.sort(key=lambda f: (f.ground, -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in raw:
        if any(k.ground == f.ground and k.start < f.end and f.start < k.end for k in kept):
            continue
        kept.append(f)
    kept.sort(key=lambda f: (f.start, f.ground))
    return kept


def check_text(text: str) -> ComplianceResult:
    """Check one text; `compliant` is False when any finding blocks publication."""
    if not isinstance(text, str):
        raise TypeError("待检查的内容必须是文本")
    findings = _find(text)
    return ComplianceResult(text=text, compliant=not blocks_publication(findings), findings=findings)


POSTING_FIELDS: tuple[str, ...] = ("title", "description", "requirements")


def check_posting(fields: Mapping[str, str | None], names: Iterable[str] = POSTING_FIELDS) -> list[Finding]:
    """Findings over a posting's title, description and requirements; each finding names its field."""
    out: list[Finding] = []
    for name in names:
        value = fields.get(name)
        if value:
            out.extend(replace(f, field=name) for f in _find(str(value)))
    return out


def blocks_publication(findings: Iterable[Finding]) -> bool:
    """True when the posting must stay a draft until edited."""
    return any(f.blocking for f in findings)


def check_lines(lines: Iterable[str], check: Callable[[str], ComplianceResult] = check_text) -> Iterator[str]:
    """One JSON object (one line, UTF-8 Chinese kept) per input line, for `jobcircle postings check`."""
    for line in lines:
        yield json.dumps(check(line.rstrip("\r\n")).to_dict(), ensure_ascii=False)
