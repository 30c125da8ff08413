from __future__ import annotations

import json
import zipfile

import pytest

from ansible_collections.voicestack.aws.plugins.plugin_utils import _reviewed_plan as reviewed

L1, L2 = "6a7f1c1e-0000-4000-8000-000000000001", "6a7f1c1e-0000-4000-8000-000000000002"


def plan_file(tmp_path, lineage, serial):
    path = tmp_path / "voice.tfplan"
    with zipfile.ZipFile(path, "w") as plan:
        plan.writestr("tfplan", b"\x00protobuf")
        plan.writestr("tfstate", json.dumps({"version": 4, "lineage": lineage, "serial": serial, "resources": []}))
    return str(path)


def test_the_state_a_plan_was_made_against_is_read_from_the_plan_file(tmp_path):
    assert reviewed.prior_state(plan_file(tmp_path, L1, 7)) == {"lineage": L1, "serial": 7}
    assert reviewed.prior_state(plan_file(tmp_path, "", 0)) == {"lineage": "", "serial": 0}
    (tmp_path / "junk").write_text("not a zip")
    with pytest.raises(ValueError, match="is not a plan file"):
        reviewed.prior_state(str(tmp_path / "junk"))


def test_a_changed_byte_is_refused_by_digest(tmp_path):
    path = plan_file(tmp_path, L1, 7)
    digest = reviewed.sha256(path)
    assert reviewed.digest_refusal(path, digest.upper()) is None
    with open(path, "ab") as fh:
        fh.write(b"\0")
    assert "not the plan that was reviewed" in reviewed.digest_refusal(path, digest)


def test_the_same_state_is_accepted_and_another_lineage_or_serial_refused():
    planned = {"lineage": L1, "serial": 7}
    assert reviewed.state_refusal(planned, {"lineage": L1, "serial": 7}) is None
    assert "is now lineage " + L2 in reviewed.state_refusal(planned, {"lineage": L2, "serial": 7})
    assert "the state is now missing" in reviewed.state_refusal(planned, None)
    assert "made against serial 7, and the state is now at serial 8" in reviewed.state_refusal(
        planned, {"lineage": L1, "serial": 8}
    )


def test_a_first_plan_applies_only_while_there_is_still_no_state():
    first = {"lineage": "", "serial": 0}
    assert reviewed.state_refusal(first, None) is None
    refusal = reviewed.state_refusal(first, {"lineage": L1, "serial": 3})
    assert "made against no state yet, and the state is now at serial 3" in refusal


def test_state_pull_output_is_read_and_no_output_is_no_state():
    assert reviewed.current_state("") is None
    assert reviewed.current_state(json.dumps({"lineage": L1, "serial": 2, "resources": []})) == {
        "lineage": L1,
        "serial": 2,
    }
