"""The vocabulary of the demo catalogue (演示数据): subject families, the aspects that belong to each, and who
writes, issues and classifies them. Pure data, no Django.

Built after the style of Guangdong's own standards (DB44/T 荔枝栽培技术规程, DB44/ 2159—2019 玻璃工业大气污染物
排放标准, 养老机构服务规范, 建筑地基基础设计规范): a title is a subject followed by an aspect that belongs with it.
Mandatory (强制性) aspects exist only in the families where the law allows a mandatory standard: pollutant
emissions, safety, public health and energy consumption limits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Aspect:
    zh: str
    en: str
    scope: str  # what the standard lays down, after "本文件规定了{subject}"
    mandatory: bool = False  # printed GB / DB44/ (no /T)
    ics: str = ""  # overrides the subject's and family's classification when set
    ccs: str = ""


@dataclass(frozen=True)
class Subject:
    zh: str
    en: str
    aspects: tuple[str, ...] = ()  # the family's aspects that fit this subject (all of them when empty)
    ics: str = ""
    ccs: str = ""
    industry: str = ""  # the industry-standard prefix of this subject's ministry, when not the family's
    cities: tuple[str, ...] = ()  # the cities whose own standards (DB44xx/T) treat this subject


@dataclass(frozen=True)
class Family:
    key: str
    zh: str
    ics: str
    ccs: str
    sectors: tuple[str, ...]
    aspects: tuple[Aspect, ...]
    subjects: tuple[Subject, ...]
    committee: str  # the provincial technical committee (归口单位) of its DB44 standards
    drafters: tuple[str, ...]
    levels: dict[str, float]  # how often each level carries this family
    industry: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    enterprises: tuple[str, ...] = ()
    gb_range: tuple[int, int] = (0, 0)  # a national series of its own (GB/T 50001 on for construction), if any
    # The last year a mandatory DB44/ of this family was issued (None: still issued, as for emissions).
    local_mandatory_until: int | None = 2017
    other_provinces: tuple[str, ...] = ()

    def aspect(self, zh: str) -> Aspect:
        return next(a for a in self.aspects if a.zh == zh)

    def aspects_of(self, subject: Subject) -> tuple[Aspect, ...]:
        return tuple(self.aspect(z) for z in subject.aspects) if subject.aspects else self.aspects


A = Aspect
S = Subject
LOCAL_ONLY = {"local": 0.6, "city": 0.25, "group": 0.15}

FAMILIES: tuple[Family, ...] = (
    Family(
        "fruit", "特色水果种植", "65.020.20", "B31", ("agriculture", "agriculture-food"),
        (
            A("栽培技术规程", "Technical code of practice for cultivation",
              "栽培的园地选择、种苗、栽植、土肥水管理、整形修剪和采收等技术要求"),
            A("病虫害绿色防控技术规程", "Code of practice for green control of pests and diseases",
              "主要病虫害的绿色防控原则、农业防治、物理防治、生物防治和化学防治技术", ccs="B16"),
            A("质量分级", "Quality grading", "鲜果的质量等级要求、检验方法和检验规则", ics="67.080.10"),
            A("采后处理技术规程", "Code of practice for post-harvest handling",
              "采收、预冷、分级、包装、贮藏和运输的技术要求", ics="67.080.10"),
            A("种苗繁育技术规程", "Code of practice for seedling propagation", "种苗繁育的圃地、砧木、嫁接和出圃要求"),
        ),
        (
            S("荔枝", "Litchi", cities=("440900", "440100", "441300")),
            S("龙眼", "Longan", cities=("440900", "441700")),
            S("沙糖桔", "Shatangju mandarin", cities=("441200", "441800")),
            S("菠萝", "Pineapple", ("栽培技术规程", "质量分级", "采后处理技术规程"), cities=("440800",)),
            S("香蕉", "Banana", ("栽培技术规程", "病虫害绿色防控技术规程", "质量分级"), cities=("440100", "440800")),
            S("三华李", "Sanhua plum", ("栽培技术规程", "质量分级"), cities=("440200",)),
            S("火龙果", "Pitaya", ("栽培技术规程", "质量分级", "采后处理技术规程")),
        ),
        "广东省农业标准化技术委员会", ("广东省农业科学院果树研究所", "华南农业大学园艺学院", "广东省农业技术推广中心"),
        {"local": 0.5, "city": 0.2, "industry": 0.1, "group": 0.12, "other": 0.08},
        industry=("NY/T",), groups=("T/GDNX", "T/GDAAS"), other_provinces=("DB45/T", "DB35/T", "DB46/T"),
    ),
    Family(
        "tea", "茶叶", "67.140.10", "X55", ("agriculture", "agriculture-food"),
        (
            A("加工技术规程", "Code of practice for processing", "加工的鲜叶要求、加工场所和各道工序的技术要求"),
            A("栽培技术规程", "Technical code of practice for cultivation", "的茶园建设、种植、茶园管理和鲜叶采摘技术要求",
              ics="65.020.20", ccs="B35"),
            A("质量分级", "Quality grading", "产品的等级、感官品质要求、理化指标和检验方法"),
            A("冲泡与品鉴指南", "Guidelines for brewing and tasting", "的冲泡用水、器具、投茶量和品鉴方法"),
        ),
        (
            S("英德红茶", "Yingde black tea", cities=("441800",)),
            S("凤凰单丛茶", "Fenghuang Dancong tea", cities=("445100",)),
            S("客家炒绿茶", "Hakka pan-fired green tea", ("加工技术规程", "质量分级"), cities=("441400",)),
        ),
        "广东省农业标准化技术委员会", ("广东省农业科学院茶叶研究所", "华南农业大学园艺学院", "英德市茶叶产业协会"),
        {"local": 0.5, "city": 0.25, "group": 0.2, "industry": 0.05},
        industry=("NY/T",), groups=("T/GDTEA",),
    ),
    Family(
        "aquaculture", "水产养殖", "65.150", "B50", ("agriculture", "agriculture-food"),
        (
            A("健康养殖技术规程", "Code of practice for healthy culture",
              "养殖的环境、苗种放养、饲料投喂、水质调控、病害防治和收获技术要求"),
            A("苗种繁育技术规程", "Code of practice for seed breeding", "苗种繁育的亲本选育、催产孵化、苗种培育和出苗技术要求"),
            A("养殖尾水处理技术规范", "Technical specification for treatment of culture tailwater",
              "养殖尾水处理设施的设计、运行和监测要求", ics="13.060.30"),
        ),
        (
            S("凡纳滨对虾", "Penaeus vannamei", ccs="B51", cities=("440800", "441500")),
            S("近江牡蛎", "Crassostrea ariakensis", ("健康养殖技术规程", "苗种繁育技术规程"), ccs="B51",
              cities=("440300", "441700")),
            S("罗非鱼", "Tilapia", ccs="B52", cities=("440800", "440900")),
            S("加州鲈", "Largemouth bass", ccs="B52", cities=("440600",)),
            S("草鱼", "Grass carp", ("健康养殖技术规程", "苗种繁育技术规程"), ccs="B52"),
        ),
        "广东省农业标准化技术委员会", ("中国水产科学研究院南海水产研究所", "广东海洋大学", "广东省农业技术推广中心"),
        {"local": 0.5, "city": 0.15, "industry": 0.2, "group": 0.15},
        industry=("SC/T",), groups=("T/GDAAS",),
    ),
    Family(
        "lingnan-food", "岭南特色食品", "67.040", "X10", ("industry", "agriculture-food"),
        (
            A("加工技术规程", "Code of practice for processing", "加工的原辅料、工艺、质量控制和标签标志要求"),
            A("质量要求", "Quality requirements", "产品的原料要求、感官要求、理化指标、检验方法和检验规则"),
            A("生产技术规范", "Technical specification for production", "生产的场所、设备、工艺流程和过程控制要求"),
        ),
        (
            S("广式腊肠", "Cantonese sausage", ics="67.120.10", ccs="X22", cities=("442000",)),
            S("广式月饼", "Cantonese mooncake", ("加工技术规程", "质量要求"), ics="67.060", ccs="X28",
              cities=("440100", "440700")),
            S("潮汕牛肉丸", "Chaoshan beef ball", ics="67.120.10", ccs="X22", cities=("445100", "440500")),
            S("客家娘酒", "Hakka rice wine", ("加工技术规程", "质量要求"), ics="67.160.10", ccs="X62",
              cities=("441400",)),
            S("新会陈皮", "Xinhui dried tangerine peel", ics="67.080.10", ccs="X24", cities=("440700",)),
            S("蚝油", "Oyster sauce", ("质量要求", "生产技术规范"), ics="67.220.10", ccs="X66"),
        ),
        "广东省食品标准化技术委员会", ("广东省食品检验所", "华南理工大学食品科学与工程学院", "广州质量监督检测研究院"),
        {"local": 0.35, "city": 0.25, "group": 0.25, "industry": 0.1, "enterprise": 0.05},
        industry=("SB/T", "QB/T"), groups=("T/GDFIA", "T/GZFS"), enterprises=("Q/HTWY", "Q/LKK"),
    ),
    Family(
        "emissions", "工业污染物排放", "13.040.40", "Z60", ("industry", "safety-environment"),
        (
            A("大气污染物排放标准", "Emission standard of air pollutants",
              "大气污染物排放控制要求、监测和监督管理要求", mandatory=True),
            A("水污染物排放标准", "Discharge standard of water pollutants",
              "水污染物排放控制要求、监测和监督管理要求", mandatory=True, ics="13.060.30"),
            A("挥发性有机化合物排放标准", "Emission standard of volatile organic compounds",
              "挥发性有机化合物排放限值、无组织排放控制和监测要求", mandatory=True),
            A("污染防治可行技术指南", "Guideline on available techniques of pollution prevention and control",
              "的污染预防技术、污染治理技术和环境管理措施"),
        ),
        (
            S("锅炉", "Boilers", ("大气污染物排放标准", "污染防治可行技术指南"), ccs="Z62"),
            S("工业炉窑", "Industrial kilns and furnaces", ("大气污染物排放标准", "污染防治可行技术指南"), ccs="Z61"),
            S("家具制造行业", "Furniture manufacturing", ("挥发性有机化合物排放标准", "污染防治可行技术指南"), ccs="Z63"),
            S("制鞋行业", "Footwear manufacturing", ("挥发性有机化合物排放标准",), ccs="Z63"),
            S("汽车维修行业", "Vehicle repair", ("挥发性有机化合物排放标准", "污染防治可行技术指南"), ccs="Z62"),
            S("印制电路板工业", "Printed circuit board industry", ("水污染物排放标准", "污染防治可行技术指南"),
              ccs="Z62"),
            S("食品制造业", "Food manufacturing", ("水污染物排放标准",), ccs="Z63"),
        ),
        "广东省环境保护标准化技术委员会", ("广东省环境科学研究院", "华南环境科学研究所", "广东省环境监测中心"),
        {"local": 0.75, "national": 0.15, "city": 0.1}, local_mandatory_until=None,
    ),
    Family(
        "energy", "能源消耗限额", "27.010", "F01", ("industry", "safety-environment"),
        (
            A("单位产品能源消耗限额", "The norm of energy consumption per unit product",
              "单位产品能源消耗限额的技术要求、统计范围和计算方法", mandatory=True),
        ),
        (
            S("建筑陶瓷", "Building ceramics"), S("平板玻璃", "Flat glass"), S("水泥", "Cement"),
            S("铝合金建筑型材", "Aluminium alloy building profiles"), S("印染布", "Dyed and printed fabrics"),
            S("纸及纸板", "Paper and paperboard"),
        ),
        "广东省能源标准化技术委员会", ("广东省能源技术经济研究中心", "广东省节能中心", "广东产品质量监督检验研究院"),
        {"local": 0.75, "national": 0.25},
    ),
    Family(
        "appliances", "家用电器", "97.040.50", "Y60", ("industry", "smart-appliances"),
        (
            A("能效限定值及能效等级", "Minimum allowable values of energy efficiency and energy efficiency grades",
              "的能效等级、能效限定值和试验方法", mandatory=True, ics="27.010"),
            A("智能化水平评价规范", "Specification for evaluation of intelligence level",
              "的智能化功能、评价指标和评价方法"),
            A("性能测试方法", "Performance test methods", "主要性能指标的试验条件、试验设备和测试方法"),
            A("通用技术要求", "General technical requirements", "分类、技术要求、试验方法和标志、包装、运输、贮存"),
        ),
        (
            S("房间空气调节器", "Room air conditioners", ics="23.120", ccs="Y61", cities=("440600", "440400")),
            S("电饭锅", "Electric rice cookers", ccs="Y68", cities=("440600",)),
            S("家用洗碗机", "Household dishwashers", ("智能化水平评价规范", "性能测试方法", "通用技术要求"),
              ics="97.040.40", ccs="Y62", cities=("440600",)),
            S("热泵热水器", "Heat pump water heaters", ics="27.080", ccs="Y63", cities=("440600", "442000")),
            S("扫地机器人", "Robot vacuum cleaners", ("智能化水平评价规范", "性能测试方法", "通用技术要求"),
              ics="97.080", ccs="Y62", cities=("440300",)),
        ),
        "广东省家用电器标准化技术委员会", ("广东产品质量监督检验研究院", "佛山市质量计量监督检测中心", "广东省家用电器行业协会"),
        {"national": 0.2, "industry": 0.1, "local": 0.2, "city": 0.1, "group": 0.25, "enterprise": 0.15},
        industry=("QB/T",), groups=("T/GDHEA", "T/FSAS"), enterprises=("Q/GDMD", "Q/GREE", "Q/GLZ"),
    ),
    Family(
        "equipment", "装备与新能源产品", "25.040.30", "J28", ("industry", "high-end-equipment"),
        (
            A("通用技术条件", "General specification", "的分类、技术要求、试验方法、检验规则和标志、包装、运输、贮存"),
            A("可靠性试验方法", "Reliability test methods", "可靠性试验的条件、程序和结果评定"),
            A("性能评价规范", "Specification for performance evaluation", "的性能评价指标、评价方法和评价结果的表示"),
            A("检验规程", "Inspection code", "的出厂检验和型式检验的项目、方法和判定规则"),
        ),
        (
            S("工业机器人", "Industrial robots", cities=("440600", "441900")),
            S("协作机器人", "Collaborative robots", ("通用技术条件", "性能评价规范"), cities=("440300",)),
            S("数控机床", "CNC machine tools", ("通用技术条件", "可靠性试验方法", "检验规程"), ics="25.040.20",
              ccs="J50", industry="JB/T"),
            S("激光切割机", "Laser cutting machines", ("通用技术条件", "检验规程"), ics="25.160.10", ccs="J64",
              industry="JB/T"),
            S("储能用锂离子电池", "Lithium-ion batteries for energy storage", ics="29.220.99", ccs="K82",
              industry="SJ/T", cities=("440300", "441300")),
            S("光伏组件", "Photovoltaic modules", ("可靠性试验方法", "检验规程"), ics="27.160", ccs="F12",
              industry="NB/T"),
        ),
        "广东省机械标准化技术委员会", ("广东省机械研究所", "广州机械科学研究院", "华南理工大学机械与汽车工程学院",
                                "深圳市标准技术研究院"),
        {"national": 0.2, "industry": 0.25, "local": 0.15, "city": 0.1, "group": 0.15, "enterprise": 0.15},
        industry=("JB/T",), groups=("T/GDJX", "T/SZS"), enterprises=("Q/BYD", "Q/HW", "Q/DJI"),
    ),
    Family(
        "safety", "安全生产与特种设备", "13.100", "C65", ("industry", "safety-environment"),
        (
            A("安全技术规范", "Technical specification for safety", "的安全技术要求、检验方法和安全管理要求",
              mandatory=True),
            A("安全管理规范", "Specification for safety management", "的安全管理职责、作业程序、应急处置和检查要求"),
            A("安全评估技术规范", "Technical specification for safety assessment", "安全评估的内容、方法、程序和报告要求"),
        ),
        (
            S("有限空间作业", "Work in confined spaces", ("安全技术规范", "安全管理规范")),
            S("城镇燃气设施", "Town gas facilities", ("安全管理规范", "安全评估技术规范"), ics="91.140.40", ccs="P47"),
            S("在用电梯", "Lifts in service", ("安全评估技术规范", "安全管理规范"), ics="91.140.90", ccs="Q78"),
            S("电动自行车", "Electrically power assisted cycles", ("安全技术规范",), ics="43.150", ccs="Y14"),
            S("危险化学品仓库", "Warehouses for hazardous chemicals", ("安全技术规范", "安全管理规范"),
              ics="13.300", ccs="A80"),
        ),
        "广东省安全生产标准化技术委员会", ("广东省安全生产科学技术研究院", "广东省特种设备检测研究院", "广东省职业病防治院"),
        {"national": 0.3, "local": 0.45, "city": 0.1, "industry": 0.15}, industry=("AQ/T", "GA/T"),
    ),
    Family(
        "health", "公共卫生", "13.020.01", "C51", ("social", "biomedicine"),
        (
            A("卫生规范", "Hygienic specification", "的卫生要求、检验方法和卫生管理要求", mandatory=True),
            A("卫生管理规范", "Specification for hygiene management", "的卫生管理制度、人员、清洗消毒和监测要求"),
            A("卫生监测技术规范", "Technical specification for hygiene monitoring", "卫生监测的项目、采样、检验方法和评价"),
        ),
        (
            S("二次供水设施", "Secondary water supply facilities", ics="13.060.20"),
            S("公共场所集中空调通风系统", "Central air-conditioning ventilation systems in public places",
              ics="91.140.30"),
            S("游泳场所", "Swimming venues", ("卫生规范", "卫生管理规范")),
            S("中小学校教室采光和照明", "Daylighting and lighting of school classrooms", ("卫生规范",), ccs="C56"),
        ),
        "广东省卫生健康标准化技术委员会", ("广东省疾病预防控制中心", "中山大学公共卫生学院", "广州市疾病预防控制中心"),
        {"national": 0.3, "local": 0.4, "industry": 0.3}, industry=("WS/T",),
    ),
    Family(
        "services", "生活与商务服务", "03.080.30", "A16", ("services", "social"),
        (
            A("服务规范", "Service specification", "的服务基本要求、人员要求、服务内容、服务流程和服务质量控制"),
            A("服务质量评价规范", "Specification for service quality evaluation", "服务质量评价的原则、指标、方法和结果"),
            A("等级划分与评定", "Classification and assessment of grades", "的等级划分、评定条件和评定程序"),
            A("管理规范", "Management specification", "的管理职责、管理制度、人员管理和监督检查要求"),
        ),
        (
            S("养老机构", "Elderly care institutions", industry="MZ/T", cities=("440100", "440300", "440600")),
            S("家政服务机构", "Domestic service agencies", ("服务规范", "服务质量评价规范", "等级划分与评定"),
              industry="SB/T", cities=("440100", "441900")),
            S("托育机构", "Childcare institutions", ("服务规范", "管理规范"), cities=("440300",)),
            S("旅游民宿", "Tourist homestays", ("服务规范", "等级划分与评定"), ics="03.200", ccs="A12", industry="LB/T",
              cities=("441800", "441300", "445200")),
            S("跨境电子商务平台", "Cross-border e-commerce platforms", ("服务规范", "管理规范"), ics="35.240.63",
              industry="SB/T", cities=("440300", "440100")),
            S("政务服务中心", "Government service centres", ("服务规范", "服务质量评价规范", "管理规范"),
              ics="03.160", ccs="A00", cities=("440100", "440300", "440400", "441900")),
            S("母婴护理机构", "Maternal and infant care institutions", ("服务规范", "等级划分与评定")),
        ),
        "广东省服务标准化技术委员会", ("广东省标准化研究院", "广东省质量发展研究会", "暨南大学管理学院",
                              "深圳市标准技术研究院"),
        {"local": 0.4, "city": 0.2, "industry": 0.12, "group": 0.15, "national": 0.06, "other": 0.07},
        industry=("SB/T",), groups=("T/GDCA", "T/GZAS"), other_provinces=("DB31/T", "DB33/T", "DB11/T"),
    ),
    Family(
        "construction", "工程建设", "91.040.01", "P30", ("industry", "social"),
        (
            A("设计规范", "Code for design", "设计的基本规定、材料、计算、构造和施工图设计要求"),
            A("技术规程", "Technical specification", "的设计、施工、验收和维护技术要求"),
            A("施工质量验收规范", "Code for acceptance of construction quality", "施工质量验收的划分、程序和合格标准"),
            A("评价标准", "Assessment standard", "的评价指标、评价方法和等级划分"),
            A("修缮技术规程", "Technical specification for repair", "修缮的勘察、设计、施工和验收技术要求"),
        ),
        (
            S("装配式混凝土建筑", "Prefabricated concrete buildings", ("技术规程", "施工质量验收规范", "评价标准"),
              ccs="P25"),
            S("岭南传统建筑", "Lingnan traditional buildings", ("修缮技术规程",), ccs="P36",
              cities=("440100", "440600", "445100")),
            S("建筑幕墙", "Building curtain walls", ("技术规程", "施工质量验收规范"), ics="91.060.10", ccs="P32"),
            S("绿色建筑", "Green buildings", ("设计规范", "评价标准")),
            S("海绵城市建设", "Sponge city construction", ("技术规程", "评价标准"), ics="93.030", ccs="P41",
              cities=("440300", "440100")),
            S("城市道路工程", "Urban road works", ("设计规范", "施工质量验收规范"), ics="93.080.01", ccs="P66"),
            S("建筑地基基础", "Building foundations", ("设计规范", "施工质量验收规范"), ics="93.020", ccs="P22"),
        ),
        "广东省建筑标准化技术委员会", ("广东省建筑科学研究院集团股份有限公司", "广东省建筑设计研究院有限公司",
                              "华南理工大学建筑设计研究院", "广州市建筑科学研究院有限公司"),
        {"local": 0.5, "city": 0.1, "industry": 0.2, "national": 0.15, "group": 0.05},
        industry=("JGJ/T", "CJJ/T"), groups=("T/GDJSKB",), gb_range=(50001, 51399),
    ),
    Family(
        "digital", "数字政府与信息基础设施", "35.240.01", "L70", ("services", "software"),
        (
            A("技术规范", "Technical specification", "的系统架构、功能要求、性能要求和测试方法"),
            A("建设规范", "Specification for construction", "的规划布局、建设内容、施工和验收要求"),
            A("运行维护规范", "Specification for operation and maintenance", "的运行监测、维护保养、故障处理和安全管理要求"),
            A("分类分级指南", "Guidelines for classification and grading", "的分类原则、分级方法和管理要求"),
            A("数据接口规范", "Specification for data interfaces", "数据接口的数据格式、传输协议和安全要求"),
        ),
        (
            S("智慧灯杆", "Smart lamp poles", ("技术规范", "建设规范", "运行维护规范"), ics="93.080.40", ccs="P63",
              cities=("440100", "440300")),
            S("公共数据", "Public data", ("分类分级指南", "数据接口规范")),
            S("数据中心", "Data centres", ("建设规范", "运行维护规范"), ics="35.110", ccs="L79"),
            S("5G基站", "5G base stations", ("建设规范", "运行维护规范"), ics="33.070.50", ccs="M36",
              industry="YD/T"),
            S("电子证照", "Electronic licences and certificates", ("技术规范", "数据接口规范"), ccs="L72"),
        ),
        "广东省信息技术标准化技术委员会", ("广东省电子技术研究所", "广东省标准化研究院", "数字广东网络建设有限公司",
                                "中国电子技术标准化研究院华南分院"),
        {"local": 0.5, "city": 0.15, "industry": 0.15, "group": 0.1, "national": 0.1},
        industry=("SJ/T",), groups=("T/GDBDA", "T/SZS"),
    ),
    Family(
        "lingnan-herbs", "南药", "11.120.10", "C23", ("agriculture", "biomedicine"),
        (
            A("种植技术规程", "Code of practice for cultivation", "种植的产地环境、选地整地、繁殖、田间管理和采收技术要求",
              ics="65.020.20", ccs="B38"),
            A("产地初加工技术规程", "Code of practice for primary processing in producing areas",
              "采收后的净选、切制、干燥、包装和贮存要求"),
            A("商品规格等级", "Commercial specifications and grades", "的规格等级划分、性状要求和检验方法"),
        ),
        (
            S("化橘红", "Exocarpium Citri Grandis", cities=("440900",)),
            S("广藿香", "Pogostemon cablin", cities=("440800", "441200")),
            S("阳春砂仁", "Amomum villosum (Yangchun)", cities=("441700",)),
            S("巴戟天", "Morinda officinalis", ("种植技术规程", "商品规格等级"), cities=("441200",)),
        ),
        "广东省中医药标准化技术委员会", ("广州中医药大学", "广东省农业科学院作物研究所", "广东省药品检验所"),
        {"local": 0.55, "city": 0.2, "group": 0.25}, groups=("T/GDTCM",),
    ),
)

# The 21 cities of Guangdong (GB/T 2260), for the city series DB44xx/T and their bureaus.
CITIES = {
    "440100": "广州市", "440200": "韶关市", "440300": "深圳市", "440400": "珠海市", "440500": "汕头市",
    "440600": "佛山市", "440700": "江门市", "440800": "湛江市", "440900": "茂名市", "441200": "肇庆市",
    "441300": "惠州市", "441400": "梅州市", "441500": "汕尾市", "441600": "河源市", "441700": "阳江市",
    "441800": "清远市", "441900": "东莞市", "442000": "中山市", "445100": "潮州市", "445200": "揭阳市",
    "445300": "云浮市",
}
DEFAULT_CITIES = ("440100", "440300", "440600", "441900")

# DB44 sequence numbers of some real years (DB44/ 26—2001 … DB44/ 2208—2019): one sequence runs on.
DB44_ANCHORS = ((2000, 1), (2001, 26), (2009, 613), (2010, 815), (2015, 1597), (2016, 1837), (2017, 1989),
                (2019, 2159), (2020, 2260), (2026, 2760))

FAMILY_BY_KEY = {f.key: f for f in FAMILIES}
