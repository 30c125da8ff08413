"""AWX material as data: the credential type injects only what the vault_sts
lookup reads, and playbooks/awx_configure.yml's data (extensions/awx/awx_config.yml)
names real playbooks and accounts, a valid schedule and no secret. No AWX runs
here: this checks what can be checked without one."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from dateutil.rrule import DAILY, rrulestr

ROOT = Path(__file__).resolve().parents[2]
AWX = ROOT / "extensions" / "awx"
CREDENTIAL_TYPE = yaml.safe_load((AWX / "credential_type.yml").read_text())
CONFIG = yaml.safe_load((AWX / "awx_config.yml").read_text())
PLAYBOOK = ROOT / "playbooks" / "awx_configure.yml"
EXAMPLE_HOSTS = yaml.safe_load((ROOT / "inventory" / "example" / "hosts.yml").read_text())["customer_accounts"]["hosts"]


def lookup_options() -> dict:
    result = subprocess.run(
        [shutil.which("ansible-doc"), "-j", "-t", "lookup", "voicestack.aws.vault_sts"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)["voicestack.aws.vault_sts"]["doc"]["options"]


def test_env_injectors_set_the_variables_the_lookup_reads_for_the_matching_input():
    options = lookup_options()
    reads = {env["name"]: option for option, spec in options.items() for env in spec.get("env", [])}
    for variable, template in CREDENTIAL_TYPE["injectors"]["env"].items():
        assert variable in reads, f"{variable}: the lookup does not read it"
        # The input the value comes from: "{{ field }}", or "{% if field %}" for a file injector's name.
        field = re.match(r"(?:\{\{|\{% if) (\w+)", template).group(1)
        assert reads[variable] == field, (variable, field)


def test_every_input_reaches_the_job_and_secrets_only_through_the_environment():
    fields = {f["id"]: f for f in CREDENTIAL_TYPE["inputs"]["fields"]}
    injectors = CREDENTIAL_TYPE["injectors"]
    used = set(re.findall(r"\{\{ (\w+) \}\}|if (\w+)", yaml.safe_dump(injectors)))
    used = {name for pair in used for name in pair if name}
    assert set(fields) <= used, f"inputs never injected: {set(fields) - used}"
    secrets = {name for name, field in fields.items() if field.get("secret")}
    assert secrets == {"secret_id", "jwt"}
    extra_vars = yaml.safe_dump(injectors["extra_vars"])
    assert not any(name in extra_vars for name in secrets), "a secret would land in the job's extra vars"
    assert set(CREDENTIAL_TYPE["inputs"]["required"]) <= set(fields)
    assert set(fields["auth_method"]["choices"]) <= set(lookup_options()["auth_method"]["choices"])


def test_every_job_template_runs_a_playbook_of_the_collection_and_every_playbook_has_one():
    playbooks = [t["playbook"] for t in CONFIG["awx_job_templates"]]
    for playbook in playbooks:
        assert (ROOT / playbook).is_file(), playbook
    wanted = {f"playbooks/{name}.yml" for name in ("site", "drift", "destroy", "bootstrap_backend")}
    assert wanted <= set(playbooks)
    assert len(set(t["name"] for t in CONFIG["awx_job_templates"])) == len(playbooks)


def test_workflow_nodes_and_the_schedule_name_existing_job_templates():
    playbook = yaml.safe_load(PLAYBOOK.read_text())[0]["tasks"]
    names = {t["name"] for t in CONFIG["awx_job_templates"]}
    workflows = [t["awx.awx.workflow_job_template"] for t in playbook if "awx.awx.workflow_job_template" in t]
    assert len(workflows) == 2
    for workflow in workflows:
        for node in workflow["workflow_nodes"]:
            if node["unified_job_template"]["type"] != "workflow_approval":
                assert node["unified_job_template"]["name"] in names, node["identifier"]
    schedule = next(t for t in playbook if "awx.awx.schedule" in t)["awx.awx.schedule"]
    assert schedule["unified_job_template"] in names
    drift = next(t for t in CONFIG["awx_job_templates"] if t["playbook"] == "playbooks/drift.yml")
    assert schedule["unified_job_template"] == drift["name"]
    templates = next(t for t in playbook if "awx.awx.job_template" in t)["awx.awx.job_template"]
    assert templates["notification_templates_error"] == ["{{ awx_notification.name }}"]
    assert templates["ask_limit_on_launch"] is True, "the per-account workflows limit their jobs to one host"


@pytest.mark.parametrize("account", CONFIG["awx_accounts"], ids=lambda a: a["host"])
def test_every_workflow_account_is_an_inventory_host_with_its_account_id(account):
    assert re.fullmatch(r"[0-9]{12}", account["account_id"]), account
    assert account["host"] in EXAMPLE_HOSTS, f"{account['host']} is not a host of {CONFIG['awx_inventory']}"
    assert EXAMPLE_HOSTS[account["host"]]["voicestack_account_id"] == account["account_id"]


def test_the_drift_schedule_is_a_valid_nightly_rrule():
    # AWX stores DTSTART and RRULE on one line, separated by a space.
    rule = rrulestr(CONFIG["awx_drift_schedule"]["rrule"].replace(" RRULE:", "\nRRULE:"))
    assert rule._freq == DAILY and rule._interval == 1
    first, second = rule[0], rule[1]
    assert (second - first).days == 1 and first.hour == 2


def test_the_inventory_source_path_exists():
    assert (ROOT / CONFIG["awx_inventory"]["source_path"]).is_dir()


SECRET_KEY = re.compile(r"secret|password|token|jwt|private_key|api_key", re.IGNORECASE)


def secret_literals(data, path=""):
    """Keys that look secret and hold a value that is not read from elsewhere."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}"
            if SECRET_KEY.search(str(key)) and isinstance(value, str | int) and value and "lookup(" not in str(value):
                yield here
            yield from secret_literals(value, here)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from secret_literals(value, f"{path}[{i}]")


@pytest.mark.parametrize("path", [AWX / "awx_config.yml", PLAYBOOK], ids=lambda p: p.name)
def test_no_secret_literal(path):
    assert list(secret_literals(yaml.safe_load(path.read_text()))) == []


def test_the_secret_finder_finds_one():
    assert list(secret_literals({"a": {"secret_id": "s3cr3t"}, "b": [{"token": "{{ lookup('env', 'T') }}"}]})) == [
        ".a.secret_id"
    ]


def test_the_credential_task_hides_its_inputs():
    tasks = yaml.safe_load(PLAYBOOK.read_text())[0]["tasks"]
    credential = next(t for t in tasks if "awx.awx.credential" in t)
    assert credential["no_log"] is True
    assert "VOICESTACK_VAULT_SECRET_ID" in credential["awx.awx.credential"]["inputs"]


def test_awx_configure_passes_syntax_check():
    result = subprocess.run(
        [shutil.which("ansible-playbook"), "--syntax-check", str(PLAYBOOK)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_job_template_takes_free_extra_vars_at_launch_and_destroy_asks_one_value_in_a_survey():
    # Free extra vars at launch outrank everything: ansible_connection=ssh, ansible_pipelining=false or any
    # role input would be the launching user's to set. A survey names each variable it lets through.
    for template in CONFIG["awx_job_templates"]:
        assert template["ask_variables_on_launch"] is False, template["name"]
    destroy = next(t for t in CONFIG["awx_job_templates"] if t["playbook"] == "playbooks/destroy.yml")
    questions = destroy["survey"]["spec"]
    assert [q["variable"] for q in questions] == ["confirm_destroy"]
    question = questions[0]
    assert question["type"] == "text" and question["required"] is True
    assert question["min"] == question["max"] == 12  # an account id, as destroy.yml compares it
    assert question["question_name"] and question["question_description"]
    assert "confirm_destroy" in (ROOT / "playbooks" / "destroy.yml").read_text()
    for template in CONFIG["awx_job_templates"]:
        if template is not destroy:
            assert "survey" not in template, template["name"]


def test_the_job_template_task_applies_the_survey():
    tasks = yaml.safe_load(PLAYBOOK.read_text())[0]["tasks"]
    templates = next(t for t in tasks if "awx.awx.job_template" in t)["awx.awx.job_template"]
    assert templates["survey_enabled"] == "{{ item.survey is defined }}"
    assert templates["survey_spec"] == "{{ item.survey | default(omit) }}"
    assert templates["ask_variables_on_launch"] == "{{ item.ask_variables_on_launch }}"


def test_the_reviewed_rollout_plans_in_check_mode_waits_for_approval_then_applies_the_saved_plans():
    tasks = yaml.safe_load(PLAYBOOK.read_text())[0]["tasks"]
    rollout = next(
        t["awx.awx.workflow_job_template"]
        for t in tasks
        if t.get("awx.awx.workflow_job_template", {}).get("name") == "{{ awx_reviewed_rollout.name }}"
    )
    nodes = {node["identifier"]: node for node in rollout["workflow_nodes"]}
    assert [n["identifier"] for n in nodes["plan"]["related"]["success_nodes"]] == ["approve"]
    assert [n["identifier"] for n in nodes["approve"]["related"]["success_nodes"]] == ["apply"]
    assert nodes["approve"]["unified_job_template"]["type"] == "workflow_approval"
    templates = {t["name"]: t for t in CONFIG["awx_job_templates"]}
    plan = templates[nodes["plan"]["unified_job_template"]["name"]]
    apply = templates[nodes["apply"]["unified_job_template"]["name"]]
    assert plan["playbook"] == apply["playbook"] == "playbooks/site.yml"
    assert plan["job_type"] == "check" and "plan_review_dir" in plan["extra_vars"]
    assert apply.get("job_type", "run") == "run" and "extra_vars" not in apply
    # The plan job hands the folder and the digests on; site.yml reads them under these names.
    site = (ROOT / "playbooks" / "site.yml").read_text()
    for handed_on in ("apply_reviewed:", "reviewed_plan_sha256:", "plan_review_dir"):
        assert handed_on in site
