"""`python -m services.box`: the box under uvicorn, on the configured host and port."""

import uvicorn

from services.box.settings import BoxSettings


def main() -> None:
    settings = BoxSettings()
    # no access log: a query string can hold a one-time code, and the request histogram counts
    uvicorn.run(
        "services.box.main:create_app",
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
