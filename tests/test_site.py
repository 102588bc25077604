"""Site-wide checks that catch what reviewers miss: templates compile, static files exist, translations compiled."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import engines
from django.template.loader import get_template

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [p for p in REPO.glob("*/templates") if ".venv" not in p.parts]


def _templates():
    for root in TEMPLATE_DIRS:
        for path in root.rglob("*.html"):
            yield path.relative_to(root).as_posix(), path


def test_every_template_compiles():
    engines["django"]  # noqa: B018
    names = [name for name, _ in _templates()]
    assert "base.html" in names
    for name in names:
        get_template(name)


def test_every_static_reference_exists():
    missing = []
    for _, path in _templates():
        for ref in re.findall(r"{%\s*static\s+'([^']+)'\s*%}", path.read_text(encoding="utf-8")):
            if not finders.find(ref):
                missing.append(ref)
    assert missing == []


def test_nothing_is_loaded_from_the_internet():
    offenders = []
    for _, path in _templates():
        text = path.read_text(encoding="utf-8")
        if re.search(r"<(script|link)[^>]+(src|href)=\"https?://", text):
            offenders.append(path.name)
    assert offenders == []


def test_english_catalogue_is_compiled_and_complete():
    locale = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
    po = (locale / "django.po").read_text(encoding="utf-8")
    with open(locale / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    entries = re.findall(r'\n(?:msgctxt ((?:"[^\n]*"\n)+))?msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n?)+)', po)
    assert len(entries) > 100
    untranslated, stale = [], []
    for raw_context, raw_id, raw_str in entries:
        context = "".join(eval(line) for line in raw_context.strip().splitlines())  # noqa: S307 - PO literals
        msgid = "".join(eval(line) for line in raw_id.strip().splitlines())  # noqa: S307 - PO string literals
        msgstr = "".join(eval(line) for line in raw_str.strip().splitlines())  # noqa: S307
        if not msgid:
            continue
        if not msgstr:
            untranslated.append(msgid)
        elif (mo.pgettext(context, msgid) if context else mo.gettext(msgid)) != msgstr:
            stale.append(msgid)
    assert untranslated == [], "run make messages and translate"
    assert stale == [], ".mo is older than .po: run make messages"
