"""The codes of ../shared/taxonomy.md: levels, whistle classes, emergency lines, channels, departments."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """The "631" resolution levels, lowest first."""

    village = "village"
    township = "township"
    county = "county"


LEVEL_ORDER: tuple[Level, ...] = (Level.village, Level.township, Level.county)

# The 631 target shares, by level.
TARGET_631: dict[Level, float] = {Level.village: 0.6, Level.township: 0.3, Level.county: 0.1}


class WhistleClass(StrEnum):
    """Whistle class (一般 / 攻坚 / 紧急): drives the clocks."""

    ordinary = "ordinary"
    hard = "hard"
    urgent = "urgent"


class EmergencyLine(StrEnum):
    """Emergency lines an appeal is handed over to instead of being dispatched."""

    police = "110"
    fire = "119"
    medical = "120"
    traffic = "122"


class Channel(StrEnum):
    """Intake channels merged into one number (多号并一号)."""

    hotline_12345_phone = "12345_phone"
    consumer_12315 = "12315"
    web = "web"
    mini_program = "mini_program"
    grid_worker = "grid_worker"
    online_opinion = "online_opinion"
    offline_visit = "offline_visit"
    upper_transfer = "upper_transfer"
    email = "email"
    sms = "sms"
    wechat = "wechat"
    open311 = "open311"


# Citizens' own self-service channels: they submit without an API key and get a citizen token.
CITIZEN_CHANNELS: frozenset[Channel] = frozenset({Channel.web, Channel.mini_program, Channel.wechat})


class UnitKind(StrEnum):
    """What kind of handling unit (承办单位) a unit code names."""

    department = "department"
    township = "township"
    village = "village"
    grid = "grid"
    centre = "centre"


# Default county departments (taxonomy.md): code -> Chinese name. Deployments may extend this.
COUNTY_DEPARTMENTS: dict[str, str] = {
    "housing": "住房和城乡建设局",
    "urban_mgmt": "城市管理执法局",
    "market": "市场监督管理局",
    "ecology": "生态环境局",
    "hr_social": "人力资源和社会保障局",
    "police": "公安局",
    "traffic_police": "公安交警大队",
    "transport": "交通运输局",
    "water_utility": "供水公司",
    "power_utility": "供电公司",
    "gas_utility": "燃气公司",
    "water_resources": "水利和湖泊局",
    "education": "教育局",
    "health": "卫生健康局",
    "medical_security": "医疗保障局",
    "civil_affairs": "民政局",
    "natural_resources": "自然资源和规划局",
    "agriculture": "农业农村局",
    "emergency_mgmt": "应急管理局",
    "fire_rescue": "消防救援大队",
    "culture_tourism": "文化和旅游局",
    "tax": "税务局",
    "gov_services": "政务服务和大数据管理局",
}
