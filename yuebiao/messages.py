"""Sentences the platform stores for later (row errors, comparison notes, notices): the Chinese text plus a message
id and its parameters, so each reader gets them in their own language when they are read.

Pure Python: no Django. A ``Message`` is the Chinese sentence itself (a ``str``, so code that compares, searches or
prints it keeps working) and carries its ``msgid`` (the Chinese source text with ``{name}`` placeholders, which is
also the gettext msgid) and ``params``. A parameter may itself be a ``Message`` (a reason inside a sentence); it is
translated too. The interface translates with ``render`` and its own gettext (yuebiao.stored_text).
"""

from __future__ import annotations

from typing import Any, Callable

MESSAGE_ID = "message_id"
PARAMS = "params"


class Message(str):
    """A sentence in Chinese that remembers how it was made: ``Message("第 {row} 行", row=3) == "第 3 行"``."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Message:
        self = super().__new__(cls, msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self):  # pickled (a task's arguments, a cache) as what it is, not as a bare str
        return (_rebuild, (self.msgid, self.params))

    def as_json(self) -> dict[str, Any]:
        """The id and parameters as JSON values: ``{"message_id": …, "params": {…}}``."""
        return {MESSAGE_ID: self.msgid, PARAMS: {k: _json_value(v) for k, v in self.params.items()}}


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


def _json_value(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # a date, a Decimal …: the Chinese sentence showed it this way


def render(msgid: str, params: dict[str, Any] | None, translate: Callable[[str], str],
           value: Callable[[Any], Any] | None = None) -> str:
    """The stored sentence in the language of `translate` (a gettext): nested messages first; `value`, when given,
    dresses each plain parameter (the interface marks a Chinese value as such). A translation whose placeholders do
    not fit the parameters falls back to the Chinese, which always fits."""
    values = {}
    for key, v in (params or {}).items():
        if isinstance(v, dict) and MESSAGE_ID in v:
            v = render(v[MESSAGE_ID], v.get(PARAMS), translate, value)
        elif value is not None:
            v = value(v)
        values[key] = v
    if not values:
        return translate(msgid)
    try:
        return translate(msgid).format(**values)
    except (KeyError, IndexError, ValueError):
        return msgid.format(**values)


def id_keys(text_key: str) -> tuple[str, str]:
    """Where a stored dict keeps the id and parameters of its `text_key`: "message" → ("message_id", "params"),
    any other key → ("<key>_id", "<key>_params")."""
    return (MESSAGE_ID, PARAMS) if text_key == "message" else (f"{text_key}_id", f"{text_key}_params")


def stored_fields(text_key: str, text: Any) -> dict[str, Any]:
    """The keys to store beside ``{text_key: text}`` when the text is a Message: its id and parameters."""
    if not isinstance(text, Message):
        return {}
    id_key, params_key = id_keys(text_key)
    out: dict[str, Any] = {id_key: text.msgid}
    if text.params:
        out[params_key] = text.as_json()[PARAMS]
    return out


def render_stored(entry: dict[str, Any], text_key: str, translate: Callable[[str], str],
                  value: Callable[[Any], Any] | None = None) -> str:
    """A stored dict's sentence in the reader's language: rendered from its id when it has one, else as stored
    (rows written before ids were kept)."""
    id_key, params_key = id_keys(text_key)
    msgid = entry.get(id_key)
    if not msgid:
        text = entry.get(text_key)
        return "" if text is None else str(text)
    try:
        return render(msgid, entry.get(params_key), translate, value)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return str(entry.get(text_key) or "")


def joined(parts: list[Any], separator: str) -> str:
    """Sentences and values joined by `separator` ("；", " / "), each part kept as it is (a Message translates, a
    plain value is data): one Message is returned itself, one plain value as the Message "{p0}", none gives ""."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) == 1 and isinstance(parts[0], Message):
        return parts[0]
    msgid = separator.join("{p%d}" % i for i in range(len(parts)))
    return Message(msgid, **{f"p{i}": p for i, p in enumerate(parts)})
