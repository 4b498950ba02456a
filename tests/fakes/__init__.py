"""In-memory fakes of the services' repositories and ports, for unit tests: each keeps the
typed records its Protocol speaks in, so a test reads what a use case stored."""
