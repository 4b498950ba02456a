from shared.runtime.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    service_name: str = "router"
