"""The rules of role verify, on observed state shaped as the info modules return it."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.voicestack.aws.plugins.plugin_utils._verify import verify_checks

ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
ROLE = "arn:aws:iam::123456789012:role/acme-voice-agent"

WANTED = {
    "idle_timeout": 3600,
    "agent_server_timeout": 3600,
    "agent_keepalive_interval": 30,
    "collection_name": "acme-voice",
    "oidc_issuer_url": ISSUER,
    "oidc_provider_arn": PROVIDER,
    "namespace": "voice",
    "service_account": "voice-agent",
    "role_arn": ROLE,
    "websocket_idle_seconds": 65,
    "node_port": 30080,
    "target_port": 8080,
    "target_group_arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/acme-voice-nodes/1",
    "autoscaling_group_name": "eks-acme-voice-default-1",
}

HEALTHY = {
    "alb": {
        "idle_timeout_timeout_seconds": "3600",
        "routing_http2_enabled": "true",
        "routing_http_drop_invalid_header_fields_enabled": "true",
        "listeners": [{"port": 443}],
        "security_groups": ["sg-alb"],
    },
    "target_groups": [{"target_group_name": "acme-voice"}],
    "target_security_group_rules": [
        {
            "security_group_rule_id": "sgr-self",
            "is_egress": False,
            "ip_protocol": "-1",
            "referenced_group_info": {"group_id": "sg-cluster"},
        },
        {"security_group_rule_id": "sgr-egress", "is_egress": True, "ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"},
        {
            "security_group_rule_id": "sgr-alb",
            "is_egress": False,
            "ip_protocol": "tcp",
            "from_port": 30080,
            "to_port": 30080,
            "referenced_group_info": {"group_id": "sg-alb"},
        },
    ],
    "autoscaling_group": {
        "target_group_arns": ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/acme-voice-nodes/1"]
    },
    "target_health": [{"target": {"id": "i-1", "port": 30080}, "target_health": {"state": "healthy"}}],
    "agent_service": {
        "metadata": {"name": "voice-agent"},
        "spec": {"type": "NodePort", "ports": [{"port": 8080, "targetPort": 8080, "nodePort": 30080}]},
    },
    "collection": {"status": "ACTIVE", "type": "VECTORSEARCH"},
    "role": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:voice:voice-agent",
                        "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    },
    "service_account": {"metadata": {"annotations": {"eks.amazonaws.com/role-arn": ROLE, "owner": "someone"}}},
    "websocket": None,
}


def failed(observed, wanted=WANTED):
    return {c["check"]: c for c in verify_checks(observed, wanted) if not c["ok"]}


def changed(path, value):
    observed = copy.deepcopy(HEALTHY)
    *parents, leaf = path
    target = observed
    for key in parents:
        target = target[key]
    target[leaf] = value
    return observed


def test_a_healthy_stack_passes_every_check():
    checks = verify_checks(HEALTHY, WANTED)
    assert [c["check"] for c in checks] == [
        "agent_server_timeout",
        "agent_keepalive_interval",
        "alb_idle_timeout",
        "alb_http2",
        "alb_drop_invalid_headers",
        "alb_listener",
        "alb_target_group",
        "alb_to_nodes_rule",
        "alb_targets_attached",
        "alb_targets_registered",
        "agent_service_node_port",
        "collection_active",
        "collection_type",
        "irsa_trust",
        "service_account_annotation",
    ]
    assert all(c["ok"] and c["fix"] is None for c in checks)


@pytest.mark.parametrize(
    ("path", "value", "check", "words"),
    [
        (("alb", "idle_timeout_timeout_seconds"), "60", "alb_idle_timeout", "is 60, not 3600"),
        (("alb", "routing_http2_enabled"), "false", "alb_http2", "HTTP/2"),
        (("alb", "routing_http_drop_invalid_header_fields_enabled"), "false", "alb_drop_invalid_headers", "invalid"),
        (("alb", "listeners"), [], "alb_listener", "no listener"),
        (("target_groups",), [], "alb_target_group", "target group"),
        (("collection", "status"), "CREATING", "collection_active", "is CREATING"),
        (("collection", "type"), "SEARCH", "collection_type", "type SEARCH"),
        (("service_account", "metadata", "annotations"), {}, "service_account_annotation", ROLE),
        (("service_account",), None, "service_account_annotation", "voice/voice-agent"),
        (
            ("target_security_group_rules", 2),
            {
                "is_egress": False,
                "ip_protocol": "tcp",
                "from_port": 8080,
                "to_port": 8080,
                "referenced_group_info": {"group_id": "sg-alb"},
            },
            "alb_to_nodes_rule",
            "port 30080",
        ),
        (
            ("target_security_group_rules", 2, "referenced_group_info", "group_id"),
            "sg-other",
            "alb_to_nodes_rule",
            "does not admit the load balancer",
        ),
        (("target_security_group_rules", 2, "is_egress"), True, "alb_to_nodes_rule", "rerun site.yml"),
        (("target_security_group_rules",), None, "alb_to_nodes_rule", "EKS cluster security group"),
        (("autoscaling_group", "target_group_arns"), [], "alb_targets_attached", "eks-acme-voice-default-1"),
        (("target_health",), [], "alb_targets_registered", "no node is registered"),
        (("agent_service", "spec", "type"), "ClusterIP", "agent_service_node_port", "type NodePort"),
        (("agent_service", "spec", "ports", 0, "nodePort"), 30081, "agent_service_node_port", "nodePort 30080"),
        (("agent_service",), None, "agent_service_node_port", "voice/voice-agent"),
        (("collection",), None, "collection_present", "missing"),
        (("role",), None, "irsa_trust", "missing"),
    ],
)
def test_each_drift_fails_its_check_with_a_fix(path, value, check, words):
    failures = failed(changed(path, value))
    assert list(failures) == [check]
    assert words in failures[check]["fix"]


def trust(**conditions):
    observed = copy.deepcopy(HEALTHY)
    observed["role"]["Statement"][0]["Condition"]["StringEquals"] = conditions
    return observed


@pytest.mark.parametrize(
    "conditions",
    [
        # the issuer written with its scheme: IAM never matches it
        {
            "https://oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:voice:voice-agent",
            "https://oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        },
        # another service account
        {
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:voice:default",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        },
        # no audience condition
        {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:voice:voice-agent"},
        # an extra condition
        {
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:voice:voice-agent",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
            "aws:SourceAccount": "123456789012",
        },
    ],
    ids=["issuer-with-https", "other-service-account", "no-aud", "extra-condition"],
)
def test_trust_must_have_exactly_the_sub_and_aud_conditions(conditions):
    assert list(failed(trust(**conditions))) == ["irsa_trust"]


def test_trust_must_name_only_the_clusters_provider():
    observed = copy.deepcopy(HEALTHY)
    observed["role"]["Statement"][0]["Principal"]["Federated"] = [PROVIDER, "arn:aws:iam::1:oidc-provider/other"]
    assert list(failed(observed)) == ["irsa_trust"]


@pytest.mark.parametrize(
    ("server", "keepalive", "check"),
    [
        (3599, 30, "agent_server_timeout"),
        (60, 30, "agent_server_timeout"),
        (3600, 3600, "agent_keepalive_interval"),
        (3600, 0, "agent_keepalive_interval"),
    ],
)
def test_preflight_agent_timeouts(server, keepalive, check):
    wanted = {**WANTED, "agent_server_timeout": server, "agent_keepalive_interval": keepalive}
    failures = failed({}, wanted)
    assert list(failures) == [check]
    assert "3600" in failures[check]["fix"]


def test_preflight_alone_judges_only_the_agent_timeouts():
    assert [c["check"] for c in verify_checks({}, WANTED)] == ["agent_server_timeout", "agent_keepalive_interval"]


def test_websocket_probe_result_is_judged_when_present():
    dropped = {**HEALTHY, "websocket": {"survived": False, "error": "connection dropped after 60 s while idle"}}
    failure = failed(dropped)["websocket_idle"]
    assert failure["actual"] == "connection dropped after 60 s while idle"
    assert failed({**HEALTHY, "websocket": {"survived": True}}) == {}
