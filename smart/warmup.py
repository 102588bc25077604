"""Imported only by the parsing fork server (smart.sandbox.PRELOAD): one small parse at start, so that every worker
forked from it begins with the parser's lazily built state (compiled patterns, lazily imported modules) ready
instead of building it again for each upload (about 50 ms each on the test machine)."""

from __future__ import annotations

from .documents import read_standard

SAMPLE = ("DB44/T 1—2026\n示例标准\n前言\n本文件按照 GB/T 1.1—2020 的规定起草。\n1 范围\n本文件规定了示例的要求。\n"
          "2 规范性引用文件\nGB 3095 环境空气质量标准\n3 术语和定义\n3.1\n示例 example\n示例的定义。\n"
          "4 要求\n4.1 排放限值\n| 污染物项目 | 限值 |\n|---|---|\n| 颗粒物 | 20 |\n企业应符合表1的规定，不应超过限值。\n")

try:
    read_standard(SAMPLE.encode("utf-8"), "warmup.txt")
except Exception:  # noqa: BLE001 - warming up is an optimisation: a failure only makes the first parses slower
    pass
