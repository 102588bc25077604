"""Projects: proposing a local standard (立项申请), and finding the standard a revision revises."""

from __future__ import annotations

from typing import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organisation, User
from accounts.permissions import can, roles_of
from accounts.roles import Action as AccountAction
from accounts.roles import Role as AccountRole
from accounts.roles import region_within
from catalogue.models import Standard
from catalogue.numbers import StandardNumberError, parse_number
from lifecycle.errors import (
    LifecycleError,
    NotAllowed,
    plain,
)
from lifecycle.models import (
    LocalStandardProject,
    ProjectStage,
)
from lifecycle.access import city_name
from lifecycle.numbering import next_project_code
from lifecycle.transitions import State
from trail.services import record

Project = LocalStandardProject


# ---------------------------------------------------------------------------------------------------------------
# Proposal.
def standard_to_revise(number_text: str):
    """The catalogue standard a revision project (修订项目) revises, from the number a person typed; None for none."""

    text = (number_text or "").strip()
    if not text:
        return None
    try:
        number = parse_number(text).canonical
    except StandardNumberError as exc:
        raise LifecycleError(str(exc)) from exc
    standard = Standard.objects.filter(number=number).first()
    if standard is None:
        raise LifecycleError(gettext("目录中没有标准 %(n)s") % {"n": number})
    return standard


@transaction.atomic
def propose(
    *,
    by: User,
    title_zh: str,
    proposer: Organisation | None = None,
    drafting_organisations: Iterable[Organisation] = (),
    technical_committee: Organisation | None = None,
    city_code: str = "440000",
    kind: str = Project.Kind.NEW,
    nature: str = Project.Nature.RECOMMENDED,
    mandatory_basis: str = "",
    title_en: str = "",
    scope: str = "",
    necessity: str = "",
    ics_code: str = "",
    revises=None,
    predecessor: Project | None = None,
    is_demo: bool = False,
) -> Project:
    """Open a proposal (立项申请) in state APPLICATION; the proposer submits it with the application form."""
    if not can(by, AccountAction.LIFECYCLE_PROPOSE):
        raise LifecycleError("当前账户无权提出立项申请")
    title_zh = (title_zh or "").strip()
    if not title_zh:
        raise LifecycleError("请填写标准名称")
    if len(title_zh) > 300:
        raise LifecycleError("标准名称不能超过 300 字")
    proposer = proposer or by.organisation
    if proposer is None:
        raise LifecycleError("提出单位不能为空：当前账户不属于任何机构")
    if nature == Project.Nature.MANDATORY and not mandatory_basis.strip():
        raise LifecycleError("强制性地方标准须写明法律依据（仅环境保护、食品安全等法律授权的领域可制定）")
    if kind == Project.Kind.REVISION and revises is None:
        raise LifecycleError("修订项目须指明被修订的标准")
    if AccountRole.CITY_OFFICER in roles_of(by) and not can(by, AccountAction.LIFECYCLE_MANAGE):
        region = getattr(by.organisation, "region_code", "")
        if not region_within(city_code, region):
            own = city_name(region) or region
            asked = city_name(city_code) or ("全省" if city_code == "440000" else city_code)
            unit = getattr(by.organisation, "name", "") or "本账户"
            raise NotAllowed(f"{unit}只能为{own}提出立项申请，不能为{asked}提出")
    now = timezone.now()
    project = Project.objects.create(
        code=next_project_code(now.year), title_zh=title_zh, title_en=title_en.strip(), kind=kind, nature=nature,
        mandatory_basis=mandatory_basis.strip(), proposer=proposer, technical_committee=technical_committee,
        city_code=city_code, scope=scope, necessity=necessity, ics_code=ics_code, revises=revises,
        predecessor=predecessor, created_by=by, stage_entered_at=now, is_demo=is_demo,
    )
    project.drafting_organisations.set(list(drafting_organisations))
    ProjectStage.objects.create(project=project, state=State.APPLICATION, entered_at=now)
    record(project, actor=by, kind="created", data=plain({
        "code": project.code, "title_zh": title_zh, "kind": str(kind), "nature": str(nature),
        "proposer": proposer.name, "drafting_organisations": [o.name for o in drafting_organisations],
        "technical_committee": technical_committee.name if technical_committee else "",
        "city_code": str(city_code), "revises": getattr(revises, "number", ""),
        "predecessor": predecessor.code if predecessor else "",
    }))
    return project
