"""The few RabbitMQ management-API calls the project needs: vhosts, users, permissions.
Standard library only; used by agency provisioning and by the test fixtures."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class ManagementApi:
    def __init__(self, url: str) -> None:
        """`url` like http://user:password@127.0.0.1:15672"""
        parts = urllib.parse.urlsplit(url)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}/api"
        token = base64.b64encode(f"{parts.username or 'guest'}:{parts.password or 'guest'}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=self.headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            payload = response.read()
        return json.loads(payload) if payload else None

    @staticmethod
    def _q(name: str) -> str:
        return urllib.parse.quote(name, safe="")

    def put_vhost(self, vhost: str) -> None:
        self.call("PUT", f"/vhosts/{self._q(vhost)}", {})

    def delete_vhost(self, vhost: str) -> None:
        self.call("DELETE", f"/vhosts/{self._q(vhost)}")

    def delete_vhost_if_there(self, vhost: str) -> None:
        try:
            self.delete_vhost(vhost)
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise

    def vhost_names(self) -> list[str]:
        return [vhost["name"] for vhost in self.call("GET", "/vhosts")]

    def put_user(self, user: str, password: str, tags: str = "") -> None:
        self.call("PUT", f"/users/{self._q(user)}", {"password": password, "tags": tags})

    def delete_user(self, user: str) -> None:
        self.call("DELETE", f"/users/{self._q(user)}")

    def set_permissions(self, vhost: str, user: str, *, configure: str, write: str, read: str) -> None:
        body = {"configure": configure, "write": write, "read": read}
        self.call("PUT", f"/permissions/{self._q(vhost)}/{self._q(user)}", body)

    def queue(self, vhost: str, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", f"/queues/{self._q(vhost)}/{self._q(name)}")
        return result


def vhost_of(amqp_url: str) -> str:
    path = urllib.parse.urlsplit(amqp_url).path
    return urllib.parse.unquote(path[1:]) if len(path) > 1 else "/"
