#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: eks_token
short_description: An EKS bearer token (and optionally a kubeconfig) from the current AWS credentials
version_added: 0.1.0
description:
  - Presigns an STS GetCallerIdentity request for one cluster and encodes it as the bearer token EKS accepts
    (the format C(aws eks get-token) prints), without the aws CLI.
  - The token is valid for about 15 minutes; RV(expiration_timestamp) says until when.
  - With O(cluster_endpoint) and O(cluster_certificate_authority_data) it also returns an in-memory kubeconfig,
    for example to write one for kubectl.
  - With O(ca_file) it writes the cluster's CA bundle (public) there, so that kubernetes.core modules can verify the
    API server with C(host), C(api_key) (the token) and C(ca_cert), and no token is ever written to disk. Prefer
    that to passing RV(kubeconfig) to kubernetes.core, whose C(kubeconfig) option is no_log, so every value in
    it (the cluster's name among them) is masked wherever it appears in the module's result.
  - Always use C(no_log=true) on the task; the token grants the caller's access to the cluster.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Creating a token changes nothing, so it is also created in check mode; O(ca_file) is not written
      then, only reported as C(changed) when it would be.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  cluster_name:
    description: Name of the EKS cluster the token is for.
    type: str
    required: true
  cluster_endpoint:
    description: The cluster's API endpoint (C(https://...)), to build RV(kubeconfig); needs
      O(cluster_certificate_authority_data).
    type: str
  cluster_certificate_authority_data:
    description: The cluster's base64 CA bundle, to build RV(kubeconfig) and write O(ca_file).
    type: str
  ca_file:
    description:
      - Write the cluster's CA bundle (PEM) to this file, creating its folder; needs
        O(cluster_certificate_authority_data).
      - The folder (and any missing parent) is created with mode 0700, and made 0700 when it exists and is yours;
        a folder of another user, or a symlink as the folder, fails the task. The file is written with mode 0600
        under a temporary name and renamed into place, so a symlink in its place is replaced, never written through.
      - The task reports C(changed) when the file was written, that is when it was missing or held another bundle.
    type: path
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Token and kubeconfig for the stack's cluster
  voicestack.aws.eks_token:
    cluster_name: "{{ outputs.cluster_name }}"
    cluster_endpoint: "{{ outputs.cluster_endpoint }}"
    cluster_certificate_authority_data: "{{ outputs.cluster_certificate_authority_data }}"
    region: eu-west-1
    access_key: "{{ creds.access_key }}"
    secret_key: "{{ creds.secret_key }}"
    session_token: "{{ creds.security_token }}"
  register: eks
  no_log: true

- name: Token and CA bundle for kubernetes.core
  voicestack.aws.eks_token:
    cluster_name: "{{ outputs.cluster_name }}"
    cluster_certificate_authority_data: "{{ outputs.cluster_certificate_authority_data }}"
    ca_file: ~/.cache/voicestack/eks/voice.crt
    region: eu-west-1
  register: eks
  no_log: true
  # The next task reads the (public) CA bundle, in check mode too.
  check_mode: false

- name: Use them
  kubernetes.core.k8s_info:
    host: "{{ outputs.cluster_endpoint }}"
    api_key: "{{ eks.token }}"
    ca_cert: "{{ eks.ca_file }}"
    kind: Namespace
  no_log: true
"""

RETURN = r"""
token:
  description: The bearer token, C(k8s-aws-v1.) followed by the base64url presigned URL.
  returned: always
  type: str
expiration_timestamp:
  description: When the token stops being accepted (UTC, RFC 3339), a minute early.
  returned: always
  type: str
  sample: "2026-11-30T10:14:00Z"
kubeconfig:
  description: A kubeconfig with one cluster, user and context, for the C(kubeconfig) option of kubernetes.core.
  returned: when O(cluster_endpoint) is given
  type: dict
ca_file:
  description: The O(ca_file) path, where the cluster's CA bundle is (not written in check mode).
  returned: when O(ca_file) is given
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.voicestack.aws.plugins.module_utils._eks_token import eks_token, kubeconfig, write_ca_file


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "cluster_name": {"type": "str", "required": True},
            "cluster_endpoint": {"type": "str"},
            "cluster_certificate_authority_data": {"type": "str"},
            "ca_file": {"type": "path"},
        },
        required_by={
            "cluster_endpoint": "cluster_certificate_authority_data",
            "ca_file": "cluster_certificate_authority_data",
        },
        supports_check_mode=True,
    )
    params = module.params
    changed = False
    try:
        result = eks_token(module.client("sts"), params["cluster_name"])
    except Exception as exc:  # botocore raises several unrelated types here
        module.fail_json_aws(exc, msg=f"cannot create an EKS token for cluster {params['cluster_name']}")
    if params["cluster_endpoint"]:
        result["kubeconfig"] = kubeconfig(
            params["cluster_name"],
            params["cluster_endpoint"],
            params["cluster_certificate_authority_data"],
            result["token"],
        )
    if params["ca_file"]:
        try:
            changed = write_ca_file(params["ca_file"], params["cluster_certificate_authority_data"], module.check_mode)
        except (OSError, ValueError) as exc:
            module.fail_json(msg=f"cannot write the cluster's CA bundle to {params['ca_file']}: {exc}")
        result["ca_file"] = params["ca_file"]
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
