"""Demo comparisons (演示比对): the real texts of three local/national pairs attached, and the first two compared.

The texts are the real PDFs beside the project (``../shared/corpus/standards``, or ``YUEBIAO_CORPUS_DIR``); they
are read from there, never copied into the repository. Without them the demo simply has no comparison.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from accounts.models import User
from catalogue.models import Standard
from catalogue.services import FullTextRefused, attach_full_text
from compare import actions, services
from compare.models import Comparison

# catalogue number → file in the corpus
DEMO_TEXTS = {
    "DB44/ 2159—2019": "DB-44-2159-2019.pdf",
    "GB 26453—2011": "GB-26453-2011.pdf",
    "DB44/ 2208—2019": "DB-44-2208-2019.pdf",
    "GB 18918—2002": "GB-18918-2002.pdf",
    "DB44/ 1597—2015": "DB-44-1597-2015.pdf",
    "GB 21900—2008": "GB-21900-2008.pdf",
}
DEMO_PAIRS = [("DB44/ 2159—2019", "GB 26453—2011"), ("DB44/ 2208—2019", "GB 18918—2002")]


CORPUS_RELATIVE = Path("shared") / "corpus" / "standards"


def corpus_dir() -> Path:
    """Where the real texts are: ``YUEBIAO_CORPUS_DIR``, else ``../shared/corpus/standards`` beside the project's
    checkout (found from the code, then from the working directory, so an installed copy run from a clone finds it
    too); the first that exists, or the one beside the code."""
    if os.environ.get("YUEBIAO_CORPUS_DIR"):
        return Path(os.environ["YUEBIAO_CORPUS_DIR"])
    candidates = [Path(settings.BASE_DIR).parent / CORPUS_RELATIVE, Path.cwd().parent / CORPUS_RELATIVE]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def load_compare_demo(*, by_username: str = "sheng") -> dict[str, int]:
    """Attach the texts the catalogue lacks, then compare the demo pairs; loading again changes nothing."""
    folder = corpus_dir()
    attached = 0
    user = User.objects.filter(username=by_username).first()
    for number, filename in DEMO_TEXTS.items():
        path = folder / filename
        std = Standard.objects.filter(number=number).first()
        if std is None or not path.is_file() or std.full_text:
            continue
        try:
            attach_full_text(standard=std, data=path.read_bytes(), filename=filename, by=user)
        except FullTextRefused:
            continue  # a scan (GB 21900—2008) is refused as a full text: its pair shows "no full text yet"
        attached += 1
    if user is None:
        return {"attached": attached, "compared": 0}
    before = Comparison.objects.count()
    for a, b in DEMO_PAIRS:
        try:
            actions.compare_sides(services.side_from_catalogue(a), services.side_from_catalogue(b), by=user,
                                  inline=True)
        except services.ComparisonRefused:
            continue  # a text that is missing or cannot be read: nothing to show for this pair
    return {"attached": attached, "compared": Comparison.objects.count() - before}
