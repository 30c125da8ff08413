"""dev/tools/build.sh: one clear line for the failures a user can hit."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from dev.settings import ROOT


def run_build(tmp_path, *tools, versions=None, path=None):
    script_dir = tmp_path / "tools"
    script_dir.mkdir(exist_ok=True)
    shutil.copy(ROOT / "dev" / "tools" / "build.sh", script_dir / "build.sh")
    text = (ROOT / "dev" / "tools" / "versions.env").read_text()
    for key, value in (versions or {}).items():
        text += f"\n{key}={value}\n"
    (script_dir / "versions.env").write_text(text)
    env = {
        "HOME": os.environ["HOME"],
        "PATH": path if path is not None else os.environ["PATH"],
        "VOICESTACK_TOOLS": str(tmp_path / "cache"),
        "GOPATH": os.environ.get("GOPATH", str(Path.home() / "go")),
        "GOMODCACHE": os.environ.get("GOMODCACHE", str(Path.home() / "go" / "pkg" / "mod")),
    }
    return subprocess.run(
        ["bash", str(script_dir / "build.sh"), *tools],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def path_without(*names):
    """PATH entries holding none of the given commands."""
    keep = [d for d in os.environ["PATH"].split(os.pathsep) if not any((Path(d) / n).exists() for n in names)]
    return os.pathsep.join(keep)


def test_a_refused_module_is_one_line_naming_module_version_and_the_way_out(tmp_path):
    result = run_build(
        tmp_path,
        "tofu",
        versions={"TOFU_MODULE_VERSION": "v0.0.0-20000101000000-000000000000"},
        path=path_without("tofu"),
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "tools: the Go module proxy refused github.com/opentofu/opentofu@v0.0.0-20000101000000-000000000000"
    )
    assert "put a tofu binary on PATH" in lines[0]


def test_missing_go_is_one_line(tmp_path):
    result = run_build(tmp_path, "tofu", path=path_without("go", "tofu"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "tools: no 'go' on PATH: install Go >= 1.26 to build tofu, or put a tofu binary on PATH "
        "(see README, 'Supplying binaries')"
    )


def test_an_acceptable_binary_on_path_is_used_instead_of_building(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # A stand-in for an installed tofu: this test is about PATH discovery only.
    (fake_bin / "tofu").write_text('#!/bin/sh\necho \'{"terraform_version":"1.11.2"}\'\n')
    (fake_bin / "tofu").chmod(0o755)
    result = run_build(tmp_path, "tofu", path=f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["tofu", "1.11.2", str(fake_bin / "tofu"), "PATH"]


def test_a_too_old_binary_on_path_is_not_used(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # A stand-in for an old installed tofu: only its version matters here.
    (fake_bin / "tofu").write_text('#!/bin/sh\necho \'{"terraform_version":"1.6.0"}\'\n')
    (fake_bin / "tofu").chmod(0o755)
    result = run_build(
        tmp_path,
        "tofu",
        versions={"TOFU_MODULE_VERSION": "v0.0.0-20000101000000-000000000000"},
        path=f"{fake_bin}{os.pathsep}{path_without('tofu')}",
    )
    assert result.returncode == 1
    assert "refused github.com/opentofu/opentofu" in result.stderr


def test_unknown_tool_is_named(tmp_path):
    result = run_build(tmp_path, "terraform")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "tools: unknown tool 'terraform' (known: tofu providers bao-aws-plugin etcd kube-apiserver eso helm)"
    )


def fake_command(folder, name, script):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"#!/bin/sh\n{script}\n")
    (folder / name).chmod(0o755)


def test_a_helm_3_on_path_is_used_and_a_helm_4_is_not(tmp_path):
    # Stand-ins for installed helms and for go: only the versions matter here.
    fake = tmp_path / "fakebin"
    fake_command(fake, "go", 'echo \'{"Error": "not fetched in this test"}\'')
    fake_command(fake, "helm", "printf v3.18.4")
    used = run_build(tmp_path, "helm", path=f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert used.returncode == 0, used.stderr
    assert used.stdout.split() == ["helm", "3.18.4", str(fake / "helm"), "PATH"]

    fake_command(fake, "helm", "printf v4.0.0")
    refused = run_build(tmp_path, "helm", path=f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert refused.returncode == 1
    assert "the Go module proxy refused helm.sh/helm/v3@v" in refused.stderr


def test_the_eso_chart_is_copied_with_the_release_version_and_no_subchart(tmp_path):
    # A cached controller, and a stand-in for go whose module holds only the chart.
    release = versions_env("ESO_VERSION")
    cached = tmp_path / "cache" / f"external-secrets-{release}"
    (cached / "crds").mkdir(parents=True)
    fake_command(cached, "external-secrets", "")
    stamp = tmp_path / "cache" / f"external-secrets-{release}.stamp"
    stamp.write_text(f"providers: {versions_env('ESO_PROVIDERS')}\n")
    source = tmp_path / "module" / "deploy" / "charts" / "external-secrets"
    (source / "templates").mkdir(parents=True)
    (source / "Chart.yaml").write_text(
        'name: external-secrets\nversion: "0.16.1"\nappVersion: "v0.16.1"\n'
        "dependencies:\n  - name: bitwarden-sdk-server\n    condition: bitwarden-sdk-server.enabled\n"
        "kubeVersion: 1.x\n"
    )
    (source / "Chart.lock").write_text("dependencies: []\n")
    fake = tmp_path / "fakebin"
    fake_command(fake, "go", f'echo \'{{"Dir": "{tmp_path / "module"}", "Sum": "h1:x"}}\'')

    result = run_build(tmp_path, "eso", path=f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    chart = cached / "chart"
    assert (chart / "Chart.yaml").read_text() == (
        f'name: external-secrets\nversion: "{release}"\nappVersion: "v{release}"\nkubeVersion: 1.x\n'
    )
    assert not (chart / "Chart.lock").exists()
    assert (chart / "templates").is_dir()


def eso_source(tmp_path):
    """The two registration files of External Secrets' source, as v0.16.2 lays them out (shortened)."""
    for kind, names in (("provider", ["aws", "vault", "webhook"]), ("generator", ["password", "vault"])):
        folder = tmp_path / "pkg" / kind / "register"
        folder.mkdir(parents=True)
        imports = "".join(f'\t_ "github.com/external-secrets/external-secrets/pkg/{kind}/{n}"\n' for n in names)
        (folder / "register.go").write_text(f"package register\n\nimport (\n{imports})\n")
    return tmp_path


def trim_eso(source, keep):
    script = ROOT / "dev" / "tools" / "trim-eso-providers.sh"
    return subprocess.run(["bash", str(script), str(source), keep], capture_output=True, text=True, check=False)


def test_eso_keeps_only_the_named_providers_and_no_generators(tmp_path):
    source = eso_source(tmp_path)
    assert trim_eso(source, "vault").returncode == 0
    providers = (source / "pkg/provider/register/register.go").read_text()
    assert "pkg/provider/vault" in providers
    assert "pkg/provider/aws" not in providers
    assert "pkg/provider/webhook" not in providers
    assert "pkg/generator/" not in (source / "pkg/generator/register/register.go").read_text()


def test_eso_refuses_a_provider_it_does_not_have(tmp_path):
    result = trim_eso(eso_source(tmp_path), "vault nosuch")
    assert result.returncode == 1
    assert "unknown External Secrets provider: nosuch" in result.stderr


def versions_env(name):
    for line in (ROOT / "dev" / "tools" / "versions.env").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1].strip('"')
    raise KeyError(name)


def test_a_cached_aws_provider_built_with_other_services_is_rebuilt(tmp_path):
    # A stand-in for go: the real one would start a 10-minute provider build.
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "go").write_text(
        '#!/bin/sh\ncase "$1 $2" in\n  "env GOOS") echo linux ;;\n  "env GOARCH") echo amd64 ;;\n'
        '  "mod download") echo \'{"Error": "not fetched in this test"}\' ;;\n  *) exit 1 ;;\nesac\n'
    )
    (fake / "go").chmod(0o755)
    mirror = tmp_path / "cache" / "providers" / "registry.opentofu.org" / "hashicorp"
    for provider, version in (("aws", "AWS"), ("vault", "VAULT"), ("time", "TIME")):
        release = versions_env(f"{version}_PROVIDER_VERSION")
        binary = mirror / provider / release / "linux_amd64" / f"terraform-provider-{provider}_v{release}"
        binary.parent.mkdir(parents=True)
        binary.write_text("#!/bin/sh\n")
        binary.chmod(0o755)
    stamp = tmp_path / "cache" / f"provider-aws-{versions_env('AWS_PROVIDER_VERSION')}.stamp"
    path = f"{fake}{os.pathsep}{os.environ['PATH']}"

    stamp.write_text(f"services: {versions_env('AWS_PROVIDER_SERVICES')}\n")
    cached = run_build(tmp_path, "providers", path=path)
    assert cached.returncode == 0, cached.stderr
    assert " cached" in cached.stdout.splitlines()[0]

    stamp.write_text("services: acm ec2\n")  # built before the service list changed
    rebuilt = run_build(tmp_path, "providers", path=path)
    assert rebuilt.returncode == 1
    assert "the Go module proxy refused github.com/upbound/terraform-provider-aws" in rebuilt.stderr
