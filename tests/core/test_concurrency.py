"""Optimistic locking refuses a version no database column holds, as a conflict."""

from __future__ import annotations

import pytest

from caresignals.core.concurrency import MAX_VERSION, EditConflict, save_if_unchanged
from caresignals.organisations.models import Organisation


@pytest.mark.parametrize("version", [-1, MAX_VERSION + 1, 10**20, 2**64])
def test_a_version_beyond_any_column_is_a_conflict_not_a_crash(version):
    with pytest.raises(EditConflict):
        save_if_unchanged(Organisation(code="X"), version)
