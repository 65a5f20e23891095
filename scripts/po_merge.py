"""Git merge driver for the zh-Hans catalogue: the union of both sides' messages, sorted by msgid.

Two branches that each add strings touch the same .po file; a line merge conflicts wherever their
new entries meet. This driver merges by message instead: every message either side has (less the ones
one side removed since the common ancestor), the translated text winning over an empty or fuzzy one,
our side winning when both changed a translation, theirs when only theirs changed it.
Registered in ``.gitattributes``; enable it once per clone:

    git config merge.pomerge.driver ".venv/bin/python scripts/po_merge.py %O %A %B"
"""

import sys

import polib


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def text(entry):
    return (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())), tuple(entry.flags))


def good(entry):
    return entry is not None and entry.translated() and "fuzzy" not in entry.flags


def sort_catalogue(catalogue):
    catalogue.sort(key=lambda e: (e.msgid, e.msgctxt or ""))


def merge(base_path, ours_path, theirs_path):
    base, ours, theirs = (polib.pofile(p) for p in (base_path, ours_path, theirs_path))
    base_map = {key(e): e for e in base if not e.obsolete}
    in_base = set(base_map)
    ours_map = {key(e): e for e in ours if not e.obsolete}
    theirs_map = {key(e): e for e in theirs if not e.obsolete}
    merged = polib.POFile()
    merged.metadata = ours.metadata
    merged.header = ours.header
    for k in sorted(set(ours_map) | set(theirs_map)):
        mine, other = ours_map.get(k), theirs_map.get(k)
        if k in in_base and (mine is None or other is None):
            continue  # removed on one side since the ancestor
        entry = mine if good(mine) or not good(other) else other
        ancestor = base_map.get(k)
        if good(mine) and good(other) and ancestor is not None and text(mine) == text(ancestor):
            entry = other  # only their side changed the translation: take the change
        merged.append(entry)
    sort_catalogue(merged)
    merged.save(ours_path)
    return 0


if __name__ == "__main__":
    sys.exit(merge(*sys.argv[1:4]))
