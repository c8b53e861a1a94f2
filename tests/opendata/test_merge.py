"""The export's compiled releases (``opendata.merge``) are ocdsmerge's, to the order of the keys: on
generated releases with the merge rules of the standard and with rules at every depth; whatever the
compiler declines (nulls, objects without an id in an array, a field changing kind) is left to ocdsmerge."""

from __future__ import annotations

import json
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocdsmerge.exceptions import InconsistentTypeError
from ocdsmerge.merge import CompiledRelease

from digitalmarket.opendata import stored_releases
from digitalmarket.opendata.merge import Compiler, NeedsFullMerge, rule_tree

#: Rules at several depths, so that wholeListMerge and omitWhenMerged are met below the top too.
RULES = {
    ("id",): "omitWhenMerged",
    ("date",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
    ("w",): "wholeListMerge",
    ("arr", "w"): "wholeListMerge",
    ("arr", "x"): "omitWhenMerged",
    ("o", "arr", "w"): "wholeListMerge",
}
KEYS = st.sampled_from(["a", "b", "o", "arr", "w", "x", "id"])
SCALARS = st.sampled_from([0, 1, 2, 1.0, 0.0, True, False, "", "가", "b"])  # 1, 1.0 and True are equal in Python


def _values(nulls: bool):
    scalar = st.one_of(SCALARS, st.just({}), st.just([]), *([st.none()] if nulls else []))

    def nested(children):
        item = st.fixed_dictionaries({"id": st.sampled_from(["1", "2", "3"])}, optional={k: children for k in "abwx"})
        return st.one_of(
            st.dictionaries(KEYS, children, max_size=4),
            st.lists(item, max_size=3),
            st.lists(children, max_size=3),
        )

    return st.recursive(scalar, nested, max_leaves=14)


def _overlay(earlier, change):
    """``change`` laid over ``earlier``, object by object: a later release mostly repeats the earlier one."""
    if type(earlier) is dict and type(change) is dict:
        return earlier | {
            key: _overlay(earlier[key], value) if key in earlier else value for key, value in change.items()
        }
    return change


def _series(bodies: list[dict]) -> list[dict]:
    found, body = [], {}
    for n, change in enumerate(bodies):
        body = _overlay(body, change)
        found.append({"ocid": "ocds-xxxxxx-1", "id": f"r{n}", "date": f"2026-01-0{n + 1}T00:00:00Z", "tag": ["award"]})
        found[-1] |= body
    return found


def _releases(nulls: bool):
    return st.lists(st.dictionaries(KEYS, _values(nulls), max_size=5), min_size=1, max_size=5).map(_series)


def ocdsmerge(found: list[dict], rules: dict) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = CompiledRelease(merge_rules=rules)
        for release in found:
            compiled.append(release)
        return compiled.asdict()


def ours(found: list[dict], rules: dict) -> dict:
    compiler = Compiler(rule_tree(rules))
    for release in found:
        compiler.append(release)
    return compiler.asdict()


def same_or_declined(found: list[dict], rules: dict) -> bool:
    """True when both compile alike; False when ours declines (ocdsmerge then compiles)."""
    try:
        expected = json.dumps(ocdsmerge(found, rules), ensure_ascii=False)
    except (InconsistentTypeError, TypeError):  # TypeError: an id that is an object
        expected = None
    try:
        got = json.dumps(ours(found, rules), ensure_ascii=False)
    except NeedsFullMerge:
        return False
    assert got == expected
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_releases(nulls=False))
def test_same_compiled_release_as_ocdsmerge(found):
    same_or_declined(found, RULES)
    same_or_declined(found, stored_releases.merge_rules())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_releases(nulls=True))
def test_nulls_are_left_to_ocdsmerge(found):
    same_or_declined(found, RULES)


def test_a_contract_compiled_over_its_events():
    """An award, the contract, a change and two payments: the later values win, the objects of arrays
    merge by id (items, amendments, transactions) and new ones go last; the releases are not changed."""
    party = {"id": "KR-BRN-1", "name": "기관", "roles": ["buyer"]}
    award = {"ocid": "o", "id": "o-award", "date": "2026-01-01T00:00:00Z", "tag": ["award"], "parties": [party]}
    award["awards"] = [{"id": "a", "status": "active", "items": [{"id": "1", "quantity": 10}]}]
    contract = {"ocid": "o", "id": "o-contract", "date": "2026-01-02T00:00:00Z", "tag": ["contract"]}
    contract |= {"parties": [party], "contracts": [{"id": "c", "status": "active", "items": [{"id": "1"}]}]}
    change = json.loads(json.dumps(contract)) | {"id": "o-amendment-1", "date": "2026-02-01T00:00:00Z"}
    change["contracts"][0] |= {"amendments": [{"id": "1", "rationale": "증원"}], "items": [{"quantity": 20, "id": "1"}]}
    paid = [
        json.loads(json.dumps(change)) | {"id": f"o-payment-{n}", "date": f"2026-0{n + 2}-01T00:00:00Z"} for n in (1, 2)
    ]
    for n, release in enumerate(paid, 1):
        release["contracts"][0]["implementation"] = {"transactions": [{"id": f"INV-{n}", "value": n}]}
    found = [award, contract, change, *paid]
    copies = json.dumps(found)
    assert same_or_declined(found, stored_releases.merge_rules())
    assert json.dumps(found) == copies
    compiled = ours(found, stored_releases.merge_rules())
    assert list(compiled)[:4] == ["tag", "id", "date", "ocid"]
    assert compiled["id"] == "o-2026-04-01T00:00:00Z"
    assert compiled["contracts"][0]["items"] == [{"id": "1", "quantity": 20}]
    assert compiled["contracts"][0]["implementation"]["transactions"] == [
        {"id": "INV-1", "value": 1},
        {"id": "INV-2", "value": 2},
    ]


def test_a_number_written_otherwise_is_a_change():
    """1, 1.0 and True are equal to Python, not in JSON: the compiled release has the last one's."""
    rules = stored_releases.merge_rules()
    head = {"ocid": "o", "id": "o-1", "date": "2026-01-01T00:00:00Z"}
    for earlier, later in ((1, True), (1, 1.0), (0, False), (2.0, 2)):
        found = [
            head | {"tender": {"value": earlier}, "awards": [{"id": "a", "value": earlier}]},
            head | {"tender": {"value": later}, "awards": [{"id": "a", "value": later}]},
        ]
        assert same_or_declined(found, rules)
        assert json.dumps(ours(found, rules)["awards"]) == json.dumps([{"id": "a", "value": later}])


def test_what_the_compiler_declines():
    rules = stored_releases.merge_rules()
    head = {"ocid": "o", "id": "o-1", "date": "2026-01-01T00:00:00Z"}
    for found in (
        [head | {"tender": {"title": None}}],
        [head | {"parties": [{"name": "id 없음"}]}],
        [head | {"parties": [{"id": 7}]}],
        [head | {"tender": "text"}, head | {"tender": {"id": "t"}}],
        [head | {"tender": {"id": "t"}}, head | {"tender": ["t"]}],
    ):
        assert not same_or_declined(found, rules), found
