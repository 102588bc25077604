"""Fixtures for the smart tests: the real corpus, each PDF read and parsed once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "standards"
EXPECTED = Path(__file__).resolve().parent / "expected"

_cache: dict[str, object] = {}


def parsed(name: str):
    """The StandardDocument of a corpus PDF (cached for the whole session)."""
    if name not in _cache:
        from smart.parser import parse_document
        from smart.reader_pdf import read_pdf

        path = CORPUS / name
        if not path.exists():
            pytest.skip(f"corpus file {name} not available")
        _cache[name] = parse_document(read_pdf(path))
    return _cache[name]


@pytest.fixture(scope="session", autouse=True)
def _parsing_fork_server():
    """Start smart's parsing fork server in the background at the start of the session, as a running server has it
    from its first upload on: a test that times one upload then times the upload, not the server's start (1–2 s)."""
    import threading
    from multiprocessing import forkserver

    from smart import sandbox

    sandbox._ctx()  # sets the modules the server preloads
    threading.Thread(target=forkserver.ensure_running, name="parse-fork-server", daemon=True).start()


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.skip("the standards corpus (../shared/corpus/standards) is not available")
    return CORPUS


@pytest.fixture(scope="session")
def parse_corpus():
    return parsed


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Overrides the project-wide autouse fixture that clears Django's cache: these pure tests run without
    Django settings (``-p no:django``) and touch no cache."""
    yield
