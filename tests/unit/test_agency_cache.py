from shared.contracts.agencies import Agency
from shared.storage.agencies import CachedAgencyRegistry
from tests.fakes.agencies import InMemoryAgencyRegistry
from tests.support.samples import UWV


class CountingRegistry(InMemoryAgencyRegistry):
    def __init__(self, agencies: list[Agency]) -> None:
        super().__init__(agencies)
        self.reads = 0

    async def get(self, agency_id: str) -> Agency | None:
        self.reads += 1
        return await super().get(agency_id)


async def test_reads_once_within_the_ttl_and_again_after_it() -> None:
    inner = CountingRegistry([UWV])
    cached = CachedAgencyRegistry(inner, ttl_seconds=60)
    assert await cached.get("uwv") == UWV
    assert await cached.get("uwv") == UWV
    assert inner.reads == 1
    expired = CachedAgencyRegistry(inner, ttl_seconds=0)
    await expired.get("uwv")
    await expired.get("uwv")
    assert inner.reads == 3


async def test_a_deactivation_is_seen_once_the_entry_expires() -> None:
    inner = InMemoryAgencyRegistry([UWV])
    cached = CachedAgencyRegistry(inner, ttl_seconds=0)
    assert (await cached.get("uwv")) == UWV
    inner._by_id["uwv"] = UWV.model_copy(update={"active": False})
    agency = await cached.get("uwv")
    assert agency is not None
    assert agency.active is False
