"""How many database connections a service holds: the box bounds its pool (FerretDB stops
answering under a burst of a hundred operations at once); the others keep PyMongo's default.
Building a client connects to nothing."""

from services.box.settings import BoxSettings
from services.router.settings import RouterSettings
from shared.storage.mongo import create_client


async def test_the_box_bounds_its_pool_and_the_others_keep_pymongos_default() -> None:
    box, router = create_client(BoxSettings()), create_client(RouterSettings())
    sizes = (box.options.pool_options.max_pool_size, router.options.pool_options.max_pool_size)
    await box.close()
    await router.close()
    assert sizes == (16, 100)


async def test_the_pool_size_is_a_setting() -> None:
    client = create_client(RouterSettings(mongodb_pool_size=4))
    size = client.options.pool_options.max_pool_size
    await client.close()
    assert size == 4
