"""The offline SQL Server render (tools.render_sqlserver) of the real project and of a small
throwaway project: every node renders in every mode, the captured T-SQL passes
tools.tsql_check, incremental models take their incremental branch when their table exists,
and bad SQL rendered through the harness is caught.

Each project is rendered once per test session by one `python -m tools.render_sqlserver`
process (one dbt parse, then one dbt build per mode), in temporary directories.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.render_sqlserver import MODE_NAMES
from tools.tsql_check import Finding, check_render_dir

REPO = Path(__file__).resolve().parent.parent
RENDERED_TYPES = ("model", "seed", "snapshot", "test", "unit_test")


@dataclass
class Rendered:
    project: Path
    out: Path
    target: Path
    proc: subprocess.CompletedProcess[str]
    manifest: dict[str, Any]  # render-manifest.json
    dbt_manifest: dict[str, Any]  # dbt's own manifest.json
    findings: list[Finding]

    def text(self, mode: str, unique_id: str) -> str:
        return (self.out / mode / f"{unique_id}.sql").read_text(encoding="utf-8")

    def explain(self) -> str:
        return (
            f"exit {self.proc.returncode}\nstdout:\n{self.proc.stdout}\nstderr:\n{self.proc.stderr}"
        )


def _render(project: Path, work: Path) -> Rendered:
    out = work / "render"
    target = work / "target-sqlserver"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_MSSQL")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.render_sqlserver",
            "--check",
            "--project-dir",
            str(project),
            "--out",
            str(out),
            "--target-path",
            str(target),
        ],  # fmt: skip
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    manifest_path = out / "render-manifest.json"
    dbt_manifest_path = target / "manifest.json"
    return Rendered(
        project=project,
        out=out,
        target=target,
        proc=proc,
        manifest=json.loads(manifest_path.read_text()) if manifest_path.exists() else {},
        dbt_manifest=json.loads(dbt_manifest_path.read_text())
        if dbt_manifest_path.exists()
        else {},
        findings=check_render_dir(out) if out.exists() else [],
    )


@pytest.fixture(scope="session")
def project_render(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return _render(REPO, tmp_path_factory.mktemp("sqlserver-render"))


THROWAWAY_MODELS = {
    "models/_sources.yml": """
version: 2
sources:
  - name: raw
    schema: lms_raw
    tables:
      - name: users
        columns:
          - name: id
            data_type: int
          - name: name
            data_type: varchar(200)
          - name: _loaded_at
            data_type: datetime2(6)
""",
    "models/inc_merge.sql": """
{{ config(materialized='incremental', unique_key='id') }}
select id, name, _loaded_at as loaded_at
from {{ source('raw', 'users') }}
{% if is_incremental() %}
where _loaded_at > (select max(loaded_at) from {{ this }})
{% endif %}
""",
    "models/inc_delete_insert.sql": """
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['id', 'name']) }}
with source as (
    select id, name from {{ source('raw', 'users') }}
)
select id, name from source
""",
    "models/bad_limit.sql": "select 1 as a limit 1\n",
}


@pytest.fixture(scope="session")
def throwaway_render(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """A project with the real dbt_project.yml and macros, two incremental models and one
    model that SQL Server would reject."""
    project = tmp_path_factory.mktemp("throwaway-project")
    shutil.copyfile(REPO / "dbt_project.yml", project / "dbt_project.yml")
    shutil.copyfile(REPO / "profiles.example.yml", project / "profiles.example.yml")
    shutil.copytree(REPO / "macros", project / "macros")
    for relative, text in THROWAWAY_MODELS.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip(), encoding="utf-8")
    return _render(project, tmp_path_factory.mktemp("throwaway-render"))


def _expected_nodes(rendered: Rendered) -> dict[str, dict[str, Any]]:
    """Nodes of dbt's own manifest that send SQL of their own."""
    dbt = rendered.dbt_manifest
    nodes = list(dbt.get("nodes", {}).values()) + list(dbt.get("unit_tests", {}).values())
    return {
        n["unique_id"]: n
        for n in nodes
        if n["resource_type"] in RENDERED_TYPES
        and n.get("config", {}).get("enabled", True)
        and n.get("config", {}).get("materialized") != "ephemeral"
    }


# --------------------------------------------------------------------------- real project


def test_project_renders_in_every_mode(project_render: Rendered) -> None:
    assert project_render.proc.returncode == 0, project_render.explain()
    assert project_render.manifest["problems"] == []
    assert sorted(project_render.manifest["modes"]) == sorted(MODE_NAMES)
    for mode in project_render.manifest["modes"].values():
        assert mode["success"] and mode["errors"] == []


def test_every_model_test_and_seed_has_sql_in_every_mode(project_render: Rendered) -> None:
    expected = _expected_nodes(project_render)
    assert any(uid.startswith("model.") for uid in expected), "dbt manifest lists no models"
    rendered_nodes = project_render.manifest["nodes"]
    for uid in expected:
        assert uid in rendered_nodes, f"{uid} missing from the render manifest"
        for mode in MODE_NAMES:
            capture = rendered_nodes[uid]["captures"].get(mode)
            assert capture and capture["statements"] > 0, f"no SQL for {uid} in mode {mode}"
            text = project_render.text(mode, uid)
            assert "-- render-statement" in text


def test_project_sql_passes_the_tsql_check(project_render: Rendered) -> None:
    assert project_render.findings == [], "\n".join(f.format() for f in project_render.findings)
    assert "T-SQL check: 0 finding(s)" in project_render.proc.stderr


def _incremental_models(rendered: Rendered) -> list[dict[str, Any]]:
    return [
        n
        for n in _expected_nodes(rendered).values()
        if n["resource_type"] == "model" and n["config"].get("materialized") == "incremental"
    ]


def _assert_incremental_branch(rendered: Rendered, node: dict[str, Any]) -> None:
    uid, alias = node["unique_id"], node["alias"]
    target = rf'"{re.escape(node["schema"])}"\s*\.\s*"{re.escape(alias)}"'
    existing = rendered.text("existing", uid)
    incremental = (
        re.search(rf"\bmerge\s+into\s+(?:\"[^\"]+\"\s*\.\s*)?{target}", existing, re.I)
        or re.search(rf"\bdelete\s+from\s+(?:\"[^\"]+\"\s*\.\s*)?{target}", existing, re.I)
        or re.search(rf"\binsert\s+into\s+(?:\"[^\"]+\"\s*\.\s*)?{target}", existing, re.I)
    )
    assert incremental, f"{uid}: no merge/delete/insert into the existing table"
    built_fresh = re.compile(rf"select \* into (?:\"[^\"]+\"\s*\.\s*)?{target}\s", re.I)
    assert not built_fresh.search(existing), f"{uid}: existing table rebuilt, not updated"
    empty = rendered.text("empty", uid)
    assert built_fresh.search(empty), f"{uid}: the first build does not create the table"
    assert not re.search(r"\bmerge\s+into\b", empty, re.I)


def test_project_incremental_models_take_incremental_branch(project_render: Rendered) -> None:
    models = _incremental_models(project_render)
    if not models:
        pytest.skip("the project has no incremental model yet; the throwaway project covers it")
    for node in models:
        _assert_incremental_branch(project_render, node)


def test_example_profile_renders_with_default_environment() -> None:
    """The sqlserver output of profiles.example.yml must render with none of its variables set."""
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    profile = yaml.safe_load((REPO / "profiles.example.yml").read_text())
    outputs = profile["edfi_lms"]["outputs"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    set_invocation_context(env)
    try:
        rendered = ProfileRenderer({}).render_data(outputs["sqlserver"])
    finally:
        set_invocation_context(dict(os.environ))
    assert rendered["trust_cert"] is False
    assert rendered["driver"] == "ODBC Driver 18 for SQL Server"


# --------------------------------------------------------------------------- throwaway project


def test_throwaway_incremental_models_take_incremental_branch(throwaway_render: Rendered) -> None:
    assert throwaway_render.manifest["problems"] == [], throwaway_render.explain()
    models = _incremental_models(throwaway_render)
    assert {n["name"] for n in models} == {"inc_merge", "inc_delete_insert"}
    for node in models:
        _assert_incremental_branch(throwaway_render, node)
    merge = throwaway_render.text("existing", "model.edfi_lms.inc_merge")
    assert re.search(r"merge\s+into\s+\S+inc_merge\" as DBT_INTERNAL_DEST", merge)
    # columns come from the model's select list, and is_incremental() was true
    assert '("id", "name", "loaded_at")' in merge
    assert "select max(loaded_at) from" in merge
    assert "select max(loaded_at)" not in throwaway_render.text("empty", "model.edfi_lms.inc_merge")
    delete_insert = throwaway_render.text("existing", "model.edfi_lms.inc_delete_insert")
    assert re.search(r"delete from \S+inc_delete_insert\"\s+where exists", delete_insert)
    full_refresh = throwaway_render.text("full-refresh", "model.edfi_lms.inc_merge")
    assert not re.search(r"\bmerge\s+into\b", full_refresh, re.I)


def test_bad_sql_rendered_through_the_harness_is_caught(throwaway_render: Rendered) -> None:
    assert throwaway_render.proc.returncode == 1, throwaway_render.explain()
    bad = [f for f in throwaway_render.findings if f.node == "model.edfi_lms.bad_limit"]
    assert {f.rule for f in bad} == {"limit"}
    assert {Path(f.file or "").parent.name for f in bad} == set(MODE_NAMES)
    assert all(f.source == "models/bad_limit.sql" and "limit 1" in f.excerpt for f in bad)
    others = [f for f in throwaway_render.findings if f.node != "model.edfi_lms.bad_limit"]
    assert others == [], "\n".join(f.format() for f in others)
    assert "[limit]" in throwaway_render.proc.stdout
