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
    out = io.StringIO()
    call_command("load_reference", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["standards"]["created"] == 0 and body["counts"]["ics"] == 1381
