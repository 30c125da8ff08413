"""The actions that do their module's work in the task's worker (mirror_dir, eks_version_support): through a real
ansible-playbook, the same options and results as the module, check mode honoured, and refused where their work
would not happen where the play says (another machine, another user)."""

from __future__ import annotations

import os
from typing import ClassVar

from local_playbook import run_report  # beside this file

PLAYBOOK = """
- hosts: all
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Mirror
      voicestack.aws.mirror_dir:
        src: "{{ src }}"
        dest: "{{ dest }}"
        files: {"extra/x.json": "{}"}
      become: "{{ use_become }}"
      check_mode: "{{ dry }}"
"""


def test_mirror_dir_writes_here_honours_check_mode_and_refuses_another_machine_or_user(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.tf").write_text("terraform {}\n")
    local = {"ansible_connection": "local", "src": str(src), "use_become": False}
    hosts = {
        "dry": {**local, "dest": str(tmp_path / "dry"), "dry": True},
        "real": {**local, "dest": str(tmp_path / "real"), "dry": False},
        "missing": {**local, "src": str(tmp_path / "none"), "dest": str(tmp_path / "x"), "dry": False},
        "remote": {**local, "ansible_connection": "ssh", "dest": str(tmp_path / "y"), "dry": False},
        "become": {**local, "use_become": True, "dest": str(tmp_path / "z"), "dry": False},
    }
    outcome = run_report(tmp_path, hosts, PLAYBOOK, dict(os.environ))["plays"][0]["tasks"][0]["hosts"]

    assert outcome["dry"]["changed"] and outcome["dry"]["copied"] == ["extra/x.json", "main.tf"]
    assert not (tmp_path / "dry").exists()
    assert outcome["real"]["changed"] and outcome["real"]["copied"] == ["extra/x.json", "main.tf"]
    assert (tmp_path / "real" / "main.tf").read_text() == "terraform {}\n"
    assert oct((tmp_path / "real").stat().st_mode & 0o777) == "0o700"
    assert outcome["missing"]["failed"] and outcome["missing"]["msg"] == f"src: {tmp_path / 'none'} is not a folder"
    assert outcome["remote"]["failed"] and "needs connection: local" in outcome["remote"]["msg"]
    assert outcome["become"]["failed"] and "does not run with become" in outcome["become"]["msg"]
    for name in ("x", "y", "z"):
        assert not (tmp_path / name).exists()


def test_a_no_log_option_is_masked_in_the_result_as_a_module_would():
    from types import SimpleNamespace

    from ansible_collections.voicestack.aws.plugins.plugin_utils._local_action import LocalAction

    class Echo(LocalAction):
        NAME, WHY = "echo", "test"
        ARGUMENT_SPEC: ClassVar[dict] = {"token": {"type": "str", "no_log": True}}
        _VALID_ARGS = frozenset(ARGUMENT_SPEC)

        def work(self, params, check_mode):
            return {"failed": True, "msg": f"Vault refused token {params['token']}", "check_mode": check_mode}

    task = SimpleNamespace(args={"token": "s.0123456789"}, async_val=0, check_mode=True, action="echo")
    connection = SimpleNamespace(transport="local", become=None, _shell=SimpleNamespace(tmpdir="unused"))
    templar = SimpleNamespace(template=lambda value: value)
    action = Echo(task, connection, play_context=None, loader=None, templar=templar, shared_loader_obj=None)
    result = action.run(task_vars={})
    assert result["msg"] == "Vault refused token ********" and result["check_mode"] is True
