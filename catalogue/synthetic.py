"""Seeded catalogue records in the import shape. Pure Python.

`generate_demo_records` makes the demo set (演示数据): every title is a subject with an aspect of its family
(catalogue/demo_vocabulary.py), mandatory only where the family allows it, classified by the subject, and a newer
edition of the same title replaces the older one. `generate_records` makes the bench's crude million rows: random
subjects and aspects, valid numbers and dates, nothing more.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Iterator

from catalogue.demo_vocabulary import CITIES, DB44_ANCHORS, DEFAULT_CITIES, FAMILIES, Aspect, Family, Subject

# (Chinese subject, English subject, ICS, CCS, sectors)
SUBJECTS = [
    ("荔枝", "Litchi", "67.080.10", "B31", ["agriculture", "agriculture-food"]),
    ("龙眼", "Longan", "67.080.10", "B31", ["agriculture", "agriculture-food"]),
    ("英德红茶", "Yingde black tea", "67.140.10", "X55", ["agriculture", "agriculture-food"]),
    ("凤凰单丛茶", "Fenghuang Dancong tea", "67.140.10", "X55", ["agriculture", "agriculture-food"]),
    ("陶瓷砖", "Ceramic tiles", "91.100.25", "Q31", ["industry", "advanced-materials"]),
    ("日用陶瓷", "Domestic ceramics", "81.060.20", "Q32", ["industry", "light-industry-textiles"]),
    ("建筑玻璃", "Building glass", "81.040.20", "Q33", ["industry", "advanced-materials"]),
    ("凉茶", "Herbal tea", "67.160.20", "X51", ["industry", "agriculture-food"]),
    ("广式腊味", "Cantonese cured meat", "67.120.10", "X26", ["industry", "agriculture-food"]),
    ("预制菜", "Prepared dishes", "67.040", "X26", ["industry", "agriculture-food"]),
    ("新能源汽车充电设施", "Charging facilities for new energy vehicles", "43.120", "T47", ["industry", "automotive", "new-energy"]),
    ("智能家电", "Smart home appliances", "97.040.50", "Y60", ["industry", "smart-appliances"]),
    ("家用空调器", "Household air conditioners", "97.040.50", "Y61", ["industry", "smart-appliances"]),
    ("锂离子电池", "Lithium-ion batteries", "29.220.20", "K82", ["industry", "new-energy"]),
    ("储能电站", "Energy storage stations", "29.220.20", "K84", ["industry", "new-energy"]),
    ("集成电路", "Integrated circuits", "31.200", "L56", ["industry", "semiconductors"]),
    ("5G基站", "5G base stations", "33.070.50", "M36", ["industry", "electronics"]),
    ("民用无人机", "Civil unmanned aircraft", "49.020", "V", ["industry", "high-end-equipment"]),
    ("工业机器人", "Industrial robots", "25.040.30", "J28", ["industry", "robotics"]),
    ("跨境电子商务", "Cross-border e-commerce", "35.240.63", "A12", ["services", "software"]),
    ("化妆品", "Cosmetics", "71.100.70", "Y42", ["industry", "biomedicine"]),
    ("家具", "Furniture", "97.140", "Y80", ["industry", "light-industry-textiles"]),
    ("珠宝玉石首饰", "Jewellery", "39.060", "Y88", ["industry", "light-industry-textiles"]),
    ("纺织面料", "Textile fabrics", "59.080.30", "W20", ["industry", "light-industry-textiles"]),
    ("服装", "Garments", "61.020", "Y76", ["industry", "light-industry-textiles"]),
    ("LED照明产品", "LED lighting products", "29.140.99", "K74", ["industry", "electronics"]),
    ("电动自行车", "Electric bicycles", "43.150", "Y14", ["industry"]),
    ("养老服务", "Elderly care services", "03.080.30", "A16", ["services", "social"]),
    ("家政服务", "Domestic services", "03.080.30", "A16", ["services", "social"]),
    ("粤菜烹饪", "Cantonese cuisine cooking", "03.080.99", "A16", ["services", "agriculture-food"]),
    ("对虾养殖", "Shrimp farming", "65.150", "B50", ["agriculture", "agriculture-food"]),
    ("城市轨道交通", "Urban rail transit", "45.020", "S10", ["services", "high-end-equipment"]),
    ("电梯", "Lifts", "91.140.90", "Q78", ["industry", "high-end-equipment"]),
    ("城镇燃气", "Town gas", "91.140.40", "E24", ["social", "safety-environment"]),
    ("污水处理", "Wastewater treatment", "13.060.30", "Z05", ["social", "safety-environment"]),
    ("大气污染物", "Air pollutants", "13.040.40", "Z60", ["industry", "safety-environment"]),
    ("岭南传统建筑", "Lingnan traditional buildings", "91.040.01", "P32", ["social"]),
    ("智慧停车", "Smart parking", "03.220.20", "A16", ["services", "software"]),
    ("超高清视频", "Ultra-high-definition video", "33.160.25", "M74", ["industry", "uhd-display"]),
    ("医疗器械", "Medical devices", "11.040.01", "C30", ["industry", "biomedicine"]),
    ("沙糖桔", "Shatangju mandarin", "67.080.10", "B31", ["agriculture", "agriculture-food"]),
    ("菠萝", "Pineapple", "67.080.10", "B31", ["agriculture", "agriculture-food"]),
    ("香蕉", "Banana", "67.080.10", "B31", ["agriculture", "agriculture-food"]),
    ("丝苗米", "Simiao rice", "67.060", "B22", ["agriculture", "agriculture-food"]),
    ("新会陈皮", "Xinhui dried tangerine peel", "67.080.10", "B31", ["agriculture", "agriculture-food"]),
    ("罗非鱼", "Tilapia", "65.150", "B50", ["agriculture", "agriculture-food"]),
    ("生蚝养殖", "Oyster farming", "65.150", "B50", ["agriculture", "agriculture-food"]),
    ("客家娘酒", "Hakka rice wine", "67.160.10", "X62", ["industry", "agriculture-food"]),
    ("广式月饼", "Cantonese mooncakes", "67.060", "X28", ["industry", "agriculture-food"]),
    ("酱油", "Soy sauce", "67.220.20", "X66", ["industry", "agriculture-food"]),
    ("蚝油", "Oyster sauce", "67.220.20", "X66", ["industry", "agriculture-food"]),
    ("潮汕牛肉丸", "Chaoshan beef balls", "67.120.10", "X22", ["industry", "agriculture-food"]),
    ("不锈钢厨具", "Stainless steel kitchenware", "97.040.60", "Y61", ["industry", "smart-appliances"]),
    ("电饭煲", "Electric rice cookers", "97.040.50", "Y60", ["industry", "smart-appliances"]),
    ("洗碗机", "Dishwashers", "97.040.40", "Y60", ["industry", "smart-appliances"]),
    ("扫地机器人", "Robot vacuum cleaners", "97.080", "Y60", ["industry", "robotics", "smart-appliances"]),
    ("服务机器人", "Service robots", "25.040.30", "J28", ["industry", "robotics"]),
    ("数控机床", "CNC machine tools", "25.040.20", "J50", ["industry", "high-end-equipment"]),
    ("激光切割设备", "Laser cutting equipment", "25.160.10", "J33", ["industry", "laser-additive"]),
    ("金属增材制造", "Metal additive manufacturing", "25.030", "J33", ["industry", "laser-additive"]),
    ("光伏组件", "Photovoltaic modules", "27.160", "F12", ["industry", "new-energy"]),
    ("海上风电", "Offshore wind power", "27.180", "F11", ["industry", "new-energy"]),
    ("氢燃料电池", "Hydrogen fuel cells", "27.070", "K82", ["industry", "new-energy"]),
    ("动力电池回收", "Traction battery recycling", "29.220.20", "K84", ["industry", "new-energy", "safety-environment"]),
    ("智能网联汽车", "Intelligent connected vehicles", "43.040", "T35", ["industry", "automotive"]),
    ("车载摄像头", "Vehicle cameras", "43.040.15", "T35", ["industry", "automotive", "electronics"]),
    ("印制电路板", "Printed circuit boards", "31.180", "L30", ["industry", "electronics"]),
    ("显示面板", "Display panels", "31.120", "L51", ["industry", "uhd-display"]),
    ("第三代半导体", "Third-generation semiconductors", "31.080", "L40", ["industry", "semiconductors"]),
    ("工业互联网平台", "Industrial internet platforms", "35.240.50", "L67", ["industry", "software"]),
    ("政务数据共享", "Government data sharing", "35.240.01", "L70", ["services", "software", "social"]),
    ("区块链存证", "Blockchain evidence preservation", "35.240.01", "L70", ["services", "blockchain-quantum"]),
    ("数据中心", "Data centres", "35.110", "L79", ["services", "software"]),
    ("网络游戏", "Online games", "35.240.99", "L70", ["services", "digital-creative"]),
    ("中药材", "Chinese medicinal materials", "11.120.10", "C23", ["agriculture", "biomedicine"]),
    ("岭南中药饮片", "Lingnan decoction pieces", "11.120.10", "C23", ["industry", "biomedicine"]),
    ("体外诊断试剂", "In vitro diagnostic reagents", "11.100.10", "C44", ["industry", "biomedicine"]),
    ("口罩", "Face masks", "13.340.30", "C73", ["industry", "safety-environment"]),
    ("消防车", "Fire engines", "13.220.10", "C82", ["industry", "safety-environment"]),
    ("危险化学品仓储", "Hazardous chemical storage", "13.300", "A80", ["industry", "safety-environment"]),
    ("船舶", "Ships", "47.020", "U00", ["industry", "high-end-equipment"]),
    ("港口集装箱码头", "Container terminals", "55.180.10", "A85", ["services"]),
    ("跨境物流", "Cross-border logistics", "03.220.01", "A85", ["services"]),
    ("旅游景区", "Tourist attractions", "03.200", "A12", ["services"]),
    ("民宿", "Homestays", "03.200", "A12", ["services"]),
    ("托育服务", "Childcare services", "03.080.30", "A16", ["services", "social"]),
    ("社区治理", "Community governance", "03.160", "A00", ["social"]),
    ("公共文化场馆", "Public cultural venues", "03.080.99", "A16", ["social"]),
    ("海绵城市", "Sponge city", "93.030", "P40", ["social", "safety-environment"]),
    ("装配式建筑", "Prefabricated buildings", "91.040.01", "P32", ["industry"]),
    ("绿色建筑", "Green buildings", "91.040.01", "P30", ["industry", "safety-environment"]),
    ("城市内涝防治", "Urban waterlogging prevention", "93.030", "P41", ["social", "safety-environment"]),
    ("碳排放核算", "Carbon emission accounting", "13.020.40", "Z04", ["industry", "safety-environment"]),
    ("土壤污染修复", "Soil remediation", "13.080.01", "Z18", ["safety-environment"]),
    ("固体废物", "Solid waste", "13.030.01", "Z05", ["safety-environment"]),
    ("声环境", "Acoustic environment", "17.140.01", "Z32", ["safety-environment", "social"]),
]

ASPECTS = [
    ("通用技术要求", "General technical requirements"),
    ("技术规范", "Technical specification"),
    ("生产技术规程", "Code of practice for production"),
    ("质量分级", "Quality grading"),
    ("检验方法", "Test methods"),
    ("安全要求", "Safety requirements"),
    ("服务规范", "Service specification"),
    ("评价指南", "Guidelines for evaluation"),
    ("能效限定值及能效等级", "Minimum allowable values of energy efficiency and energy efficiency grades"),
    ("排放标准", "Emission standard"),
    ("术语", "Terminology"),
    ("管理规范", "Management specification"),
    ("设计标准", "Design standard"),
    ("运行维护规范", "Specification for operation and maintenance"),
    ("数据接口", "Data interface"),
]

INDUSTRY_PREFIXES = ["HJ", "JB/T", "SJ/T", "NY/T", "QB/T", "DL/T", "YY/T", "GA/T", "SB/T", "JT/T", "CJJ/T", "HG/T"]
GROUPS = ["T/GDSTT", "T/GZAEPI", "T/GBAS", "T/SZS", "T/GDES", "T/GDMDMA", "T/FSAS", "T/DGAS", "T/GDCA", "T/ZSQX"]
ENTERPRISES = ["Q/GDMD", "Q/GREE", "Q/HW", "Q/BYD", "Q/TCL", "Q/WLY", "Q/GAC", "Q/DJI"]
OTHER_PROVINCES = ["DB11/T", "DB31/T", "DB32/T", "DB33/T", "DB35/T", "DB45/T", "DB46/T", "DB51/T"]
GD_CITIES = ["440100", "440300", "440400", "440500", "440600", "440700", "440800", "441300", "441900", "442000",
             "440200", "440900", "441200", "441400", "441500", "441600", "441700", "441800", "445100", "445200",
             "445300"]
AUTHORITIES = {
    "national": "国家市场监督管理总局、国家标准化管理委员会",
    "local": "广东省市场监督管理局",
    "industry": "国务院有关行政主管部门",
    "group": "社会团体",
    "enterprise": "企业",
    "international": "ISO/IEC",
}
DRAFTERS = ["广东省标准化研究院", "广州质量监督检测研究院", "深圳市标准技术研究院", "华南理工大学", "中山大学",
            "广东省农业科学院", "佛山市质量计量监督检测中心", "广东产品质量监督检验研究院", "东莞市标准化协会"]


def _pick_number(rng: random.Random, level_roll: float, counters: dict) -> tuple[str, str, str | None]:
    """A printed number, its level and the region code (for local standards)."""
    year = rng.choices(range(1995, 2027), weights=[1 + (y - 1995) ** 1.6 for y in range(1995, 2027)])[0]
    if level_roll < 0.05:
        return f"GB {rng.randint(4000, 45000)}—{year}", "national", None
    if level_roll < 0.33:
        return f"GB/T {rng.randint(1000, 45999)}—{year}", "national", None
    if level_roll < 0.34:
        return f"GB/Z {rng.randint(17000, 45999)}—{year}", "national", None
    if level_roll < 0.58:
        return f"{rng.choice(INDUSTRY_PREFIXES)} {rng.randint(1, 9999)}—{year}", "industry", None
    if level_roll < 0.72:
        # Guangdong's DB44 sequence runs on across years (about 60 a year since 2000).
        base = max(1, (year - 2000) * 60 + rng.randint(-40, 40))
        if rng.random() < 0.03:
            return f"DB44/ {base}—{year}", "local", "440000"
        return f"DB44/T {base}—{year}", "local", "440000"
    if level_roll < 0.78:
        city = rng.choice(GD_CITIES)
        return f"DB{city[:4]}/T {rng.randint(1, 400)}—{year}", "local", city
    if level_roll < 0.80:
        prefix = rng.choice(OTHER_PROVINCES)
        return f"{prefix} {rng.randint(1, 4000)}—{year}", "local", f"{prefix[2:4]}0000"
    if level_roll < 0.92:
        return f"{rng.choice(GROUPS)} {rng.randint(1, 300):03d}—{max(year, 2016)}", "group", None
    if level_roll < 0.97:
        return f"{rng.choice(ENTERPRISES)} {rng.randint(1, 999)}—{max(year, 2010)}", "enterprise", None
    iso = rng.choice(["ISO", "IEC", "ISO/IEC"])
    return f"{iso} {rng.randint(100, 82000)}:{year}", "international", None


def generate_records(n: int, *, seed: int = 20260101, today: date | None = None) -> Iterator[dict]:
    """`n` records with distinct numbers; the same seed gives the same records."""
    rng = random.Random(seed)
    today = today or date(2026, 11, 1)
    seen: set[str] = set()
    counters: dict = {}
    made = 0
    previous_by_series: dict[str, str] = {}
    while made < n:
        number, level, region = _pick_number(rng, rng.random(), counters)
        if number in seen:
            continue
        seen.add(number)
        subject = rng.choice(SUBJECTS)
        aspect = rng.choice(ASPECTS)
        year = int(number.replace(":", "—").rsplit("—", 1)[1])
        published = min(date(year, 1, 1) + timedelta(days=rng.randint(0, 364)), today)
        implemented = published + timedelta(days=rng.choice([0, 30, 90, 180, 183, 365]))
        if implemented > today + timedelta(days=400):
            implemented = today + timedelta(days=rng.randint(1, 300))
        withdrawn = None
        if year < 2012 and rng.random() < 0.12:
            withdrawn = implemented + timedelta(days=rng.randint(365 * 3, 365 * 12))
            if withdrawn > today:
                withdrawn = None
        series = number.replace(":", "—").rsplit("—", 1)[0]
        replaces = [previous_by_series[series]] if series in previous_by_series and rng.random() < 0.7 else []
        previous_by_series[series] = number
        if level in ("national", "local") and rng.random() < 0.08:
            adoption = rng.choice(["IDT", "MOD", "NEQ"])
            adopted = f"ISO {rng.randint(100, 30000)}:{max(1990, year - rng.randint(1, 5))}"
        else:
            adoption, adopted = None, None
        title_zh = f"{subject[0]}{aspect[0]}"
        made += 1
        yield {
            "number": number,
            "title_zh": title_zh,
            "title_en": f"{subject[1]}—{aspect[1]}",
            "status": None,
            "published_on": published,
            "implemented_on": implemented,
            "withdrawn_on": withdrawn,
            "ics_codes": [subject[2]],
            "ccs_code": subject[3] if len(subject[3]) == 3 else None,
            "technical_committee": "广东省标准化研究院" if level == "local" else "",
            "issuing_authority": AUTHORITIES.get(level, ""),
            "drafting_organisations": rng.sample(DRAFTERS, k=rng.randint(1, 3)) if level in ("local", "group") else [],
            "replaces": replaces,
            "adoption_degree": adoption,
            "adopted_standard": adopted,
            "region_code": region,
            "sectors": list(subject[4]),
            "scope": f"本文件规定了{subject[0]}的{aspect[0]}。",
            "notes": "",
        }


# ---------------------------------------------------------------------------------------------------------------
# The demo set.

INDUSTRY_AUTHORITIES = {
    "NY/T": "农业农村部", "SC/T": "农业农村部", "SB/T": "商务部", "QB/T": "工业和信息化部", "JB/T": "工业和信息化部",
    "SJ/T": "工业和信息化部", "YD/T": "工业和信息化部", "NB/T": "国家能源局", "AQ/T": "应急管理部", "GA/T": "公安部",
    "WS/T": "国家卫生健康委员会", "MZ/T": "民政部", "LB/T": "文化和旅游部", "JGJ/T": "住房和城乡建设部",
    "CJJ/T": "住房和城乡建设部",
}
# Sequence ranges of the industry series, near their real ones (JGJ/T 100–500, NY/T up to 4400 …).
INDUSTRY_RANGES = {"JGJ/T": (100, 520), "CJJ/T": (100, 320), "WS/T": (300, 820), "MZ/T": (30, 220), "LB/T": (10, 90),
                   "SB/T": (10100, 11300), "NY/T": (1000, 4400), "SC/T": (1001, 2130), "JB/T": (5000, 14600),
                   "SJ/T": (11000, 11900), "YD/T": (2000, 4600), "NB/T": (10001, 11400), "AQ/T": (3001, 9010),
                   "GA/T": (500, 1900), "QB/T": (1000, 5900)}
# The first year each level's series is drawn from (city series began once cities could issue standards, 2018).
FIRST_YEAR = {"national": 1998, "industry": 2000, "local": 2003, "city": 2018, "group": 2016, "enterprise": 2012,
              "other": 2008}


# National (GB, GB/T) sequence numbers issued around some years: one series for both natures.
GB_ANCHORS = ((1995, 15000), (2002, 18900), (2005, 20000), (2008, 22500), (2011, 26500), (2015, 31500),
              (2017, 34500), (2019, 37500), (2021, 39800), (2023, 42500), (2026, 46000))


def _on_curve(anchors: tuple[tuple[int, int], ...], year: int, rng: random.Random) -> int:
    """A sequence number plausible for `year`, between the numbers issued that year and the next."""
    for (y0, n0), (y1, n1) in zip(anchors, anchors[1:]):
        if y0 <= year < y1:
            low = n0 + (n1 - n0) * (year - y0) // (y1 - y0)
            high = n0 + (n1 - n0) * (year + 1 - y0) // (y1 - y0)
            return rng.randint(low, max(low, high - 1))
    return anchors[-1][1] + rng.randint(0, 80) if year >= anchors[-1][0] else anchors[0][1]


def db44_sequence(year: int, rng: random.Random) -> int:
    """A DB44 sequence number plausible for `year` (the real ones run on: DB44/ 26—2001 … DB44/ 2208—2019)."""
    return _on_curve(DB44_ANCHORS, year, rng)


def _level(rng: random.Random, family: Family, aspect: Aspect) -> str:
    levels = {k: w for k, w in family.levels.items() if not aspect.mandatory or k in ("national", "local")}
    levels = {k: w for k, w in levels.items() if k != "industry" or family.industry} or {"local": 1.0}
    return rng.choices(list(levels), weights=list(levels.values()))[0]


def _years(rng: random.Random, level: str, mandatory_until: int | None, today: date) -> list[int]:
    """The years of a work's editions, oldest first (one to three editions, four to nine years apart)."""
    last = min(today.year, mandatory_until or today.year)
    first = FIRST_YEAR[level]
    if first > last:
        return []
    span = range(first, last + 1)
    years = [rng.choices(span, weights=[1 + (y - first) ** 1.3 for y in span])[0]]
    for chance in (0.35, 0.3):
        nxt = years[-1] + rng.randint(4, 9)
        if rng.random() >= chance or nxt > last:
            break
        years.append(nxt)
    return years


class _Numbers:
    """Numbers of the demo, none reused; DB44 and city series take a new number for each edition."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng, self.used = rng, set(taken)

    def _free(self, root: str, make_seq) -> int | None:
        for _ in range(40):
            seq = make_seq()
            if f"{root} {seq}" not in self.used:
                self.used.add(f"{root} {seq}")
                return seq
        return None

    def _by_year(self, span: tuple[int, int], year: int) -> int:
        """A sequence number that grows with the year, as national and industry series do."""
        low, high = span
        at = low + (high - low) * min(1.0, max(0.0, (year - 1998) / 28))
        jitter = max(3, (high - low) // 25)
        return min(high, max(low, int(at) + self.rng.randint(-jitter, jitter)))

    def series(self, level: str, family: Family, subject: Subject, aspect: Aspect, year: int) -> tuple | None:
        """(prefix, sequence, region code, city) of a new series, or None when no free number was found."""
        rng, city = self.rng, ""
        if level == "national":
            prefix = "GB" if aspect.mandatory else "GB/T"
            # Engineering construction has its own series (GB/T 50001 on); the rest share the national curve.
            seq = self._free("GB", lambda: self._by_year(family.gb_range, year) if family.gb_range[0] >= 50000
                             else _on_curve(GB_ANCHORS, year, rng))
            region = None
        elif level == "industry":
            prefix = subject.industry or rng.choice(family.industry)
            low, high = INDUSTRY_RANGES.get(prefix, (1, 4999))
            seq = self._free(prefix.removesuffix("/T"), lambda: self._by_year((low, high), year))
            region = None
        elif level == "local":
            prefix, region = ("DB44/" if aspect.mandatory else "DB44/T"), "440000"
            seq = self.local(year)
        elif level == "city":
            city = rng.choice(subject.cities or DEFAULT_CITIES)
            prefix, region = f"DB{city[:4]}/T", city
            seq = self.city(city, year)
        elif level == "group":
            prefix, region = rng.choice(family.groups), None
            seq = self._free(prefix, lambda: rng.randint(1, 240))
        elif level == "enterprise":
            prefix, region = rng.choice(family.enterprises), None
            seq = self._free(prefix, lambda: rng.randint(1, 999))
        else:
            prefix = rng.choice(family.other_provinces)
            region = f"{prefix[2:4]}0000"
            seq = self._free(prefix.removesuffix("/T"), lambda: rng.randint(300, 4200))
        return None if seq is None else (prefix, seq, region, city)

    def local(self, year: int) -> int | None:
        return self._free("DB44", lambda: db44_sequence(year, self.rng))

    def city(self, city: str, year: int) -> int | None:
        return self._free(f"DB{city[:4]}", lambda: max(1, (year - 2018) * 30 + self.rng.randint(1, 30)))


def _number(prefix: str, seq: int, year: int, level: str) -> str:
    printed = f"{seq:03d}" if level == "group" else str(seq)
    return f"{prefix} {printed}—{year}"


def _authority(level: str, prefix: str, city: str) -> str:
    if level == "city":
        return f"{CITIES[city]}市场监督管理局"
    if level == "industry":
        return INDUSTRY_AUTHORITIES.get(prefix, "国务院有关行政主管部门")
    if level == "other":
        return "省级标准化行政主管部门"
    return AUTHORITIES.get(level, "")


def _record(work: dict, number: str, year: int, replaces: list[str], rng: random.Random, today: date) -> dict:
    family, subject, aspect, level = work["family"], work["subject"], work["aspect"], work["level"]
    published = min(date(year, 1, 1) + timedelta(days=rng.randint(0, 364)), today - timedelta(days=rng.randint(3, 40)))
    implemented = published + timedelta(days=rng.choice([0, 30, 90, 90, 180]) if not aspect.mandatory else 180)
    committee = {"local": family.committee, "city": f"{CITIES.get(work['city'], '')}市场监督管理局"}.get(level, "")
    return {
        "number": number,
        "title_zh": f"{subject.zh}{aspect.zh}",
        "title_en": f"{subject.en}—{aspect.en}",
        "status": None,
        "published_on": published,
        "implemented_on": implemented,
        "withdrawn_on": None,
        "ics_codes": [aspect.ics or subject.ics or family.ics],
        "ccs_code": aspect.ccs or subject.ccs or family.ccs,
        "technical_committee": committee,
        "issuing_authority": _authority(level, work["prefix"], work["city"]),
        "drafting_organisations": (rng.sample(family.drafters, k=rng.randint(1, min(3, len(family.drafters))))
                                   if level in ("local", "city", "group") else []),
        "replaces": replaces,
        "adoption_degree": None,
        "adopted_standard": None,
        "region_code": work["region"],
        "sectors": list(family.sectors),
        "scope": f"本文件规定了{subject.zh}{aspect.scope}。",
        "notes": "",
    }


def _work(rng: random.Random, numbers: _Numbers, today: date, seen: set, avoid: frozenset) -> list[dict]:
    """The editions of one work (a title in one series), oldest first; [] when the draw does not fit."""
    family = rng.choices(FAMILIES, weights=[len(f.subjects) for f in FAMILIES])[0]
    subject = rng.choice(family.subjects)
    aspect = rng.choice(family.aspects_of(subject))
    level = _level(rng, family, aspect)
    until = family.local_mandatory_until if aspect.mandatory and level == "local" else None
    title = f"{subject.zh}{aspect.zh}"
    if title in avoid or (title, level) in seen:
        return []
    years = _years(rng, level, until, today)
    series = numbers.series(level, family, subject, aspect, years[0]) if years else None
    if series is None:
        return []
    seen.add((title, level))
    prefix, seq, region, city = series
    work = {"family": family, "subject": subject, "aspect": aspect, "level": level, "prefix": prefix,
            "region": region, "city": city}
    records: list[dict] = []
    for year in years:
        if records and level in ("local", "city"):
            # A revised DB44 (or city) standard takes the next free number of its year.
            seq = numbers.local(year) if level == "local" else numbers.city(city, year)
            if seq is None:
                break
        replaces = [records[-1]["number"]] if records else []
        records.append(_record(work, _number(prefix, seq, year, level), year, replaces, rng, today))
    last = records[-1]
    if last["published_on"].year < 2012 and rng.random() < 0.15:
        withdrawn = last["implemented_on"] + timedelta(days=rng.randint(365 * 4, 365 * 12))
        last["withdrawn_on"] = withdrawn if withdrawn < today else None
    return records


def generate_demo_records(n: int, *, seed: int = 20240901, today: date | None = None,
                          avoid_titles: frozenset[str] = frozenset(), taken: frozenset[str] = frozenset()
                          ) -> list[dict]:
    """About `n` demo records (works and their editions); the same arguments give the same records.

    `avoid_titles` are titles of real records the demo must not imitate; `taken` are undated number roots of
    real records ("DB44 2159", "GB 26453") the demo must not reuse, /T or not.
    """
    rng = random.Random(seed)
    today = today or date(2026, 11, 1)
    numbers = _Numbers(rng, set(taken))
    seen: set = set()
    out: list[dict] = []
    misses = 0
    while len(out) < n and misses < 10 * n + 100:
        editions = _work(rng, numbers, today, seen, avoid_titles)
        if not editions:
            misses += 1
            continue
        out.extend(editions[: n - len(out)] if len(out) + len(editions) > n else editions)
    return out
