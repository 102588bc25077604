"""Crawling the site as its users do: from the home page and its menus, every internal link, two levels deep.

Used by tests/test_crawl.py (no page answers a server error) and tests/test_english_crawl.py (every page reads in
English). The world is the demo: its organisations and users of every role, a few standards, local-standard
projects at every stage, and one standard with a machine-readable text (a table with merged cells, a reference
the catalogue has).

Pages are deduplicated by URL pattern: the first few addresses of each pattern (with the same query keys) are
fetched, the rest are the same template with other data. Each crawl stops at a fixed number of pages.
"""

from __future__ import annotations

import re
import time
import traceback
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Every demo role, and None for a visitor who has not signed in.
ROLES = [None, "admin", "sheng", "guangzhou", "shenzhen", "dept", "tc", "drafter", "enterprise", "association",
         "evaluator", "expert"]

PER_PATTERN = 2  # addresses fetched per URL pattern (and set of query keys)
MAX_PAGES = 160  # per role
DEPTH = 2

# Links a crawl does not follow: signing out or switching language changes the session; static files and media
# are not pages; Django's admin is its own site with its own (translated) pages.
_SKIP = re.compile(r"^/(static|media)/|^/accounts/logout|^/i18n/|^/admin/")
_HREF = re.compile(r"""<a\b[^>]*?\bhref=["']([^"'#]+)""", re.IGNORECASE)

# The body of the structured standard: (paragraphs before the table, table rows with merged cells, after it)
DEMO_TEXT = [
    "示范锅炉大气污染物排放标准",
    "1 范围", "本文件规定了锅炉大气污染物排放限值。",
    "2 规范性引用文件", "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。",
    "GB 13271—2014 锅炉大气污染物排放标准",
    "3 术语和定义", "本文件没有需要界定的术语和定义。",
    "4 排放限值", "4.1 锅炉应符合表 1 的规定，监测方法见 GB 13271—2014。燃料中的\uf061成分另行规定。",
    "表 1 大气污染物排放限值",
]
DEMO_TABLE = [  # 序号 and 污染物项目 span two header rows; 限值 spans two columns
    ["序号", "污染物项目", "限值", "限值", "监控位置"],
    ["序号", "污染物项目", "燃煤锅炉", "燃气锅炉", "监控位置"],
    ["1", "颗粒物", "30", "20", "烟囱或烟道"],
    ["2", "二氧化硫", "200", "50", "烟囱或烟道"],
]
DEMO_MERGES = [((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 3)), ((0, 4), (1, 4)), ((2, 4), (3, 4))]


def demo_docx() -> bytes:
    """A small standard as Word: clauses, a normative reference, a table with merged cells."""
    import io

    from docx import Document

    doc = Document()
    for line in DEMO_TEXT:
        doc.add_paragraph(line)
    table = doc.add_table(rows=len(DEMO_TABLE), cols=len(DEMO_TABLE[0]))
    for (r1, c1), (r2, c2) in DEMO_MERGES:
        table.cell(r1, c1).merge(table.cell(r2, c2))
    for r, row in enumerate(DEMO_TABLE):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.add_paragraph("5 监测要求")
    doc.add_paragraph("5.1 监测应按 GB 13271—2014 执行。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@dataclass
class Page:
    url: str
    status: int
    depth: int
    referrer: str | None
    content_type: str = ""
    html: str = ""
    error: str = ""  # for a server error: the exception and the project's innermost frame


@dataclass
class Crawl:
    role: str | None
    pages: list[Page] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def server_errors(self) -> list[Page]:
        return [p for p in self.pages if p.status >= 500]


def internal_links(html: str, base: str) -> list[str]:
    """The site's own addresses linked from a page, in order, without fragments."""
    out = []
    for raw in _HREF.findall(html):
        href = unescape(raw).strip()
        if href.startswith(("mailto:", "javascript:", "tel:", "data:")):
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            if parts.netloc not in ("", "testserver"):
                continue
        path = parts.path
        if not path.startswith("/"):
            path = base.rsplit("/", 1)[0] + "/" + path if path else urlsplit(base).path
        url = path + (f"?{parts.query}" if parts.query else "")
        if not _SKIP.search(path):
            out.append(url)
    return out


def pattern_of(url: str) -> tuple:
    """Which page a URL is: its route (with its query keys); an address that resolves to nothing is its own."""
    parts = urlsplit(url)
    keys = tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    try:
        match = resolve(parts.path)
    except Resolver404:
        return (parts.path, keys)
    return (match.route, match.view_name, keys)


def _where(exc_info) -> str:
    """The exception and the innermost frame of the project's own code."""
    if not exc_info:
        return ""
    _, exc, tb = exc_info
    root = str(Path(__file__).resolve().parents[1])
    frames = [f for f in traceback.extract_tb(tb) if f.filename.startswith(root) and "/.venv/" not in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(tb)[-1]
    return f"{type(exc).__name__}: {exc} at {frame.filename}:{frame.lineno} ({frame.line})"


def crawl(client: Client, role: str | None, *, start: str = "/", depth: int = DEPTH,
          per_pattern: int = PER_PATTERN, max_pages: int = MAX_PAGES) -> Crawl:
    """Every internal link from ``start``, ``depth`` levels deep, by GET only; the client is already signed in."""
    began = time.perf_counter()
    result = Crawl(role=role)
    seen: set[str] = set()
    per: dict[tuple, int] = {}
    queue: list[tuple[str, int, str | None]] = [(start, 0, None)]
    while queue and len(result.pages) < max_pages:
        url, level, referrer = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        key = pattern_of(url)
        if per.get(key, 0) >= per_pattern:
            continue
        per[key] = per.get(key, 0) + 1
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        page = Page(url=url, status=response.status_code, depth=level, referrer=referrer, content_type=content_type)
        if response.status_code >= 500:
            page.error = _where(getattr(response, "exc_info", None))
        elif content_type.startswith("text/html") and not getattr(response, "streaming", False):
            page.html = response.content.decode("utf-8", "replace")
            if level < depth:
                queue.extend((link, level + 1, url) for link in internal_links(page.html, url) if link not in seen)
        result.pages.append(page)
    result.seconds = time.perf_counter() - began
    return result


def client_for(role: str | None, **headers) -> Client:
    """A test client signed in as the demo user ``role`` (None: a visitor); server errors come back as 500s."""
    client = Client(raise_request_exception=False, **headers)
    if role:
        from accounts.models import User

        client.force_login(User.objects.get(username=role))
    return client


def load_world(media_root: str) -> None:
    """The demo, small: users of every role, a few standards, projects at every stage, one structured text."""
    from django.conf import settings

    from lifecycle.demo import load_lifecycle_demo
    from yuebiao.demo import load_demo

    settings.MEDIA_ROOT = media_root
    load_demo(standards=24)
    load_lifecycle_demo(history=2)
    _structured_standard()
    _import_with_row_errors()
    _comparison()


def _import_with_row_errors() -> None:
    """An import checked but not confirmed, with row errors (its page lists them)."""
    from accounts.models import User
    from catalogue.imports import preview_import

    csv = ("标准号,中文名称,发布日期,实施日期\n"
           "DB44/T 9902—2024,示范荔枝种植技术规程,2024-01-02,2024-03-01\n"
           "DB44/T 9903—2024,,2024-13-40,2024-03-01\n"
           "不是标准号,示范名称,2024-01-02,2024-03-01\n")
    preview_import(data=csv.encode("utf-8"), filename="导入.csv", by=User.objects.get(username="sheng"))


def _comparison() -> None:
    """The demo's first comparison (a local standard and the national one it tightens), when the real texts are
    beside the project (../shared/corpus); without them the crawl simply has no comparison page."""
    from accounts.models import User
    from catalogue.models import Standard
    from catalogue.services import FullTextRefused, attach_full_text
    from compare import actions, services
    from compare.demo import DEMO_PAIRS, DEMO_TEXTS, corpus_dir

    folder = corpus_dir()
    pair = DEMO_PAIRS[0]
    if not all((folder / DEMO_TEXTS[n]).is_file() for n in pair):
        return
    sheng = User.objects.get(username="sheng")
    for number in pair:
        std = Standard.objects.filter(number=number).first()
        if std is None:
            return
        try:
            attach_full_text(standard=std, data=(folder / DEMO_TEXTS[number]).read_bytes(),
                             filename=DEMO_TEXTS[number], by=sheng)
        except FullTextRefused:
            return
    actions.compare_sides(services.side_from_catalogue(pair[0]), services.side_from_catalogue(pair[1]), by=sheng)


def _structured_standard() -> None:
    """A standard whose full text the catalogue has (a merged-cell table, a reference the catalogue knows)."""
    from accounts.models import User
    from catalogue.services import attach_full_text, upsert_standards

    upsert_standards([
        {"number": "DB44/ 9901—2024", "title_zh": "示范锅炉大气污染物排放标准", "level": "local", "status": "current",
         "published": "2024-01-02", "implemented": "2024-03-01", "region_code": "440000"},
        {"number": "GB 13271—2014", "title_zh": "锅炉大气污染物排放标准", "level": "national", "status": "current",
         "published": "2014-05-16", "implemented": "2014-07-01"},
    ], source="crawl")
    from catalogue.models import Standard

    standard = Standard.objects.get(number="DB44/ 9901—2024")
    attach_full_text(standard=standard, data=demo_docx(), filename="DB44-9901-2024.docx",
                     by=User.objects.get(username="sheng"))
