"""Generated standards for the comparison's tests and bench (pure: no Django): clause texts that read like the
provisions of emission standards, and pairs of documents that differ the way two editions or a local and a national
standard do (clauses reworded, split, moved, renumbered, dropped and added).
"""

from __future__ import annotations

import random

from smart.model import Block, Clause, Limit, Metadata, StandardDocument

# The word soup of compare/tests/test_align.py, kept identical so that its `synthetic` can come from here.
WORDS = ("排放 限值 监测 企业 玻璃 熔窑 颗粒物 二氧化硫 氮氧化物 采样 方法 设备 处理 系统 废水 废气 标准 "
         "浓度 污染物 执行 规定 要求 控制 电镀 镀膜 工艺 原料 储存 运输 管理 记录 台账 自动 在线 监控").split()


def synthetic(n: int, seed: int) -> list[tuple[str, str, str]]:
    """(number, title, text) triples of random domain words, as test_align.py has generated them."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        number = f"{i // 10 + 1}.{i % 10 + 1}"
        text = "，".join("".join(rnd.choices(WORDS, k=rnd.randint(3, 8))) for _ in range(rnd.randint(2, 6))) + "。"
        out.append((number, "".join(rnd.choices(WORDS, k=2)), text + f"第{i}项"))
    return out


PARAMETERS = ["颗粒物", "二氧化硫", "氮氧化物", "氟化物", "氯化氢", "烟气黑度", "铅及其化合物", "砷及其化合物",
              "化学需氧量", "氨氮", "总磷", "总氮", "悬浮物", "石油类", "总铬", "六价铬", "总镍", "总铜", "非甲烷总烃",
              "苯", "甲苯", "二甲苯", "挥发性有机物", "臭气浓度", "硫化氢", "氨"]
PROCESSES = ["熔窑", "破碎", "筛分", "配料", "烘干", "退火", "镀膜", "喷涂", "电镀", "酸洗", "磷化", "抛光",
             "储存", "装卸", "转运", "焚烧", "煅烧", "干燥", "脱硫", "脱硝", "除尘", "印刷", "涂布", "清洗"]
SUBJECTS = ["平板玻璃", "电子玻璃", "日用玻璃", "陶瓷砖", "水泥熟料", "电镀件", "集装箱", "印刷品", "家具",
            "汽车零部件", "锅炉", "工业炉窑", "城镇污水", "农村生活污水", "畜禽养殖"]
HEADINGS = ["范围", "规范性引用文件", "术语和定义", "排放控制要求", "监测要求", "实施与监督", "一般规定",
            "有组织排放", "无组织排放", "污染物监测", "采样要求", "分析方法", "达标判定", "记录与报告"]
TEMPLATES = [
    "{subject}企业{process}工序的{param}排放浓度应符合表{table}规定的限值。",
    "自本标准实施之日起，现有企业执行表{table}规定的{param}排放限值，新建企业执行表{table2}规定的限值。",
    "{param}的测定按 HJ {hj} 规定的方法进行，采样位置应设置在{process}设施的排气筒上。",
    "企业应按照有关法律和《环境监测管理办法》的规定，建立企业监测制度，制定监测方案，对{param}开展自行监测。",
    "{process}过程中产生的废气应收集后经处理设施处理，不得无组织排放，收集效率不应低于{pct}%。",
    "排气筒高度不应低于{height} m，并应高出周围 200 m 半径范围内最高建筑物 3 m 以上。",
    "在{process}、储存和运输等环节应采取密闭、围挡或喷淋等措施，控制颗粒物无组织排放。",
    "企业应保存原始监测记录和{process}设施运行台账，保存期限不少于{years}年。",
    "实测的{param}排放浓度应按基准含氧量{o2}%折算为基准排放浓度，并以此作为达标判定的依据。",
    "{subject}生产设施应安装{param}自动监控设备，并与生态环境主管部门的监控设备联网。",
    "当{process}设施发生故障时，企业应立即采取应急措施，并在{hours}小时内向当地生态环境主管部门报告。",
    "本标准由县级以上人民政府生态环境主管部门负责监督实施。",
    "在任何情况下，企业均应遵守本标准规定的大气污染物排放控制要求，采取必要措施保证污染防治设施正常运行。",
    "对于{subject}企业，{param}和{param2}的排放还应执行国家和地方的其他相关规定。",
]


def clause_text(rnd: random.Random) -> str:
    """One to four sentences of a provision, from the templates above with random terms."""
    sentences = []
    for _ in range(rnd.randint(1, 4)):
        sentences.append(rnd.choice(TEMPLATES).format(
            subject=rnd.choice(SUBJECTS), process=rnd.choice(PROCESSES), param=rnd.choice(PARAMETERS),
            param2=rnd.choice(PARAMETERS), table=rnd.randint(1, 6), table2=rnd.randint(1, 6),
            hj=rnd.randint(1, 1300), pct=rnd.choice([80, 85, 90, 95]), height=rnd.choice([15, 20, 25, 30]),
            years=rnd.choice([3, 5]), o2=rnd.choice([8, 9, 18]), hours=rnd.choice([12, 24, 48])))
    return "".join(sentences)


def clauses(n: int, seed: int) -> list[tuple[str, str, str]]:
    """``n`` (number, title, text) clauses: chapters of ten clauses each, every clause a few provisions."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        chapter, clause = i // 10 + 1, i % 10 + 1
        title = rnd.choice(HEADINGS) if clause == 1 else (rnd.choice(PROCESSES) + rnd.choice(["要求", "控制", "监测"])
                                                          if rnd.random() < 0.5 else "")
        out.append((f"{chapter}.{clause}", title, clause_text(rnd)))
    return out


def _reworded(text: str, rnd: random.Random) -> str:
    """The same provision in another edition: a sentence added or dropped, a term replaced."""
    roll = rnd.random()
    if roll < 0.3:
        return text + clause_text(random.Random(rnd.random()))[:40] + "。"
    if roll < 0.5:
        return text.replace(rnd.choice(PARAMETERS), rnd.choice(PARAMETERS), 1)
    if roll < 0.6 and "。" in text[:-1]:
        return text[: text.index("。") + 1]
    return text


def document(triples: list[tuple[str, str, str]], *, number: str, title: str,
             limits: list[Limit] | None = None) -> StandardDocument:
    return StandardDocument(
        metadata=Metadata(number=number, title_zh=title),
        clauses=[Clause(number=n, title=t or None, blocks=[Block("paragraph", x)] if x else [])
                 for n, t, x in triples],
        limits=limits or [],
    )


def document_pair(n: int, seed: int = 1) -> tuple[StandardDocument, StandardDocument]:
    """Two documents of about ``n`` clauses each, B derived from A: about 60 % of the clauses kept (half of them
    reworded), 10 % split in two, 10 % dropped, 10 % new, chapters moved and everything renumbered."""
    rnd = random.Random(seed)
    a = clauses(n, seed)
    b_texts: list[tuple[str, str]] = []
    for _, title, text in a:
        roll = rnd.random()
        if roll < 0.1:
            continue  # dropped
        if roll < 0.2 and "。" in text[:-1]:
            cut = text.index("。") + 1
            b_texts.extend([(title, text[:cut]), ("", text[cut:])])  # split in two
            continue
        b_texts.append((title, _reworded(text, rnd) if rnd.random() < 0.5 else text))
        if rnd.random() < 0.1:
            b_texts.append(("", clause_text(rnd)))  # new
    # chapters move as blocks (a national standard orders its chapters differently), clauses stay in order within
    chapters = [b_texts[i:i + 10] for i in range(0, len(b_texts), 10)]
    rnd.shuffle(chapters)
    b = [(f"{c + 1}.{k + 1}", title, text)
         for c, chapter in enumerate(chapters) for k, (title, text) in enumerate(chapter)]
    return (document(a, number="DB44/ 9001—2024", title="示例工业大气污染物排放标准"),
            document(b, number="GB 9002—2020", title="示例工业大气污染物排放标准"))
