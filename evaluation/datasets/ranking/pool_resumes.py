"""The hand-written resumes of the ranking benchmark and the judgements their grades come from.

Written by hand for this benchmark, before any method was run on it. Every resume is fictional.

Grades (0-3) for a (resume, posting) pair:
  3  the person's kind of work and eligible (licence, shift) as far as both texts say;
  2  closely related work the person could reasonably take (a guard for a car-park job, a
     developer for an internship in the same stack), or eligibility unclear from the texts;
  1  right field but not suitable: a required licence the resume lacks or denies, a night or
     rotating shift when the resume says day shifts only, the occupation the person is leaving,
     or a loose relation;
  0  anything else (ungraded pairs are 0).

How a grade is derived (see `build.py`), in this order:
  g = targets[posting id] if the posting id is listed, else targets[posting occ], else 0;
  if the posting requires a licence listed in `lacks`: g = min(g, 1);
  if `day_only` and the posting's shift is night or rotating: g = min(g, 1);
  `overrides[posting id]` replaces g (used for a few pairs the rules get wrong).
A resume is "nothing suitable" when no posting gets grade >= 2.

Strata: easy (plain wording of the posting's own occupation), hard (synonyms instead of the
posting's words, a lacking or denied licence, day shifts only, a change of career; tags say which),
none (out-of-field resumes for which nothing in the pool fits, and garbage input).

Row: dict(id, stratum, tags, text, targets, lacks, day_only, overrides)
"""
from __future__ import annotations

IT_BACKEND = {"p111": 3, "p119": 1, "p112": 1, "p113": 1, "p114": 1, "p116": 1}

R = [
    # ================================================================= easy
    dict(id="r001", stratum="easy", tags=[], text="男，45岁，持保安员证，在小区做过5年保安，门岗值班、巡逻、车辆登记都熟悉，能倒班。",
         targets={"security": 3, "parking": 2}),
    dict(id="r002", stratum="easy", tags=[], text="女，52岁，做过3年小区保洁和商场保洁，楼道清扫、垃圾分类驳运都做过，能吃苦。",
         targets={"cleaner": 3, "domestic": 1}, overrides={"p020": 1}),
    dict(id="r003", stratum="easy", tags=[], text="持养老护理员证（四级），在养老院做了4年养老护理员，照顾失能半失能老人，能倒班。",
         targets={"eldercare": 3, "nurse": 1, "domestic": 1}, overrides={"p033": 2}),
    dict(id="r004", stratum="easy", tags=[], text="中餐厨师，8年炒锅经验，擅长本帮菜，有健康证，做过饭店和单位食堂。",
         targets={"cook": 3}, overrides={"p041": 1, "p042": 1, "p040": 2}),
    dict(id="r005", stratum="easy", tags=[], text="在餐厅做过两年服务员，点菜、传菜、收台、接待客人都熟练，有健康证。",
         targets={"waiter": 3, "cashier": 1}),
    dict(id="r006", stratum="easy", tags=[], text="做过3年快递员，负责小区片区派送和上门揽收，会骑电动三轮车，熟悉虹口的路。",
         targets={"courier": 3, "warehouse": 1}, overrides={"p053": 2, "p054": 2}),
    dict(id="r007", stratum="easy", tags=[], text="仓库管理员，5年经验，负责出入库、盘点、ERP系统录入，会用Excel。",
         targets={"warehouse": 3, "stocker": 1, "forklift": 1}, overrides={"p057": 1, "p058": 2, "p059": 1, "p061": 2}),
    dict(id="r008", stratum="easy", tags=[], text="持叉车证（N1），开叉车6年，熟悉仓库装卸、堆垛，电动叉车内燃叉车都会开，能倒班。",
         targets={"forklift": 3, "warehouse": 1}, overrides={"p059": 2}),
    dict(id="r009", stratum="easy", tags=[], text="超市收银员，干了3年，熟悉POS机和扫码结算，会员卡办理，做事细心账目清楚。",
         targets={"cashier": 3, "stocker": 1, "waiter": 1}),
    dict(id="r010", stratum="easy", tags=[], text="做过两年电话客服，普通话标准，打字每分钟60字，接听咨询、处理投诉、记录工单。",
         targets={"cs": 3, "admin": 1}, overrides={"p082": 1}),
    dict(id="r011", stratum="easy", tags=[], text="大专学历，做了3年行政专员，负责会议安排、办公用品采购、档案管理，熟练使用Office。",
         targets={"admin": 3, "hr": 1, "community": 1}),
    dict(id="r012", stratum="easy", tags=[], text="持初级会计职称，4年全盘账经验，会用金蝶、用友，熟悉纳税申报和月末结账。",
         targets={"accountant": 3}, lacks=["中级会计"], overrides={"p095": 2, "p155": 2, "p096": 2}),
    dict(id="r013", stratum="easy", tags=[], text="持低压电工作业证，在物业做了6年电工，配电房值班、线路维修、照明维护，能倒班。",
         targets={"electrician": 3, "maintenance": 2}, overrides={"p104": 1, "p120": 1}),
    dict(id="r014", stratum="easy", tags=[], text="计算机本科，4年Java后端开发经验，熟悉Spring Boot、MySQL、Redis，做过电商订单系统。",
         targets=dict(IT_BACKEND)),
    dict(id="r015", stratum="easy", tags=[], text="计算机专业大三在读，熟悉Python和pandas，做过数据分析课程项目，每周可以实习4天。",
         targets={"p112": 3, "p115": 3, "p119": 2, "p156": 1, "p114": 1}),
    dict(id="r016", stratum="easy", tags=[], text="做过5年门店销售，卖家居建材，底薪加提成，业绩一直稳定，会跟进客户订单。",
         targets={"sales": 3}, overrides={"p126": 1, "p128": 1, "p122": 2}),
    dict(id="r017", stratum="easy", tags=[], text="学前教育专业大专毕业，持幼儿园教师资格证，在幼儿园带班3年，会设计教学活动。",
         targets={"preschool": 3}, overrides={"p130": 2}),
    dict(id="r018", stratum="easy", tags=[], text="持B2驾照，开了8年货车，跑市内配送，熟悉上海市区道路。",
         targets={"driver": 3}, overrides={"p134": 2, "p053": 2, "p135": 2, "p136": 2}),
    dict(id="r019", stratum="easy", tags=[], text="在停车场做了3年管理员，负责车辆引导和收费，会用收费终端，能倒班。",
         targets={"parking": 3, "security": 2}, lacks=["保安员证", "消防设施操作员证"]),
    dict(id="r020", stratum="easy", tags=[], text="做过4年住家保姆，做饭、打扫卫生、接送孩子都会，干净利索。",
         targets={"domestic": 3, "eldercare": 1}, overrides={"p019": 2, "p024": 2, "p026": 2}),
    dict(id="r021", stratum="easy", tags=[], text="人力资源专业本科，3年人事专员经验，负责入离职、社保公积金办理、薪资核算。",
         targets={"hr": 3, "admin": 1}),
    dict(id="r022", stratum="easy", tags=[], text="平面设计3年，熟练使用PS、AI、CDR，做过海报、画册、展板设计。",
         targets={"p142": 3, "p144": 1, "p143": 1}),
    dict(id="r023", stratum="easy", tags=[], text="美发师，6年经验，擅长剪发和烫染造型。",
         targets={"p145": 3, "p146": 1}),
    dict(id="r024", stratum="easy", tags=[], text="社会工作专业本科，持社会工作者证，在社工服务社做了2年个案和社区活动。",
         targets={"community": 3}, overrides={"p141": 2}),
    dict(id="r025", stratum="easy", tags=[], text="护理专业大专，持护士执业证书，在医院做了5年临床护士，能倒班。",
         targets={"nurse": 3, "eldercare": 1}),
    # ================================================================= hard
    dict(id="r101", stratum="hard", tags=["synonym"], text="以前在厂里看大门，晚上也巡过夜，登记进出的车和人，干了六年。",
         targets={"security": 3, "parking": 2}, overrides={"p006": 1}),
    dict(id="r102", stratum="hard", tags=["synonym"], text="在商场里搞卫生两年，拖地、擦玻璃、倒垃圾、洗厕所都干过。",
         targets={"cleaner": 3, "domestic": 1}, overrides={"p020": 1}),
    dict(id="r103", stratum="hard", tags=["synonym"], text="在老人院帮老人擦身、喂饭、换尿不湿、推轮椅，干了三年。",
         targets={"eldercare": 3, "domestic": 1}),
    dict(id="r104", stratum="hard", tags=["synonym"], text="在饭店掌勺五年，炒菜烧菜都拿手，红烧肉、糖醋小排是招牌。",
         targets={"cook": 3}, overrides={"p041": 1, "p042": 1, "p040": 1}),
    dict(id="r105", stratum="hard", tags=["synonym"], text="会开铲车（堆高机），在物流园搬货码垛干了四年，证件齐全。",
         targets={"forklift": 3, "warehouse": 1}, overrides={"p059": 2}),
    dict(id="r106", stratum="hard", tags=["synonym"], text="帮好几家小公司做账报税，做了四年，有初级职称。",
         targets={"accountant": 3}, lacks=["中级会计"], overrides={"p095": 2, "p155": 2, "p096": 2}),
    dict(id="r107", stratum="hard", tags=["synonym"], text="码农一枚，天天写后端接口，用的SpringBoot那一套，干了三年多。",
         targets=dict(IT_BACKEND)),
    dict(id="r108", stratum="hard", tags=["synonym"], text="在幼儿园带小朋友，组织游戏和上课，干了两年，有教资。",
         targets={"preschool": 3}, overrides={"p130": 2}),
    dict(id="r109", stratum="hard", tags=["synonym"], text="在呼叫中心接电话，帮客户查话费、处理投诉，干了一年半。",
         targets={"cs": 3}, overrides={"p082": 1}),
    dict(id="r110", stratum="hard", tags=["licence", "denied"], text="想找电工的活，在工地给师傅打过两年下手，接线装插座都会，但没有电工证。",
         targets={"electrician": 3, "maintenance": 2}, lacks=["电工证"], overrides={"p107": 3, "p120": 1}),
    dict(id="r111", stratum="hard", tags=["licence", "denied"], text="在仓库干了三年，会开叉车，但是叉车证没考。也能做仓管、分拣、打包。",
         targets={"forklift": 3, "warehouse": 3, "stocker": 1}, lacks=["叉车证"]),
    dict(id="r112", stratum="hard", tags=["licence", "denied", "synonym"], text="照顾过自己瘫痪的婆婆好几年，想找照顾老人的工作，没有养老护理员证。",
         targets={"eldercare": 3, "domestic": 1}, lacks=["养老护理员证"]),
    dict(id="r113", stratum="hard", tags=["licence", "denied"], text="学前教育专业应届毕业生，教师资格证还没考出来，想在幼儿园或早教机构工作。",
         targets={"preschool": 3}, lacks=["教师资格证"], overrides={"p130": 2}),
    dict(id="r114", stratum="hard", tags=["licence", "denied"], text="财务专业大专，做过一年出纳，没有会计证，初级也还没考。",
         targets={"accountant": 3}, lacks=["初级会计", "中级会计"]),
    dict(id="r115", stratum="hard", tags=["licence", "denied"], text="退伍军人，身体好，想做保安，没有保安员证。",
         targets={"security": 3, "parking": 2}, lacks=["保安员证", "消防设施操作员证"]),
    dict(id="r116", stratum="hard", tags=["day_only"], text="做过两年保安，有保安员证。家里老人要照顾，只能上白班，不能上夜班。",
         targets={"security": 3, "parking": 2}, day_only=True, lacks=["消防设施操作员证"]),
    dict(id="r117", stratum="hard", tags=["day_only"], text="保洁工作经验5年，只做白班，晚上要接孩子。",
         targets={"cleaner": 3}, day_only=True, overrides={"p020": 1}),
    dict(id="r118", stratum="hard", tags=["day_only"], text="有养老护理员证，在养老院做过三年，现在只能做白班，晚上要照顾孙子。",
         targets={"eldercare": 3}, day_only=True, overrides={"p033": 2}),
    dict(id="r119", stratum="hard", tags=["day_only"], text="电话客服经验三年，只能白班，不接受夜班和倒班。",
         targets={"cs": 3}, day_only=True, overrides={"p082": 1}),
    dict(id="r120", stratum="hard", tags=["day_only", "synonym"], text="在快递仓库分拣、打包做了两年，只能做白天的班。",
         targets={"warehouse": 3, "stocker": 1}, day_only=True, overrides={"p056": 2, "p060": 2, "p062": 2, "p152": 2}),
    dict(id="r121", stratum="hard", tags=["career_change"], text="以前做了六年销售，现在想做行政，会用Office，做过销售助理整理合同。",
         targets={"admin": 3, "sales": 1, "hr": 1}),
    dict(id="r122", stratum="hard", tags=["career_change"], text="做了十年厨师，腰不好不想再站灶台了，想找仓库管理之类的工作，会用电脑。",
         targets={"warehouse": 3, "cook": 1}, overrides={"p059": 1, "p057": 2, "p058": 2}),
    dict(id="r123", stratum="hard", tags=["career_change"], text="之前做了三年会计，有初级职称，现在想转做人事，考了人力资源管理师三级。",
         targets={"hr": 3, "accountant": 1, "admin": 1}),
    dict(id="r124", stratum="hard", tags=["career_change"], text="跑了五年快递，膝盖受伤了，想找坐办公室的客服工作，普通话还可以。",
         targets={"cs": 3, "courier": 1}, overrides={"p082": 0}),
    dict(id="r125", stratum="hard", tags=["career_change", "licence"], text="在工厂流水线做了八年普工，现在想学电工，愿意从学徒做起。",
         targets={"electrician": 3, "maintenance": 1}, lacks=["电工证"], overrides={"p120": 0}),
    dict(id="r126", stratum="hard", tags=["day_only", "synonym"], text="在医院给病人做陪护，翻身擦洗喂饭都会，现在只想做白天的活。",
         targets={"eldercare": 3}, day_only=True, lacks=["养老护理员证"]),
    dict(id="r127", stratum="hard", tags=["synonym", "licence"], text="给老板开了八年车，C照，市区路况熟。",
         targets={"driver": 3}, lacks=["驾照B"], overrides={"p138": 2, "p053": 2, "p137": 2}),
    dict(id="r128", stratum="hard", tags=["synonym"], text="公司里电脑坏了、网络不通、打印机连不上都是我来弄，会装系统，干了四年。",
         targets={"p117": 3, "p118": 3, "p120": 2, "p116": 1}),
    # ================================================================= none: out of field
    dict(id="r201", stratum="none", tags=["out_of_field"], text="民航飞行员，持航线运输驾驶员执照，飞A320机型8000小时。", targets={}),
    dict(id="r202", stratum="none", tags=["out_of_field"], text="三甲医院心内科主治医师，有执业医师资格，擅长心脏介入手术。", targets={}),
    dict(id="r203", stratum="none", tags=["out_of_field"], text="执业律师，8年民商事诉讼经验，擅长合同纠纷。", targets={}),
    dict(id="r204", stratum="none", tags=["out_of_field"], text="远洋船舶轮机长，持甲类轮机长证书，跑过十年外贸船。", targets={}),
    dict(id="r205", stratum="none", tags=["out_of_field"], text="大学物理系教授，研究凝聚态理论，发表SCI论文40篇。", targets={}),
    dict(id="r206", stratum="none", tags=["out_of_field"], text="兽医，持执业兽医资格证，在宠物医院做了5年手术。", targets={}),
    dict(id="r207", stratum="none", tags=["out_of_field"], text="海上石油钻井平台钻井工程师，海上作业十年。", targets={}),
    dict(id="r208", stratum="none", tags=["out_of_field"], text="职业钢琴演奏者，音乐学院钢琴系毕业，想找演出或钢琴伴奏的工作。", targets={}),
    dict(id="r209", stratum="none", tags=["out_of_field"], text="地质勘探工程师，野外找矿十五年，熟悉遥感和物探。", targets={}),
    # ================================================================= none: garbage
    dict(id="r301", stratum="none", tags=["garbage"], text="asdfgh", targets={}),
    dict(id="r302", stratum="none", tags=["garbage"], text="。。。。", targets={}),
    dict(id="r303", stratum="none", tags=["garbage"], text="1234567890", targets={}),
    dict(id="r304", stratum="none", tags=["garbage"], text="😀😀😀😀", targets={}),
    dict(id="r305", stratum="none", tags=["garbage"], text="啊啊啊啊啊啊", targets={}),
    dict(id="r306", stratum="none", tags=["garbage"], text="test test test", targets={}),
    dict(id="r307", stratum="none", tags=["garbage"], text="你好", targets={}),
]
