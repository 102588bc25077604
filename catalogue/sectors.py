"""Sector tags (领域与产业集群): the plan's four fields and Guangdong's twenty strategic industry clusters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sector:
    slug: str
    name_zh: str
    name_en: str
    kind: str  # "field" | "pillar_cluster" | "emerging_cluster"


# 工作方案 §一(二): standards cover agriculture, industry, services and social affairs.
FIELDS = (
    Sector("agriculture", "农业", "Agriculture", "field"),
    Sector("industry", "工业", "Industry", "field"),
    Sector("services", "服务业", "Services", "field"),
    Sector("social", "社会事业", "Social affairs", "field"),
)

# 粤府函〔2020〕82号: ten strategic pillar and ten strategic emerging industry clusters.
PILLAR_CLUSTERS = (
    Sector("electronics", "新一代电子信息", "New-generation electronic information", "pillar_cluster"),
    Sector("green-petrochemicals", "绿色石化", "Green petrochemicals", "pillar_cluster"),
    Sector("smart-appliances", "智能家电", "Smart home appliances", "pillar_cluster"),
    Sector("automotive", "汽车", "Automotive", "pillar_cluster"),
    Sector("advanced-materials", "先进材料", "Advanced materials", "pillar_cluster"),
    Sector("light-industry-textiles", "现代轻工纺织", "Modern light industry and textiles", "pillar_cluster"),
    Sector("software", "软件与信息服务", "Software and information services", "pillar_cluster"),
    Sector("uhd-display", "超高清视频显示", "Ultra-HD video and display", "pillar_cluster"),
    Sector("biomedicine", "生物医药与健康", "Biomedicine and health", "pillar_cluster"),
    Sector("agriculture-food", "现代农业与食品", "Modern agriculture and food", "pillar_cluster"),
)
EMERGING_CLUSTERS = (
    Sector("semiconductors", "半导体与集成电路", "Semiconductors and integrated circuits", "emerging_cluster"),
    Sector("high-end-equipment", "高端装备制造", "High-end equipment manufacturing", "emerging_cluster"),
    Sector("robotics", "智能机器人", "Intelligent robots", "emerging_cluster"),
    Sector("blockchain-quantum", "区块链与量子信息", "Blockchain and quantum information", "emerging_cluster"),
    Sector("frontier-materials", "前沿新材料", "Frontier new materials", "emerging_cluster"),
    Sector("new-energy", "新能源", "New energy", "emerging_cluster"),
    Sector("laser-additive", "激光与增材制造", "Laser and additive manufacturing", "emerging_cluster"),
    Sector("digital-creative", "数字创意", "Digital creative industries", "emerging_cluster"),
    Sector("safety-environment", "安全应急与环保", "Safety, emergency and environmental protection", "emerging_cluster"),
    Sector("precision-instruments", "精密仪器设备", "Precision instruments and equipment", "emerging_cluster"),
)
SECTORS = FIELDS + PILLAR_CLUSTERS + EMERGING_CLUSTERS
SECTORS_BY_SLUG = {s.slug: s for s in SECTORS}


def sector_slug(text: str) -> str | None:
    """The slug for a slug, a Chinese name or an English name; None when it names no sector."""
    key = text.strip()
    if key in SECTORS_BY_SLUG:
        return key
    for s in SECTORS:
        if key in (s.name_zh, s.name_en) or key.lower() == s.name_en.lower():
            return s.slug
    return None
