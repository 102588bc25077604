"""The demo finds the real texts in ../shared/corpus/standards beside a fresh clone, wherever it is run from."""

from compare.demo import corpus_dir


def _layout(tmp_path):
    clone = tmp_path / "yuebiao"
    clone.mkdir()
    corpus = tmp_path / "shared" / "corpus" / "standards"
    corpus.mkdir(parents=True)
    return clone, corpus


def test_beside_the_clone(tmp_path, settings, monkeypatch):
    clone, corpus = _layout(tmp_path)
    monkeypatch.delenv("YUEBIAO_CORPUS_DIR", raising=False)
    settings.BASE_DIR = clone
    assert corpus_dir() == corpus


def test_from_the_working_directory_when_the_code_is_installed_elsewhere(tmp_path, settings, monkeypatch):
    clone, corpus = _layout(tmp_path)
    monkeypatch.delenv("YUEBIAO_CORPUS_DIR", raising=False)
    settings.BASE_DIR = tmp_path / "site-packages"
    monkeypatch.chdir(clone)
    assert corpus_dir().resolve() == corpus.resolve()


def test_the_environment_wins(tmp_path, settings, monkeypatch):
    clone, _ = _layout(tmp_path)
    settings.BASE_DIR = clone
    monkeypatch.setenv("YUEBIAO_CORPUS_DIR", str(tmp_path / "elsewhere"))
    assert corpus_dir() == tmp_path / "elsewhere"
