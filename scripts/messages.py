"""Translation catalogue chores, safe to run from several shells at once (a file lock serialises them).

    python scripts/messages.py update            # makemessages -l zh_Hans, keeping every translation
    python scripts/messages.py missing           # list msgids without a translation (or fuzzy)
    python scripts/messages.py fill FILE.json    # {"msgid": "译文", ...}; contexts as "context\\u0004msgid"
    python scripts/messages.py compile           # .po -> .mo with polib (no gettext needed at run time)
"""

import fcntl
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
LOCK = ROOT / "locale" / ".lock"


@contextmanager
def locked():
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def update():
    with locked():
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketing_portal.settings", "SECRET_KEY": "makemessages"}
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location",
             "--ignore", ".venv/*", "--ignore", "node_modules/*", "--ignore", "tests/*", "--ignore", "var/*",
             "--ignore", "static/*", "--ignore", "staticfiles/*"],
            cwd=ROOT, env=env, check=True,
        )
        catalogue = polib.pofile(str(PO))
        catalogue.metadata.update({
            "Project-Id-Version": "Marketing Portal",
            "Language": "zh_Hans",
            "Language-Team": "Chinese (Simplified)",
            "Plural-Forms": "nplurals=1; plural=0;",
        })
        catalogue.metadata_is_fuzzy = False
        # Sorted by msgid, so that branches adding strings touch different lines (see po_merge.py).
        catalogue.sort(key=lambda e: (e.msgid, e.msgctxt or ""))
        catalogue.header = "Simplified Chinese catalogue of the Marketing Portal (updated by scripts/messages.py)."
        catalogue.save()


def missing(path=PO):
    catalogue = polib.pofile(str(path))
    rows = [e for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    for entry in rows:
        key = f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid
        plural = f"  [plural: {entry.msgid_plural}]" if entry.msgid_plural else ""
        print(json.dumps(key, ensure_ascii=False) + plural)
    print(f"{len(rows)} untranslated or fuzzy of {len(catalogue)}", file=sys.stderr)
    return len(rows)


def fill(json_path):
    mapping = json.loads(Path(json_path).read_text(encoding="utf-8"))
    with locked():
        catalogue = polib.pofile(str(PO))
        done = 0
        for entry in catalogue:
            key = f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid
            if key not in mapping:
                continue
            value = mapping[key]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value if isinstance(value, str) else value[0]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None  # msgmerge's guess, now answered
            done += 1
        catalogue.save()
    print(f"filled {done} of {len(mapping)} given")


def compile_():
    with locked():
        for po in (ROOT / "locale").glob("*/LC_MESSAGES/*.po"):
            polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "update":
        update()
    elif command == "missing":
        sys.exit(1 if missing() else 0)
    elif command == "fill":
        fill(sys.argv[2])
    elif command == "compile":
        compile_()
    else:
        sys.exit(__doc__)
