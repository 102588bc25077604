"""The combined report: JSON shape, terms, references with editions, the CLI's refusal to guess."""

from __future__ import annotations

import json

from compare import cli
from compare.report import compare_documents, compare_references
from smart.model import Reference, Term

from .helpers import doc, limit


def ref(number: str, year: int | None = None, parsed: bool = True) -> Reference:
    return Reference(number=number, year=year, dated=year is not None, parsed=parsed, raw=number)


def test_report_is_json_with_the_limit_keys_of_the_issue():
    a = doc([("1", "范围", "本标准规定了排放限值。")], limits=[limit("颗粒物", "<=", 60)],
            terms=[Term("3.1", "玻璃熔窑", definition="熔化玻璃的设备。"), Term("3.2", "冷修", definition="停炉检修。")],
            references=[ref("GB/T 16157—1996", 1996), ref("HJ 57")])
    b = doc([("1", "范围", "本标准规定了排放限值。")], number="GB 26453—2011", limits=[limit("颗粒物", "<=", 50)],
            terms=[Term("3.1", "玻璃熔窑", definition="熔制平板玻璃并以天然气为燃料的热工设备，不含电熔窑。")],
            references=[ref("GB/T 16157—2017", 2017), ref("HJ/T 57—2000", 2000), ref("HJ 75—2017", 2017)])
    report = json.loads(json.dumps(compare_documents(a, b), ensure_ascii=False))
    assert set(report["limits"][0]) >= {"parameter", "a", "b", "unit", "verdict"}
    assert report["limits"][0]["verdict"] == "looser"
    assert report["a_is_local_mandatory"] is True and len(report["unlawful"]) == 1
    assert report["terms"]["only_a"] == ["冷修"]
    assert [d["term"] for d in report["terms"]["defined_differently"]] == ["玻璃熔窑"]
    kinds = {d["a"]: d["kind"] for d in report["references"]["differ"]}
    assert kinds["GB/T 16157—1996"] == "a_cites_older"
    assert kinds["HJ 57"] == "dated_vs_undated"
    assert report["references"]["only_b"] == ["HJ 75—2017"]
    assert report["alignment"]["summary"]["pairs"] == 1


def test_unparsed_references_are_compared_by_text():
    r = compare_references([ref("《环境监测管理办法》", parsed=False)], [ref("《环境监测管理办法》", parsed=False)])
    assert r["only_a"] == [] and r["only_b"] == []


def test_self_report_everything_equal():
    d = doc([("1", "范围", "本标准规定了排放限值。"), ("2", "要求", "应执行表1。")],
            limits=[limit("颗粒物", "<=", 30), limit("pH值", "range", [6, 9], None)],
            references=[ref("GB/T 16157—1996", 1996)], terms=[Term("3.1", "冷修", definition="停炉检修。")])
    report = compare_documents(d, d)
    assert {p["verdict"] for p in report["limits"]} == {"equal"}
    assert all(p["score"] == 1.0 for p in report["alignment"]["pairs"])
    assert report["references"]["differ"] == [] and report["terms"]["defined_differently"] == []


def test_cli_refuses_to_compare_an_unreadable_file(tmp_path, capsys):
    good = tmp_path / "a.txt"
    good.write_text("1 范围\n本标准规定了排放限值。\n", encoding="utf-8")
    bad = tmp_path / "b.pdf"
    bad.write_bytes(b"<html><body>not a standard</body></html>")
    code = cli.main([str(good), str(bad), "--format", "json"])
    out = capsys.readouterr()
    assert code == cli.EXIT_UNREADABLE
    report = json.loads(out.out)
    assert report["status"] == "unreadable" and "limits" not in report
    assert "无法读取 B" in out.err and "b.pdf" in out.err


def test_cli_missing_file(tmp_path, capsys):
    assert cli.main([str(tmp_path / "nope.pdf"), str(tmp_path / "nope2.pdf")]) == cli.EXIT_UNREADABLE
    assert "找不到文件" in capsys.readouterr().err
