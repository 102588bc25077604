"""The life of a local standard as a pure table: state × role × action → next state, documents and conditions.

No Django import: services compute the facts about a project (which documents it has, whether the comment period
has run, …) and the roles the acting user holds *on that project*, and ask `decide()` whether the move is allowed.
The rules follow 地方标准管理办法 (SAMR order 26, 2020), 标准化法 (2017) and 广东省标准化条例 (2020).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


def gettext_noop(text: str) -> str:
    """Marks a label for Django's makemessages without importing Django; pages translate it when they show it."""
    return text


class State(StrEnum):
    """Where a local-standard project (地方标准项目) stands."""

    APPLICATION = "application"  # 立项申请
    ASSESSMENT = "assessment"  # 立项评估
    PUBLICITY = "publicity"  # 立项公示
    DRAFTING = "drafting"  # 起草 (from 立项下达)
    CONSULTATION = "consultation"  # 征求意见
    RESOLUTION = "resolution"  # 意见处理
    TECHNICAL_REVIEW = "technical_review"  # 技术审查
    APPROVAL = "approval"  # 报批
    PUBLISHED = "published"  # 批准发布 (numbered), then 备案 and 公开
    IMPLEMENTING = "implementing"  # 实施
    EVALUATION = "evaluation"  # 实施评估 (third party)
    PERIODIC_REVIEW = "periodic_review"  # 复审
    REVISED = "revised"  # 复审结论：修订 (a new project carries it on)
    WITHDRAWN = "withdrawn"  # 废止
    REJECTED = "rejected"  # 不予立项
    CANCELLED = "cancelled"  # 撤销立项


STATE_LABELS: dict[State, tuple[str, str]] = {
    State.APPLICATION: (gettext_noop("立项申请"), "Proposal"),
    State.ASSESSMENT: (gettext_noop("立项评估"), "Proposal assessment"),
    State.PUBLICITY: (gettext_noop("立项公示"), "Plan publicity"),
    State.DRAFTING: (gettext_noop("起草"), "Drafting"),
    State.CONSULTATION: (gettext_noop("征求意见"), "Public consultation"),
    State.RESOLUTION: (gettext_noop("意见处理"), "Comment resolution"),
    State.TECHNICAL_REVIEW: (gettext_noop("技术审查"), "Technical review"),
    State.APPROVAL: (gettext_noop("报批"), "Submission for approval"),
    State.PUBLISHED: (gettext_noop("批准发布"), "Published"),
    State.IMPLEMENTING: (gettext_noop("实施"), "In force"),
    State.EVALUATION: (gettext_noop("实施评估"), "Implementation evaluation"),
    State.PERIODIC_REVIEW: (gettext_noop("复审"), "Periodic review"),
    State.REVISED: (gettext_noop("修订"), "Revised"),
    State.WITHDRAWN: (gettext_noop("废止"), "Withdrawn"),
    State.REJECTED: (gettext_noop("不予立项"), "Not accepted"),
    State.CANCELLED: (gettext_noop("撤销立项"), "Project withdrawn"),
}

# The drafting cycle (制定周期) runs from 立项下达 (entering DRAFTING) to 批准发布 (entering PUBLISHED).
DRAFTING_CYCLE_STATES = (
    State.DRAFTING, State.CONSULTATION, State.RESOLUTION, State.TECHNICAL_REVIEW, State.APPROVAL,
)
# The main line, in order: what a progress bar on the project page shows.
MAIN_LINE = (
    State.APPLICATION, State.ASSESSMENT, State.PUBLICITY, *DRAFTING_CYCLE_STATES, State.PUBLISHED,
    State.IMPLEMENTING, State.PERIODIC_REVIEW,
)
TERMINAL = frozenset({State.REVISED, State.WITHDRAWN, State.REJECTED, State.CANCELLED})
# States before publication, from which a project may be cancelled or its plan extended.
BEFORE_PUBLICATION = (State.APPLICATION, State.ASSESSMENT, State.PUBLICITY, *DRAFTING_CYCLE_STATES)


class Role(StrEnum):
    """The part a user plays *on one project*; services derive it from the account and the project."""

    PROPOSER = "proposer"  # 行业主管部门 or the city bureau that proposed it
    BUREAU = "bureau"  # 省市场监管局 标准化处
    DRAFTER = "drafter"  # a member of one of the drafting organisations (起草单位)
    COMMITTEE = "committee"  # the secretariat of the responsible technical committee (技术委员会秘书处)
    EVALUATOR = "evaluator"  # the third-party agency commissioned to evaluate it (第三方评估机构)
    SYSTEM = "system"  # scheduled work: periodic review falling due, a referenced standard replaced


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.PROPOSER: (gettext_noop("立项申请单位"), "Proposer"),
    Role.BUREAU: (gettext_noop("省局标准化处"), "Provincial bureau"),
    Role.DRAFTER: (gettext_noop("起草单位"), "Drafting organisation"),
    Role.COMMITTEE: (gettext_noop("技术委员会"), "Technical committee"),
    Role.EVALUATOR: (gettext_noop("第三方评估机构"), "Third-party evaluator"),
    Role.SYSTEM: (gettext_noop("系统"), "System"),
}


class Action(StrEnum):
    """What a user asks to do to a project."""

    SUBMIT_APPLICATION = "submit_application"  # 提交立项申请
    START_PUBLICITY = "start_publicity"  # 立项评估通过，公示
    ISSUE_PLAN = "issue_plan"  # 立项下达
    REJECT_APPLICATION = "reject_application"  # 不予立项
    PUBLISH_DRAFT = "publish_draft"  # 发布征求意见稿
    CLOSE_CONSULTATION = "close_consultation"  # 结束征求意见
    SUBMIT_FOR_REVIEW = "submit_for_review"  # 提交送审稿
    SUBMIT_FOR_APPROVAL = "submit_for_approval"  # 技术审查通过，报批
    APPROVE_PUBLICATION = "approve_publication"  # 批准发布（编号）
    START_IMPLEMENTATION = "start_implementation"  # 开始实施
    COMMISSION_EVALUATION = "commission_evaluation"  # 委托实施效果评估
    SUBMIT_EVALUATION = "submit_evaluation"  # 提交评估报告
    START_PERIODIC_REVIEW = "start_periodic_review"  # 启动复审
    CONFIRM = "confirm"  # 复审结论：继续有效
    REVISE = "revise"  # 复审结论：修订
    WITHDRAW = "withdraw"  # 复审结论：废止
    RETURN_FOR_CHANGES = "return_for_changes"  # 退回修改
    CANCEL = "cancel"  # 撤销立项
    REQUEST_EXTENSION = "request_extension"  # 申请延期
    APPROVE_EXTENSION = "approve_extension"  # 批准延期
    REFUSE_EXTENSION = "refuse_extension"  # 不同意延期
    RECORD_FILING = "record_filing"  # 登记备案
    RECORD_DISCLOSURE = "record_disclosure"  # 登记文本公开


ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.SUBMIT_APPLICATION: (gettext_noop("提交立项申请"), "Submit the proposal"),
    Action.START_PUBLICITY: (gettext_noop("评估通过并公示"), "Pass assessment and publish the plan"),
    Action.ISSUE_PLAN: (gettext_noop("立项下达"), "Issue the plan"),
    Action.REJECT_APPLICATION: (gettext_noop("不予立项"), "Reject the proposal"),
    Action.PUBLISH_DRAFT: (gettext_noop("发布征求意见稿"), "Publish the draft for comment"),
    Action.CLOSE_CONSULTATION: (gettext_noop("结束征求意见"), "Close the consultation"),
    Action.SUBMIT_FOR_REVIEW: (gettext_noop("提交送审稿"), "Submit for technical review"),
    Action.SUBMIT_FOR_APPROVAL: (gettext_noop("报批"), "Submit for approval"),
    Action.APPROVE_PUBLICATION: (gettext_noop("批准发布"), "Approve and publish"),
    Action.START_IMPLEMENTATION: (gettext_noop("开始实施"), "Start implementation"),
    Action.COMMISSION_EVALUATION: (gettext_noop("委托实施效果评估"), "Commission an evaluation"),
    Action.SUBMIT_EVALUATION: (gettext_noop("提交评估报告"), "Submit the evaluation report"),
    Action.START_PERIODIC_REVIEW: (gettext_noop("启动复审"), "Start the periodic review"),
    Action.CONFIRM: (gettext_noop("复审：继续有效"), "Review: confirm"),
    Action.REVISE: (gettext_noop("复审：修订"), "Review: revise"),
    Action.WITHDRAW: (gettext_noop("复审：废止"), "Review: withdraw"),
    Action.RETURN_FOR_CHANGES: (gettext_noop("退回修改"), "Return for changes"),
    Action.CANCEL: (gettext_noop("撤销立项"), "Withdraw the project"),
    Action.REQUEST_EXTENSION: (gettext_noop("申请延期"), "Request an extension"),
    Action.APPROVE_EXTENSION: (gettext_noop("批准延期"), "Approve the extension"),
    Action.REFUSE_EXTENSION: (gettext_noop("不同意延期"), "Refuse the extension"),
    Action.RECORD_FILING: (gettext_noop("登记备案"), "Record the filing"),
    Action.RECORD_DISCLOSURE: (gettext_noop("登记文本公开"), "Record the disclosure"),
}


class Doc(StrEnum):
    """Kinds of documents a project carries (项目文件)."""

    APPLICATION = "application"  # 立项申请书
    DRAFT_FOR_COMMENT = "draft_for_comment"  # 征求意见稿
    EXPLANATORY_REPORT = "explanatory_report"  # 编制说明
    COMMENT_TABLE = "comment_table"  # 意见汇总处理表
    DRAFT_FOR_REVIEW = "draft_for_review"  # 送审稿
    REVIEW_MINUTES = "review_minutes"  # 审查会议纪要
    DRAFT_FOR_APPROVAL = "draft_for_approval"  # 报批稿
    PUBLISHED_TEXT = "published_text"  # 发布文本
    EVALUATION_REPORT = "evaluation_report"  # 实施效果评估报告
    REVIEW_CONCLUSION = "review_conclusion"  # 复审意见
    OTHER = "other"  # 其他材料


DOC_LABELS: dict[Doc, tuple[str, str]] = {
    Doc.APPLICATION: (gettext_noop("立项申请书"), "Proposal form"),
    Doc.DRAFT_FOR_COMMENT: (gettext_noop("征求意见稿"), "Draft for comment"),
    Doc.EXPLANATORY_REPORT: (gettext_noop("编制说明"), "Explanatory report"),
    Doc.COMMENT_TABLE: (gettext_noop("意见汇总处理表"), "Comment resolution table"),
    Doc.DRAFT_FOR_REVIEW: (gettext_noop("送审稿"), "Draft for review"),
    Doc.REVIEW_MINUTES: (gettext_noop("审查会议纪要"), "Review minutes"),
    Doc.DRAFT_FOR_APPROVAL: (gettext_noop("报批稿"), "Draft for approval"),
    Doc.PUBLISHED_TEXT: (gettext_noop("发布文本"), "Published text"),
    Doc.EVALUATION_REPORT: (gettext_noop("实施效果评估报告"), "Evaluation report"),
    Doc.REVIEW_CONCLUSION: (gettext_noop("复审意见"), "Review conclusion"),
    Doc.OTHER: (gettext_noop("其他材料"), "Other"),
}


@dataclass(frozen=True)
class Facts:
    """What services know about a project when a move is asked for; every field has a safe default."""

    documents: frozenset[str] = frozenset()
    reason_given: bool = False
    publicity_elapsed: bool = False  # the plan was shown publicly for the configured period
    consultation_elapsed: bool = False  # the draft was open for comment at least the statutory period
    unanswered_comments: int = 0
    review_decision: str | None = None  # pass / pass_with_changes / fail, once the panel has decided
    missing_conclusions: int = 0  # panel experts who have not recorded their conclusion
    filed: bool = False
    disclosed: bool = False
    implementation_date_reached: bool = False
    evaluation_scored: bool = False
    extension_pending: bool = False
    review_due: bool = False  # five years since implementation, or a referenced standard changed


@dataclass(frozen=True)
class Condition:
    """A named check on Facts with the Chinese and English refusal when it fails."""

    name: str
    test: object  # Callable[[Facts], bool]; kept plain so the table stays a literal
    refusal_zh: str
    refusal_en: str

    def holds(self, facts: Facts) -> bool:
        return bool(self.test(facts))  # type: ignore[operator]


PUBLICITY_ELAPSED = Condition(
    "publicity_elapsed", lambda f: f.publicity_elapsed, "立项公示期未满", "the plan's publicity period has not run"
)
CONSULTATION_ELAPSED = Condition(
    "consultation_elapsed", lambda f: f.consultation_elapsed,
    "征求意见期未满法定期限", "the statutory consultation period has not run",
)
COMMENTS_ANSWERED = Condition(
    "comments_answered", lambda f: f.unanswered_comments == 0,
    "仍有未处理的征求意见，每条意见都须答复（采纳 / 部分采纳 / 未采纳）", "some comments have not been answered",
)
REVIEW_PASSED = Condition(
    "review_passed", lambda f: f.review_decision in ("pass", "pass_with_changes"),
    "技术审查尚未通过", "the technical review has not passed",
)
REVIEW_FAILED = Condition(
    "review_failed", lambda f: f.review_decision == "fail",
    "只有技术审查结论为“不通过”时才能退回起草", "only a failed review returns the draft",
)
CONCLUSIONS_COMPLETE = Condition(
    "conclusions_complete", lambda f: f.missing_conclusions == 0,
    "审查专家尚未全部提交审查意见", "some panel experts have not recorded a conclusion",
)
DISCLOSED = Condition("disclosed", lambda f: f.disclosed, "标准文本尚未公开", "the text has not been disclosed")
NOT_FILED = Condition("not_filed", lambda f: not f.filed, "已登记备案", "the filing is already recorded")
NOT_DISCLOSED = Condition("not_disclosed", lambda f: not f.disclosed, "已登记公开", "the disclosure is already recorded")
IMPLEMENTATION_DATE = Condition(
    "implementation_date_reached", lambda f: f.implementation_date_reached,
    "尚未到实施日期", "the implementation date has not come",
)
EVALUATION_SCORED = Condition(
    "evaluation_scored", lambda f: f.evaluation_scored, "评估报告尚未评分", "the evaluation report has no score"
)
EXTENSION_PENDING = Condition(
    "extension_pending", lambda f: f.extension_pending, "没有待审批的延期申请", "no extension is pending"
)
NO_EXTENSION_PENDING = Condition(
    "no_extension_pending", lambda f: not f.extension_pending, "已有待审批的延期申请", "an extension is already pending"
)
REVIEW_DUE = Condition(
    "review_due", lambda f: f.review_due, "复审尚未到期，也没有引用标准变化", "no periodic review is due yet"
)


# What each condition requires, in words (for the printed table and the documentation).
CONDITION_LABELS: dict[str, str] = {
    "publicity_elapsed": gettext_noop("立项公示期已满"), "consultation_elapsed": gettext_noop("征求意见期已满法定期限"),
    "comments_answered": gettext_noop("每条征求意见均已答复"), "review_passed": gettext_noop("技术审查通过或修改后通过"),
    "review_failed": gettext_noop("技术审查不通过"), "conclusions_complete": gettext_noop("审查专家均已提交意见"), "disclosed": gettext_noop("文本已公开"),
    "not_filed": gettext_noop("尚未登记备案"), "not_disclosed": gettext_noop("尚未登记公开"), "implementation_date_reached": gettext_noop("已到实施日期"),
    "evaluation_scored": gettext_noop("评估报告已评分"), "extension_pending": gettext_noop("有待审批的延期申请"),
    "no_extension_pending": gettext_noop("没有待审批的延期申请"), "review_due": gettext_noop("复审已到期或引用标准已变化"),
}


@dataclass(frozen=True)
class Transition:
    """One row of the table: from `source`, `roles` may do `action`, leading to `target` (None: state unchanged)."""

    source: State
    action: Action
    roles: frozenset[Role]
    target: State | None
    documents: tuple[Doc, ...] = ()
    conditions: tuple[Condition, ...] = ()
    needs_reason: bool = False

    @property
    def next_state(self) -> State:
        return self.target or self.source


def _t(source, action, roles, target, documents=(), conditions=(), needs_reason=False) -> Transition:
    roles = frozenset({roles} if isinstance(roles, Role) else roles)
    return Transition(source, action, roles, target, tuple(documents), tuple(conditions), needs_reason)


S, A, R, D = State, Action, Role, Doc
_STAFF = {R.BUREAU}

TABLE: tuple[Transition, ...] = (
    # 立项: the competent department (or a city bureau) applies; the bureau has it assessed, shows the plan, issues it.
    _t(S.APPLICATION, A.SUBMIT_APPLICATION, {R.PROPOSER, R.BUREAU}, S.ASSESSMENT, [D.APPLICATION]),
    _t(S.ASSESSMENT, A.START_PUBLICITY, _STAFF, S.PUBLICITY),
    _t(S.ASSESSMENT, A.RETURN_FOR_CHANGES, _STAFF, S.APPLICATION, needs_reason=True),
    _t(S.ASSESSMENT, A.REJECT_APPLICATION, _STAFF, S.REJECTED, needs_reason=True),
    _t(S.PUBLICITY, A.ISSUE_PLAN, _STAFF, S.DRAFTING, conditions=[PUBLICITY_ELAPSED]),
    _t(S.PUBLICITY, A.RETURN_FOR_CHANGES, _STAFF, S.ASSESSMENT, needs_reason=True),
    # 起草 → 征求意见 (at least the statutory period, 地方标准管理办法) → 意见处理: every comment answered.
    _t(S.DRAFTING, A.PUBLISH_DRAFT, {R.DRAFTER}, S.CONSULTATION, [D.DRAFT_FOR_COMMENT, D.EXPLANATORY_REPORT]),
    _t(S.CONSULTATION, A.CLOSE_CONSULTATION, {R.DRAFTER, R.BUREAU}, S.RESOLUTION, conditions=[CONSULTATION_ELAPSED]),
    _t(S.RESOLUTION, A.SUBMIT_FOR_REVIEW, {R.DRAFTER}, S.TECHNICAL_REVIEW, [D.COMMENT_TABLE, D.DRAFT_FOR_REVIEW],
       [COMMENTS_ANSWERED]),
    # 技术审查 by the committee or an expert panel (标准化法 第十六条); a failed review goes back to drafting.
    _t(S.TECHNICAL_REVIEW, A.SUBMIT_FOR_APPROVAL, {R.DRAFTER, R.COMMITTEE}, S.APPROVAL,
       [D.REVIEW_MINUTES, D.DRAFT_FOR_APPROVAL], [REVIEW_PASSED, CONCLUSIONS_COMPLETE]),
    _t(S.TECHNICAL_REVIEW, A.RETURN_FOR_CHANGES, {R.COMMITTEE, R.BUREAU}, S.DRAFTING, [D.REVIEW_MINUTES],
       [REVIEW_FAILED, CONCLUSIONS_COMPLETE], needs_reason=True),
    # 报批 → 批准发布: the bureau numbers and publishes, or sends the draft back to the panel.
    _t(S.APPROVAL, A.APPROVE_PUBLICATION, _STAFF, S.PUBLISHED),
    _t(S.APPROVAL, A.RETURN_FOR_CHANGES, _STAFF, S.TECHNICAL_REVIEW, needs_reason=True),
    # 备案 and 公开 run side by side after publication, each against its own deadline; 实施 needs the text public.
    _t(S.PUBLISHED, A.RECORD_FILING, _STAFF, None, conditions=[NOT_FILED]),
    _t(S.PUBLISHED, A.RECORD_DISCLOSURE, _STAFF, None, [D.PUBLISHED_TEXT], [NOT_DISCLOSED]),
    _t(S.PUBLISHED, A.START_IMPLEMENTATION, {R.BUREAU, R.SYSTEM}, S.IMPLEMENTING,
       conditions=[DISCLOSED, IMPLEMENTATION_DATE]),
    _t(S.IMPLEMENTING, A.RECORD_FILING, _STAFF, None, conditions=[NOT_FILED]),
    _t(S.IMPLEMENTING, A.RECORD_DISCLOSURE, _STAFF, None, [D.PUBLISHED_TEXT], [NOT_DISCLOSED]),
    # 实施效果评估 by a third party, then 复审 at most every five years (标准化法 第二十九条) or earlier when due.
    _t(S.IMPLEMENTING, A.COMMISSION_EVALUATION, _STAFF, S.EVALUATION),
    _t(S.EVALUATION, A.SUBMIT_EVALUATION, {R.EVALUATOR}, S.IMPLEMENTING, [D.EVALUATION_REPORT], [EVALUATION_SCORED]),
    _t(S.IMPLEMENTING, A.START_PERIODIC_REVIEW, {R.BUREAU, R.SYSTEM}, S.PERIODIC_REVIEW, conditions=[REVIEW_DUE]),
    _t(S.PERIODIC_REVIEW, A.CONFIRM, _STAFF, S.IMPLEMENTING, [D.REVIEW_CONCLUSION]),
    _t(S.PERIODIC_REVIEW, A.REVISE, _STAFF, S.REVISED, [D.REVIEW_CONCLUSION], needs_reason=True),
    _t(S.PERIODIC_REVIEW, A.WITHDRAW, _STAFF, S.WITHDRAWN, [D.REVIEW_CONCLUSION], needs_reason=True),
    # Off-ramps before publication: cancellation, and a plan extension that needs the bureau's written approval.
    *(_t(s, A.CANCEL, _STAFF, S.CANCELLED, needs_reason=True) for s in BEFORE_PUBLICATION),
    *(_t(s, A.REQUEST_EXTENSION, {R.DRAFTER}, None, conditions=[NO_EXTENSION_PENDING], needs_reason=True)
      for s in DRAFTING_CYCLE_STATES),
    *(_t(s, A.APPROVE_EXTENSION, _STAFF, None, conditions=[EXTENSION_PENDING]) for s in DRAFTING_CYCLE_STATES),
    *(_t(s, A.REFUSE_EXTENSION, _STAFF, None, conditions=[EXTENSION_PENDING], needs_reason=True)
      for s in DRAFTING_CYCLE_STATES),
)

_BY_KEY: dict[tuple[State, Action], Transition] = {}
for _row in TABLE:
    if (_row.source, _row.action) in _BY_KEY:
        raise AssertionError(f"two rows for {_row.source} × {_row.action}")
    _BY_KEY[(_row.source, _row.action)] = _row


@dataclass(frozen=True)
class Decision:
    """The answer to "may these roles do this action now?": allowed, the next state, and every reason it is not."""

    allowed: bool
    transition: Transition | None
    refusals: tuple[str, ...] = ()
    refusals_en: tuple[str, ...] = field(default=(), compare=False)

    @property
    def next_state(self) -> State | None:
        return self.transition.next_state if self.transition else None

    @property
    def message(self) -> str:
        return "；".join(self.refusals)


def transition_for(state: State | str, action: Action | str) -> Transition | None:
    try:
        return _BY_KEY.get((State(state), Action(action)))
    except ValueError:
        return None


def decide(state: State | str, action: Action | str, roles, facts: Facts = Facts()) -> Decision:
    """Whether a user holding `roles` on a project in `state` may do `action`, given `facts`.

    Every failing requirement is named (in Chinese, and in English in `refusals_en`), not only the first.
    """
    try:
        state, action = State(state), Action(action)
    except ValueError as exc:
        return Decision(False, None, (f"未知的状态或操作：{exc}",), (str(exc),))
    row = _BY_KEY.get((state, action))
    if row is None:
        zh, en = STATE_LABELS[state][0], ACTION_LABELS[action][0]
        return Decision(False, None, (f"项目处于“{zh}”阶段，不能执行“{en}”",),
                        (f"{action} is not possible from {state}",))
    held = {Role(r) for r in roles if r in Role._value2member_map_}
    refusals: list[str] = []
    refusals_en: list[str] = []
    if not held & row.roles:
        allowed_by = "、".join(ROLE_LABELS[r][0] for r in sorted(row.roles))
        refusals.append(f"“{ACTION_LABELS[action][0]}”只能由{allowed_by}执行")
        refusals_en.append(f"{action} needs one of the roles {sorted(row.roles)}")
    missing = [d for d in row.documents if d not in facts.documents]
    if missing:
        refusals.append("缺少文件：" + "、".join(DOC_LABELS[d][0] for d in missing))
        refusals_en.append("missing documents: " + ", ".join(missing))
    for condition in row.conditions:
        if not condition.holds(facts):
            refusals.append(condition.refusal_zh)
            refusals_en.append(condition.refusal_en)
    if row.needs_reason and not facts.reason_given:
        refusals.append("须填写理由")
        refusals_en.append("a reason is required")
    return Decision(not refusals, row, tuple(refusals), tuple(refusals_en))


def available_actions(state: State | str, roles) -> list[Transition]:
    """The rows these roles could use from `state` (conditions not yet checked): the buttons a page offers."""
    held = {Role(r) for r in roles if r in Role._value2member_map_}
    return [row for row in TABLE if row.source == State(state) and held & row.roles]


def action_holders(state: State | str) -> frozenset[Role]:
    """Who must act for the project to move on from `state` (the Datatracker's action holders)."""
    state = State(state)
    if state in TERMINAL:
        return frozenset()
    moves = [row for row in TABLE if row.source == state and row.target not in (None, State.CANCELLED)
             and row.action != Action.RETURN_FOR_CHANGES and row.action != Action.REJECT_APPLICATION]
    holders: set[Role] = set()
    for row in moves:
        holders |= row.roles - {Role.SYSTEM}
    return frozenset(holders)
