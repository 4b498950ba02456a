from shared.contracts.agencies import Agency


class InMemoryAgencyRegistry:
    def __init__(self, agencies: list[Agency]) -> None:
        self._by_id = {a.agency_id: a for a in agencies}

    async def by_broker_user(self, broker_user: str) -> Agency | None:
        return next((a for a in self._by_id.values() if a.broker_user == broker_user), None)

    async def get(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id)
