from shared.contracts.bsn import passes_elfproef
from tools.population import ACTIVATED, EMAIL_GIVEN_ACTIVATED, population


def test_population_has_the_real_proportions_and_valid_unique_bsns() -> None:
    accounts = list(population(20_000, seed=11))
    bsns = {a["bsn"] for a in accounts}
    assert len(bsns) == 20_000 and all(passes_elfproef(b) for b in bsns)
    activated = [a for a in accounts if a["state"] == "activated"]
    with_email = [a for a in activated if a["email"]]
    assert abs(len(activated) / len(accounts) - ACTIVATED) < 0.015
    assert abs(len(with_email) / len(activated) - EMAIL_GIVEN_ACTIVATED) < 0.015
    assert all(a["state"] == "activated" for a in accounts if a["email"] or a["opted_in_agencies"])
    assert any(a["guardianship"] for a in accounts) and any(a["push_subscriptions"] for a in accounts)


def test_population_is_deterministic_for_a_seed() -> None:
    assert list(population(100, seed=5)) == list(population(100, seed=5))
