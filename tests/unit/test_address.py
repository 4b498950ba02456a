import pytest

from services.paper.address import Printable, window_address


@pytest.mark.parametrize(
    ("name", "lines", "country", "problem"),
    [
        ("Daan Jansen", ["Kerkstraat 1", "3511 AB  UTRECHT"], "NL", None),
        ("Daan Jansen", ["Postbus 12", "1000 AA  AMSTERDAM"], "NL", None),
        ("Zoë Çelik", ["Rue de la Loi 16", "1000 BRUXELLES", "BELGIË"], "BE", None),
        (
            "Zoë Çelik",
            ["Rue de la Loi 16", "1000 BRUXELLES", "Belgium"],
            "BE",
            "foreign address must end with the country",
        ),
        ("Zoë Çelik", ["Rue de la Loi 16", "1000 BRUXELLES"], "BE", "foreign address must end with the country"),
        ("Daan Jansen", ["Kerkstraat 1", "3511AB UTRECHT"], "NL", "not `1234 AB  PLAATS`"),
        ("Daan Jansen", ["Kerkstraat 1", "3511 SS  UTRECHT"], "NL", "not `1234 AB  PLAATS`"),
        ("Daan Jansen", ["Kerkstraat 1", "0511 AB  UTRECHT"], "NL", "not `1234 AB  PLAATS`"),
        ("Daan Jansen", ["Kerkstraat 1", "3511 AB  Utrecht"], "NL", "not `1234 AB  PLAATS`"),
        ("", ["Kerkstraat 1", "3511 AB  UTRECHT"], "NL", "no recipient name"),
        ("Daan Jansen", ["3511 AB  UTRECHT"], "NL", "needs a street line"),
        ("Daan Jansen", ["a", "b", "c", "d", "e", "3511 AB  UTRECHT"], "NL", "7 lines; at most 6"),
        ("Daan Jansen", ["Burgemeester van Nispen tot Sevenaerstraat 1", "3511 AB  UTRECHT"], "NL", "at most 35"),
        ("Daan Jansen", ["", "3511 AB  UTRECHT"], "NL", "empty address line"),
    ],
)
def test_window_address(name: str, lines: list[str], country: str, problem: str | None) -> None:
    result = window_address(name, lines, country)
    if problem is None:
        assert result == Printable((name, *lines))
    else:
        assert not isinstance(result, Printable)
        assert problem in result.reason
