"""Worker processes: state kept between calls, failures reported, the collector held back."""

from __future__ import annotations

import gc

import pytest

from pipeline.parallel import FULL_COLLECTIONS_AFTER, Workers, rare_full_collections


def _threshold(state: dict) -> int:
    return gc.get_threshold()[2]


def _count(state: dict, n: int) -> int:
    state["n"] = state.get("n", 0) + n
    return state["n"]


def test_rare_full_collections_sets_and_restores_the_threshold():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rare_full_collections():
        assert gc.get_threshold() == (*before[:2], max(before[2], FULL_COLLECTIONS_AFTER))
        raise RuntimeError("the step failed")
    assert gc.get_threshold() == before


def test_workers_keep_state_and_collect_rarely():
    with Workers(2, {}) as workers:
        assert workers.call(_count, [(1,), (2,)]) == [1, 2]
        assert workers.call(_count, [(10,), (20,)]) == [11, 22]
        assert workers.call(_threshold, [(), ()]) == [FULL_COLLECTIONS_AFTER] * 2
    assert gc.get_threshold()[2] != FULL_COLLECTIONS_AFTER
