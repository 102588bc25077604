"""The outline of an uploaded draft (its clauses), read in the sandbox: the clause field of the comment form."""

from __future__ import annotations

from lifecycle.errors import DocumentRefused
from smart import services as smart_services
from smart.errors import DocumentLimitError, EncryptedDocumentError, SmartError

# The longest clause number a comment may name.
MAX_CLAUSE_CHARS = 40
# The most clauses a draft's outline offers in the clause field.
MAX_OUTLINE_CLAUSES = 500


def draft_outline(data: bytes, filename: str) -> list[dict]:
    """The clause numbers and titles of a draft for comment, read once at upload in smart's limited worker.

    A draft with no clause structure (a scan, a text without clause numbers) gets an empty outline: commenters type
    the clause. One over the limits on untrusted documents (or too costly to parse), or encrypted, is refused:
    nothing is stored, because it is hostile or the public could not open it either.
    """
    try:
        parsed = smart_services.read_untrusted(data, filename)
    except (DocumentLimitError, EncryptedDocumentError) as exc:
        raise DocumentRefused(f"征求意见稿无法读取，未保存：{exc}") from exc
    except SmartError:
        return []
    clauses: list[dict] = []
    for clause in parsed.walk():
        number = str(clause.number or "").strip()[:MAX_CLAUSE_CHARS]
        if number:
            clauses.append({"number": number, "title": (clause.title or "")[:80], "level": clause.level})
    return clauses[:MAX_OUTLINE_CLAUSES]
