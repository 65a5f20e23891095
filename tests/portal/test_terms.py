"""The zh-Hans catalogue keeps two ideas apart (issue 8): 核算 is XXX's costing of a hand-off (工程款核算, HND-2);
the rules core's assessment of a project on a day is 测算. One Chinese word never stands for both."""

from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_kesuan_is_only_ever_xxxs_costing():
    for entry in polib.pofile(str(CATALOGUE)):
        if "assess" in entry.msgid.lower():
            assert "核算" not in entry.msgstr, entry.msgid
        if "测算" in entry.msgstr:
            assert "cost" not in entry.msgid.lower(), entry.msgid


def test_the_rules_cores_assessment_is_cesuan():
    entries = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOGUE))}
    assert entries["The assessment date %(as_of)s is before the acceptance date %(accepted_on)s."].startswith("测算")
    assert "已测算" in next(v for k, v in entries.items() if k.startswith("as of %(as_of)s: %(due)s due"))
