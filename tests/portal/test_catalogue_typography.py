"""Issue 12 point 11: Chinese sentences take full-width punctuation — in the catalogue and where a template puts
punctuation after a translated label."""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import typography  # noqa: E402


def test_the_catalogue_has_no_ascii_punctuation_after_chinese_text():
    found = typography.problems()
    assert found == [], "\n".join(f"{name}: {msgid!r} -> {text!r}" for msgid, text, name in found[:20])


def test_the_check_finds_what_it_is_meant_to_find(tmp_path):
    catalogue = polib.POFile()
    for msgid, msgstr in (("Reason: %(r)s", "原因: %(r)s"), ("Saved.", "已保存."), ("Due (%(d)s)", "截止(%(d)s)"),
                          ("Copied", "已抄送： 区域经理"), ("Amount: %(a)s", "金额：%(a)s"),
                          ("Rate", "费率 %(rate)s%%"), ("Version", "v1.2 版本")):
        catalogue.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    path = tmp_path / "django.po"
    catalogue.save(str(path))
    flagged = {msgid: name for msgid, _text, name in typography.problems(path)}
    assert flagged == {"Reason: %(r)s": "ASCII punctuation after Chinese", "Saved.": "ASCII full stop after Chinese",
                       "Due (%(d)s)": "ASCII bracket around Chinese", "Copied": "space after full-width punctuation"}


def test_templates_put_no_ascii_colon_after_a_translated_label():
    """``{% translate "Reason" %}: …`` prints “原因: …”: the label's colon is ``{% colon %}`` (“：” in Chinese)."""
    pattern = re.compile(r"%\}:(\s|<|\{|$)", re.MULTILINE)
    offenders = [f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
                 for path in (ROOT / "templates").rglob("*.html")
                 for text in [path.read_text(encoding="utf-8")] for m in pattern.finditer(text)]
    assert offenders == []
