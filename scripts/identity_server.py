"""The development identity provider's server: oidc-provider-mock (from PyPI) with what a DigiD
broker offers that it lacks, so the box is tested on the real path:
- token introspection (RFC 7662) for resource servers, with the client id, scope and expiry
  of each access token, and the BSN claim; answered as JSON, or as a signed JWT
  (RFC 9701) when asked with `Accept: application/token-introspection+jwt`;
- the `berichtenbox` scope, which only tokens meant for the Berichtenbox API carry;
- for tests: rotating the signing key (`POST /dev/rotate-key`), and answering introspection
  with a chosen HTTP status for a while (`POST /dev/introspection-fails`), as a provider
  under load does, and answering it as a JWT unasked (`POST /dev/introspection-as-jwt`).

Run: python -m scripts.identity_server --port 9400 --user-claims '{"sub": ..., "bsn": ...}'
"""

import argparse
import json
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import flask
import uvicorn
from authlib import jose
from oidc_provider_mock import app as mock_app
from oidc_provider_mock._storage import Client, User

RESOURCE_SERVERS = {"berichtenbox-api": "berichtenbox-api-development"}
"""Who may introspect (client id -> secret): the box, as its own client."""
API_SCOPE = "berichtenbox"


def create(users: list[User], token_seconds: int = 3600) -> flask.Flask:
    Client.SCOPES_SUPPORTED = (*Client.SCOPES_SUPPORTED, API_SCOPE)
    app: flask.Flask = mock_app(
        require_nonce=True, user_claims=users, access_token_max_age=timedelta(seconds=token_seconds)
    )
    issued: dict[str, str] = {}  # access token -> the client it was issued to
    failing: dict[str, float] = {"status": 0, "until": 0.0}
    as_jwt = {"on": False}

    @app.after_request
    def remember(response: flask.Response) -> flask.Response:
        request = flask.request
        if request.path == "/oauth2/token" and response.status_code == 200:
            auth = request.authorization
            client_id = auth.username if auth and auth.username else request.form.get("client_id", "")
            token = json.loads(response.get_data()).get("access_token")
            if token:
                issued[token] = client_id
        if request.path == "/.well-known/openid-configuration" and response.status_code == 200:
            config = json.loads(response.get_data())
            config["introspection_endpoint"] = request.host_url + "oauth2/introspect"
            config["scopes_supported"] = list(Client.SCOPES_SUPPORTED)
            response.set_data(json.dumps(config))
        return response

    @app.post("/oauth2/introspect")
    def introspect() -> Any:
        auth = flask.request.authorization
        if auth is None or RESOURCE_SERVERS.get(auth.username or "") != auth.password:
            return {"error": "invalid_client"}, 401
        if failing["until"] > time.monotonic():
            return {"error": "temporarily_unavailable"}, int(failing["status"])
        answer = _introspection(flask.request.form.get("token", ""), issued)
        if as_jwt["on"] or "application/token-introspection+jwt" in flask.request.headers.get("Accept", ""):
            claims = {"iss": flask.request.host_url.rstrip("/"), "aud": auth.username, "iat": int(time.time())}
            signed = _sign({**claims, "token_introspection": answer})
            return flask.Response(signed, content_type="application/token-introspection+jwt")
        return answer

    @app.post("/dev/rotate-key")
    def rotate_key() -> Any:
        flask.g.oidc_provider_mock_storage.jwk = jose.RSAKey.generate_key(is_private=True)
        return {"kid": _kid()}

    @app.post("/dev/introspection-fails")
    def introspection_fails() -> Any:
        body = flask.request.get_json(force=True)
        failing.update(status=int(body["status"]), until=time.monotonic() + float(body["seconds"]))
        return "", 204

    @app.post("/dev/introspection-as-jwt")
    def introspection_as_jwt() -> Any:
        as_jwt["on"] = bool(flask.request.get_json(force=True)["on"])
        return "", 204

    return app


def _introspection(token: str, issued: dict[str, str]) -> dict[str, Any]:
    stored = flask.g.oidc_provider_mock_storage.get_access_token(token)
    if stored is None or stored.is_expired() or token not in issued:
        return {"active": False}
    user = stored.get_user()
    return {
        "active": True,
        "iss": flask.request.host_url.rstrip("/"),
        "client_id": issued[token],
        "aud": [issued[token]],
        "scope": stored.scope,
        "sub": user.sub,
        "exp": int(stored.expires_at.timestamp()),
        "iat": int(datetime.now(UTC).timestamp()),
        "token_type": "Bearer",
        **{k: v for k, v in user.claims.items() if k == "bsn"},
    }


def _key() -> Any:
    return flask.g.oidc_provider_mock_storage.jwk


def _kid() -> str:
    return str(_key().as_dict().get("kid", ""))


def _sign(claims: dict[str, Any]) -> bytes:
    header = {"alg": "RS256", "typ": "token-introspection+jwt", "kid": _kid()}
    signed: bytes = jose.jwt.encode(header, claims, _key().as_dict(is_private=True))
    return signed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--user-claims", action="append", default=[])
    parser.add_argument("--token-seconds", type=int, default=3600, help="how long access and ID tokens live")
    args = parser.parse_args()
    users = []
    for text in args.user_claims:
        claims = json.loads(text)
        users.append(User(sub=claims.pop("sub"), claims=claims))
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback only
    uvicorn.run(create(users, args.token_seconds), interface="wsgi", port=args.port, host=args.host, log_config=None)


if __name__ == "__main__":
    main()
