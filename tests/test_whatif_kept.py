"""A worker of a parallel what-if keeps the first slice's copy of the policy, its trusted reader and its rule
memo for the slices after it (manager.whatif._kept_for); the replay's result is the one-process result
(tests/test_whatif_trusted.py::test_progress_counts_up_to_every_return_in_one_process_and_in_two, and the
byte-identical full-journal check of the benchmark)."""

from __future__ import annotations

import multiprocessing
import pickle

import storehelpers as h
from pos_returns.manager import whatif


def test_a_worker_keeps_the_first_copy_of_the_policy_and_its_reader_and_memo(monkeypatch, tmp_path):
    policy = h.policy()
    assert whatif._kept_for(policy) == (policy, None)  # not in a worker: nothing kept
    monkeypatch.setattr(whatif, "_KEPT", [])
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())  # as in a worker
    first, (reader, memo) = whatif._kept_for(policy)
    copy = pickle.loads(pickle.dumps(policy))  # the next slice's own copy
    assert copy is not policy and copy == policy
    again, (reader2, memo2) = whatif._kept_for(copy)
    assert again is policy and reader2 is reader and memo2 is memo and memo.policy is policy
    other = pickle.loads(pickle.dumps(policy).replace(policy.sha256.encode(), b"0" * 64))
    assert other != policy
    third, (reader3, memo3) = whatif._kept_for(other)
    assert third is other and reader3 is not reader and memo3.policy is other and reader3.policy is other
