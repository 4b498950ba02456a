"""Code shared by the four Berichtenbox services: settings, topology, contracts, storage."""
