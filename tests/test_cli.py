"""The `yuebiao` command: what scripts and officials run."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "yuebiao.cli", *args], cwd=REPO, capture_output=True, text=True)


def test_number_prints_one_json_object_per_input():
    result = run_cli("number", "GB/T 1.1—2020", "DB44/ 2367—2022", "ISO/IEC 27001:2022")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {**rows[0], "canonical": "GB/T 1.1—2020", "prefix": "GB/T", "level": "national",
                       "nature": "recommended", "sequence": "1.1", "year": "2020"}
    assert rows[1]["prefix"] == "DB44" and rows[1]["nature"] == "mandatory" and rows[1]["level"] == "local"
    assert rows[2]["canonical"] == "ISO/IEC 27001:2022" and rows[2]["nature"] is None


def test_number_exit_status_2_names_the_problem():
    result = run_cli("number", "GB/T 1.1—2020", "陶瓷")
    assert result.returncode == 2
    assert "陶瓷" in result.stderr
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.django_db
def test_search_json(make_record):
    from catalogue.services import upsert_standards

    upsert_standards([make_record("DB44/T 2367—2022", "荔枝干燥加工技术规程")], source="t")
    out = io.StringIO()
    call_command("search", "荔枝", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["total"] == 1 and body["items"][0]["number"] == "DB44/T 2367—2022"


@pytest.mark.django_db
def test_import_command(tmp_path):
    from catalogue.models import Standard

    f = tmp_path / "list.csv"
    f.write_text("标准号,中文名称\nDB44/T 2479—2024,示例规范\nXYZ,坏\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_standards", str(f), stdout=io.StringIO())
    assert exit_.value.code == 2 or exit_.value.code == 1
    assert not Standard.objects.filter(number="DB44/T 2479—2024").exists()
    out = io.StringIO()
    call_command("import_standards", str(f), "--valid-only", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1
    assert Standard.objects.filter(number="DB44/T 2479—2024").exists()


@pytest.mark.django_db
def test_demo_and_load_reference_commands():
    out = io.StringIO()
    call_command("demo", "--standards", "50", stdout=out)
    assert "演示账户" in out.getvalue() and "sheng" in out.getvalue()
    from catalogue.models import Standard

    assert Standard.objects.filter(is_demo=True).count() >= 45
    from trail.models import Anchor
    from trail.services import unanchored

    # The demo ends anchored: its root is on /trail/anchors/ and nothing it wrote is left outside an anchor.
    assert Anchor.objects.count() == 1 and Anchor.objects.get().root in out.getvalue()
    assert unanchored()["events"] == 0
    out = io.StringIO()
    call_command("load_reference", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["standards"]["created"] == 0 and body["counts"]["ics"] == 1381


SAMPLE = """DB44/T 9999—2026
示例产品技术规范
1 范围
本文件规定了示例产品的技术要求。
2 规范性引用文件
下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。
GB/T 1.1—2020 标准化工作导则 第1部分：标准化文件的结构和起草规则
HJ/T 364—2007 废塑料回收与再生利用污染控制技术规范（试行）
3 术语和定义
下列术语和定义适用于本文件。
3.1
示例产品 sample product
用于说明的产品
4 要求
4.1 产品必须符合本文件。
4.2 颗粒物排放浓度应不大于 20 mg/m³。
"""


def test_smart_parse_and_check_commands(tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    result = run_cli("smart", "parse", str(f), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [c["number"] for c in doc["clauses"]][:4] == ["1", "2", "3", "4"]
    assert any(t["zh"] == "示例产品" and t["en"] == "sample product" for t in doc["terms"])
    sts = run_cli("smart", "parse", str(f), "--format", "sts")
    assert sts.returncode == 0 and "<standard" in sts.stdout


@pytest.mark.django_db
def test_smart_check_flags_forbidden_forms_and_replaced_references(tmp_path, make_record):
    from catalogue.services import upsert_standards

    upsert_standards([make_record("HJ/T 364—2007", "旧"), make_record("HJ 364—2022", "新", replaces=["HJ/T 364—2007"])],
                     source="t")
    f = tmp_path / "draft.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    out = io.StringIO()
    call_command("smart", "check", str(f), "--json", stdout=out)
    findings = json.loads(out.getvalue())["findings"]
    messages = " ".join(x["message"] for x in findings)
    assert "必须" in messages
    assert "HJ 364—2022" in messages


def test_smart_refuses_a_scanned_pdf():
    scanned = REPO.parent / "shared" / "corpus" / "standards" / "GB-21900-2008.pdf"
    if not scanned.exists():
        pytest.skip("corpus not here")
    result = run_cli("smart", "parse", str(scanned))
    assert result.returncode == 2 and "没有文字层" in result.stderr


@pytest.mark.slow
def test_worker_mails_what_was_queued_and_exits_with_once(tmp_path):
    """`yuebiao worker --once` in its own process against a fresh database, as `make run` starts it."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(YUEBIAO_VAR_DIR=str(tmp_path), YUEBIAO_SITE_URL="http://biaozhun.example")

    def yuebiao(*args):
        return subprocess.run([sys.executable, "-m", "yuebiao.cli", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=300)

    assert "--once" in run_cli("worker", "--help").stdout
    # --skip-checks: this is about the worker, not about every room's URLs.
    assert yuebiao("migrate", "--noinput", "--skip-checks").returncode == 0
    script = ("from accounts.services import create_user; from notify.services import send; "
              "u = create_user(username='wang', password='pass-word-123', email='wang@gd.example'); "
              "send([u], kind='deadline', subject='征求意见即将截止', body='还有 3 天。', url='/inbox/')")
    made = yuebiao("shell", "-c", script)
    assert made.returncode == 0, made.stderr
    worked = yuebiao("worker", "--once", "--no-startup-delay", "--skip-checks")
    assert worked.returncode == 0, worked.stderr
    assert "To: wang@gd.example" in worked.stdout and "http://biaozhun.example/inbox/1/open/" in worked.stdout


def test_compare_says_it_cannot_read_a_scanned_standard_and_gives_no_verdict():
    corpus = REPO.parent / "shared" / "corpus" / "standards"
    if not (corpus / "GB-21900-2008.pdf").exists():
        pytest.skip("the corpus is not beside the repository")
    result = run_cli("compare", str(corpus / "DB-44-1597-2015.pdf"), str(corpus / "GB-21900-2008.pdf"), "--format",
                     "json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["status"] == "unreadable" and "limits" not in report
    assert "没有文字层" in report["message"]
