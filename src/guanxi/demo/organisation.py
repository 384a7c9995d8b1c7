"""The demo organisation as data: departments, roles, users and teams that `guanxi seed` makes sure exist.

Names are the records' names (a Chinese company's org chart), not interface text, so they are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "guanxi-demo"  # printed by `guanxi demo_logins`; a demo database only
SEED_ACTOR = "guanxi seed"  # actor name of the audit entry for the bulk customer insert

HQ, SALES, EAST, SOUTH, NORTH, SERVICE, MARKETING = "总部", "销售部", "华东区", "华南区", "华北区", "客服部", "市场部"

# (name, parent name); parents come before their children.
DEPARTMENTS: tuple[tuple[str, str | None], ...] = (
    (HQ, None),
    (SALES, HQ),
    (EAST, SALES),
    (SOUTH, SALES),
    (NORTH, SALES),
    (SERVICE, HQ),
    (MARKETING, HQ),
)

ADMINISTRATOR, SALES_DIRECTOR, REGIONAL_MANAGER, TEAM_LEAD, SALES_REP, SERVICE_AGENT = (
    "系统管理员",
    "销售总监",
    "区域经理",
    "团队主管",
    "销售代表",
    "客服专员",
)


@dataclass(frozen=True)
class RoleSpec:
    name: str
    description: str
    # Permission codes, or "*" (every registered permission) and "customers.*" (every customers permission).
    permissions: tuple[str, ...]
    scope: str  # data scope for every domain the role names ("*" = every registered domain)
    domains: tuple[str, ...] = ("customers",)


ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(ADMINISTRATOR, "全部权限，查看全部数据", ("*",), "all", ("*",)),
    RoleSpec(SALES_DIRECTOR, "全部客户", ("customers.*",), "all"),
    RoleSpec(
        REGIONAL_MANAGER,
        "本部门及下级部门的客户",
        ("customers.view", "customers.create", "customers.change", "customers.export", "customers.reveal"),
        "department",
    ),
    RoleSpec(
        TEAM_LEAD,
        "本团队的客户",
        ("customers.view", "customers.create", "customers.change", "customers.reveal"),
        "team",
    ),
    RoleSpec(SALES_REP, "自己的客户", ("customers.view", "customers.create", "customers.change"), "own"),
    RoleSpec(SERVICE_AGENT, "查看全部客户（只读）", ("customers.view",), "all"),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    department: str
    role: str
    superuser: bool = False
    showcase: bool = False  # listed first by `guanxi demo_logins`
    owner_weight: float = 0.0  # share of the demo customers this user owns (relative)


USERS: tuple[UserSpec, ...] = (
    UserSpec("admin", "系统管理员", HQ, ADMINISTRATOR, superuser=True, showcase=True),
    UserSpec("director", "王建国", SALES, SALES_DIRECTOR, showcase=True, owner_weight=1),
    UserSpec("manager", "陈志强", EAST, REGIONAL_MANAGER, showcase=True, owner_weight=2),
    UserSpec("manager2", "黄丽华", SOUTH, REGIONAL_MANAGER, owner_weight=2),
    UserSpec("manager3", "赵国栋", NORTH, REGIONAL_MANAGER, owner_weight=2),
    UserSpec("lead", "刘洋", EAST, TEAM_LEAD, showcase=True, owner_weight=4),
    UserSpec("lead2", "孙磊", EAST, TEAM_LEAD, owner_weight=4),
    UserSpec("lead3", "林婷", SOUTH, TEAM_LEAD, owner_weight=4),
    UserSpec("lead4", "马超", NORTH, TEAM_LEAD, owner_weight=4),
    UserSpec("rep", "张伟", EAST, SALES_REP, showcase=True, owner_weight=10),
    UserSpec("rep2", "王芳", EAST, SALES_REP, owner_weight=10),
    UserSpec("rep3", "李娜", EAST, SALES_REP, owner_weight=10),
    UserSpec("rep4", "周杰", EAST, SALES_REP, owner_weight=10),
    UserSpec("rep5", "吴静", SOUTH, SALES_REP, owner_weight=10),
    UserSpec("rep6", "郑浩", SOUTH, SALES_REP, owner_weight=10),
    UserSpec("rep7", "徐敏", NORTH, SALES_REP, owner_weight=10),
    UserSpec("rep8", "何宇", NORTH, SALES_REP, owner_weight=10),
    UserSpec("agent", "高雪", SERVICE, SERVICE_AGENT, showcase=True),
    UserSpec("agent2", "罗欣", SERVICE, SERVICE_AGENT),
)


@dataclass(frozen=True)
class TeamSpec:
    name: str
    department: str
    leader: str
    members: tuple[str, ...]


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("华东一组", EAST, "lead", ("rep", "rep2")),
    TeamSpec("华东二组", EAST, "lead2", ("rep3", "rep4")),
    TeamSpec("华南一组", SOUTH, "lead3", ("rep5", "rep6")),
    TeamSpec("华北一组", NORTH, "lead4", ("rep7", "rep8")),
    TeamSpec("客服一组", SERVICE, "agent", ("agent2",)),
)


def customer_owners() -> list[tuple[str, float]]:
    """(username, weight) of the users who own demo customers."""
    return [(user.username, user.owner_weight) for user in USERS if user.owner_weight > 0]
