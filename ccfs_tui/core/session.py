"""One user's working state with CC-FS, shared by both front ends (the TUI and the CLI).

A :class:`Session` owns the profile (and the config it came from), the SK, the ONE
:class:`~ccfs_tui.core.client.CcfsClient` of the profile and its lifecycle, the token
store, the audit log, the outcome of each token request and the downloaded files. It
imports no Textual; the front ends only ask and show.

Making one::

    session = Session.open("prod", insecure=False, on_warning=print_warning)  # the CLI/TUI
    session = Session(profile=p, secret=s, tokens=store, audit=log, clock=clock)  # tests, demo

``--insecure`` is applied here and nowhere else (also to a profile switched to later).

Profile
    ``profile``, ``config``, ``profile_names()``, ``is_ready()``, ``check_ready()``
    (a :class:`~ccfs_tui.core.errors.ConfigError` saying what is missing), ``tls_off``,
    ``switch_profile(name)`` (the old client is closed, the SK resolved anew).
Client and SK
    ``await get_client()`` makes the client on first use. The SK comes from the
    environment, the profile's command or the config file; when none is found it raises
    :class:`SecretNeeded` (a ``ConfigError`` with the ``prompt`` to show): asking is the
    front end's job, which then calls ``give_secret(secret)`` and retries.
    ``client`` is the client if made. ``confirm_resend()``: one more signed request after
    refused signatures. ``preview(file_name)``: the signed request, safe to show.
    ``await aclose()`` (or ``async with session``) closes every client it made.
Tokens
    ``token_for(name)`` (latest of the active profile, live or expired), ``live_token(name)``
    (unexpired), ``check_usable(token)`` (the ONE check before a stored token is used:
    :class:`~ccfs_tui.core.errors.CcfsTokenExpiredError` or, for a token that is not plain
    text, :class:`~ccfs_tui.core.errors.CcfsBadTokenError`), ``usable_token(name)`` (live
    and usable: no request needed), ``bad_tokens()``, ``remove_token(token)``,
    ``check_renewable(token)``.
Requests
    ``await request_token(name)`` and ``await renew(token)`` return the token, kept in the
    store (:class:`TokenNotSaved` if the file could not be written: the token is kept in
    memory and in the exception). ``outcome(name)`` is ``Requesting()`` while one is in
    flight, a :class:`~ccfs_tui.core.outcomes.Failure` after one failed, else None.
    ``take_audit_warning()`` says once that the audit log cannot be written.
Downloads and playback
    ``await download(token, dest=None, progress=...)`` (default: the profile's download
    folder, one name per recording), ``await download_record(name, ...)``,
    ``await download_to(target, out, ...)``; ``downloaded(name)`` is the file on disk.
    ``playback_url(token)``: the playVoice URL at the server that issued the token, and
    only there (:func:`~ccfs_tui.core.client.play_voice_url`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, NoReturn

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.config import (
    SK_ENV,
    Config,
    Profile,
    check_profile_ready,
    load_config,
    resolve_secret,
    select_profile,
)
from ccfs_tui.core.errors import (
    CcfsBadTokenError,
    CcfsError,
    CcfsTokenExpiredError,
    ConfigError,
)
from ccfs_tui.core.outcomes import Outcome, Requesting, failure_of
from ccfs_tui.core.paths import AppPaths, app_paths
from ccfs_tui.core.recording import normalize_file_name
from ccfs_tui.core.sanitize import check_token
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.tokens import Token, TokenStore

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from ccfs_tui.core.client import CcfsClient, Progress, RequestPreview
    from ccfs_tui.core.signature_guard import SignatureGuard


class SecretNeeded(ConfigError):
    """No SK was found for the profile. A front end that can ask shows :attr:`prompt`,
    then calls :meth:`Session.give_secret` and retries; one that cannot reports it (its
    text says why no SK was found, as a ``ConfigError``)."""

    def __init__(self, prompt: str, error: ConfigError) -> None:
        super().__init__(error.message, error.hint)
        self.prompt = prompt


class TokenNotSaved(OSError):
    """The token was issued but the token store file could not be written: the token is
    kept in memory (:attr:`token`) and written with the next change."""

    def __init__(self, token: Token, error: OSError) -> None:
        if error.errno is None:
            super().__init__(*error.args)
        else:
            super().__init__(error.errno, error.strerror, error.filename)
        self.token = token


class _PromptWanted(Exception):
    """resolve_secret reached the prompt: nothing else holds the SK."""

    def __init__(self, prompt: str) -> None:
        super().__init__(prompt)
        self.prompt = prompt


def _want_prompt(prompt: str) -> NoReturn:
    raise _PromptWanted(prompt)



def apply_insecure(profile: Profile, insecure: bool) -> Profile:
    """The one place ``--insecure`` is applied (the Session's profiles, and the doctor's)."""
    if insecure and profile.verify:
        return profile.with_overrides(verify=False)
    return profile

class Session:
    """The profile, its SK and client, the token store, the audit log, the outcomes of the
    requests and the downloaded files (see the module docstring for the API)."""

    def __init__(
        self,
        *,
        profile: Profile | None = None,
        config: Config | None = None,
        secret: Secret | None = None,
        tokens: TokenStore | None = None,
        audit: AuditLog | None = None,
        clock: Clock = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
        guard: SignatureGuard | Literal["user"] | None = "user",
        insecure: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.insecure = insecure
        """``--insecure``: TLS is not verified for any profile of this session."""
        self.clock = clock
        self.tokens = tokens if tokens is not None else TokenStore(None, clock)
        self.audit = audit
        self.outcomes: dict[str, Outcome] = {}
        """The last request's outcome per file name (only the session changes it)."""
        self.downloads: dict[str, Path] = {}
        """Where each recording was downloaded this session (file name -> path)."""
        self._profile = self._effective(profile)
        self._secret = secret
        self._client: CcfsClient | None = None
        self._transport = transport
        self._guard = guard
        self._environ = environ
        self._resend_confirmed = False
        self._closing: set[asyncio.Task[None]] = set()
        self._retired: list[CcfsClient] = []
        self._attempts: dict[str, object] = {}
        self._audit_warned = False

    @classmethod
    def open(
        cls,
        profile_name: str | None = None,
        *,
        insecure: bool = False,
        paths: AppPaths | None = None,
        clock: Clock = utc_now,
        on_warning: Callable[[str], None] | None = None,
    ) -> Session:
        """The user's session: ``config.toml`` (environment overrides applied), the named
        profile (else the default), the token store (read; :attr:`TokenStore.load_error`
        says what was skipped) and the audit log (``on_warning`` is told once if it cannot
        be written). Raises ``ConfigError`` for a broken config or an unknown profile."""
        where = paths or app_paths()
        config = load_config()
        profile = select_profile(config, profile_name)
        tokens = TokenStore(where.token_store, clock)
        tokens.load()
        audit = AuditLog(where.audit_log, clock, on_warning=on_warning)
        return cls(
            profile=profile,
            config=config,
            tokens=tokens,
            audit=audit,
            clock=clock,
            insecure=insecure,
        )

    # ================================================================= profile
    def _effective(self, profile: Profile | None) -> Profile | None:
        return None if profile is None else apply_insecure(profile, self.insecure)

    @property
    def profile(self) -> Profile | None:
        """The active profile (None: no profile configured, e.g. a bare test app)."""
        return self._profile

    @property
    def config_path(self) -> Path | None:
        """The config file the profiles come from (it may not exist)."""
        return self.config.path if self.config is not None else None

    @property
    def tls_off(self) -> bool:
        """TLS verification is off for the active profile (``--insecure`` or ``verify``)."""
        return self.insecure or (self._profile is not None and not self._profile.verify)

    def profile_names(self) -> list[str]:
        """The profiles that can be switched to."""
        return sorted(self.config.profiles) if self.config is not None else []

    def setup_hint(self) -> str:
        """How to configure a profile."""
        return (
            f"Add a [profiles.NAME] table with base_url and app_id to "
            f"{self.config_path or 'config.toml'} (ccfs-tui locate shows where), or set "
            "CCFS_BASE_URL and CCFS_APP_ID."
        )

    def check_ready(self) -> Profile:
        """The active profile if it can call CC-FS, else ``ConfigError`` saying what is
        missing (no profile, no base_url, no app_id, a missing CA bundle)."""
        if self._profile is None:
            raise ConfigError("No CC-FS profile is configured.", self.setup_hint())
        check_profile_ready(self._profile)
        return self._profile

    def is_ready(self) -> bool:
        """:meth:`check_ready` passes."""
        try:
            self.check_ready()
        except ConfigError:
            return False
        return True

    def switch_profile(self, name: str) -> Profile:
        """Use profile ``name`` from now on (``ConfigError``, nothing changed, if there is
        none). Its SK is resolved anew on first use; the old client is closed (in the
        background when an event loop runs, else by :meth:`aclose`); the outcomes of the
        old profile's requests are forgotten."""
        if self.config is None:
            raise ConfigError("There is no config file: no other profile to switch to.")
        profile = self._effective(select_profile(self.config, name, self._env()))
        assert profile is not None
        old, self._client = self._client, None
        self._profile = profile
        self._secret = None
        self._resend_confirmed = False
        self.outcomes.clear()  # the old profile's failures say nothing about this one
        if old is not None:
            self._retire(old)
        return profile

    def _retire(self, client: CcfsClient) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._retired.append(client)
            return
        task = loop.create_task(client.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    # ================================================================= client and SK
    @property
    def client(self) -> CcfsClient | None:
        """The profile's client, once :meth:`get_client` made it."""
        return self._client

    async def get_client(self) -> CcfsClient:
        """The profile's one client, made on first use: ``ConfigError`` if the profile is
        not ready, :class:`SecretNeeded` if no SK is found (the SK is looked up in a thread:
        a ``secret_command`` may take a while)."""
        while self._client is None:
            profile = self.check_ready()
            secret = self._secret
            if secret is None:
                secret = await asyncio.to_thread(self._find_secret, profile)
            if profile is not self._profile:  # switched meanwhile: that SK is not its
                continue
            self._secret = secret
            if self._client is None:
                from ccfs_tui.core.client import CcfsClient  # httpx: not before the first frame

                self._client = CcfsClient(
                    profile,
                    secret,
                    clock=self.clock,
                    transport=self._transport,
                    audit=self.audit,
                    guard=self._guard,
                )
                if self._resend_confirmed:
                    self._resend_confirmed = False
                    self._client.confirm_resend()
        return self._client

    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def _find_secret(self, profile: Profile) -> Secret:
        env = self._env()
        try:
            return resolve_secret(profile, env, _want_prompt, self.config)
        except _PromptWanted as wanted:
            try:  # nothing but a prompt is left: this says why there is no SK
                return resolve_secret(profile, env, None, self.config)
            except ConfigError as error:
                raise SecretNeeded(wanted.prompt, error) from None

    def give_secret(self, secret: Secret) -> None:
        """The SK typed in for the active profile (after :class:`SecretNeeded`), checked as
        :func:`~ccfs_tui.core.config.resolve_secret` checks a typed one: an empty or
        unusable one is a ``ConfigError`` and is not kept."""
        profile = self.check_ready()
        skip = {SK_ENV, profile.secret_env}
        checked = resolve_secret(
            profile.with_overrides(secret_command=None),
            {key: value for key, value in self._env().items() if key not in skip},
            lambda _prompt: secret.reveal(),
        )
        if self._profile is profile:
            self._secret = checked

    def confirm_resend(self) -> None:
        """The user confirmed: one more signed request may go out on this profile although
        its signatures kept being refused (applied to the client once it exists)."""
        if self._client is not None:
            self._client.confirm_resend()
        else:
            self._resend_confirmed = True

    def preview(self, file_name: str) -> tuple[RequestPreview | None, str]:
        """The signed requestPlayVoice for ``file_name``, safe to show; else None and why."""
        if self._profile is None:
            return None, "No profile: nothing can be signed."
        if self._client is None:
            if not self.is_ready():
                return None, "The profile is not ready (base_url / app_id missing)."
            return None, "Signed with the SK when sent (the SK is not loaded yet)."
        try:
            return self._client.preview(normalize_file_name(file_name)), ""
        except CcfsError as exc:
            return None, exc.message

    async def aclose(self) -> None:
        """Close every client this session made."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        while self._retired:
            await self._retired.pop().aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ================================================================= tokens
    def _profile_name(self) -> str | None:
        return self._profile.name if self._profile is not None else None

    def token_for(self, file_name: str) -> Token | None:
        """The latest token of ``file_name`` (any slash form) for the active profile, live
        or expired."""
        return self.tokens.latest_for(normalize_file_name(file_name), self._profile_name())

    def live_token(self, file_name: str) -> Token | None:
        """:meth:`token_for`, if it has not expired."""
        token = self.token_for(file_name)
        if token is None or token.is_expired(self.clock()):
            return None
        return token

    def _unusable(self, token: Token, *, expiry: bool = True) -> CcfsError | None:
        """Why ``token`` may not be used now (``expiry=False``: expiry aside), else None:
        the one check of a stored token."""
        if expiry and token.is_expired(self.clock()):
            return CcfsTokenExpiredError(
                f"The token of {token.file_name} expired.", "Renew it (request a new token)."
            )
        try:
            check_token(token.token)
        except CcfsBadTokenError as error:
            return error
        return None

    def check_usable(self, token: Token) -> Token:
        """``token`` if it may be used now (copied, downloaded, played, kept as the live
        one). Raises ``CcfsTokenExpiredError`` once it expired, ``CcfsBadTokenError`` if it
        is not plain text (a tampered store file)."""
        error = self._unusable(token)
        if error is not None:
            raise error
        return token

    def usable_token(self, file_name: str) -> Token | None:
        """The latest token of ``file_name`` if it passes :meth:`check_usable` (then a new
        request is not needed), else None."""
        token = self.token_for(file_name)
        return token if token is not None and self._unusable(token) is None else None

    def bad_tokens(self) -> list[Token]:
        """Tokens of the store that are not plain text: never used nor shown."""
        return [token for token in self.tokens.all() if self._unusable(token, expiry=False)]

    def remove_token(self, token: Token) -> None:
        """Forget ``token`` here and in the file (``OSError`` if it cannot be written)."""
        self.tokens.remove(token)

    def check_renewable(self, token: Token) -> None:
        """Refuse (``CcfsError``) to renew a token of another profile than the active one:
        the new token would come from another server."""
        if self._profile is not None and token.profile != self._profile.name:
            raise CcfsError(
                f"This token is from profile {token.profile!r}.",
                "Switch to that profile to renew it.",
            )

    # ================================================================= requests
    def outcome(self, file_name: str) -> Outcome:
        """``Requesting()`` while a request for ``file_name`` runs, ``Failure`` after one
        failed, else None."""
        return self.outcomes.get(normalize_file_name(file_name))

    def requesting(self, file_name: str) -> bool:
        """A request for ``file_name`` is in flight."""
        return isinstance(self.outcome(file_name), Requesting)

    def note_failure(self, file_name: str, error: BaseException) -> None:
        """Record that a request for ``file_name`` could not be made (``error``)."""
        self.outcomes[normalize_file_name(file_name)] = failure_of(error)

    def clear_outcome(self, file_name: str) -> None:
        """Forget the outcome of ``file_name`` (e.g. the user closed the SK prompt)."""
        self.outcomes.pop(normalize_file_name(file_name), None)

    async def request_token(self, file_name: str) -> Token:
        """Sign and send requestPlayVoice for ``file_name``; keep and return the token.

        The outcome is ``Requesting()`` meanwhile, then cleared on success (or when it is
        cancelled or the SK is needed), a ``Failure`` when it fails. Raises the typed
        errors of the client, ``ConfigError``, :class:`SecretNeeded`, or
        :class:`TokenNotSaved`."""
        name = normalize_file_name(file_name)
        attempt = object()  # a newer request for the same file owns the outcome
        self._attempts[name] = attempt
        self.outcomes[name] = Requesting()
        try:
            client = await self.get_client()
            token = await client.request_play_token(name)
        except (SecretNeeded, asyncio.CancelledError):
            if self._attempts.get(name) is attempt:
                self.outcomes.pop(name, None)
            raise
        except BaseException as error:
            if self._attempts.get(name) is attempt:
                self.outcomes[name] = failure_of(error)
            raise
        finally:
            if self._attempts.get(name) is attempt:
                del self._attempts[name]
        self.outcomes.pop(name, None)
        try:
            self.tokens.add(token)
        except OSError as error:
            raise TokenNotSaved(token, error) from error
        return token

    async def renew(self, token: Token) -> Token:
        """A new token for the file of ``token`` (:meth:`check_renewable` first)."""
        self.check_renewable(token)
        return await self.request_token(token.file_name)

    def take_audit_warning(self) -> str | None:
        """The first time it is asked after the audit log failed: why (else None)."""
        warning = self.audit.warning if self.audit is not None else None
        if warning is None or self._audit_warned:
            return None
        self._audit_warned = True
        return warning

    # ================================================================= downloads, playback
    def playback_url(self, token: Token) -> str:
        """The playVoice URL of ``token`` at the server that issued it (``t`` from the
        session clock). Refused (``CcfsError``) for a token that is not plain text or does
        not name its server; expiry is not checked here (:meth:`check_usable`)."""
        from ccfs_tui.core.client import play_voice_url

        return play_voice_url(token, int(self.clock().timestamp() * 1000))

    async def download(
        self,
        token: Token,
        dest: Path | None = None,
        *,
        progress: Progress | None = None,
        overwrite: bool = True,
    ) -> Path:
        """The audio of ``token`` to ``dest`` (default: the profile's download folder, one
        name per recording, replaced by a new download). Refused unless the token is usable
        (:meth:`check_usable`) and was issued by the active profile's server."""
        self.check_usable(token)
        client = await self.get_client()
        path = await client.download(token, dest, progress=progress, overwrite=overwrite)
        self.downloads[token.file_name] = path
        return path

    async def download_record(
        self,
        file_name: str,
        dest: Path | None = None,
        *,
        progress: Progress | None = None,
        overwrite: bool = True,
    ) -> Path:
        """The audio by downloadRecordFile (``file_name``: the index's file_name column)."""
        client = await self.get_client()
        return await client.download(
            file_name, dest, progress=progress, source="record", overwrite=overwrite
        )

    async def download_to(
        self,
        target: Token | str,
        out: BinaryIO,
        *,
        progress: Progress | None = None,
        source: Literal["play", "record"] = "play",
    ) -> None:
        """Like :meth:`download` (``source="record"``: :meth:`download_record`), the audio
        written to ``out`` as it arrives."""
        if isinstance(target, Token):
            self.check_usable(target)
        client = await self.get_client()
        await client.download_to(target, out, progress=progress, source=source)

    def downloaded(self, file_name: str) -> Path | None:
        """Where ``file_name`` was downloaded this session, if the file is still there."""
        path = self.downloads.get(normalize_file_name(file_name))
        return path if path is not None and path.exists() else None
