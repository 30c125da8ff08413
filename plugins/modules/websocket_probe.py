#!/usr/bin/python
# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
module: websocket_probe
short_description: Prove that an idle WebSocket survives the load balancer in front of the voice agent
version_added: 0.1.0
description:
  - Opens a WebSocket to O(url), stays idle for O(idle_seconds), then sends O(payload) and waits up to
    O(reply_timeout) for a reply. The connection survived when the send and the reply both succeeded.
  - An Application Load Balancer closes a connection that carries no data for its C(idle_timeout) (60 seconds
    unless raised), which cuts a voice call off during a long silence. Point O(url) at the load balancer (its
    DNS name, or a name that resolves to it) to prove that its idle timeout, and that of any proxy in between,
    outlasts O(idle_seconds).
  - While idle the probe sends nothing, not even the WebSocket keepalive pings a client library sends by
    default, so every idle timeout on the path runs. Pings or messages the server sends on its own reset those
    timeouts; messages are read and ignored.
  - The probe only reads, so it runs in check mode too, and never reports a change.
  - A proxy configured in the environment (C(https_proxy), C(http_proxy), C(all_proxy), C(no_proxy)) is used
    as the websockets library does; its own idle timeout then counts too.
requirements:
  - websockets >= 15
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The probe changes nothing; it runs in check mode as it does otherwise.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  url:
    description:
      - The C(ws://) or C(wss://) URL of a WebSocket endpoint that answers O(payload) with any message, for
        example an echo endpoint of the voice agent.
    type: str
    required: true
  idle_seconds:
    description:
      - How long the connection stays idle before O(payload) is sent. Set it just above the idle time the
        voice calls must survive; the default is just above an ALB's default C(idle_timeout) of 60 seconds.
    type: float
    default: 65
  payload:
    description: The text message sent after the idle time.
    type: str
    default: ping
  reply_timeout:
    description: Seconds to wait for a reply to O(payload).
    type: float
    default: 10
  connect_timeout:
    description: Seconds allowed for the TCP connection, the TLS handshake and the WebSocket opening handshake.
    type: float
    default: 10
  validate_certs:
    description:
      - Verify the server's certificate and host name for C(wss://). A certificate for the customer's domain
        does not match the load balancer's own DNS name; use a name it covers in O(url), or set this to
        V(false) for a probe of the idle timeout only.
    type: bool
    default: true
  ca_path:
    description: A PEM bundle of the CA certificates trusted for C(wss://), instead of the system's.
    type: path
  headers:
    description:
      - Extra HTTP headers of the opening handshake, for example an C(Authorization) header.
      - Values show in the task's invocation; set C(no_log) on the task when one is a secret.
    type: dict
  subprotocols:
    description: WebSocket subprotocols to offer (C(Sec-WebSocket-Protocol)).
    type: list
    elements: str
  fail_on_drop:
    description:
      - Fail when the connection did not survive, with a message saying after how many seconds it was dropped.
      - With V(false) the module succeeds and reports RV(survived). Failing to connect fails either way.
    type: bool
    default: true
notes:
  - The server's keepalive pings, if it sends any, also keep the connection alive through the load balancer;
    the probe then proves the path as the voice agent uses it, not the bare idle timeout.
seealso:
  - name: Application Load Balancer connection idle timeout
    description: The ALB attribute C(idle_timeout.timeout_seconds), 1 to 4000 seconds.
    link: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
author:
  - voicestack maintainers (@voicestack)
"""

EXAMPLES = r"""
- name: Prove that a voice call survives 5 minutes of silence behind the ALB
  voicestack.aws.websocket_probe:
    url: "wss://voice.example.com/echo"
    idle_seconds: 305

- name: Probe the ALB's own DNS name (its certificate names another host)
  voicestack.aws.websocket_probe:
    url: "wss://{{ alb_dns_name }}/echo"
    validate_certs: false
    fail_on_drop: false
  register: probe

- name: Report
  ansible.builtin.debug:
    msg: "survived={{ probe.survived }} after {{ probe.elapsed }} s: {{ probe.error }}"
"""

RETURN = r"""
connected:
  description: Whether the WebSocket opened.
  returned: always
  type: bool
survived:
  description: Whether the connection was still up after the idle time, that is the message was sent and a reply came.
  returned: always
  type: bool
idle_seconds:
  description: Seconds the connection actually stayed idle (less than O(idle_seconds) when it was dropped meanwhile).
  returned: always
  type: float
  sample: 65.002
elapsed:
  description: Seconds from the opening handshake until the connection was found closed, or until the reply came.
  returned: always
  type: float
  sample: 65.004
close_code:
  description: The code of the server's close frame, when the server closed the connection with one.
  returned: always
  type: int
  sample: 1001
close_reason:
  description: The reason of the server's close frame, when it had one.
  returned: always
  type: str
error:
  description: Why the probe did not succeed, in one line; V(null) when it did.
  returned: always
  type: str
  sample: connection dropped without a WebSocket close frame (the TCP connection was closed) after 60.001 s, while idle
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.voicestack.aws.plugins.module_utils import _websocket_probe


def drop_message(url, idle_seconds, result):
    """The failure message of a connection that did not survive: when it went, and what to raise."""
    return (
        f"{result['error']}. The WebSocket to {url} must survive {idle_seconds:g} s idle: raise the ALB's"
        f" idle_timeout (and that of any proxy in between) above {idle_seconds:g} s"
    )


def main():
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True},
            "idle_seconds": {"type": "float", "default": 65.0},
            "payload": {"type": "str", "default": "ping"},
            "reply_timeout": {"type": "float", "default": 10.0},
            "connect_timeout": {"type": "float", "default": 10.0},
            "validate_certs": {"type": "bool", "default": True},
            "ca_path": {"type": "path"},
            "headers": {"type": "dict"},
            "subprotocols": {"type": "list", "elements": "str"},
            "fail_on_drop": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    if not _websocket_probe.HAS_WEBSOCKETS:
        module.fail_json(
            msg=missing_required_lib("websockets"), exception=str(_websocket_probe.WEBSOCKETS_IMPORT_ERROR)
        )
    p = module.params
    if p["idle_seconds"] < 0:
        module.fail_json(msg="idle_seconds: must be 0 or more")
    for name in ("reply_timeout", "connect_timeout"):
        if p[name] <= 0:
            module.fail_json(msg=f"{name}: must be more than 0")

    result = _websocket_probe.probe(
        p["url"],
        idle_seconds=p["idle_seconds"],
        message=p["payload"],
        reply_timeout=p["reply_timeout"],
        connect_timeout=p["connect_timeout"],
        validate_certs=p["validate_certs"],
        ca_path=p["ca_path"],
        headers=p["headers"],
        subprotocols=p["subprotocols"],
    )
    if not result["connected"]:
        module.fail_json(msg=result["error"], changed=False, **result)
    if not result["survived"] and p["fail_on_drop"]:
        module.fail_json(msg=drop_message(p["url"], p["idle_seconds"], result), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
