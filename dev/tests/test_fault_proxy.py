"""The fault proxy answers each AWS service in that service's own protocol, so
that an injected fault is what the SDK would see from AWS under load: botocore
parses it as the intended error code and retries it."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from dev.testkit.fault_proxy import FaultProxy, protocol
from dev.testkit.net import free_port

# (botocore service, protocol, a call of the stack's, its 5xx code, its throttling code)
SERVICES = [
    ("sts", "query", lambda c: c.get_caller_identity(), "ServiceUnavailable", "Throttling"),
    ("iam", "query", lambda c: c.get_role(RoleName="voice-agent"), "ServiceUnavailable", "Throttling"),
    ("elbv2", "query", lambda c: c.describe_load_balancers(), "ServiceUnavailable", "Throttling"),
    ("ec2", "ec2", lambda c: c.describe_vpcs(), "ServiceUnavailable", "RequestLimitExceeded"),
    ("s3", "rest-xml", lambda c: c.list_objects_v2(Bucket="voicestack-tfstate"), "ServiceUnavailable", "SlowDown"),
    ("eks", "rest-json", lambda c: c.describe_nodegroup(clusterName="voice", nodegroupName="agents"),
     "ServiceUnavailableException", "ThrottlingException"),
    ("eks", "rest-json", lambda c: c.list_clusters(), "ServiceUnavailableException", "ThrottlingException"),
    ("opensearchserverless", "json", lambda c: c.list_collections(), "ServiceUnavailableException",
     "ThrottlingException"),
    ("logs", "json", lambda c: c.describe_log_groups(), "ServiceUnavailableException", "ThrottlingException"),
]  # fmt: skip
IDS = [f"{service}-{kind}" for service, kind, *_ in SERVICES]


def client(service: str, proxy: FaultProxy, attempts: int):
    return boto3.client(
        service,
        endpoint_url=proxy.url,
        region_name="eu-west-1",
        aws_access_key_id="AKIAFAULTPROXYTEST00",
        aws_secret_access_key="not-a-secret",
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
    )


def error(call) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response


@pytest.fixture
def proxy():
    """A proxy whose upstream nothing listens on: every request it forwards would fail."""
    with FaultProxy(f"http://127.0.0.1:{free_port()}") as running:
        yield running


@pytest.mark.parametrize(("service", "kind", "call", "unavailable", "throttled"), SERVICES, ids=IDS)
def test_each_fault_is_parsed_as_the_services_own_error(proxy, service, kind, call, unavailable, throttled):
    aws = client(service, proxy, attempts=1)
    assert protocol(aws.meta.service_model.signing_name)[0] == kind
    with proxy.faulting(every=1):
        first, second = error(lambda: call(aws)), error(lambda: call(aws))
    assert (first["Error"]["Code"], first["ResponseMetadata"]["HTTPStatusCode"]) == (unavailable, 503)
    assert second["Error"]["Code"] == throttled
    assert proxy.faults == 2


@pytest.mark.parametrize(("service", "kind", "call", "unavailable", "throttled"), SERVICES, ids=IDS)
def test_the_sdk_retries_both_kinds_of_fault(proxy, service, kind, call, unavailable, throttled):
    """Three attempts, answered 5xx, throttled, 5xx: the third is made only
    because botocore judged the 5xx and the throttling error retryable."""
    aws = client(service, proxy, attempts=3)
    with proxy.faulting(every=1):
        last = error(lambda: call(aws))
    assert proxy.faults == 3
    assert last["ResponseMetadata"]["RetryAttempts"] == 2
    assert last["Error"]["Code"] == unavailable


@pytest.mark.parametrize(
    ("service", "action", "call"),
    [
        ("elbv2", "DescribeLoadBalancers", lambda c: c.describe_load_balancers()),
        ("opensearchserverless", "ListCollections", lambda c: c.list_collections()),
    ],
    ids=["query", "json"],
)
def test_a_failed_action_is_a_validation_error_not_retried(service, action, call):
    with FaultProxy(f"http://127.0.0.1:{free_port()}", fail_actions=(action,)) as proxy:
        failed = error(lambda: call(client(service, proxy, attempts=3)))
    assert failed["Error"]["Code"] == "ValidationError"
    assert failed["ResponseMetadata"]["RetryAttempts"] == 0
    assert proxy.failed_actions == [action]


def test_the_offset_lets_requests_through_before_the_first_fault(moto_url):
    """every=2, offset=3: requests 1 to 4 reach moto, the fifth is the first fault."""
    with FaultProxy(moto_url) as proxy, proxy.faulting(every=2, offset=3):
        aws = client("sts", proxy, attempts=1)
        accounts = [aws.get_caller_identity()["Account"] for _ in range(4)]
        assert accounts == ["123456789012"] * 4  # moto's default account
        assert (proxy.forwarded, proxy.faults) == (4, 0)
        assert error(aws.get_caller_identity)["Error"]["Code"] == "ServiceUnavailable"
    assert proxy.faults == 1
