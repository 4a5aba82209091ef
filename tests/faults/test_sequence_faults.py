"""Sequences fail when the target would hand out a value already used, and only then."""

from __future__ import annotations

import pytest

from pgcutover.runner import VerifyOutcome
from tests.faults.test_buffer_faults import PASSES
from tests.faults.test_row_faults import KEY_FAULTS
from tests.fix_contracts import failure
from tests.fix_data_faults import FaultRun, data_failures, evidence


@pytest.fixture
def key_run(fault_run: FaultRun) -> VerifyOutcome:
    return fault_run("keys", *KEY_FAULTS)  # the same run as the row faults (cached)


@pytest.fixture
def pass_run(fault_run: FaultRun) -> VerifyOutcome:
    return fault_run("passes", *PASSES)


def test_a_sequence_behind_max_id_is_named(key_run: VerifyOutcome) -> None:
    message = failure(key_run, "test_sequence_ahead_of_data[public.clients_id_seq]").message
    assert "next value 6 on the target, but public.clients.id already holds 1299" in message
    behind = failure(key_run, "test_sequence_not_behind_source[public.clients_id_seq]").message
    assert "next value 6 on the target, 1300 on the source" in behind


def test_a_target_sequence_ahead_of_the_source_is_a_note(pass_run: VerifyOutcome) -> None:
    name = "public.staff_schedules_id_seq"
    assert not {f"test_sequence_not_behind_source[{name}]"} & data_failures(pass_run)
    note = evidence(pass_run, f"test_sequence_not_behind_source[{name}]", "sequence")["note"]
    assert note == "target ahead by 944 (bumped at cutover?)"
