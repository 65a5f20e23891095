"""The list kernel's search, one lookup per field unioned (issue 13), finds exactly what the OR of ``icontains``
across the joined fields found, on every list that searches."""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

import pytest
from django.db import connection
from django.db.models import Q
from django.http import QueryDict

from marketing_portal.lists import ListFilterSet

pytestmark = pytest.mark.django_db


def every_list() -> list[type[ListFilterSet]]:
    found, todo = [], list(ListFilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.search_fields and getattr(cls._meta, "model", None) is not None:
            found.append(cls)
    return found


def reference(model, fields, value):
    """The search as it was: each word in any of the fields, ORed across the joins."""
    words = value.split()
    condition = reduce(and_, (reduce(or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words))
    return set(model._default_manager.filter(condition).values_list("pk", flat=True))


def fragments(model, fields) -> set[str]:
    """Pieces of the values the list's records hold in its searched fields (and two words, and nothing found)."""
    found = {"不存在的词", "HT-2 电"}
    for field in fields:
        for value in model._default_manager.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)[:3]:
            text = str(value or "")
            if len(text) >= 4:
                found.add(text[1:4])
                found.add(text[-3:].lower())
    return found


def test_search_finds_what_the_or_of_the_fields_found_on_every_list(demo):
    from contracts import seed as contracts_seed
    from handoff import seed as handoff_seed
    from receivables import seed as receivables_seed
    from repairs import seed as repairs_seed

    assert connection.vendor == "postgresql"
    contracts_seed.run()
    handoff_seed.run()
    receivables_seed.run()
    repairs_seed.run()
    lists = every_list()
    assert len(lists) >= 6
    matched = 0
    for cls in lists:
        model = cls._meta.model
        for fragment in sorted(fragments(model, cls.search_fields)):
            expected = reference(model, cls.search_fields, fragment)
            data = QueryDict(mutable=True)
            data["q"] = fragment
            filtered = cls(data, queryset=model._default_manager.all())
            got = set(filtered.qs.values_list("pk", flat=True))
            assert got == expected, (cls.__name__, fragment)
            assert len(filtered.qs.values_list("pk", flat=True)) == len(got), (cls.__name__, fragment)  # no repeats
            matched += bool(expected)
    assert matched >= 10


def test_the_contract_search_finds_the_same_for_those_who_see_part_or_all_of_the_list(demo):
    """Whoever sees only part of the contracts is searched by a test of their rows (``search_matches``), whoever
    sees them all by the union of each field's matches (``search_ids``): both find what the OR found, within
    what the user may see (X-2)."""
    from types import SimpleNamespace

    from contracts import seed as contracts_seed
    from contracts.filters import ContractFilter
    from contracts.models import Contract
    from contracts.rules import sees_every_contract
    from contracts.selectors import CONTRACT_SEARCH_FIELDS, contract_list, contracts_visible_to

    contracts_seed.run()
    fields = CONTRACT_SEARCH_FIELDS
    kinds = set()
    found = 0
    for name in ("sales_hb", "sales_hd", "rm_hb", "director", "finance", "legal"):
        user = demo.user(name)
        kinds.add(bool(sees_every_contract(user)))
        visible = set(contracts_visible_to(user).values_list("pk", flat=True))
        for fragment in sorted(fragments(Contract, fields)):
            expected = reference(Contract, fields, fragment) & visible
            data = QueryDict(mutable=True)
            data["q"] = fragment
            listed = ContractFilter(data, queryset=contract_list(user), request=SimpleNamespace(user=user)).qs
            assert set(listed.values_list("pk", flat=True)) == expected, (name, fragment)
            assert set(contract_list(user, search=fragment).values_list("pk", flat=True)) == expected, (name, fragment)
            found += bool(expected)
    assert kinds == {True, False} and found >= 10
