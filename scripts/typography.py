"""Chinese typography of the zh-Hans catalogue (issue 12): Chinese sentences take full-width punctuation.

    python scripts/typography.py        # list every translation that breaks a rule, exit 1 if any

Rules: no ASCII ``: , ; ! ?`` or a sentence-ending ``.`` right after a Chinese character; no ASCII brackets around
Chinese text; no space after full-width punctuation. The test ``tests/portal/test_catalogue_typography.py`` runs it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
HAN = r"[\u3400-\u9fff]"
RULES = (
    ("ASCII punctuation after Chinese", re.compile(HAN + r"\s*[:,;!?]")),
    ("ASCII full stop after Chinese", re.compile(HAN + r"\.(?!\.)(?=\s|$|<)")),
    ("ASCII bracket around Chinese", re.compile(HAN + r"\s*\((?!\w*\)s)|\(" + HAN + r"|" + HAN + r"\)")),
    ("space after full-width punctuation", re.compile(r"[，。：；！？、）] (?=\S)")),
)
FULL_WIDTH = {":": "：", ",": "，", ";": "；", "!": "！", "?": "？", ".": "。", "(": "（", ")": "）"}


def texts(entry) -> list[str]:
    return [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())


def problems(path=PO) -> list[tuple[str, str, str]]:
    """(msgid, the translation, the rule it breaks) for every translation that breaks a rule."""
    found = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        for text in texts(entry):
            for name, rule in RULES:
                if rule.search(text):
                    found.append((entry.msgid, text, name))
    return found


if __name__ == "__main__":
    rows = problems()
    for msgid, text, name in rows:
        print(f"{name}: {msgid!r} -> {text!r}")
    print(f"{len(rows)} problems")
    sys.exit(1 if rows else 0)
