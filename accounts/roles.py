"""Roles and what each may do (角色与权限): a pure table, no Django import, so it can be read and tested alone."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PROVINCIAL_ADMIN = "provincial_admin"  # 省市场监管局 系统管理员
    PROVINCIAL_OFFICER = "provincial_officer"  # 省市场监管局 标准化处工作人员
    CITY_OFFICER = "city_officer"  # 地市市场监管局 工作人员
    COMMITTEE_SECRETARY = "committee_secretary"  # 标准化技术委员会 秘书处
    DRAFTER = "drafter"  # 起草单位 联系人
    ENTERPRISE_USER = "enterprise_user"  # 企业 标准化人员
    ASSOCIATION_USER = "association_user"  # 社会团体 标准化人员
    EVALUATOR = "evaluator"  # 第三方评估机构
    EXPERT = "expert"  # 专家库专家
    DEPARTMENT_OFFICER = "department_officer"  # 行业主管部门 工作人员 (proposes local standards)


ROLE_LABELS = {
    Role.PROVINCIAL_ADMIN: ("省局管理员", "Provincial bureau administrator"),
    Role.PROVINCIAL_OFFICER: ("省局标准化工作人员", "Provincial bureau officer"),
    Role.CITY_OFFICER: ("地市局工作人员", "City bureau officer"),
    Role.COMMITTEE_SECRETARY: ("技术委员会秘书处", "Technical committee secretariat"),
    Role.DRAFTER: ("起草单位联系人", "Drafting organisation contact"),
    Role.ENTERPRISE_USER: ("企业用户", "Enterprise user"),
    Role.ASSOCIATION_USER: ("社会团体用户", "Association user"),
    Role.EVALUATOR: ("第三方评估机构", "Third-party evaluator"),
    Role.EXPERT: ("专家", "Expert"),
    Role.DEPARTMENT_OFFICER: ("行业主管部门工作人员", "Competent department officer"),
}


class Action(StrEnum):
    """Everything a view, endpoint or command may be asked to do; `PUBLIC` needs no login."""

    PUBLIC = "public"  # search and read the catalogue, feeds, API docs
    CATALOGUE_IMPORT = "catalogue.import"  # 批量导入标准目录
    CATALOGUE_EDIT = "catalogue.edit"  # 维护标准题录
    ACCOUNTS_MANAGE = "accounts.manage"  # 管理机构、用户与角色
    AUTHENTICATED = "authenticated"  # any signed-in user (own inbox, own profile)
    LIFECYCLE_PROPOSE = "lifecycle.propose"  # 提出地方标准立项申请
    LIFECYCLE_WORK = "lifecycle.work"  # 参与地方标准项目（待我处理、项目页；对象级权限见 lifecycle.access）
    LIFECYCLE_MANAGE = "lifecycle.manage"  # 管理地方标准项目、专家库、规定期限
    LIFECYCLE_ANALYTICS = "lifecycle.analytics"  # 查看制定周期统计
    COMPARE_RUN = "compare.run"  # 标准比对：比对两项标准、寻找对应标准、查看自己的和公开文本的比对
    COMPARE_MANAGE = "compare.manage"  # 查看全部比对记录（含他人上传文件的比对）


# Who may do what. Object-level limits (a city officer only for its own city) live in accounts.permissions.can().
_BUREAU_LIFECYCLE = {Action.LIFECYCLE_PROPOSE, Action.LIFECYCLE_WORK, Action.LIFECYCLE_MANAGE, Action.LIFECYCLE_ANALYTICS}
# Comparison is a service to everyone who works with standards; only the bureau sees other people's uploads.
_COMPARE = {Action.COMPARE_RUN}
_BUREAU_COMPARE = {Action.COMPARE_RUN, Action.COMPARE_MANAGE}
GRANTS: dict[Role, frozenset[Action]] = {
    Role.PROVINCIAL_ADMIN: frozenset(
        {Action.CATALOGUE_IMPORT, Action.CATALOGUE_EDIT, Action.ACCOUNTS_MANAGE, *_BUREAU_LIFECYCLE, *_BUREAU_COMPARE}
    ),
    Role.PROVINCIAL_OFFICER: frozenset(
        {Action.CATALOGUE_IMPORT, Action.CATALOGUE_EDIT, *_BUREAU_LIFECYCLE, *_BUREAU_COMPARE}
    ),
    Role.CITY_OFFICER: frozenset({
        Action.CATALOGUE_IMPORT, Action.CATALOGUE_EDIT, Action.LIFECYCLE_PROPOSE, Action.LIFECYCLE_WORK,
        Action.LIFECYCLE_ANALYTICS, *_COMPARE,
    }),
    Role.COMMITTEE_SECRETARY: frozenset({Action.LIFECYCLE_WORK, *_COMPARE}),
    Role.DRAFTER: frozenset({Action.LIFECYCLE_WORK, *_COMPARE}),
    Role.ENTERPRISE_USER: frozenset(_COMPARE),
    Role.ASSOCIATION_USER: frozenset(_COMPARE),
    Role.EVALUATOR: frozenset({Action.LIFECYCLE_WORK, *_COMPARE}),
    Role.EXPERT: frozenset({Action.LIFECYCLE_WORK, *_COMPARE}),
    Role.DEPARTMENT_OFFICER: frozenset({Action.LIFECYCLE_PROPOSE, Action.LIFECYCLE_WORK, *_COMPARE}),
}

# Roles whose powers are bounded by the region of their organisation.
REGION_BOUND_ROLES = frozenset({Role.CITY_OFFICER})


def role_allows(roles: set[str] | frozenset[str], action: str) -> bool:
    """Whether any of `roles` grants `action` (ignoring object-level limits)."""
    if action == Action.PUBLIC:
        return True
    for role in roles:
        try:
            if action in GRANTS[Role(role)]:
                return True
        except ValueError:
            continue
    return False


def region_within(child_code: str | None, parent_code: str | None) -> bool:
    """Whether GB/T 2260 code `child_code` lies inside `parent_code` (440103 within 440100 within 440000)."""
    if not child_code or not parent_code:
        return False
    significant = parent_code.rstrip("0")
    # 440100 → "4401"; 440000 → "44"; keep an even length so 441000 does not become "441".
    if len(significant) % 2:
        significant += "0"
    return child_code.startswith(significant)
