"""A run that was killed leaves its vhost and database behind; the next run removes them."""

import os
import subprocess
import sys

from pymongo import MongoClient

from shared.storage.mongo import Document
from tests.infrastructure import Servers
from tools.rabbitmq_admin import ManagementApi
from tools.throwaway import Throwaway, sweep, this_machine


def ended_process() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_what_a_killed_run_left_is_swept_and_a_running_ones_is_kept(infrastructure: Servers) -> None:
    api = ManagementApi(infrastructure.management_url)
    killed = Throwaway("test", this_machine(), ended_process(), "0badc0de")
    killed_after_its_vhost_went = Throwaway("test", this_machine(), ended_process(), "1badc0de")
    running = Throwaway("test", this_machine(), os.getpid(), "0000c0de")
    with MongoClient[Document](infrastructure.mongodb_url) as client:
        for throwaway in (killed, killed_after_its_vhost_went, running):
            client[throwaway.database_name]["left"].insert_one({"_id": 1})
        for throwaway in (killed, running):
            api.put_vhost(throwaway.vhost)
        try:
            assert sweep(api, infrastructure.mongodb_url) >= {killed, killed_after_its_vhost_went}
            assert killed.vhost not in api.vhost_names()
            assert not {killed.database_name, killed_after_its_vhost_went.database_name} & set(
                client.list_database_names()
            )
            assert running.vhost in api.vhost_names()
            assert running.database_name in client.list_database_names()
        finally:
            for throwaway in (killed, killed_after_its_vhost_went, running):
                api.delete_vhost_if_there(throwaway.vhost)
                client.drop_database(throwaway.database_name)
