"""The expert pool's Excel import (专家库导入): all-or-nothing, row-level errors in Chinese; the pool itself, panels
and conclusions are `lifecycle.review`.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from accounts.models import Organisation, User
from accounts.permissions import can
from accounts.roles import Action as AccountAction
from catalogue.table_writer import write_workbook
from lifecycle import documents
from lifecycle import errors as lifecycle_errors
from lifecycle.errors import ReviewError, ReviewForbidden
from lifecycle.models import Expert
from lifecycle.review.actions import check_region, expert_state
from lifecycle.review.queries import may_manage_pool, normalise_name
from trail.services import record
from yuebiao import refusals

# Expert import: an expert list is a few thousand rows at most.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
HEADER_SEARCH_ROWS = 10

IMPORT_COLUMNS = ("姓名", "工作单位", "职称", "专业领域", "所在地区", "账号")
_REQUIRED_COLUMNS = ("姓名", "工作单位")
_HEADER_ALIASES = {"专家姓名": "姓名", "单位": "工作单位", "所在单位": "工作单位", "职务职称": "职称",
                   "专业": "专业领域", "地区": "所在地区", "用户名": "账号", "登录账号": "账号", "平台账号": "账号"}


class ImportRefused(ReviewError, refusals.ImportRefused):
    """The whole file cannot be read (wrong type, too large, no header)."""


@dataclass
class ImportReport:
    filename: str
    sha256: str
    total_rows: int = 0
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"row": n, "column": "姓名", "message": "…"}
    created: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "filename": self.filename, "sha256": self.sha256, "total_rows": self.total_rows,
            "valid_rows": len(self.rows), "error_rows": len({e["row"] for e in self.errors}), "errors": self.errors,
            "created": self.created, "dry_run": self.dry_run, "written": bool(self.created),
        }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_name(value: Any) -> str:
    text = unicodedata.normalize("NFKC", _cell(value)).replace("*", "").replace(" ", "")
    text = text.strip("（）()：:")
    return _HEADER_ALIASES.get(text, text)


def _read_sheet(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (canonical column names) and the data rows (Excel row number, cell texts) of the first sheet."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(f"文件 {len(data) / 2**20:.1f} MB，超过 {MAX_IMPORT_BYTES // 2**20} MB 上限")
    try:
        kind = documents.sniff_document(data, filename)
    except lifecycle_errors.DocumentRefused as exc:
        raise ImportRefused(f"{exc}；专家名单须为 Excel（.xlsx）文件") from exc
    if kind != "xlsx":
        raise ImportRefused(f"“{filename}”是 {kind.upper()} 文件，不是 Excel（.xlsx）文件")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportRefused(f"“{filename}”已损坏或不是有效的 Excel 文件，请用 Excel 打开后另存为 .xlsx 再上传") from exc
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        seen = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if not any(cells):
                continue
            if header is None:
                seen += 1
                names = [_header_name(v) for v in values]
                if "姓名" in names:
                    header = names
                elif seen >= HEADER_SEARCH_ROWS:
                    break
                continue
            rows.append((number, cells))
            if len(rows) > MAX_IMPORT_ROWS:
                raise ImportRefused(f"数据超过 {MAX_IMPORT_ROWS} 行，请分批导入")
    finally:
        book.close()
    if header is None:
        raise ImportRefused(f"在前 {HEADER_SEARCH_ROWS} 行中找不到表头（须有“姓名”列）；表头应为："
                            + "、".join(IMPORT_COLUMNS))
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRefused("缺少必填列：" + "、".join(missing))
    return header, rows


def check_import(data: bytes, filename: str) -> ImportReport:
    """Read and check an expert list without writing: each good row as values, each bad one with its reasons."""
    report = ImportReport(filename=filename, sha256=hashlib.sha256(data).hexdigest())
    header, rows = _read_sheet(data, filename)
    index = {name: header.index(name) for name in IMPORT_COLUMNS if name in header}
    orgs = {normalise_name(o.name): o for o in Organisation.objects.only("id", "name")}
    pool = {(normalise_name(n), org_id): pk for pk, n, org_id in Expert.objects.values_list("id", "name", "organisation_id")}
    wanted_users = {r[index["账号"]] for _, r in rows if "账号" in index and index["账号"] < len(r) and r[index["账号"]]}
    users = {u.username: u for u in User.objects.filter(username__in=wanted_users)}
    linked = dict(Expert.objects.filter(user__username__in=wanted_users).values_list("user__username", "name"))
    in_file: dict[tuple[str, int], int] = {}
    users_in_file: dict[str, int] = {}
    report.total_rows = len(rows)
    for number, cells in rows:
        value = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
        errors: list[tuple[str, str]] = []

        def bad(column: str, message: str, errors: list = errors) -> None:
            errors.append((column, message))

        name, org_name = value.get("姓名", ""), value.get("工作单位", "")
        if not name:
            bad("姓名", "姓名不能为空")
        elif len(name) > 100:
            bad("姓名", f"姓名不能超过 100 字（现为 {len(name)} 字）")
        org = orgs.get(normalise_name(org_name)) if org_name else None
        if not org_name:
            bad("工作单位", "工作单位不能为空（利益冲突回避按工作单位判断）")
        elif org is None:
            bad("工作单位", f"机构名录中没有“{org_name}”：请先在机构管理中添加，或改为名录中的全称"
                         "（按名称精确匹配，防止错字使回避失效）")
        for column, limit in (("职称", 60), ("专业领域", 200)):
            if len(value.get(column, "")) > limit:
                bad(column, f"{column}不能超过 {limit} 字")
        region = ""
        try:
            region = check_region(value.get("所在地区", ""))
        except ReviewError as exc:
            bad("所在地区", str(exc))
        user = None
        username = value.get("账号", "")
        if username:
            user = users.get(username)
            if user is None:
                bad("账号", f"没有账号“{username}”")
            elif username in linked:
                bad("账号", f"账号“{username}”已关联专家“{linked[username]}”")
            elif username in users_in_file:
                bad("账号", f"账号“{username}”与第 {users_in_file[username]} 行重复")
            elif not can(user, AccountAction.LIFECYCLE_WORK):
                bad("账号", f"账号“{username}”没有参与地方标准项目的权限，请先为其授予“专家”角色")
            else:
                users_in_file[username] = number
        if name and org is not None:
            key = (normalise_name(name), org.pk)
            if key in pool:
                bad("姓名", f"专家库中已有“{org.name}”的专家“{name}”（编号 {pool[key]}），重复")
            elif key in in_file:
                bad("姓名", f"与第 {in_file[key]} 行重复（同一工作单位的同名专家）")
            else:
                in_file[key] = number
        if errors:
            report.errors.extend({"row": number, "column": c, "message": m} for c, m in errors)
            continue
        report.rows.append({
            "row": number, "name": name, "organisation": org, "title": value.get("职称", ""),
            "speciality": value.get("专业领域", ""), "region_code": region, "user": user,
        })
    if not rows:
        report.errors.append({"row": 0, "column": None, "message": "文件中没有专家数据行"})
    return report


def import_experts(*, data: bytes, filename: str, by: User | None, dry_run: bool = False,
                   progress=None) -> ImportReport:
    """Import an expert list: every row is checked first; any error and nothing is written (全部或全不)."""
    if by is not None and not may_manage_pool(by):
        raise ReviewForbidden("只有省局标准化处可以维护专家库")
    report = check_import(data, filename)
    report.dry_run = dry_run
    if dry_run or report.errors:
        return report
    with transaction.atomic():
        for done, row in enumerate(report.rows, start=1):
            expert = Expert.objects.create(
                name=row["name"], organisation=row["organisation"], title=row["title"],
                speciality=row["speciality"], region_code=row["region_code"], user=row["user"], active=True,
            )
            record(f"lifecycle.expert:{expert.pk}", actor=by, kind="expert_added", data={
                **expert_state(expert), "via": "import", "file": filename, "file_sha256": report.sha256,
                "row": row["row"],
            })
            if progress:
                progress(done, len(report.rows))
        report.created = len(report.rows)
    return report


def import_template() -> bytes:
    """An empty expert list with the expected header and one example row, for officials to fill in (through the
    platform's one workbook writer)."""
    rows = [list(IMPORT_COLUMNS), ["张三", "广东省标准化研究院", "正高级工程师", "食品安全；农产品加工", "广州市", ""]]
    return write_workbook([("专家名单", rows, [12, 30, 16, 30, 12, 16])])
