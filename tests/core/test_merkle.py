"""The Merkle tree of RFC 9162: the published test roots, the examples of section 2.1.5, and proofs that
verify for every size while a changed proof, root or size does not."""

from hypothesis import given
from hypothesis import strategies as st

from digitalmarket.core.merkle import (
    EMPTY_ROOT,
    CompactTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The inputs and roots used by Certificate Transparency's reference implementations.
CT_LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58))]
CT_LEAVES.append(bytes(range(0x60, 0x70)))
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_the_reference_roots():
    leaves = [leaf_hash(d) for d in CT_LEAVES]
    assert root([]) == EMPTY_ROOT == CompactTree().root()
    assert [root(leaves[:n]).hex() for n in range(1, 9)] == CT_ROOTS


def test_the_examples_of_rfc_9162():
    # Seven leaves: g=(a,b) h=(c,d) i=(e,f) j=d6, k=(g,h) l=(i,j), root=(k,l).
    a, b, c, d, e, f, j = (leaf_hash(bytes([n])) for n in range(7))
    g, h, i = node_hash(a, b), node_hash(c, d), node_hash(e, f)
    k, l_ = node_hash(g, h), node_hash(i, j)
    leaves = [a, b, c, d, e, f, j]
    assert root(leaves) == node_hash(k, l_)
    assert inclusion_proof(leaves, 1) == [a, h, l_]
    assert inclusion_proof(leaves, 3) == [c, g, l_]
    assert inclusion_proof(leaves, 4) == [f, j, k]
    assert inclusion_proof(leaves, 6) == [i, k]
    assert consistency_proof(leaves, 3) == [c, d, g, l_]
    assert consistency_proof(leaves, 4) == [l_]
    assert consistency_proof(leaves, 6) == [i, j, k]


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70).map(lambda ds: [leaf_hash(d) for d in ds])


@given(leaf_lists, st.data())
def test_inclusion_proofs_verify_and_wrong_ones_do_not(leaves, data):
    n, top = len(leaves), root(leaves)
    index = data.draw(st.integers(0, n - 1))
    path = inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, n, path, top)
    assert not verify_inclusion(leaf_hash(b"other"), index, n, path, top)
    assert not verify_inclusion(leaves[index], n, n, path, top)
    if path:
        assert not verify_inclusion(leaves[index], index, n, path[:-1], top)


@given(leaf_lists, st.data())
def test_consistency_proofs_verify_and_wrong_ones_do_not(leaves, data):
    second = len(leaves)
    first = data.draw(st.integers(0, second))
    proof = consistency_proof(leaves, first)
    first_root, second_root = root(leaves[:first]), root(leaves)
    assert verify_consistency(first, second, first_root, second_root, proof)
    if 0 < first < second:
        changed = leaves[: first - 1] + [leaf_hash(b"changed")] + leaves[first:]
        assert not verify_consistency(first, second, root(changed[:first]), second_root, proof)
        assert not verify_consistency(first, second, first_root, root(changed), proof)
        assert not verify_consistency(first, second, first_root, second_root, proof[:-1])
        assert not verify_consistency(first, second, first_root, second_root, [EMPTY_ROOT, *proof[1:]])


@given(leaf_lists)
def test_the_compact_tree_gives_the_root_at_every_size(leaves):
    tree = CompactTree()
    for n, leaf in enumerate(leaves, start=1):
        tree.append(leaf)
        assert tree.size == n and tree.root() == root(leaves[:n])
