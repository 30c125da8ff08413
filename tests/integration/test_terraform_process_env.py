"""The environment the terraform processes really get (issue 21, point 1): ansible-playbook runs the action on a
local connection, with the real community.general.terraform module and a tofu that records, for every process
started, /proc/<pid>/environ of itself (the process that then execs the real tofu, same pid) and of its parent
(the module's Python process, or the shell of a command the action runs itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.security]

LOCK = "9db590f1-b6fe-c5f2-2678-8804f089deba"
SEEDED = {
    "VAULT_TOKEN": "hvs.controller-vault-token",
    "VAULT_ADDR": "https://vault.example:8200",
    "VAULT_NAMESPACE": "admin",
    "BAO_TOKEN": "s.controller-bao-token",
    "BAO_ADDR": "https://bao.example:8200",
    "VOICESTACK_VAULT_ROLE_ID": "awx-injected-role-id",
    "VOICESTACK_VAULT_SECRET_ID": "awx-injected-secret-id",
    "VOICESTACK_VAULT_JWT": "eyJawx.injected.jwt",
    "TF_LOG": "trace",
    "TF_CLI_ARGS": "-no-such-flag",
    "TF_CLI_ARGS_plan": "-no-such-flag",
    "AWS_PROFILE": "admin",
    "AWS_ROLE_ARN": "arn:aws:iam::999999999999:role/admin",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token",
    "AWS_ENDPOINT_URL": "http://fake-aws.example",
    "AWS_ENDPOINT_URL_STS": "http://fake-sts.example",
    "AWS_ACCESS_KEY_ID": "AKIACONTROLLERKEY",
    "AWS_SECRET_ACCESS_KEY": "controller-secret",
    "AWS_SESSION_TOKEN": "controller-session-token",
    "AWS_EC2_METADATA_DISABLED": "false",
}
TOKENS = [value for value in SEEDED.values() if "controller" in value or "injected" in value]
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "ASIATASKKEY", "AWS_SECRET_ACCESS_KEY": "task/secret+key"}  # no session token
OPTIONS = {"TF_IN_AUTOMATION": "1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
# Everything a started process may have: the allow-list, the task's options and what is set for every run.
ALLOWED = {"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "LANGUAGE", "SSL_CERT_FILE", "SSL_CERT_DIR"}
ALLOWED |= {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "TF_PLUGIN_CACHE_DIR"}
ALLOWED |= {"PWD", "OLDPWD", "TF_WORKSPACE"}  # set by the module (its cwd, its workspace) and the shell's cd
ALLOWED |= set(OPTIONS) | set(CREDENTIALS)
ALLOWED |= {"AWS_EC2_METADATA_DISABLED", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}


def environ(path):
    return dict(item.split("=", 1) for item in path.read_bytes().decode().split("\0") if item)


def test_no_seeded_controller_variable_reaches_any_process_the_action_starts(tools, tmp_path):
    binary = tools["VOICESTACK_TOFU"]
    records = tmp_path / "records"
    records.mkdir()
    wrapper = tmp_path / "tofu"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"d={records}\n"
        'printf "%s" "$1" > "$d/$$.command"\n'
        'cat /proc/$$/environ > "$d/$$.self"\n'
        'cat /proc/$PPID/environ > "$d/$$.parent"\n'
        f'exec {binary} "$@"\n'
    )
    wrapper.chmod(0o700)
    project = tmp_path / "stack"
    project.mkdir()
    (project / "main.tf").write_text(
        'terraform {\n  backend "local" {}\n}\n\nresource "terraform_data" "this" {\n  input = "x"\n}\n'
    )
    trace = tmp_path / "trace.log"
    controller = {**os.environ, **SEEDED, "TF_LOG_PATH": str(trace)}
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        controller[name] = str(tmp_path / name.lower())
        Path(controller[name]).write_text("[default]\nregion = us-east-1\n")
    common = {
        "project_path": str(project),
        "binary_path": str(wrapper),
        "secret_environment": CREDENTIALS,
        "environment": {**OPTIONS, "TF_PLUGIN_CACHE_DIR": str(tmp_path / "plugins")},
    }
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        json.dumps(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "connection": "local",
                    "vars": {"ansible_python_interpreter": sys.executable},
                    "environment": {"TF_LOG": "trace", "HTTPS_PROXY": ""},
                    "tasks": [
                        {
                            "voicestack.aws.terraform": {
                                **common,
                                "state": "planned",
                                "plan_file": str(tmp_path / "stack.tfplan"),
                                "force_init": True,
                            },
                            "register": "planned",
                        },
                        {"voicestack.aws.terraform": {**common, "force_unlock": LOCK}, "ignore_errors": True},
                    ],
                }
            ]
        )
    )
    ran = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", str(playbook)],
        env=controller,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr

    commands = {path.stem: path.read_text() for path in records.glob("*.command")}
    # Every command of the plan task (through the module) and of the unlock task (run by the action itself).
    assert {"version", "init", "workspace", "plan", "show", "force-unlock"} <= set(commands.values()), commands
    for pid, command in commands.items():
        for kind in ("self", "parent"):
            env = environ(records / f"{pid}.{kind}")
            where = f"{kind} of {command}"
            assert set(env) <= ALLOWED, (where, sorted(set(env) - ALLOWED))
            assert {key: env.get(key) for key in CREDENTIALS} == CREDENTIALS, where
            assert "AWS_SESSION_TOKEN" not in env, where
            assert env["AWS_ENDPOINT_URL"] == OPTIONS["AWS_ENDPOINT_URL"], where
            assert env["AWS_EC2_METADATA_DISABLED"] == "true", where
            assert env["AWS_CONFIG_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull, where
            assert not [token for token in TOKENS if token in "\0".join(env.values())], where
    assert not trace.exists()  # TF_LOG_PATH did not reach terraform
