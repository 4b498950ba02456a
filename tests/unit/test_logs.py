import json
import logging

from shared.runtime.logs import JsonFormatter, correlation_id


def test_json_log_lines_carry_the_correlation_id() -> None:
    token = correlation_id.set("corr-42")
    try:
        line = JsonFormatter("router").format(
            logging.LogRecord("x", logging.INFO, __file__, 1, "routed %s", ("m-1",), None)
        )
    finally:
        correlation_id.reset(token)
    assert json.loads(line) | {"time": ""} == {
        "time": "",
        "level": "INFO",
        "service": "router",
        "logger": "x",
        "message": "routed m-1",
        "correlation_id": "corr-42",
    }
