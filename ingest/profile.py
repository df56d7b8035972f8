"""Read the `edfi_lms` dbt profile, so one profiles.yml configures both ingest and dbt."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

PROFILE_NAME = "edfi_lms"
SECRET_KEYS = frozenset({"password", "pass", "pwd", "PWD", "token", "client_secret",
                         "app_secret"})


class ProfileError(Exception):
    """The profile cannot be found, rendered or understood."""


@dataclass(frozen=True)
class Target:
    name: str
    type: str
    settings: dict[str, Any] = field(repr=False)
    profiles_file: Path

    def describe(self) -> str:
        """A one-line description that never contains a secret."""
        shown = {k: v for k, v in self.settings.items() if k not in SECRET_KEYS}
        where = shown.get("path") or "{}:{}/{}".format(
            shown.get("host") or shown.get("server"), shown.get("port"),
            shown.get("dbname") or shown.get("database"))
        return f"{self.name} ({self.type}, {where})"


def find_profiles_file(profiles_dir: Path | None) -> Path:
    """Locate profiles.yml the way dbt does: option, DBT_PROFILES_DIR, current folder, ~/.dbt."""
    candidates: list[Path] = []
    if profiles_dir is not None:
        candidates.append(profiles_dir)
    elif os.environ.get("DBT_PROFILES_DIR"):
        candidates.append(Path(os.environ["DBT_PROFILES_DIR"]))
    else:
        candidates += [Path.cwd(), Path.home() / ".dbt"]
    for folder in candidates:
        if (folder / "profiles.yml").is_file():
            return folder / "profiles.yml"
    searched = ", ".join(str(folder) for folder in candidates)
    raise ProfileError(
        f"no profiles.yml found (looked in {searched}); copy profiles.example.yml to "
        "profiles.yml or pass --profiles-dir"
    )


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise ProfileError(f"environment variable {name} is required by the profile but not set")
    return str(default)


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _render(value: Any, environment: jinja2.Environment) -> Any:
    if isinstance(value, dict):
        return {key: _render(item, environment) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, environment) for item in value]
    if isinstance(value, str) and "{{" in value:
        return environment.from_string(value).render()
    return value


def load_target(profiles_dir: Path | None = None, target: str | None = None) -> Target:
    profiles_file = find_profiles_file(profiles_dir)
    try:
        document = yaml.safe_load(profiles_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ProfileError(f"{profiles_file}: not valid YAML: {error}") from error
    profile = document.get(PROFILE_NAME)
    if not isinstance(profile, dict) or "outputs" not in profile:
        raise ProfileError(f"{profiles_file}: no profile named {PROFILE_NAME!r} with outputs")
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.globals["env_var"] = _env_var
    environment.filters["as_bool"] = _as_bool
    environment.filters["as_number"] = str
    environment.filters["as_text"] = str
    try:
        target_name = _render(target or profile.get("target") or "duckdb", environment)
        outputs = profile["outputs"]
        if target_name not in outputs:
            raise ProfileError(
                f"{profiles_file}: profile {PROFILE_NAME!r} has no target {target_name!r} "
                f"(targets: {', '.join(outputs)})"
            )
        settings = _render(outputs[target_name], environment)
    except jinja2.TemplateError as error:
        raise ProfileError(f"{profiles_file}: cannot render target: {error}") from error
    return Target(name=str(target_name), type=str(settings.get("type")), settings=settings,
                  profiles_file=profiles_file)
