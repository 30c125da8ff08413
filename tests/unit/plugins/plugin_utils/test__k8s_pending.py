"""Check mode's judgement of what a server-side apply would change, from a read alone."""

from __future__ import annotations

import pytest

from ansible_collections.voicestack.aws.plugins.plugin_utils._k8s_pending import k8s_pending

ROLE = "eks.amazonaws.com/role-arn"
SERVICE_ACCOUNT = {
    "apiVersion": "v1",
    "kind": "ServiceAccount",
    "metadata": {"name": "voice-agent", "namespace": "voice", "annotations": {ROLE: "arn:aws:iam::1:role/agent"}},
}
SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "voice-agent", "namespace": "voice"},
    "spec": {"type": "NodePort", "ports": [{"name": "http", "port": 8080, "nodePort": 30080}]},
}


def live(desired, **changes):
    """The object as the API server returns it: the manifest, with what the server and others added."""
    found = {
        **desired,
        "metadata": {**desired["metadata"], "uid": "u-1", "resourceVersion": "7", "managedFields": [{"manager": "x"}]},
    }
    for path, value in changes.items():
        node = found
        *parents, leaf = path.split("__")
        for key in parents:
            node[key] = dict(node[key])
            node = node[key]
        node[leaf] = value
    return found


def test_an_object_that_does_not_exist_would_be_created():
    assert k8s_pending(SERVICE_ACCOUNT, None) == {"changed": True, "before": {}, "after": SERVICE_ACCOUNT}


def test_fields_only_the_server_or_other_managers_set_change_nothing():
    other = live(SERVICE_ACCOUNT, metadata__annotations={ROLE: "arn:aws:iam::1:role/agent", "team": "ops"})
    assert k8s_pending(SERVICE_ACCOUNT, other)["changed"] is False


def test_a_field_the_manifest_sets_with_another_value_would_change_and_the_diff_shows_it():
    edited = live(SERVICE_ACCOUNT, metadata__annotations={ROLE: "arn:aws:iam::1:role/someone-else", "team": "ops"})
    pending = k8s_pending(SERVICE_ACCOUNT, edited)
    assert pending["changed"] is True
    # Only the fields the manifest sets: not the server's uid, not the other manager's annotation.
    assert pending["before"]["metadata"] == {
        "name": "voice-agent",
        "namespace": "voice",
        "annotations": {ROLE: "arn:aws:iam::1:role/someone-else"},
    }


def test_a_missing_field_would_change():
    bare = live(SERVICE_ACCOUNT)
    del bare["metadata"]["annotations"]
    assert k8s_pending(SERVICE_ACCOUNT, bare)["changed"] is True


@pytest.mark.parametrize(
    ("ports", "changed"),
    [
        # The server adds protocol and targetPort; another manager's port stays.
        ([{"name": "http", "port": 8080, "nodePort": 30080, "protocol": "TCP", "targetPort": 8080}], False),
        ([{"name": "metrics", "port": 9090}, {"name": "http", "port": 8080, "nodePort": 30080}], False),
        ([{"name": "http", "port": 8080, "nodePort": 30081}], True),
        ([], True),
    ],
)
def test_list_elements_are_matched_like_map_lists(ports, changed):
    assert k8s_pending(SERVICE, live(SERVICE, spec__ports=ports))["changed"] is changed


def test_a_manifest_must_be_a_dict():
    with pytest.raises(TypeError, match="the manifest must be a dict"):
        k8s_pending("ServiceAccount", None)
