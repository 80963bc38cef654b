"""Profiles from ``config.toml`` (platformdirs config dir), overridden by environment variables.

Example::

    default_profile = "prod"

    [profiles.prod]
    base_url = "https://10.22.26.181:28443"
    app_id = "my-ak"
    secret_env = "CCFS_PROD_SK"           # the SK comes from this variable ...
    # secret_command = "pass show ccfs/prod"   # ... or from a command's stdout
    # secret_prompt = true                # ... or is asked for interactively
    ca_bundle = "~/ccfs-ca.pem"
    signed_headers = ["content-length", "content-type", "host"]   # or ["host"]
    download_dir = "~/recordings"
    index_path = "~/indexes"
    listen_bind = "127.0.0.1"             # the listening server (ccfs-tui listen, key l)
    listen_port = 0                       # 0: a free port
    callback_url = "http://10.1.2.3:8089/ccfs-callback"   # ccfs-tui fetch: what CC-FS calls
    callback_listen = "0.0.0.0:8089"      # ... and where this machine receives it
    # callback_cert = "~/cb-cert.pem"     # an https receiver (with callback_key)
    index_dir = "~/ccfs-indexes"          # where fetched index zips go

    [keys]                                # optional: other keys for actions (see core.keymap)
    request_token = "x"

    [ui]                                  # optional: written by the TUI (core.ui_settings)
    theme = "ansi-dark"

Environment variables beat the file: CCFS_BASE_URL, CCFS_APP_ID, CCFS_SECRET_KEY,
CCFS_CA_BUNDLE, CCFS_MAX_DOWNLOAD_MB, CCFS_LISTEN_BIND, CCFS_LISTEN_PORT, CCFS_CALLBACK_LISTEN,
CCFS_CALLBACK_URL, CCFS_CALLBACK_CERT, CCFS_CALLBACK_KEY, CCFS_INDEX_DIR, CCFS_PROFILE. Every
error names the file and the key.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ccfs_tui.core.callback_settings import DEFAULT_REPLY, parse_listen
from ccfs_tui.core.child_env import child_environment, register_secret_variable
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.keymap import KeyTable, parse_keys_table
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.sanitize import error_text
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signed_headers import DEFAULT_SIGNED_HEADERS
from ccfs_tui.core.ui_settings import UiSettings, parse_ui_table

SK_ENV = "CCFS_SECRET_KEY"
_ALLOWED_SIGNED = {"content-length", "content-type", "host"}


def _default_download_dir() -> Path:
    return app_paths().download_dir


def _default_index_dir() -> Path:
    return app_paths().index_dir


@dataclass(frozen=True, slots=True)
class Profile:
    """One CC-FS deployment and the credentials used with it (never the SK itself)."""

    name: str = "default"
    base_url: str = ""
    app_id: str = ""
    secret_env: str = SK_ENV
    secret_command: str | None = None
    secret_prompt: bool = False
    ca_bundle: Path | None = None
    verify: bool = True
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    request_timeout: float = 60.0
    max_download_mb: int = 2048
    signed_headers: tuple[str, ...] = DEFAULT_SIGNED_HEADERS
    download_dir: Path = field(default_factory=_default_download_dir)
    index_path: Path | None = None
    listen_bind: str = "127.0.0.1"
    listen_port: int = 0
    callback_listen: str = ""
    """``HOST:PORT`` the queryBillData callback receiver binds (empty: every address, on
    the port of ``callback_url``)."""
    callback_url: str = ""
    """The ``callBackURL`` CC-FS is told (it must reach this machine)."""
    callback_cert: Path | None = None
    callback_key: Path | None = None
    callback_reply: str = DEFAULT_REPLY
    """The body of the 200 answer to a verified callback (not documented by Huawei)."""
    callback_wait: float = 900.0
    """Seconds ``fetch`` waits for a verified callback (CC-FS retries every 10 minutes)."""
    index_dir: Path = field(default_factory=_default_index_dir)
    flow_control_retries: int = 2
    retry_backoff: float = 1.0
    has_inline_secret: bool = field(default=False, repr=False)

    def with_overrides(self, **changes: Any) -> Profile:
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Config:
    """Every profile, and which one is used when none is named."""

    path: Path
    profiles: dict[str, Profile]
    default_profile: str
    exists: bool = False
    keys: KeyTable = field(default_factory=dict)
    """The ``[keys]`` table: action id -> keys (checked for shape; the UI checks the ids)."""
    ui: UiSettings = field(default_factory=UiSettings)
    """The ``[ui]`` table: the theme the TUI remembers (``core.ui_settings``)."""
    _inline_secrets: dict[str, Secret] = field(default_factory=dict, repr=False)

    def profile(self, name: str | None = None) -> Profile:
        """The named profile (or the default one). Raises ``ConfigError`` if unknown."""
        wanted = name or self.default_profile
        try:
            return self.profiles[wanted]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ConfigError(
                f"{self.path}: no profile named {wanted!r} (profiles: {known}).",
                f"Add a [profiles.{wanted}] table or pick another with --profile / CCFS_PROFILE.",
            ) from None

    def inline_secret(self, profile: str) -> Secret | None:
        """An SK written in the file itself (allowed only when the file is private)."""
        return self._inline_secrets.get(profile)


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "base_url": str,
    "app_id": str,
    "secret_env": str,
    "secret_command": str,
    "secret_prompt": bool,
    "secret_key": str,
    "ca_bundle": str,
    "verify": bool,
    "connect_timeout": (int, float),
    "read_timeout": (int, float),
    "request_timeout": (int, float),
    "max_download_mb": int,
    "signed_headers": list,
    "download_dir": str,
    "index_path": str,
    "listen_bind": str,
    "listen_port": int,
    "callback_listen": str,
    "callback_url": str,
    "callback_cert": str,
    "callback_key": str,
    "callback_reply": str,
    "callback_wait": (int, float),
    "index_dir": str,
    "flow_control_retries": int,
    "retry_backoff": (int, float),
}


def _expand(path: str) -> Path:
    return Path(os.path.expandvars(path)).expanduser()


def _check_base_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where}: base_url {url!r} is not an http(s) URL.",
            "Write it as https://HOST:PORT (the CC-FS or its load balancer).",
        )
    return url.rstrip("/")


def _profile_from_table(name: str, table: Mapping[str, Any], path: Path) -> Profile:
    where = f"{path}: profiles.{name}"
    for key, value in table.items():
        expected = _FIELDS.get(key)
        if expected is None:
            raise ConfigError(
                f"{where}.{key}: unknown key.",
                f"Known keys: {', '.join(sorted(_FIELDS))}.",
            )
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"{where}.{key}: wrong type ({type(value).__name__}).",
                "See the README's configuration section for each key's type.",
            )
    kwargs: dict[str, Any] = {"name": name}
    for key in ("app_id", "secret_env", "secret_command", "secret_prompt", "verify"):
        if key in table:
            kwargs[key] = table[key]
    if "base_url" in table:
        kwargs["base_url"] = _check_base_url(table["base_url"], f"{where}.base_url")
    for key in ("connect_timeout", "read_timeout", "request_timeout", "retry_backoff"):
        if key in table:
            if table[key] <= 0 and key != "retry_backoff":
                raise ConfigError(f"{where}.{key}: must be more than 0 seconds.")
            kwargs[key] = float(table[key])
    if "max_download_mb" in table:
        kwargs["max_download_mb"] = _download_limit(
            table["max_download_mb"], f"{where}.max_download_mb"
        )
    if "flow_control_retries" in table:
        kwargs["flow_control_retries"] = max(0, table["flow_control_retries"])
    if "listen_bind" in table:
        kwargs["listen_bind"] = _listen_bind(table["listen_bind"], f"{where}.listen_bind")
    if "listen_port" in table:
        kwargs["listen_port"] = _listen_port(table["listen_port"], f"{where}.listen_port")
    for key in ("ca_bundle", "download_dir", "index_path"):
        if key in table:
            kwargs[key] = _expand(table[key])
    kwargs.update(_callback_settings(table, where))
    if "signed_headers" in table:
        headers = tuple(str(h).lower() for h in table["signed_headers"])
        bad = [h for h in headers if h not in _ALLOWED_SIGNED]
        if bad or "host" not in headers:
            raise ConfigError(
                f"{where}.signed_headers: {list(table['signed_headers'])!r} is not allowed.",
                'Use ["content-length", "content-type", "host"] (default) or ["host"].',
            )
        kwargs["signed_headers"] = tuple(sorted(set(headers)))
    kwargs["has_inline_secret"] = "secret_key" in table
    return Profile(**kwargs)


def _refuse_if_shared(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: holds a secret_key but is readable by group or others "
            f"(mode {stat.filemode(mode)}); refusing to use it.",
            f"Run: chmod 600 {shlex.quote(str(path))}",
        )


def _check_owner_and_mode(path: Path, info: os.stat_result) -> None:
    """Refuse a config file others could have written, as OpenSSH refuses such files: its
    ``secret_command`` runs as this user, and its base_url receives the signatures."""
    where = shlex.quote(str(path))
    if info.st_uid not in (os.getuid(), 0):
        try:
            import pwd

            me = pwd.getpwuid(os.getuid()).pw_name
        except (ImportError, KeyError):
            me = str(os.getuid())
        raise ConfigError(
            f"{path}: owned by another user (uid {info.st_uid}), so it could say anything; "
            "refusing to use it.",
            f"Run: chown {me} {where}  (as root), or copy it into a file of your own.",
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError(
            f"{path}: group or others can write it (mode {stat.filemode(info.st_mode)}), "
            "and its secret_command would run what they wrote; refusing to use it.",
            f"Run: chmod go-w {where}",
        )


def _read_config(path: Path) -> str:
    """The file's text, checked by :func:`_check_owner_and_mode` on the very file read."""
    with path.open("rb") as handle:
        _check_owner_and_mode(path, os.fstat(handle.fileno()))
        return handle.read().decode("utf-8")


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read profiles from ``path`` (default: the platformdirs config file) and apply env.

    Raises ``ConfigError`` for a file owned by another user (root excepted) or writable by
    group or others, before reading a word of it."""
    env = os.environ if env is None else env
    path = path or app_paths().config_file
    data: dict[str, Any] = {}
    exists = path.exists()
    if exists:
        try:
            data = tomllib.loads(_read_config(path))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}.", "Fix the line it names.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read it ({exc}).") from None
    unknown = set(data) - {"default_profile", "profiles", "keys", "ui"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown top-level key {sorted(unknown)[0]!r}.",
            "Top-level keys are default_profile, [profiles.NAME] tables, [keys] and [ui].",
        )
    keys = parse_keys_table(data.get("keys", {}), path)
    ui = parse_ui_table(data.get("ui", {}), path)
    tables = data.get("profiles", {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ConfigError(f"{path}: profiles must be tables like [profiles.prod].")
    profiles = {name: _profile_from_table(name, table, path) for name, table in tables.items()}
    for profile in profiles.values():
        register_secret_variable(profile.secret_env)  # never passed on to a child process
    inline = {name: Secret(t["secret_key"]) for name, t in tables.items() if "secret_key" in t}
    if inline:
        _refuse_if_shared(path)
    default = env.get("CCFS_PROFILE") or data.get("default_profile")
    if not isinstance(default, str | None):
        raise ConfigError(f"{path}: default_profile must be a string.")
    if default is None:
        default = next(iter(profiles), "default")
    if default not in profiles:
        if env.get("CCFS_PROFILE") and profiles:
            raise ConfigError(
                f"CCFS_PROFILE={default!r}: no such profile in {path}.",
                f"Profiles: {', '.join(sorted(profiles))}.",
            )
        profiles[default] = Profile(name=default)
    profiles[default] = _apply_env(profiles[default], env)
    return Config(path, profiles, default, exists, keys, ui, inline)


def _apply_env(profile: Profile, env: Mapping[str, str]) -> Profile:
    changes: dict[str, Any] = {}
    if env.get("CCFS_BASE_URL"):
        changes["base_url"] = _check_base_url(env["CCFS_BASE_URL"], "CCFS_BASE_URL")
    if env.get("CCFS_APP_ID"):
        changes["app_id"] = env["CCFS_APP_ID"]
    if env.get("CCFS_CA_BUNDLE"):
        changes["ca_bundle"] = _expand(env["CCFS_CA_BUNDLE"])
    if env.get("CCFS_MAX_DOWNLOAD_MB"):
        text = env["CCFS_MAX_DOWNLOAD_MB"].strip()
        if not text.isdigit():
            raise ConfigError(
                f"CCFS_MAX_DOWNLOAD_MB={text[:20]!r} is not a whole number of megabytes.",
                "Set it to e.g. 2048, or unset it to use the profile's max_download_mb.",
            )
        changes["max_download_mb"] = _download_limit(int(text), "CCFS_MAX_DOWNLOAD_MB")
    if env.get("CCFS_LISTEN_BIND"):
        changes["listen_bind"] = _listen_bind(env["CCFS_LISTEN_BIND"], "CCFS_LISTEN_BIND")
    if env.get("CCFS_LISTEN_PORT"):
        text = env["CCFS_LISTEN_PORT"].strip()
        if not text.isdigit():
            raise ConfigError(
                f"CCFS_LISTEN_PORT={text[:20]!r} is not a port number.",
                "Set it to a port (0 for a free one), or unset it.",
            )
        changes["listen_port"] = _listen_port(int(text), "CCFS_LISTEN_PORT")
    changes.update(_callback_env(env))
    return replace(profile, **changes) if changes else profile


_CALLBACK_ENV = {
    "CCFS_CALLBACK_LISTEN": "callback_listen",
    "CCFS_CALLBACK_URL": "callback_url",
    "CCFS_CALLBACK_CERT": "callback_cert",
    "CCFS_CALLBACK_KEY": "callback_key",
    "CCFS_INDEX_DIR": "index_dir",
}


def _callback_settings(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The fetch settings of a profile table (``callback_*``, ``index_dir``), checked."""
    out: dict[str, Any] = {}
    for key in ("callback_listen", "callback_url", "callback_cert", "callback_key", "index_dir"):
        if key in table:
            out[key] = _callback_value(key, table[key], f"{where}.{key}")
    if "callback_reply" in table:
        if not table["callback_reply"].strip():
            raise ConfigError(
                f"{where}.callback_reply: must not be empty (CC-FS retries a callback answered "
                "with an empty body).",
                f"Leave it out for the default {DEFAULT_REPLY}.",
            )
        out["callback_reply"] = table["callback_reply"]
    if "callback_wait" in table:
        if table["callback_wait"] <= 0:
            raise ConfigError(f"{where}.callback_wait: must be more than 0 seconds.")
        out["callback_wait"] = float(table["callback_wait"])
    return out


def _callback_env(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        key: _callback_value(key, env[var], var)
        for var, key in _CALLBACK_ENV.items()
        if env.get(var)
    }


def _callback_value(key: str, value: str, where: str) -> Any:
    if key == "callback_listen":
        parse_listen(value, where)
        return value.strip()
    if key == "callback_url":
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"{where}: {value[:80]!r} is not an http(s) URL.",
                "Write the URL CC-FS must call, e.g. http://10.1.2.3:8089/ccfs-callback (an "
                "address of this machine that CC-FS can reach).",
            )
        return value.strip()
    return _expand(value)


def _listen_bind(value: str, where: str) -> str:
    text = value.strip()
    if not text or len(text) > 253 or any(c.isspace() or c in "/[]@" for c in text):
        raise ConfigError(
            f"{where}: {value[:60]!r} is not an address to listen on.",
            "Use 127.0.0.1 (the default: only this machine), ::1, or an address of this machine.",
        )
    return text


def _listen_port(value: int, where: str) -> int:
    if not 0 <= value <= 65535:
        raise ConfigError(f"{where}: {value} is not a port (0 to 65535).", "Use 0 for a free port.")
    return value


def _download_limit(value: int, where: str) -> int:
    if value < 1:
        raise ConfigError(
            f"{where}: must be at least 1 (megabytes).",
            "The default is 2048; a download bigger than this is refused.",
        )
    return value


def select_profile(
    config: Config, name: str | None, env: Mapping[str, str] | None = None
) -> Profile:
    """The profile to use: ``name`` or the default, with environment overrides applied."""
    env = os.environ if env is None else env
    return _apply_env(config.profile(name), env)


def resolve_secret(
    profile: Profile,
    env: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
    config: Config | None = None,
) -> Secret:
    """Find the SK: CCFS_SECRET_KEY, then the profile's variable, command, file, or prompt."""
    env = os.environ if env is None else env
    for var in dict.fromkeys((SK_ENV, profile.secret_env)):
        if env.get(var):
            return _usable(Secret(env[var]), f"the SK in ${var}")
    if profile.secret_command:
        return _usable(_secret_from_command(profile), f"profiles.{profile.name}.secret_command")
    inline = config.inline_secret(profile.name) if config else None
    if inline:
        return _usable(inline, f"{config.path if config else 'config'}: profiles.{profile.name}")
    if prompt is not None:
        # no plain local holds the typed SK: a crash report with locals must not show it
        secret = Secret(
            prompt(f"Secret key (SK) for app id {profile.app_id or '?'} [{profile.name}]: ")
        )
        if secret:
            return _usable(secret, "the SK typed in")
    variables = " (or ".join(dict.fromkeys((profile.secret_env, SK_ENV)))
    variables += ")" if " (or " in variables else ""
    if profile.secret_prompt:  # it would have asked, but there was no terminal (or no answer)
        why = "nothing was typed" if prompt is not None else "there is no terminal to ask on"
        raise ConfigError(
            f"No secret key (SK) for profile {profile.name!r}: it has secret_prompt = true, "
            f"but {why}.",
            f"Run it in a terminal and type the SK; for scripts set {variables} or give the "
            "profile a secret_command.",
        )
    raise ConfigError(
        f"No secret key (SK) for profile {profile.name!r}.",
        f"Set {variables}, or give the profile a secret_command or secret_prompt = true.",
    )


def _usable(secret: Secret, where: str) -> Secret:
    """``secret`` if it can key an HMAC (UTF-8 text), else a ``ConfigError`` naming ``where``.

    An SK that is not valid text (e.g. bytes that are not UTF-8 in an environment variable)
    would otherwise fail deep inside the signer, where a crash report could show it.
    """
    try:
        secret.reveal().encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(
            f"{where}: the SK is not valid UTF-8 text.",
            "Set it again from the value the CC-FS administrators gave you.",
        ) from None
    return secret


def _secret_from_command(profile: Profile) -> Secret:
    where = f"profiles.{profile.name}.secret_command"
    try:
        done = subprocess.run(  # the user's own command, by design
            profile.secret_command or "",
            shell=True,
            capture_output=True,
            env=child_environment(also_drop=(profile.secret_env,)),
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"{where}: could not run it ({type(exc).__name__}).") from None
    if done.returncode != 0 or not done.stdout.strip():
        # its stdout may hold the SK: never shown; its stderr says what went wrong
        said = _last_line(done.stderr)
        raise ConfigError(
            f"{where}: exited {done.returncode} with "
            f"{'output' if done.stdout.strip() else 'no output'}"
            + (f"; it said: {said}." if said else "."),
            "Run the command by hand; it must print the SK on stdout and exit 0.",
        )
    try:
        return Secret(done.stdout.decode("utf-8").strip())
    except UnicodeDecodeError:
        raise ConfigError(
            f"{where}: printed bytes that are not UTF-8 text.",
            "Run the command by hand; it must print the SK as text.",
        ) from None


def _last_line(data: bytes) -> str:
    """The last non-empty line of a child's stderr, made visible and cut (for a message)."""
    lines = [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return error_text(lines[-1].strip()) if lines else ""


def check_profile_ready(profile: Profile) -> None:
    """Raise ``ConfigError`` when a profile cannot be used to call CC-FS."""
    if not profile.base_url:
        raise ConfigError(
            f"Profile {profile.name!r} has no base_url.",
            "Set CCFS_BASE_URL or base_url in config.toml (see `ccfs-tui locate`).",
        )
    if not profile.app_id:
        raise ConfigError(
            f"Profile {profile.name!r} has no app_id (AK).",
            "Set CCFS_APP_ID or app_id in config.toml.",
        )
    if profile.ca_bundle and not profile.ca_bundle.is_file():
        raise ConfigError(
            f"CA bundle {profile.ca_bundle} does not exist.",
            "Fix ca_bundle / CCFS_CA_BUNDLE to point at the PEM file of the CC-FS certificate.",
        )
