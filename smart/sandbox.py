"""Parse an untrusted document in a worker process with CPU-time, memory and wall-clock limits (pure: no Django).

The request never parses an upload itself: ``parse_untrusted`` hands the bytes to a child process forked from a
``forkserver`` (started once per server process, with the readers already imported, so a call costs a fork, not
an interpreter start). The child sets RLIMIT_CPU and RLIMIT_AS on itself before reading, and the parent waits at
most ``wall_seconds``: a document that needs more is refused with a ``DocumentLimitError`` naming the limit, the
child is killed, and the parent neither hangs nor dies. The child answers in JSON (never pickle: a parser
subverted by a hostile file must not be able to run code in the server), and the answer is the same
``StandardDocument`` a direct ``read_standard`` gives.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import signal
import threading
from typing import Any

from .documents import read_standard
from .errors import DocumentLimitError, DocumentParseError, DocumentReadError, EncryptedDocumentError
from .errors import GarbledTextError, NoTextLayerError, SmartError
from .guard import DEFAULT_LIMITS, DocumentLimits
from .model import StandardDocument

# Imported once in the fork server, so that each child starts with them loaded.
PRELOAD = ["smart.sandbox", "smart.documents", "smart.parser", "smart.reader_pdf", "smart.reader_docx",
           "smart.reader_text", "smart.guard", "catalogue.numbers", "pdfplumber", "docx", "lxml.etree",
           "smart.warmup"]
# The most a child may answer (the JSON of a structured standard is a few MB at most).
MAX_ANSWER_BYTES = 256 * 1024 * 1024
# Errors the child may report by name; anything else is reported as a read error.
ERRORS: dict[str, type[SmartError]] = {cls.__name__: cls for cls in (
    DocumentReadError, DocumentParseError, NoTextLayerError, EncryptedDocumentError, GarbledTextError)}

_lock = threading.Lock()
_context: Any = None


def _ctx():
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def _child(conn, data: bytes, filename: str, limits: DocumentLimits) -> None:
    """In the worker: limit ourselves, parse, answer one JSON message."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    answer: dict[str, Any]
    try:
        answer = {"document": read_standard(data, filename, limits).to_dict()}
    except MemoryError:
        answer = {"limit": "memory_bytes"}
    except DocumentLimitError as exc:
        answer = {"error": "DocumentLimitError", "message": str(exc), "limit": exc.limit}
    except SmartError as exc:
        if _out_of_memory(exc):
            answer = {"limit": "memory_bytes"}
        else:
            answer = {"error": type(exc).__name__, "message": str(exc)}
    except RecursionError:
        answer = {"limit": "xml_depth"}
    except Exception as exc:  # noqa: BLE001 - a library's failure on a hostile file is a read error, said plainly
        answer = {"error": "DocumentReadError", "message": f"文件“{filename}”无法读取（{type(exc).__name__}），文件可能已损坏"}
    try:
        payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    except MemoryError:
        payload = b'{"limit": "memory_bytes"}'
    conn.send_bytes(payload)
    conn.close()
    os._exit(0)  # nothing to clean up: skip the interpreter's teardown, so that the parent's join returns at once


def _out_of_memory(exc: BaseException | None) -> bool:
    """A reader's error that came from the memory limit: Python's MemoryError, or libxml2's ERR_NO_MEMORY, which
    lxml raises as an XMLSyntaxError whose error log says so."""
    seen = 0
    while exc is not None and seen < 10:
        told = f"{exc} {getattr(exc, 'error_log', '')}".lower()
        if isinstance(exc, MemoryError) or "err_no_memory" in told or "memory allocation failed" in told:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def resource_refusal(limit: str, limits: DocumentLimits) -> DocumentLimitError:
    """The message for a document that took more than the worker may spend."""
    if limit == "cpu_seconds":
        text = f"文档解析超过 CPU 时间上限（{limits.cpu_seconds} 秒），请拆分或检查文件"
    elif limit == "memory_bytes":
        text = f"文档解析超过内存上限（{limits.memory_bytes // 2**20} MB），请拆分或检查文件"
    elif limit == "wall_seconds":
        text = f"文档解析超过时间上限（{limits.wall_seconds} 秒），请拆分或检查文件"
    else:
        text = "文档嵌套过深，无法解析，请检查文件"
    return DocumentLimitError(text, limit=limit)


def parse_untrusted(data: bytes, filename: str = "", limits: DocumentLimits = DEFAULT_LIMITS) -> StandardDocument:
    """``read_standard`` in a limited worker: the same document, or the same errors, plus DocumentLimitError
    when the worker ran out of CPU time, memory or time."""
    context = _ctx()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, data, filename, limits), daemon=True,
                            name="yuebiao-parse")
    try:
        child.start()
    finally:
        sender.close()  # the child holds its own copy; ours must go, or a dead child would never read as EOF
    raw = None
    try:
        timed_out = not receiver.poll(limits.wall_seconds)
        if not timed_out:
            try:
                raw = receiver.recv_bytes(MAX_ANSWER_BYTES)
            except (EOFError, OSError):
                raw = None  # the child died without answering: killed by a limit, or crashed
    finally:
        if child.is_alive():
            child.kill()
        child.join(10)
        receiver.close()
    if raw is None:
        raise _dead_refusal(child.exitcode, timed_out, filename, limits)
    return _answer(raw, filename, limits)


def _answer(raw: bytes, filename: str, limits: DocumentLimits) -> StandardDocument:
    """The child's JSON answer: the document, or the error it names (only known errors: the child is untrusted)."""
    try:
        answer = json.loads(raw)
        if "document" in answer:
            return StandardDocument.from_dict(answer["document"])
        error, message = answer.get("error"), str(answer.get("message", ""))
        limit = str(answer.get("limit", ""))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise DocumentReadError(f"文件“{filename}”无法读取（解析进程的回答无法识别）") from exc
    if error is None:
        raise resource_refusal(limit, limits)
    if error == "DocumentLimitError":
        raise DocumentLimitError(message, limit=limit)
    raise ERRORS.get(error, DocumentReadError)(message)


def _dead_refusal(exitcode: int | None, timed_out: bool, filename: str, limits: DocumentLimits) -> SmartError:
    if timed_out:
        return resource_refusal("wall_seconds", limits)
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        # SIGXCPU at the soft CPU limit, SIGKILL at the hard one a second later
        return resource_refusal("cpu_seconds", limits)
    if exitcode == -signal.SIGSEGV:
        return resource_refusal("memory_bytes", limits)  # a C library that could not allocate
    return DocumentReadError(f"文件“{filename}”无法读取（解析进程异常退出：{exitcode}），文件可能已损坏")
