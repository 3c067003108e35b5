"""
The transparency log: RFC 9162 Merkle trees, tiles, signed notes and checkpoints.

It knows nothing of events: leaves are bytes. One module per concept, as in
transparency-dev/merkle:

* :mod:`~incidents._tlog.hashing`: leaf and node hashes, the root of a list
  of leaves (RFC 9162 section 2.1.1).
* :mod:`~incidents._tlog.subtrees`: perfect subtrees, the protocol proofs
  read them through, and roots of earlier sizes.
* :mod:`~incidents._tlog.prove`: inclusion and consistency proofs made
  (sections 2.1.3.1 and 2.1.4.1).
* :mod:`~incidents._tlog.verify`: the same proofs checked (sections 2.1.3.2
  and 2.1.4.2).
* :mod:`~incidents._tlog.compact`: the right edge of a growing tree
  (:class:`~incidents._tlog.compact.Frontier`).
* :mod:`~incidents._tlog.tiles`: the tree as stored, in tiles of 16 hashes
  (after C2SP tlog-tiles).
* :mod:`~incidents._tlog.notes`: signed notes and Ed25519 keys (C2SP signed-note).
* :mod:`~incidents._tlog.checkpoint`: a log's size and root as a signable
  note (C2SP tlog-checkpoint).
"""
