"""The doctor's first checks: the config file, the profile, and where the SK comes from."""

from __future__ import annotations

import stat
from collections.abc import Callable, Mapping

from ccfs_tui.core.config import (
    SK_ENV,
    Config,
    Profile,
    check_profile_ready,
    load_config,
    resolve_secret,
    select_profile,
)
from ccfs_tui.core.doctor.result import CheckResult, fail, ok
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.session import apply_insecure


def check_config(env: Mapping[str, str]) -> tuple[CheckResult, Config | None]:
    """Parse config.toml (owner and mode checked by :func:`load_config` on the very file)."""
    path = app_paths().config_file
    try:
        config = load_config(path, env)
    except ConfigError as exc:
        return fail("config file", exc.message, exc.hint or "Fix the file it names."), None
    if not config.exists:
        return ok("config file", f"none at {path}; settings come from CCFS_* variables"), config
    try:
        mode = stat.filemode(path.stat().st_mode)
    except OSError:
        mode = "?"
    count = len(config.profiles)
    text = f"{path}: parsed, {count} profile{'s' if count != 1 else ''}, mode {mode}"
    return ok("config file", text), config


def check_profile(
    config: Config, name: str | None, env: Mapping[str, str], insecure: bool
) -> tuple[CheckResult, Profile | None]:
    """The chosen profile has a base_url, an app id and (if set) a CA bundle that exists."""
    try:
        profile = apply_insecure(select_profile(config, name, env), insecure)
        check_profile_ready(profile)
    except ConfigError as exc:
        return fail("profile", exc.message, exc.hint), None
    text = f"{profile.name!r}: {profile.base_url}, app id {profile.app_id!r}"
    return ok("profile", text), profile


def secret_source(profile: Profile, env: Mapping[str, str], config: Config | None) -> str:
    """Where :func:`resolve_secret` will take the SK from (same order), never the SK."""
    for var in dict.fromkeys((SK_ENV, profile.secret_env)):
        if env.get(var):
            return f"${var}"
    if profile.secret_command:
        return f"profiles.{profile.name}.secret_command"
    if config is not None and config.inline_secret(profile.name):
        return f"secret_key in {config.path}"
    if profile.secret_prompt:
        return "typed in (secret_prompt = true)"
    return ""


def check_secret(
    profile: Profile,
    config: Config | None,
    env: Mapping[str, str],
    prompt: Callable[[str], str] | None,
) -> tuple[CheckResult, Secret | None]:
    """The SK can be found (and is usable text); its value is never part of the result."""
    where = secret_source(profile, env, config)
    asking = prompt if profile.secret_prompt else None  # only a profile that says so asks
    try:
        secret = resolve_secret(profile, env, prompt=asking, config=config)
    except ConfigError as exc:
        return fail("SK", exc.message, exc.hint), None
    return ok("SK", f"found in {where or 'its source'} (not shown)"), secret
