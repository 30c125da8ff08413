# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""The checks of role verify: observed state in, one result per check out.

Each result is a dict with ``check`` (a stable name), ``ok``, ``expected``,
``actual`` and, when not ok, ``fix`` (what to do about it). The role gathers
the observed state with info modules; this module only judges it, so every
rule is unit tested without AWS or Kubernetes.
"""

from __future__ import annotations

IRSA_AUDIENCE = "sts.amazonaws.com"
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"


def result(check: str, ok: bool, expected, actual, fix: str) -> dict:
    return {"check": check, "ok": bool(ok), "expected": expected, "actual": actual, "fix": None if ok else fix}


def _as_bool(value) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    return str(value).lower() == "true"


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def agent_timeouts(idle_timeout: int, server_timeout: int, keepalive_interval: int) -> list[dict]:
    """The voice agent must outlast the load balancer's idle timeout and keep the connection busy within it."""
    return [
        result(
            "agent_server_timeout",
            server_timeout >= idle_timeout,
            f">= {idle_timeout}",
            server_timeout,
            f"the agent's server-side timeout ({server_timeout} s) is shorter than the ALB idle timeout "
            f"({idle_timeout} s): the agent would hang up calls the load balancer keeps open; raise "
            f"verify_agent_server_timeout (and the agent's setting) to at least {idle_timeout}",
        ),
        result(
            "agent_keepalive_interval",
            0 < keepalive_interval < idle_timeout,
            f"> 0 and < {idle_timeout}",
            keepalive_interval,
            f"the agent's keepalive interval ({keepalive_interval} s) must be above 0 and below the ALB idle "
            f"timeout ({idle_timeout} s), or silent calls are dropped; lower verify_agent_keepalive_interval "
            "(and the agent's setting)",
        ),
    ]


def _attribute_on(alb: dict, check: str, key: str, fix: str) -> dict:
    """A boolean ALB attribute that must be on."""
    actual = _as_bool(alb.get(key))
    return result(check, actual is True, True, actual, fix)


def load_balancer(alb: dict | None, target_groups: list, idle_timeout: int) -> list[dict]:
    if not alb:
        return [result("alb_present", False, "present", None, "the load balancer is missing: rerun site.yml")]
    rerun = "rerun site.yml to put the stack's setting back (drift.yml shows who changed it)"
    idle = _as_int(alb.get("idle_timeout_timeout_seconds"))
    return [
        result(
            "alb_idle_timeout",
            idle == idle_timeout,
            idle_timeout,
            idle,
            f"the ALB's idle_timeout.timeout_seconds is {idle}, not {idle_timeout}: idle WebSockets of voice calls "
            f"are cut after {idle} s; {rerun}",
        ),
        _attribute_on(
            alb, "alb_http2", "routing_http2_enabled", f"HTTP/2 (routing.http2.enabled) is off on the ALB; {rerun}"
        ),
        _attribute_on(
            alb,
            "alb_drop_invalid_headers",
            "routing_http_drop_invalid_header_fields_enabled",
            f"the ALB forwards invalid header fields (routing.http.drop_invalid_header_fields.enabled is off); {rerun}",
        ),
        result(
            "alb_listener",
            bool(alb.get("listeners")),
            ">= 1 listener",
            len(alb.get("listeners") or []),
            f"the ALB has no listener; {rerun}",
        ),
        result(
            "alb_target_group",
            bool(target_groups),
            ">= 1 target group",
            len(target_groups or []),
            f"the ALB's target group is missing; {rerun}",
        ),
    ]


def _admits(rule: dict, sources: set, port: int) -> bool:
    """An ingress rule letting one of the source groups reach the port over TCP."""
    if rule.get("is_egress") or (rule.get("referenced_group_info") or {}).get("group_id") not in sources:
        return False
    if str(rule.get("ip_protocol")) == "-1":
        return True
    return str(rule.get("ip_protocol")) in ("tcp", "6") and rule.get("from_port", 0) <= port <= rule.get("to_port", -1)


def node_rule(rules: list | None, alb: dict | None, node_port: int) -> list[dict]:
    """The nodes' security group admits the load balancer on the node port."""
    sources = set((alb or {}).get("security_groups") or [])
    found = [r.get("security_group_rule_id") for r in rules or [] if _admits(r, sources, node_port)]
    return [
        result(
            "alb_to_nodes_rule",
            bool(found),
            f"ingress from {sorted(sources)} on tcp/{node_port}",
            found if rules is not None else "no such security group",
            f"the nodes' security group (the EKS cluster security group) does not admit the load balancer on port "
            f"{node_port}: the ALB's health checks and calls never reach the agent (503); rerun site.yml to put the "
            "rule back",
        )
    ]


def node_targets(group: dict | None, health: list, target_group_arn: str, name: str) -> list[dict]:
    """The node group's Auto Scaling group registers its nodes in the target group."""
    attached = (group or {}).get("target_group_arns") or []
    return [
        result(
            "alb_targets_attached",
            target_group_arn in attached,
            target_group_arn,
            attached if group else f"no Auto Scaling group {name}",
            f"the target group is not attached to the node group's Auto Scaling group {name}: no node is registered "
            "and the ALB answers 503; rerun site.yml to attach it",
        ),
        result(
            "alb_targets_registered",
            bool(health),
            ">= 1 registered node",
            len(health or []),
            f"no node is registered in the target group: the Auto Scaling group {name} has no instances or is "
            "not attached (see alb_targets_attached); check the node group's size",
        ),
    ]


def agent_service(service: dict | None, node_port: int, port: int, namespace: str) -> list[dict]:
    """The agent's Service is a NodePort Service on the node port the targets are registered with."""
    spec = (service or {}).get("spec") or {}
    ports = [(p.get("nodePort"), p.get("targetPort")) for p in spec.get("ports") or []]
    name = ((service or {}).get("metadata") or {}).get("name", "voice-agent")
    return [
        result(
            "agent_service_node_port",
            spec.get("type") == "NodePort" and (node_port, port) in ports,
            {"type": "NodePort", "nodePort": node_port, "targetPort": port},
            {"type": spec.get("type"), "ports": ports} if service else None,
            f"the agent's Service {namespace}/{name} must be of type NodePort with nodePort {node_port} and "
            f"targetPort {port}: the load balancer sends to the nodes on that port; rerun site.yml "
            "(role service_account) to put it back",
        )
    ]


def collection(found: dict | None, name: str) -> list[dict]:
    if not found:
        return [result("collection_present", False, name, None, f"collection {name} is missing: rerun site.yml")]
    return [
        result(
            "collection_active",
            found.get("status") == "ACTIVE",
            "ACTIVE",
            found.get("status"),
            f"collection {name} is {found.get('status')}: wait for ACTIVE, or see its status in the OpenSearch "
            "Serverless console when it is FAILED",
        ),
        result(
            "collection_type",
            found.get("type") == "VECTORSEARCH",
            "VECTORSEARCH",
            found.get("type"),
            f"collection {name} is of type {found.get('type')}; the type cannot change: destroy it and rerun site.yml",
        ),
    ]


def _trust_conditions(policy: dict) -> tuple[set, dict]:
    """(federated principals, StringEquals conditions) of a role's trust policy."""
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    principals, conditions = set(), {}
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        federated = (statement.get("Principal") or {}).get("Federated") or []
        principals.update([federated] if isinstance(federated, str) else federated)
        conditions.update((statement.get("Condition") or {}).get("StringEquals") or {})
    return principals, conditions


def irsa_trust(policy: dict | None, issuer_url: str, provider_arn: str, namespace: str, service_account: str):
    issuer = issuer_url.removeprefix("https://")
    expected = {
        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
        f"{issuer}:aud": IRSA_AUDIENCE,
    }
    if policy is None:
        return [result("irsa_trust", False, expected, None, "the agent's IAM role is missing: rerun site.yml")]
    principals, conditions = _trust_conditions(policy)
    return [
        result(
            "irsa_trust",
            conditions == expected and principals == {provider_arn},
            {"principal": provider_arn, "conditions": expected},
            {"principal": sorted(principals), "conditions": conditions},
            "the agent role's trust policy must allow only the cluster's OIDC provider, with exactly the sub and "
            "aud conditions shown (issuer without https://); rerun site.yml to put it back",
        )
    ]


def annotation(service_account: dict | None, role_arn: str, namespace: str, name: str) -> list[dict]:
    annotations = ((service_account or {}).get("metadata") or {}).get("annotations") or {}
    actual = annotations.get(ROLE_ARN_ANNOTATION)
    return [
        result(
            "service_account_annotation",
            actual == role_arn,
            role_arn,
            actual,
            f"service account {namespace}/{name} must carry {ROLE_ARN_ANNOTATION}={role_arn} or the agent gets no "
            "AWS credentials; rerun site.yml (role service_account) to put it back",
        )
    ]


def websocket(probe: dict | None, idle_seconds) -> list[dict]:
    if probe is None:
        return []
    return [
        result(
            "websocket_idle",
            probe.get("survived") is True,
            f"survives {idle_seconds} s idle",
            probe.get("error") or "survived",
            "an idle WebSocket through the ALB was dropped: check the idle timeout of the ALB and of anything "
            "in front of it (CDN, proxy)",
        )
    ]


def verify_checks(observed: dict, wanted: dict) -> list[dict]:
    """Every check, in the order a person reads them."""
    idle = int(wanted["idle_timeout"])
    checks = agent_timeouts(idle, int(wanted["agent_server_timeout"]), int(wanted["agent_keepalive_interval"]))
    if "alb" in observed:
        checks += load_balancer(observed["alb"], observed.get("target_groups") or [], idle)
    if "target_security_group_rules" in observed:
        checks += node_rule(observed["target_security_group_rules"], observed.get("alb"), int(wanted["node_port"]))
    if "autoscaling_group" in observed:
        checks += node_targets(
            observed["autoscaling_group"],
            observed.get("target_health") or [],
            wanted["target_group_arn"],
            wanted["autoscaling_group_name"],
        )
    if "agent_service" in observed:
        checks += agent_service(
            observed["agent_service"], int(wanted["node_port"]), int(wanted["target_port"]), wanted["namespace"]
        )
    if "collection" in observed:
        checks += collection(observed["collection"], wanted["collection_name"])
    if "role" in observed:
        checks += irsa_trust(
            observed["role"],
            wanted["oidc_issuer_url"],
            wanted["oidc_provider_arn"],
            wanted["namespace"],
            wanted["service_account"],
        )
    if "service_account" in observed:
        checks += annotation(
            observed["service_account"], wanted["role_arn"], wanted["namespace"], wanted["service_account"]
        )
    checks += websocket(observed.get("websocket"), wanted.get("websocket_idle_seconds"))
    return checks
