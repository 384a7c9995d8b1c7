"""Word lists behind the demo data: surnames by real frequency, given-name characters, English names, company parts.

Surname weights are the number of holders in millions (Ministry of Public Security household register, 2019/2020
rankings, rounded); they only need to be right in proportion.
"""

from __future__ import annotations

# fmt: off
# (surname, millions of holders)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 101.5), ("李", 100.9), ("张", 95.4), ("刘", 72.1), ("陈", 63.3), ("杨", 46.2), ("黄", 33.7), ("赵", 28.6),
    ("吴", 27.8), ("周", 26.8), ("徐", 20.2), ("孙", 19.4), ("马", 19.0), ("朱", 18.1), ("胡", 16.5), ("郭", 15.8),
    ("何", 14.9), ("林", 14.1), ("高", 14.0), ("罗", 13.9), ("郑", 13.1), ("梁", 12.9), ("谢", 10.9), ("宋", 10.0),
    ("唐", 9.7), ("许", 9.5), ("韩", 9.3), ("邓", 9.0), ("冯", 9.0), ("曹", 8.6), ("彭", 8.5), ("曾", 8.2),
    ("肖", 7.8), ("田", 7.3), ("董", 7.2), ("潘", 6.8), ("袁", 6.8), ("蔡", 6.4), ("蒋", 6.3), ("余", 6.2),
    ("于", 6.2), ("杜", 6.0), ("叶", 5.9), ("程", 5.8), ("魏", 5.6), ("苏", 5.6), ("吕", 5.6), ("丁", 5.5),
    ("任", 5.4), ("卢", 5.2), ("姚", 5.2), ("沈", 5.1), ("钟", 4.9), ("姜", 4.9), ("崔", 4.8), ("谭", 4.7),
    ("陆", 4.6), ("范", 4.3), ("汪", 4.3), ("廖", 4.3), ("石", 4.2), ("金", 4.2), ("韦", 4.1), ("贾", 4.1),
    ("夏", 4.0), ("付", 3.9), ("方", 3.9), ("邹", 3.7), ("熊", 3.7), ("白", 3.7), ("孟", 3.6), ("秦", 3.6),
    ("邱", 3.5), ("侯", 3.4), ("江", 3.4), ("尹", 3.3), ("薛", 3.2), ("闫", 3.2), ("段", 3.1), ("雷", 3.1),
    ("龙", 2.9), ("黎", 2.9), ("史", 2.9), ("陶", 2.8), ("贺", 2.8), ("毛", 2.7), ("郝", 2.7), ("顾", 2.7),
    ("龚", 2.6), ("邵", 2.6), ("万", 2.5), ("覃", 2.5), ("武", 2.5), ("钱", 2.4), ("戴", 2.4), ("严", 2.4),
    ("莫", 2.3), ("孔", 2.3), ("向", 2.3), ("常", 2.2), ("汤", 2.2), ("翟", 1.4), ("欧阳", 1.1), ("司马", 0.1),
    ("上官", 0.1), ("诸葛", 0.1),
)

# Surnames whose reading differs from the character's most common reading.
SURNAME_PINYIN: dict[str, str] = {
    "曾": "zeng", "覃": "qin", "翟": "zhai", "单": "shan", "区": "ou", "解": "xie", "仇": "qiu", "查": "zha",
    "朴": "piao", "缪": "miao",
}

# Characters common in given names, with rough weights; none of them has an ambiguous reading in names.
GIVEN_MALE: tuple[tuple[str, int], ...] = (
    ("伟", 30), ("强", 18), ("磊", 18), ("军", 16), ("洋", 15), ("勇", 15), ("杰", 15), ("涛", 14), ("明", 14),
    ("超", 13), ("刚", 12), ("平", 11), ("辉", 11), ("鹏", 11), ("华", 11), ("飞", 10), ("鑫", 10), ("波", 10),
    ("斌", 9), ("宇", 12), ("浩", 12), ("凯", 9), ("健", 9), ("俊", 10), ("帆", 7), ("帅", 6), ("旭", 7), ("宁", 6),
    ("龙", 8), ("林", 7), ("峰", 9), ("晨", 8), ("阳", 9), ("博", 8), ("文", 9), ("志", 9), ("建", 8), ("国", 8),
    ("海", 8), ("东", 7), ("子", 9), ("轩", 8), ("睿", 7), ("泽", 7), ("昊", 6), ("天", 6), ("一", 6), ("家", 6),
    ("嘉", 6), ("成", 6), ("德", 5), ("永", 5), ("晓", 5), ("亮", 6), ("毅", 5), ("翔", 5), ("宏", 5), ("振", 4),
    ("立", 4), ("新", 4), ("春", 4), ("金", 4), ("云", 4), ("锦", 3), ("铭", 5), ("豪", 4), ("航", 4),
)

GIVEN_FEMALE: tuple[tuple[str, int], ...] = (
    ("芳", 25), ("娜", 22), ("敏", 20), ("静", 20), ("丽", 18), ("艳", 15), ("娟", 13), ("霞", 12), ("秀", 10),
    ("英", 10), ("玲", 12), ("婷", 14), ("雪", 12), ("慧", 11), ("洁", 10), ("琳", 10), ("颖", 10), ("倩", 9),
    ("萍", 9), ("红", 9), ("燕", 9), ("梅", 8), ("蕾", 6), ("薇", 7), ("晶", 7), ("欣", 10), ("怡", 10), ("佳", 9),
    ("悦", 8), ("诗", 7), ("雨", 9), ("涵", 9), ("梦", 7), ("琪", 8), ("瑶", 7), ("晓", 7), ("丹", 7), ("璐", 5),
    ("露", 5), ("彤", 6), ("可", 6), ("馨", 7), ("心", 5), ("若", 4), ("紫", 4), ("萱", 6), ("月", 5), ("嘉", 5),
    ("思", 7), ("凤", 4), ("兰", 5), ("楠", 6), ("淑", 4), ("宁", 4), ("文", 5), ("雅", 6), ("婉", 4),
)

ENGLISH_FIRST: tuple[str, ...] = (
    "James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas", "Daniel", "Matthew", "Andrew",
    "Kevin", "Brian", "Eric", "Jason", "Peter", "Mark", "Steven", "Paul", "Alex", "Mary", "Patricia", "Jennifer",
    "Linda", "Elizabeth", "Susan", "Jessica", "Sarah", "Karen", "Emily", "Emma", "Olivia", "Sophia", "Grace", "Anna",
    "Laura", "Rachel", "Hannah", "Lucy", "Chloe", "Tony", "Vincent", "Jack", "Leo", "Amy", "Cindy", "Helen",
)

ENGLISH_LAST: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas",
    "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King",
    "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Campbell", "Mitchell", "Roberts", "Carter", "Müller",
    "Schmidt", "Dubois", "Rossi", "Tanaka", "Kim", "Park", "Nguyen", "Wong", "Chan", "Lee", "Tan",
)

# City prefixes of company names, weighted roughly by the number of registered companies.
CITIES: tuple[tuple[str, int], ...] = (
    ("上海", 14), ("北京", 13), ("深圳", 12), ("广州", 10), ("杭州", 8), ("苏州", 7), ("成都", 6), ("南京", 5),
    ("武汉", 5), ("重庆", 5), ("天津", 4), ("西安", 4), ("宁波", 3), ("青岛", 3), ("厦门", 3), ("东莞", 3),
    ("佛山", 3), ("长沙", 3), ("合肥", 3), ("郑州", 3), ("无锡", 2), ("济南", 2), ("福州", 2), ("昆明", 2),
    ("大连", 2), ("沈阳", 2),
)

# Two of these make a brand ("华瑞", "鑫达"); all are read unambiguously in brand names.
BRAND_CHARS: str = "华瑞鑫达盛恒泰康宏远兴隆昌源通创新锦程博嘉安信诚祥宇航天海中联合众德利美佳优智云腾讯飞凯"

INDUSTRIES: tuple[tuple[str, int], ...] = (
    ("科技", 20), ("信息技术", 8), ("网络科技", 8), ("贸易", 12), ("实业", 6), ("电子", 6), ("生物科技", 4),
    ("餐饮管理", 4), ("文化传媒", 5), ("建筑工程", 4), ("物流", 5), ("医疗器械", 3), ("教育科技", 3), ("食品", 4),
    ("新材料", 3), ("环保科技", 3), ("机械设备", 4), ("商贸", 5), ("咨询", 4), ("供应链管理", 3),
)

COMPANY_FORMS: tuple[tuple[str, int], ...] = (
    ("有限公司", 85), ("股份有限公司", 10), ("集团有限公司", 5),
)

ENGLISH_COMPANY_WORDS: tuple[str, ...] = (
    "Bright", "Harbor", "Pacific", "Summit", "Nova", "Silver", "Golden", "Blue", "River", "Peak", "Orient", "Lotus",
    "Jade", "Dragon", "Horizon", "Crescent", "Maple", "Cedar", "Atlas", "Vertex", "Northstar", "Evergreen",
)

ENGLISH_COMPANY_TRADES: tuple[str, ...] = (
    "Trading", "Systems", "Logistics", "Technologies", "Consulting", "Foods", "Industries", "Solutions", "Partners",
    "Electronics", "Healthcare", "Media", "Capital", "Materials",
)

ENGLISH_COMPANY_FORMS: tuple[str, ...] = (
    "Co., Ltd.", "Ltd.", "Limited", "Inc.", "Group", "GmbH", "Pte. Ltd.",
)

# Mainland mobile prefixes (first three digits) with rough market weights; every 8-digit suffix is a valid number.
MOBILE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("130", 4), ("131", 4), ("132", 4), ("133", 4), ("134", 4), ("135", 6), ("136", 6), ("137", 6), ("138", 7),
    ("139", 7), ("145", 1), ("147", 1), ("150", 4), ("151", 4), ("152", 4), ("153", 3), ("155", 3), ("156", 3),
    ("157", 3), ("158", 4), ("159", 4), ("166", 2), ("173", 2), ("175", 1), ("176", 2), ("177", 2), ("178", 2),
    ("180", 3), ("181", 3), ("182", 3), ("183", 3), ("184", 1), ("185", 3), ("186", 4), ("187", 4), ("188", 4),
    ("189", 4), ("191", 2), ("198", 2), ("199", 2),
)

PERSONAL_EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("qq.com", 35), ("163.com", 20), ("126.com", 9), ("foxmail.com", 5), ("sina.com", 5), ("139.com", 4),
    ("aliyun.com", 3), ("outlook.com", 5), ("gmail.com", 4), ("hotmail.com", 3), ("yeah.net", 2), ("sohu.com", 2),
)

ENGLISH_EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("gmail.com", 40), ("outlook.com", 20), ("hotmail.com", 10), ("yahoo.com", 10), ("icloud.com", 10), ("qq.com", 5),
    ("163.com", 5),
)

COMPANY_MAILBOXES: tuple[str, ...] = (
    "info", "contact", "sales", "service", "hr", "admin", "office", "market",
)

COMPANY_TLDS: tuple[tuple[str, int], ...] = (
    (".com", 50), (".cn", 25), (".com.cn", 20), (".net", 5),
)
# fmt: on
