"""The whole life of a local standard (地方标准全生命周期): projects, their documents, comments, reviews and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifecycle.deadlines import Unit
from lifecycle.transitions import DOC_LABELS, STATE_LABELS, Doc, State

STATE_CHOICES = [(s.value, _(label[0])) for s, label in STATE_LABELS.items()]
DOC_CHOICES = [(d.value, _(label[0])) for d, label in DOC_LABELS.items()]
UNIT_CHOICES = [(u.value, u.value) for u in Unit]


class StatutoryPeriod(models.Model):
    """A period the rules set (规定期限) — consultation, filing, disclosure, stage durations — edited by the bureau.

    Rows, not constants: the rules change and some defaults are not yet checked against the official text.
    """

    key = models.CharField(max_length=40, primary_key=True)
    amount = models.PositiveIntegerField(_("期限"))
    unit = models.CharField(_("单位"), max_length=16, choices=UNIT_CHOICES)
    label_zh = models.CharField(_("名称"), max_length=100)
    label_en = models.CharField(max_length=100, blank=True)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    verified = models.BooleanField(_("已核对原文"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("规定期限")
        verbose_name_plural = _("规定期限")

    def __str__(self) -> str:
        return f"{self.label_zh}：{self.amount} {self.unit}"


class CalendarDay(models.Model):
    """A holiday or adjusted working day (节假日安排) the bureau enters for a year chinese-calendar does not know."""

    day = models.DateField(primary_key=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")


class LocalStandardProject(models.Model):
    """A local-standard project (地方标准项目): a new standard or a revision, from proposal to periodic review."""

    class Kind(models.TextChoices):
        NEW = "new", _("制定")
        REVISION = "revision", _("修订")

    class Nature(models.TextChoices):
        RECOMMENDED = "recommended", _("推荐性")
        MANDATORY = "mandatory", _("强制性")

    class ReviewDecision(models.TextChoices):
        PASS = "pass", _("通过")
        PASS_WITH_CHANGES = "pass_with_changes", _("修改后通过")
        FAIL = "fail", _("不通过")

    code = models.CharField(_("项目编号"), max_length=20, unique=True)
    title_zh = models.CharField(_("标准名称"), max_length=300)
    title_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    kind = models.CharField(_("制修订"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    nature = models.CharField(_("性质"), max_length=12, choices=Nature.choices, default=Nature.RECOMMENDED)
    # Mandatory local standards exist only where a law allows them (environmental protection, food safety).
    mandatory_basis = models.CharField(_("强制性依据"), max_length=300, blank=True)
    state = models.CharField(_("阶段"), max_length=20, choices=STATE_CHOICES, default=State.APPLICATION, db_index=True)
    # Bumped on every change: a form carries the version it was read at, and a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    proposer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("提出单位"), on_delete=models.PROTECT, related_name="proposed_projects"
    )
    technical_committee = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("归口技术委员会"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="committee_projects",
    )
    drafting_organisations = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("起草单位"), related_name="drafted_projects", blank=True
    )
    # GB/T 2260 code of the prefecture-level city the project belongs to (440000 for province-wide work).
    city_code = models.CharField(_("所属地市"), max_length=6, default="440000", db_index=True)
    ics_code = models.CharField("ICS", max_length=12, blank=True)
    scope = models.TextField(_("适用范围"), blank=True)
    necessity = models.TextField(_("必要性和可行性"), blank=True)
    revises = models.ForeignKey(
        "catalogue.Standard", verbose_name=_("被修订标准"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="revision_projects",
    )
    predecessor = models.ForeignKey(
        "self", verbose_name=_("前序项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    # Milestones, each also an event in the trail.
    submitted_on = models.DateField(_("申请日期"), null=True, blank=True)
    publicity_opened_on = models.DateField(_("立项公示日期"), null=True, blank=True)
    plan_issued_on = models.DateField(_("立项下达日期"), null=True, blank=True, db_index=True)
    cycle_due_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    consultation_opened_on = models.DateField(_("征求意见开始"), null=True, blank=True)
    consultation_closes_on = models.DateField(_("征求意见截止"), null=True, blank=True)
    review_decision = models.CharField(_("技术审查结论"), max_length=20, choices=ReviewDecision.choices, blank=True)
    number = models.CharField(_("标准号"), max_length=40, unique=True, null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True, db_index=True)
    implementation_on = models.DateField(_("实施日期"), null=True, blank=True)
    filing_due_on = models.DateField(_("备案期限"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_reference = models.CharField(_("备案号"), max_length=60, blank=True)
    disclosure_due_on = models.DateField(_("公开期限"), null=True, blank=True)
    disclosed_on = models.DateField(_("公开日期"), null=True, blank=True)
    review_due_on = models.DateField(_("复审到期"), null=True, blank=True, db_index=True)
    standard = models.OneToOneField(
        "catalogue.Standard", verbose_name=_("标准"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="lifecycle_project",
    )
    stage_entered_at = models.DateTimeField(_("进入本阶段"), null=True, blank=True)
    stage_due_on = models.DateField(_("本阶段期限"), null=True, blank=True, db_index=True)
    stage_due_estimated = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("地方标准项目")
        verbose_name_plural = _("地方标准项目")
        indexes = [
            models.Index(fields=["state", "stage_due_on"], name="lsp_state_due"),
            # Finds the projects changed since cycle-time analytics last summarised them (CycleFact).
            models.Index(fields=["updated_at"], name="lsp_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_zh}"

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:project", args=[self.code])

    @property
    def region_code(self) -> str:
        """What accounts.permissions.can() checks a city officer's region against."""
        return self.city_code

    @property
    def state_label(self) -> str:
        return gettext(STATE_LABELS[State(self.state)][0])


class ProjectStage(models.Model):
    """One stay of a project in one state (阶段): the rows cycle-time analytics add up."""

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="stages")
    state = models.CharField(max_length=20, choices=STATE_CHOICES)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]
        indexes = [models.Index(fields=["state", "left_at"], name="stage_state_left")]


class CycleFact(models.Model):
    """One published project's drafting cycle (制定周期) in whole days, per stage: what the dashboard aggregates.

    A summary of the project and its ProjectStage rows, kept in step by lifecycle.analytics.refresh_facts() from
    the projects whose updated_at moved on. Aggregating 100,000 of these narrow rows takes milliseconds; a million
    stage rows take seconds. <stage>_days: days in that state (all stays added up, rounded; NULL if never in it).
    """

    project = models.OneToOneField(LocalStandardProject, primary_key=True, on_delete=models.CASCADE,
                                   related_name="cycle_fact")
    source_updated_at = models.DateTimeField(db_index=True)  # the project's updated_at that was summarised
    city_code = models.CharField(max_length=6)
    proposer_id = models.BigIntegerField()
    committee_id = models.BigIntegerField(null=True)
    nature = models.CharField(max_length=12)
    kind = models.CharField(max_length=10)
    plan_issued_on = models.DateField()
    published_on = models.DateField()
    published_year = models.PositiveSmallIntegerField()
    cycle_days = models.IntegerField()
    application_days = models.IntegerField(null=True)
    assessment_days = models.IntegerField(null=True)
    publicity_days = models.IntegerField(null=True)
    drafting_days = models.IntegerField(null=True)
    consultation_days = models.IntegerField(null=True)
    resolution_days = models.IntegerField(null=True)
    technical_review_days = models.IntegerField(null=True)
    approval_days = models.IntegerField(null=True)
    published_days = models.IntegerField(null=True)
    # One bit per state of lifecycle.analytics.LATE_STATES: the stay had a due date / one stay ended after it.
    due_mask = models.PositiveSmallIntegerField(default=0)
    late_mask = models.PositiveSmallIntegerField(default=0)

    class Meta:
        # Each median is read from an index in order instead of sorting the rows.
        indexes = [
            models.Index(fields=["published_year", "cycle_days"], name="fact_year_days"),
            models.Index(fields=["city_code", "cycle_days"], name="fact_city_days"),
            models.Index(fields=["proposer_id", "cycle_days"], name="fact_proposer_days"),
            models.Index(fields=["committee_id", "cycle_days"], name="fact_committee_days"),
            models.Index(fields=["due_mask", "late_mask"], name="fact_masks"),
            *(models.Index(fields=[f"{s}_days"], name=f"fact_{s[:12]}") for s in (
                "application", "assessment", "publicity", "drafting", "consultation", "resolution",
                "technical_review", "approval", "published")),
        ]


class ProjectDocument(models.Model):
    """One version of one document of a project (项目文件), stored with its SHA-256."""

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文件类型"), max_length=24, choices=DOC_CHOICES)
    version = models.PositiveIntegerField(_("版本"))
    file = models.FileField(upload_to="projects/%Y/")
    filename = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=16)  # pdf / docx / xlsx, read from the bytes
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A draft for comment's clauses ([{number, title, level}]), read once at upload for the public page's clause
    # field, which never parses a file; empty when the draft has no clause structure, null for other documents.
    outline = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["project", "kind", "version"], name="unique_doc_version")]

    @property
    def kind_label(self) -> str:
        return gettext(DOC_LABELS[Doc(self.kind)][0])


class Extension(models.Model):
    """A request to extend the plan (延期申请): reason, new date, and the bureau's written decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不同意")

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="extensions")
    state = models.CharField(max_length=20, choices=STATE_CHOICES)
    reason = models.TextField(_("延期理由"))
    requested_due_on = models.DateField(_("申请延期至"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_note = models.TextField(_("审批意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]


class PublicComment(models.Model):
    """A public comment (征求意见) on a draft, on the whole or on one clause, and the drafter's answer to it."""

    class Resolution(models.TextChoices):
        ADOPTED = "adopted", _("采纳")
        PARTLY_ADOPTED = "partly_adopted", _("部分采纳")
        NOT_ADOPTED = "not_adopted", _("未采纳")

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="comments")
    clause = models.CharField(_("条款"), max_length=40, blank=True)  # "" = the draft as a whole
    text = models.TextField(_("意见内容"))
    proposal = models.TextField(_("修改建议"), blank=True)
    author_name = models.CharField(_("提出人"), max_length=100)
    author_organisation = models.CharField(_("单位"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)  # never shown publicly
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # A keyed hash (HMAC) of the sender's address: enough to rate-limit, not enough to identify.
    sender_digest = models.CharField(max_length=64, blank=True, db_index=True)
    # When the sender's personal data (name, organisation, contact, digest) was erased; the text stays.
    contact_erased_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("处理意见"), max_length=16, choices=Resolution.choices, blank=True)
    response = models.TextField(_("处理理由"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # 第 N 条意见: counted within this draft (project), given under the project's row lock (consultation/receipts.py).
    number = models.PositiveIntegerField(_("意见序号"), null=True, blank=True)
    # SHA-256 of the sender's private receipt link token; the token itself is shown once and never stored.
    receipt_digest = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["project", "resolution"], name="comment_project_res")]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="comment_number_per_draft")]


class Expert(models.Model):
    """An expert in the pool (专家库) from which technical-review panels are drawn."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="expert_profile"
    )
    name = models.CharField(_("姓名"), max_length=100)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("工作单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="experts",
    )
    title = models.CharField(_("职称"), max_length=60, blank=True)
    speciality = models.CharField(_("专业领域"), max_length=200, blank=True)
    region_code = models.CharField(_("所在地区"), max_length=6, blank=True)
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")

    def __str__(self) -> str:
        return self.name


class ReviewPanel(models.Model):
    """A technical-review panel (技术审查专家组) and its meeting: members, minutes and the panel's decision."""

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="panels")
    round = models.PositiveSmallIntegerField(default=1)
    meeting_on = models.DateField(_("会议日期"), null=True, blank=True)
    location = models.CharField(_("会议地点"), max_length=200, blank=True)
    decision = models.CharField(
        _("审查结论"), max_length=20, choices=LocalStandardProject.ReviewDecision.choices, blank=True
    )
    decision_note = models.TextField(_("审查意见"), blank=True)
    minutes = models.ForeignKey(ProjectDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "round"]
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="unique_panel_round")]


class PanelMember(models.Model):
    """An expert sitting on a panel (审查专家) and the conclusion he or she records."""

    panel = models.ForeignKey(ReviewPanel, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="panel_seats")
    is_chair = models.BooleanField(_("组长"), default=False)
    conclusion = models.CharField(
        _("个人结论"), max_length=20, choices=LocalStandardProject.ReviewDecision.choices, blank=True
    )
    opinion = models.TextField(_("审查意见"), blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_chair", "id"]
        constraints = [models.UniqueConstraint(fields=["panel", "expert"], name="unique_panel_expert")]


class ProjectReference(models.Model):
    """A standard the project's text cites normatively (规范性引用文件): its change makes a review due."""

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="references")
    number = models.CharField(max_length=80)
    undated_number = models.CharField(max_length=80, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="unique_project_reference")]


class ImplementationFeedback(models.Model):
    """Implementation feedback (实施信息反馈) on a standard, from anyone, and how the bureau handled it."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("实施问题")
        SUGGESTION = "suggestion", _("修改建议")
        EFFECT = "effect", _("实施效果")

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        HANDLED = "handled", _("已处理")

    standard = models.ForeignKey("catalogue.Standard", on_delete=models.CASCADE, related_name="feedback")
    project = models.ForeignKey(
        LocalStandardProject, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.PROBLEM)
    text = models.TextField(_("反馈内容"))
    author_name = models.CharField(_("反馈人"), max_length=100)
    author_organisation = models.CharField(_("单位"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sender_digest = models.CharField(max_length=64, blank=True, db_index=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    # When the sender's personal data (name, organisation, contact, digest) was erased; the text stays.
    contact_erased_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    response = models.TextField(_("处理情况"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]


class ImplementationEvaluation(models.Model):
    """A third-party implementation evaluation (实施效果评估): who, by when, the scored report."""

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="evaluations")
    agency = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("评估机构"), on_delete=models.PROTECT, related_name="evaluations"
    )
    commissioned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commissioned_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("报告期限"), null=True, blank=True)
    scores = models.JSONField(_("分项得分"), default=dict, blank=True)  # {dimension: score}
    total_score = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    conclusion = models.TextField(_("评估结论"), blank=True)
    report = models.ForeignKey(ProjectDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-commissioned_at"]


class PeriodicReview(models.Model):
    """A periodic review (复审) that fell due: why, by when, and its conclusion (继续有效 / 修订 / 废止)."""

    class Reason(models.TextChoices):
        FIVE_YEARS = "five_years", _("实施满五年")
        REFERENCE_CHANGED = "reference_changed", _("引用标准被代替或废止")
        FEEDBACK = "feedback", _("实施反馈")
        EVALUATION = "evaluation", _("实施效果评估")

    class Conclusion(models.TextChoices):
        CONFIRM = "confirm", _("继续有效")
        REVISE = "revise", _("修订")
        WITHDRAW = "withdraw", _("废止")

    project = models.ForeignKey(LocalStandardProject, on_delete=models.CASCADE, related_name="reviews")
    reason = models.CharField(_("复审原因"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    due_on = models.DateField(_("复审期限"))
    opened_at = models.DateTimeField(auto_now_add=True)
    conclusion = models.CharField(_("复审结论"), max_length=10, choices=Conclusion.choices, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    successor = models.ForeignKey(
        LocalStandardProject, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # One open review per reason and trigger: a second replacement notice does not open a second review.
            models.UniqueConstraint(
                fields=["project", "reason", "detail"], condition=models.Q(conclusion=""), name="one_open_review"
            ),
        ]


class NumberCounter(models.Model):
    """The last sequence number used under a prefix (DB44: Guangdong's local standards run on across years)."""

    prefix = models.CharField(max_length=12, primary_key=True)
    last = models.PositiveIntegerField(default=0)


class CaptchaUse(models.Model):
    """An answered captcha (验证码): a solved challenge used up once, or a refused answer counted against its sender.

    The unique challenge id is what makes one solved captcha good for one submission, even when several requests
    carry it at the same moment; rows older than two days are purged (public_input.purge_captcha_uses).
    """

    purpose = models.CharField(max_length=40)
    challenge_id = models.CharField(max_length=64, null=True, blank=True, unique=True)  # None: an unknown challenge
    sender_digest = models.CharField(max_length=64, blank=True)
    scope = models.CharField(max_length=64, blank=True)  # the project's code for comments; "" for feedback
    solved = models.BooleanField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["sender_digest", "purpose", "at"], name="captcha_use_sender")]
