"""Fixtures of the comparison room's database tests: standards in the catalogue with a structured text."""

from __future__ import annotations

import hashlib
import json

import pytest

from compare.tests.helpers import doc, limit

A_NUMBER, B_NUMBER = "DB44/ 9001—2024", "GB 9002—2020"


def local_doc(so2: float = 100):
    return doc([("1", "范围", "本标准规定了示例工业大气污染物排放限值。"),
                ("4.1", "排放限值", "现有企业执行表1规定的限值。"),
                ("4.2", "监测", "按 HJ 75 进行连续监测。")],
               number=A_NUMBER, title="示例工业大气污染物排放标准",
               limits=[limit("二氧化硫", "<=", so2), limit("颗粒物", "<=", 20)])


def national_doc():
    return doc([("1", "范围", "本标准规定了示例工业大气污染物排放限值。"),
                ("4.1", "排放限值", "企业执行表1规定的限值。"),
                ("4.3", "记录", "企业应保存原始监测记录。")],
               number=B_NUMBER, title="示例工业大气污染物排放标准",
               limits=[limit("二氧化硫", "<=", 200), limit("颗粒物", "<=", 20)])


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings):
    """A comparison asked for through the page or the API runs at once, as the worker would run it later."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def catalogued(make_record):
    """Put a standard with a structured text into the catalogue, as smart would have left it."""
    from catalogue.models import Standard
    from catalogue.services import upsert_standards
    from smart.models import StructuredStandard

    def put(number, title, document=None, error=""):
        upsert_standards([make_record(number, title)], source="test")
        std = Standard.objects.get(number=number)
        Standard.objects.filter(pk=std.pk).update(full_text=f"standards/{std.slug}.pdf")
        data = document.to_dict() if document is not None else None
        StructuredStandard.objects.create(standard=std, source_name=f"{std.slug}.pdf",
                                          source_sha256=hashlib.sha256(json.dumps(data).encode()).hexdigest(),
                                          document=data, error=error)
        return Standard.objects.get(pk=std.pk)

    return put


