from pathlib import Path

from pydantic import Field

from shared.contracts.agencies import Letterhead
from shared.runtime.settings import ServiceSettings


class PaperSettings(ServiceSettings):
    service_name: str = "paper"
    spool_dir: Path = Path("var/spool")
    render_processes: int = Field(default=1, ge=1)
    batch_size: int = Field(default=500, ge=1)
    batch_max_age_seconds: float = Field(default=300.0, gt=0)
    batch_check_seconds: float = Field(default=5.0, gt=0)
    gather_seconds: float = Field(
        default=0.05,
        ge=0,
        description="How long a letter's look-ups, fsync and record wait for other letters to go with. "
        "Letters arrive at the render's pace, one at a time: without it every letter costs its own "
        "database round trips and thread hop. Print mail is not urgent.",
    )
    letterhead: Letterhead = Field(
        default=Letterhead(
            return_address="Berichtenbox · Postbus 99999 · 9999 ZZ Voorbeeld",
            contact_lines=["Berichtenbox", "Postbus 99999", "9999 ZZ Voorbeeld"],
        ),
        description="the Berichtenbox's own letterhead, on the letters that are not an agency's (recovery letters)",
    )
    box_login_url: str = Field(
        default="mijn.berichtenbox.example", description="where a recovery letter tells the citizen to log in"
    )
