from pydantic import Field, SecretStr, model_validator

from services.box.messages.proof import DEVELOPMENT_SIGNING_KEY
from shared.contracts.pseudonyms import DEVELOPMENT_KEY
from shared.runtime.settings import ServiceSettings
from shared.runtime.smtp import SmtpSettings


class BoxSettings(ServiceSettings, SmtpSettings):
    service_name: str = "box"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # every page is a few short reads: beyond this many at once FerretDB slows, and under a
    # burst it stopped answering altogether (docs/performance.md); the rest wait in the box
    mongodb_pool_size: int | None = Field(default=16, ge=1)
    # a citizen waits this long at most for a database that is away, then reads a 503 page
    mongodb_server_selection_seconds: float | None = Field(default=3.0, gt=0)
    public_base_url: str = Field(
        default="http://127.0.0.1:8080", description="where citizens reach the box; links in e-mails start here"
    )
    oidc_issuer: str = Field(default="http://127.0.0.1:9400", description="found by discovery (/.well-known/...)")
    oidc_client_id: str = "berichtenbox"
    oidc_client_secret: SecretStr = SecretStr("berichtenbox-development")
    oidc_scope: str = "openid"
    bsn_claim: str = Field(default="bsn", description="the ID token claim that carries the BSN")
    api_audience: str = Field(
        default="berichtenbox-app",
        description="the client id (or audience) an access token must have been issued for to reach /api/v1",
    )
    api_scope: str = Field(default="berichtenbox", description="the scope an access token must carry for /api/v1")
    introspection_client_id: str = Field(
        default="berichtenbox-api", description="the box's own credentials at the issuer's introspection endpoint"
    )
    introspection_client_secret: SecretStr = SecretStr("berichtenbox-api-development")
    token_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        description="how long the issuer's answer on a token is kept (a revoked one still works so long)",
    )
    token_cache_size: int = Field(default=10_000, ge=1, description="tokens remembered, accepted and refused apart")
    pseudonym_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_KEY),
        description="the secret under which ids that stand for a citizen are derived (HMAC-SHA256); required on https",
    )
    session_idle_seconds: float = Field(default=15 * 60, gt=0)
    session_absolute_seconds: float = Field(default=12 * 3600, gt=0)
    page_size: int = Field(default=25, ge=1, le=200)
    confirmation_valid_seconds: float = Field(default=24 * 3600, gt=0)
    vapid_public_key: str = Field(default="", description="the notifier's VAPID public key, for PushManager.subscribe")
    safety_net_sweep_seconds: float = Field(
        default=300.0,
        gt=0,
        description="how often unopened messages due for the citizen's paper safety net are printed",
    )
    sweep_batch: int = Field(default=500, ge=1, description="entries the safety-net and recovery sweeps take per run")
    recovery_sweep_seconds: float = Field(
        default=300.0, gt=0, description="how often messages that ask for a recovery letter are looked at"
    )
    sweep_clock_file: str | None = Field(
        default=None,
        description="tests only: the safety-net and recovery sweeps' 'now' is read from this file (ISO 8601)",
    )
    proof_signing_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SIGNING_KEY),
        description="the Ed25519 private key (a JWK with a kid) that signs proofs of notification; required on https",
    )
    proof_previous_keys: str = Field(
        default="[]", description="earlier public keys (a JSON list of JWKs), still published so older proofs verify"
    )

    @model_validator(mode="after")
    def _a_real_key_where_citizens_are(self) -> "BoxSettings":
        if self.https and self.pseudonym_key.get_secret_value() == DEVELOPMENT_KEY:
            raise ValueError("set BERICHTENBOX_PSEUDONYM_KEY: the development key is public")
        if self.https and self.proof_signing_key.get_secret_value() == DEVELOPMENT_SIGNING_KEY:
            raise ValueError("set BERICHTENBOX_PROOF_SIGNING_KEY: the development key is public")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Secure everywhere but plain-HTTP localhost (development and tests)."""
        return not self.public_base_url.startswith(("http://127.0.0.1", "http://localhost"))

    @property
    def session_cookie(self) -> str:
        """`__Host-` outside localhost: the browser then takes it only secure, for this host
        alone and the whole site, so a sibling subdomain cannot plant or overwrite it."""
        return f"{self._cookie_prefix}bb_sessie"

    @property
    def login_cookie(self) -> str:
        return f"{self._cookie_prefix}bb_inlog"

    @property
    def _cookie_prefix(self) -> str:
        return "__Host-" if self.secure_cookies else ""

    @property
    def https(self) -> bool:
        """Whether citizens reach the box over https: then browsers are told to stay on it (HSTS)."""
        return self.public_base_url.startswith("https://")
