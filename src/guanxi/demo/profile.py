"""The profile side of demo customers (city, industry, source, lifecycle, birthdays, tags, contacts), generated from a
random stream of its own so the base rows (names, phones, emails, owners) stay exactly as `generators` makes them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from guanxi.demo.generators import COMPANY, CustomerGenerator, CustomerRow, _Weighted

CITY_PROVINCE: dict[str, str] = {
    "上海": "上海市",
    "北京": "北京市",
    "深圳": "广东省",
    "广州": "广东省",
    "杭州": "浙江省",
    "苏州": "江苏省",
    "成都": "四川省",
    "南京": "江苏省",
    "武汉": "湖北省",
    "重庆": "重庆市",
    "天津": "天津市",
    "西安": "陕西省",
    "宁波": "浙江省",
    "青岛": "山东省",
    "厦门": "福建省",
    "东莞": "广东省",
    "佛山": "广东省",
    "长沙": "湖南省",
    "合肥": "安徽省",
    "郑州": "河南省",
    "无锡": "江苏省",
    "济南": "山东省",
    "福州": "福建省",
    "昆明": "云南省",
    "大连": "辽宁省",
    "沈阳": "辽宁省",
}
_CITY_WEIGHTS = _Weighted([(city, 1.0 / (i + 1)) for i, city in enumerate(CITY_PROVINCE)])

# Industry word in a generated company name → Industry choice.
INDUSTRY_OF_WORD: dict[str, str] = {
    "科技": "it",
    "信息技术": "it",
    "网络科技": "it",
    "贸易": "retail",
    "商贸": "retail",
    "实业": "manufacturing",
    "电子": "manufacturing",
    "生物科技": "healthcare",
    "医疗器械": "healthcare",
    "餐饮管理": "hospitality",
    "文化传媒": "media",
    "建筑工程": "real_estate",
    "物流": "logistics",
    "供应链管理": "logistics",
    "教育科技": "education",
    "食品": "manufacturing",
    "新材料": "manufacturing",
    "环保科技": "energy",
    "机械设备": "manufacturing",
    "咨询": "other",
}
_SOURCES = _Weighted(
    [
        ("referral", 18),
        ("web_form", 20),
        ("event", 12),
        ("ad", 14),
        ("phone", 10),
        ("social", 14),
        ("walk_in", 5),
        ("partner", 7),
    ]
)
_SIZES = _Weighted([("1-9", 25), ("10-49", 35), ("50-199", 22), ("200-999", 12), ("1000+", 6)])
TAGS: tuple[str, ...] = ("VIP", "重点客户", "老客户", "展会客户", "渠道商", "价格敏感", "需回访", "Key account")
_TITLES = _Weighted(
    [
        ("总经理", 6),
        ("采购经理", 10),
        ("销售总监", 4),
        ("财务经理", 5),
        ("技术负责人", 5),
        ("行政主管", 4),
        ("采购专员", 8),
        ("运营经理", 5),
    ]
)
_CONTACT_ROLES = {
    "总经理": "decision_maker",
    "采购经理": "purchaser",
    "销售总监": "influencer",
    "财务经理": "finance",
    "技术负责人": "technical",
    "行政主管": "user",
    "采购专员": "purchaser",
    "运营经理": "user",
}


@dataclass
class ContactRow:
    name: str
    title: str
    role: str
    phone: str
    email: str
    is_primary: bool


@dataclass
class ProfileRow:
    city: str
    province: str
    industry: str
    company_size: str
    source: str
    lifecycle_stage: str
    gender: str
    birthday: dt.date | None
    tags: list[str] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)


class ProfileGenerator:
    def __init__(self, *, seed: int, now: dt.datetime) -> None:
        self.rng = random.Random(seed * 7919 + 17)
        self.now = now
        self.people = CustomerGenerator(seed=seed * 104729 + 3, owners=[], now=now)

    def _lifecycle(self, row: CustomerRow) -> str:
        age_days = (self.now - row.created_at).days
        r = self.rng.random()
        if age_days < 30:
            return "new" if r < 0.6 else "prospect"
        if age_days < 180:
            return "active" if r < 0.5 else ("prospect" if r < 0.8 else "new")
        return "loyal" if r < 0.25 else "active" if r < 0.55 else "at_risk" if r < 0.75 else "churned"

    def profile(self, row: CustomerRow) -> ProfileRow:
        rng = self.rng
        if row.kind == COMPANY:
            city = next((c for c in CITY_PROVINCE if row.name.startswith(c)), _CITY_WEIGHTS.pick(rng))
            word = next((w for w in sorted(INDUSTRY_OF_WORD, key=len, reverse=True) if w in row.name), "")
            industry = INDUSTRY_OF_WORD.get(word, "other")
            size, gender, birthday = _SIZES.pick(rng), "", None
            contacts = []
            for i in range(rng.choice((1, 1, 2, 2, 3))):
                name, email = self.people.chinese_person()
                title = _TITLES.pick(rng)
                contacts.append(
                    ContactRow(
                        name=name,
                        title=title,
                        role=_CONTACT_ROLES[title],
                        phone=self.people.phone() if rng.random() < 0.9 else "",
                        email=email if rng.random() < 0.6 else "",
                        is_primary=i == 0,
                    )
                )
        else:
            city, industry, size, contacts = _CITY_WEIGHTS.pick(rng), "", "", []
            gender = "female" if rng.random() < 0.5 else "male"
            birthday = None
            if rng.random() < 0.45:
                birthday = dt.date(rng.randrange(1960, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        tags = [t for t in TAGS if rng.random() < 0.06]
        return ProfileRow(
            city=city,
            province=CITY_PROVINCE[city],
            industry=industry,
            company_size=size,
            source=_SOURCES.pick(rng),
            lifecycle_stage=self._lifecycle(row),
            gender=gender,
            birthday=birthday,
            tags=tags,
            contacts=contacts,
        )
