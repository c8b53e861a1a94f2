"""Compiled releases for the bulk export: the OCDS merge of ``ocdsmerge``, on nested objects.

``ocdsmerge`` flattens every release into (path, value) pairs and builds the compiled release back from
them, which is most of the cost of exporting a million releases. ``Compiler`` merges each release into
the compiled object directly, and skips a part that is already there as it is (most of a release repeats
the previous one of its process; compared by Python and then as JSON, as Python takes 1, 1.0 and True for
equal), with the same result, to the order of the keys:

- objects merge key by key; a key seen for the first time goes last, as in ``ocdsmerge``;
- arrays of objects merge by ``id`` (an object with a new ``id`` goes last, its ``id`` first); arrays
  with ``wholeListMerge`` in the merge rules, and arrays holding anything but objects, are replaced;
- empty objects and arrays add nothing; fields with ``omitWhenMerged`` are left out;
- the compiled release starts with ``tag: ["compiled"]``, ``id`` (``<ocid>-<date>`` of the last release),
  ``date`` and ``ocid``.

Anything ``ocdsmerge`` treats in a way of its own (a null, an object without a string ``id`` in an array,
a field that changes between an object, an array and a value) raises ``NeedsFullMerge``: the caller then
compiles that process with ``ocdsmerge``. The releases of ``ocds.py`` never do; a test compares both on
releases made by the workflows and on generated ones.
"""

from __future__ import annotations

from typing import Any

import orjson

OMIT = "omitWhenMerged"
WHOLE = "wholeListMerge"
_MISSING = object()
_NO_RULE = (None, None)

#: Merge rules as a tree: key -> (rule or None, the rules below it or None).
RuleTree = dict[str, tuple[str | None, "RuleTree | None"]]


class NeedsFullMerge(Exception):
    """The release holds something only ``ocdsmerge`` compiles the way the standard's tools do."""


def rule_tree(merge_rules: dict[tuple[str, ...], str]) -> RuleTree:
    """``ocdsmerge``'s rules ({path: rule}) as a tree walked along with the release."""
    tree: dict = {}
    for path, rule in merge_rules.items():
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, [None, {}])[1]
        node.setdefault(path[-1], [None, {}])[0] = rule
    return _freeze(tree)


def _freeze(tree: dict) -> RuleTree:
    return {key: (rule, _freeze(below) if below else None) for key, (rule, below) in tree.items()}


class Compiler:
    """The compiled release of one process, its releases appended oldest first."""

    __slots__ = ("_rules", "_body", "_ocid", "_date")

    def __init__(self, rules: RuleTree) -> None:
        self._rules = rules
        self._body: dict[str, Any] = {}
        self._ocid: str | None = None
        self._date: str | None = None

    def append(self, release: dict[str, Any]) -> None:
        """Merge one release. The compiled release may share values with it: do not change it afterwards."""
        ocid, date = release.get("ocid"), release.get("date")
        if type(ocid) is not str or type(date) is not str:
            raise NeedsFullMerge("a release without a string ocid and date")
        self._ocid, self._date = ocid, date
        if self._body:
            _merge_object(self._body, release, self._rules)
        else:
            self._body = _fresh_object(release, self._rules)

    def asdict(self) -> dict[str, Any]:
        if self._ocid is None:
            return {"tag": ["compiled"]}
        head = {"tag": ["compiled"], "id": f"{self._ocid}-{self._date}", "date": self._date, "ocid": self._ocid}
        return head | self._body  # the body's ocid keeps the head's place


_is_dict = dict.__instancecheck__


def _is_object_array(value: list, rule: str | None) -> bool:
    return rule != WHOLE and all(map(_is_dict, value))


def _fresh_object(source: dict, rules: RuleTree | None) -> dict:
    """What merging ``source`` into an empty object gives."""
    if rules is None:
        return _fresh_plain(source)
    out: dict = {}
    for key, value in source.items():
        rule, below = rules.get(key, _NO_RULE)
        if rule == OMIT:
            continue
        kind = type(value)
        if kind is dict:
            if rule == WHOLE:
                raise NeedsFullMerge(f"an object at {key}, a list in the schema")
            if value and (fresh := _fresh_object(value, below)):
                out[key] = fresh
        elif kind is list:
            if not _is_object_array(value, rule):
                out[key] = value
            elif value:
                out[key] = _fresh_array(value, below)
        elif value is None:
            raise NeedsFullMerge(f"null at {key}")
        else:
            out[key] = value
    return out


def _fresh_plain(source: dict) -> dict:
    """``_fresh_object`` where no merge rule applies below (most of a release): fewer questions per key."""
    out: dict = {}
    for key, value in source.items():
        kind = type(value)
        if kind is dict:
            if value and (fresh := _fresh_plain(value)):
                out[key] = fresh
        elif kind is list:
            if not all(map(_is_dict, value)):
                out[key] = value
            elif value:
                out[key] = _fresh_array(value, None)
        elif value is None:
            raise NeedsFullMerge(f"null at {key}")
        else:
            out[key] = value
    return out


def _fresh_array(source: list, rules: RuleTree | None) -> list:
    out: list = []
    _merge_array(out, source, rules)
    return out


def _merge_object(target: dict, source: dict, rules: RuleTree | None) -> None:
    for key, value in source.items():
        rule, below = rules.get(key, _NO_RULE) if rules is not None else _NO_RULE
        if rule == OMIT:
            continue
        kind = type(value)
        old = target.get(key, _MISSING)
        if kind is dict:
            if rule == WHOLE:
                raise NeedsFullMerge(f"an object at {key}, a list in the schema")
            if not value:
                continue
            if old is _MISSING:
                if fresh := _fresh_object(value, below):
                    target[key] = fresh
            elif type(old) is not dict:
                raise NeedsFullMerge(f"{key} was not an object before")
            elif not _unchanged(old, value):
                _merge_object(old, value, below)
        elif kind is list:
            if not _is_object_array(value, rule):  # replaced whole
                if old is not _MISSING and _is_node(old, rule):
                    raise NeedsFullMerge(f"{key} was an object or an array of objects before")
                target[key] = value
            elif not value:
                continue
            elif old is _MISSING:
                target[key] = _fresh_array(value, below)
            elif _unchanged(old, value):
                continue
            elif type(old) is list and _is_object_array(old, rule):
                _merge_array(old, value, below)
            else:
                raise NeedsFullMerge(f"{key} was not an array of objects before")
        elif value is None:
            raise NeedsFullMerge(f"null at {key}")
        elif old is not _MISSING and _is_node(old, rule):
            raise NeedsFullMerge(f"{key} was an object or an array of objects before")
        else:
            target[key] = value


def _unchanged(old: Any, value: Any) -> bool:
    """Merging ``value`` into ``old`` would change nothing: equal, and written alike (Python takes 1, 1.0
    and True for equal; their JSON is not)."""
    return old == value and orjson.dumps(old) == orjson.dumps(value)


def _is_node(value: Any, rule: str | None) -> bool:
    """An object or an array of objects merged by id, as opposed to a value replaced whole."""
    kind = type(value)
    return kind is dict or (kind is list and _is_object_array(value, rule))


def _merge_array(target: list, source: list, rules: RuleTree | None) -> None:
    """Objects merge by ``id``, as ``ocdsmerge``'s identifier merge; a new one goes last, its ``id`` first."""
    by_id = {item["id"]: item for item in target}
    for item in source:
        identifier = item.get("id")
        if type(identifier) is not str:
            raise NeedsFullMerge("an object without a string id in an array")
        old = by_id.get(identifier)
        if old is None:
            old = by_id[identifier] = {"id": identifier} | _fresh_object(item, rules)
            target.append(old)
        elif not _unchanged(old, item):
            _merge_object(old, item, rules)
