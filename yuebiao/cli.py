"""The `yuebiao` command: Django's manage.py plus Yuebiao's own subcommands (number, search, import, …)."""

from __future__ import annotations

import os
import sys


# Names officials type → Django command modules (a module cannot be called `import`).
COMMAND_ALIASES = {"import": "import_standards"}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuebiao.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "yuebiao"
    if len(argv) > 1 and argv[1] == "compare":
        # The comparison core is pure (compare/): it reads files and needs no database or settings.
        from compare.cli import main as compare_main

        return compare_main(argv[2:])
    if len(argv) > 1:
        argv[1] = COMMAND_ALIASES.get(argv[1], argv[1].replace("-", "_"))
    if len(argv) > 1 and argv[1] == "runserver" and (refusal := _prepare_runserver()):
        print(refusal, file=sys.stderr)
        return 1
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    return 0


def _prepare_runserver() -> str | None:
    """The development server: no persistent connections, and no serving without a key (why not, or None)."""
    # runserver starts a thread per request; persistent connections there pile up until PostgreSQL refuses clients.
    os.environ["YUEBIAO_CONN_MAX_AGE"] = "0"
    from yuebiao.deployment import serving_refusal

    return serving_refusal()


if __name__ == "__main__":
    sys.exit(main())
