"""A Merkle tree as RFC 9162 (Certificate Transparency 2.0) defines it, section 2.1: pure functions.

Leaves and nodes are SHA-256 with a one-byte prefix, so a leaf can never pass for a node:
``leaf_hash(d) = SHA-256(0x00 || d)``, ``node_hash(l, r) = SHA-256(0x01 || l || r)``. The tree of n
leaves splits at k, the largest power of two smaller than n: ``MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n]))``.

An inclusion proof shows that a leaf is in a tree of a given root; a consistency proof shows that the tree
of ``first`` leaves is a prefix of the tree of ``second`` leaves: nothing before ``first`` was removed,
changed or reordered. Both verifiers follow the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2.
Here every function takes leaf *hashes* (``leaf_hash`` of each entry), so a caller hashes its entries once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[start]
    k = _split(n)
    return node_hash(_mth(leaves, start, start + k), _mth(leaves, start + k, end))


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of the tree whose leaf hashes are ``leaves`` (SHA-256 of nothing for no leaves)."""
    return _mth(leaves, 0, len(leaves))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 section 2.1.3.1."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    path: list[bytes] = []
    start, end = 0, len(leaves)
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(_mth(leaves, start + k, end))
            end = start + k
        else:
            path.append(_mth(leaves, start, start + k))
            start += k
    return path[::-1]


def consistency_proof(leaves: Sequence[bytes], first: int) -> list[bytes]:
    """PROOF(first, D[second]) of RFC 9162 section 2.1.4.1, where second is ``len(leaves)``."""
    second = len(leaves)
    if not 0 <= first <= second:
        raise ValueError(f"a tree of {first} leaves is not a prefix of a tree of {second} leaves")
    if first in (0, second):
        return []
    proof: list[bytes] = []
    start, end, whole = 0, second, True
    while end - start != first - start or not whole:
        if end - start == first - start:  # SUBPROOF(m, D[m], false): the subtree itself
            proof.append(_mth(leaves, start, end))
            break
        k = _split(end - start)
        if first - start <= k:
            proof.append(_mth(leaves, start + k, end))
            end = start + k
        else:
            proof.append(_mth(leaves, start, start + k))
            start += k
            whole = False
    return proof[::-1]


def verify_inclusion(leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root_hash: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: is the leaf hash at ``index`` in the tree of ``tree_size`` and this root?"""
    if not 0 <= index < tree_size:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2: is the tree of ``first`` leaves and ``first_root`` a prefix of the tree
    of ``second`` leaves and ``second_root``? (Equal sizes need equal roots; an empty first tree is a
    prefix of every tree.)"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: its root is a node of the larger tree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


class CompactTree:
    """The root of a growing tree in O(log n) memory: leaves are appended one by one and ``root()`` is
    MTH of the leaves so far, so the roots at many sizes come from one pass over a long log."""

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[tuple[int, bytes]] = []  # perfect subtrees, largest first

    def append(self, leaf: bytes) -> None:
        size, node = 1, leaf
        while self._peaks and self._peaks[-1][0] == size:
            size, node = size * 2, node_hash(self._peaks.pop()[1], node)
        self._peaks.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        node = self._peaks[-1][1]
        for _, left in reversed(self._peaks[:-1]):
            node = node_hash(left, node)
        return node
