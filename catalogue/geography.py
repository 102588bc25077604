"""The province's geography (广东省行政区划): Guangdong and its 21 prefecture-level cities by GB/T 2260 code
(docs/domain.md), and the names users write for them (广州 / 广州市 / 广东省广州市).

Pure Python, no Django: every room may read it (the catalogue's import checks, lifecycle's review pages).
"""

GUANGDONG = "440000"
GD_CITY_CODES = {
    "广州": "440100", "韶关": "440200", "深圳": "440300", "珠海": "440400", "汕头": "440500", "佛山": "440600",
    "江门": "440700", "湛江": "440800", "茂名": "440900", "肇庆": "441200", "惠州": "441300", "梅州": "441400",
    "汕尾": "441500", "河源": "441600", "阳江": "441700", "清远": "441800", "东莞": "441900", "中山": "442000",
    "潮州": "445100", "揭阳": "445200", "云浮": "445300",
}
REGION_NAMES = {"广东": GUANGDONG, "广东省": GUANGDONG}
for _name, _code in GD_CITY_CODES.items():
    REGION_NAMES[_name] = REGION_NAMES[_name + "市"] = _code
    REGION_NAMES["广东" + _name] = REGION_NAMES["广东省" + _name] = REGION_NAMES["广东省" + _name + "市"] = _code
del _name, _code
