# Copyright: voicestack.aws contributors
# Apache License 2.0 (see LICENSE)
"""Action behind voicestack.aws.terraform (documented in plugins/modules/terraform.py)."""

from __future__ import annotations

import json
import os
import shlex

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.voicestack.aws.plugins.plugin_utils import _reviewed_plan
from ansible_collections.voicestack.aws.plugins.plugin_utils._adopt import killed_message, planned_creates
from ansible_collections.voicestack.aws.plugins.plugin_utils._local_action import refuse_remote
from ansible_collections.voicestack.aws.plugins.plugin_utils._terraform import (
    DEFAULT_BINARY,
    PLUGIN_CACHE_RETRIES,
    inherited,
    lock_id,
    plan_summary,
    plugin_cache_race,
    process_env,
    public_outputs,
    scrub,
    terraform_env,
    unlock_hint,
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    # The environment of every process this action starts (see _low_level_execute_command); None until run builds it.
    _process_env = None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        secret_env = args.pop("secret_environment", None) or {}
        plain_env = args.pop("environment", None) or {}
        # One binary for every command, also for community.general.terraform (whose own default is terraform).
        args["binary_path"] = args.get("binary_path") or DEFAULT_BINARY
        secrets = [str(v) for v in secret_env.values() if v] if isinstance(secret_env, dict) else [str(secret_env)]
        try:
            self._check(secret_env, plain_env)
            self._process_env = terraform_env(os.environ, {**self._keyword_environment(), **plain_env}, secret_env)
            cache = plain_env.get("TF_PLUGIN_CACHE_DIR")
            if cache:  # terraform ignores a plugin cache folder that is not there
                os.makedirs(os.path.expanduser(cache), mode=0o700, exist_ok=True)
            result.update(self._terraform(args, task_vars))
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc))
        except Exception as exc:  # any error's text may hold a credential: masked below, never raised
            result.update(failed=True, msg=f"voicestack.aws.terraform failed: {type(exc).__name__}: {exc}")
        return scrub(result, secrets)

    def _check(self, secret_env, plain_env):
        refuse_remote(
            self,
            "voicestack.aws.terraform",
            "credentials stay in this machine's terraform process; the become method (sudo, su ...) would decide "
            "which environment, credentials included, terraform gets",
        )
        for name, value in (("secret_environment", secret_env), ("environment", plain_env)):
            if not isinstance(value, dict):
                raise AnsibleActionFail(f"voicestack.aws.terraform: {name} must be a dictionary")

    def _keyword_environment(self):
        """The task's `environment` keyword (play, block or task), through the same allow-list as the controller's
        own environment; the names it drops are named in a warning."""
        keyword = {}
        if getattr(self._task, "environment", None):
            super()._compute_environment_string(keyword)
        kept = inherited(keyword)
        dropped = sorted(set(keyword) - set(kept))
        if dropped:
            self._display.warning(
                "voicestack.aws.terraform ignores these variables of the task's environment keyword (pass them in "
                f"its environment option if terraform needs them): {', '.join(dropped)}"
            )
        return kept

    def _compute_environment_string(self, raw_environment_out=None):
        """No environment in the module's command line: run() builds the module process's whole environment."""
        if isinstance(raw_environment_out, dict):
            raw_environment_out.clear()
        return ""

    def _low_level_execute_command(self, *args, **kwargs):
        """Every process the action starts (the module process and so terraform, show, init, force-unlock, the
        temporary folder's commands) starts with the allow-listed environment and nothing else."""
        if self._process_env is None:
            return super()._low_level_execute_command(*args, **kwargs)
        with process_env(self._process_env):
            return super()._low_level_execute_command(*args, **kwargs)

    def _terraform(self, args, task_vars):
        if args.get("force_unlock"):
            return self._force_unlock(args)
        reviewed = args.pop("plan_sha256", None)
        if reviewed:
            refused = _reviewed_plan.digest_refusal(self._plan_path(args), reviewed)
            if refused or args.get("state") == "planned":
                return {"failed": True, "msg": refused} if refused else self._read_reviewed(args, reviewed, task_vars)
        result = self._execute_module("community.general.terraform", module_args=args, task_vars=task_vars)
        # An init that lost a race for the shared plugin cache to another account's changed nothing: run again.
        for _attempt in range(PLUGIN_CACHE_RETRIES):
            if not (result.get("failed") and plugin_cache_race(result.get("msg"))):
                break
            self._display.warning("terraform init lost a race for the shared provider plugin cache; running again")
            result = self._execute_module("community.general.terraform", module_args=args, task_vars=task_vars)
        result["outputs"] = public_outputs(result.get("outputs"))
        if result.get("failed"):
            killed = killed_message(args["binary_path"], result.get("rc"), result.get("msg") or "")
            if killed:
                result = {**result, "msg": killed}
            return self._with_unlock_hint(result, task_vars)
        if args.get("state") != "planned":
            return result
        show = self._show(args)
        if show.get("rc") != 0:
            detail = show.get("stderr", "").strip()
            return {**result, "failed": True, "msg": f"{args['binary_path']} show -json failed: {detail}"}
        summary = plan_summary(show["stdout"])
        saved = self._plan_path(args)
        return {
            **result,
            "changed": summary["changed"],
            "plan": summary,
            "creates": planned_creates(show["stdout"]),
            "saved": {"sha256": _reviewed_plan.sha256(saved), "state": _reviewed_plan.prior_state(saved)},
        }

    def _plan_path(self, args):
        return os.path.join(os.path.expanduser(args["project_path"]), os.path.expanduser(args["plan_file"]))

    def _read_reviewed(self, args, digest, task_vars):
        """A reviewed plan (its digest already checked): init, refuse it when the state is no longer the one it was
        made against, then read it as a plan just made. Read-only, so it also runs in check mode."""
        binary, chdir = args["binary_path"], args["project_path"]
        init = self._init_argv(args) + (["-reconfigure"] if args.get("init_reconfigure") else [])
        steps = {}
        for name, argv in (
            ("init", init),
            ("state pull", [binary, "state", "pull"]),
            ("show -json", [binary, "show", "-json", "-no-color", args["plan_file"]]),
            ("output -json", [binary, "output", "-json", "-no-color"]),
        ):
            ran = self._run(argv, chdir)
            if ran["rc"] != 0:
                detail = (ran["stderr"] or ran["stdout"]).strip()
                failed = {"failed": True, "msg": f"{binary} {name} failed: {detail}"}
                return self._with_unlock_hint(failed, task_vars)
            steps[name] = ran["stdout"]
        planned = _reviewed_plan.prior_state(self._plan_path(args))
        refused = _reviewed_plan.state_refusal(planned, _reviewed_plan.current_state(steps["state pull"]))
        if refused:
            return {"failed": True, "msg": refused}
        summary = plan_summary(steps["show -json"])
        return {
            "changed": summary["changed"],
            "plan": summary,
            "creates": planned_creates(steps["show -json"]),
            "outputs": public_outputs(json.loads(steps["output -json"] or "{}")),
            "saved": {"sha256": digest.lower(), "state": planned},  # the digest digest_refusal just checked
        }

    def _with_unlock_hint(self, result, task_vars):
        """A failure on a held state lock, with its lock ID and the command that releases it."""
        lock = lock_id(result.get("msg"))
        if not lock:
            return result
        return {**result, "lock_id": lock, "msg": f"{result['msg']}\n\n{unlock_hint(lock, task_vars)}"}

    def _force_unlock(self, args):
        """init against the backend, then force-unlock the given lock id."""
        binary = args["binary_path"]
        if self._task.check_mode:
            return {"changed": True, "unlocked": args["force_unlock"]}
        for argv in (
            self._init_argv(args),
            [binary, "force-unlock", "-force", "-no-color", args["force_unlock"]],
        ):
            ran = self._run(argv, args["project_path"])
            if ran["rc"] != 0:
                detail = (ran["stderr"] or ran["stdout"]).strip()
                return {"failed": True, "msg": f"{binary} {argv[1]} failed: {detail}"}
        return {"changed": True, "unlocked": args["force_unlock"]}

    @staticmethod
    def _init_argv(args):
        """init against the backend of backend_config_files (the reviewed read and force-unlock)."""
        backend = [f"-backend-config={path}" for path in args.get("backend_config_files") or []]
        return [args["binary_path"], "init", "-input=false", "-no-color", *backend]

    def _show(self, args):
        """Read the saved plan; read-only, so it also runs in check mode."""
        return self._run([args["binary_path"], "show", "-json", "-no-color", args["plan_file"]], args["project_path"])

    def _run(self, argv, chdir):
        """Run a command through the (local) connection, without a module process."""
        return self._low_level_execute_command(shlex.join(argv), chdir=shlex.quote(chdir))
