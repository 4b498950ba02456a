"""What counts as an e-mail address to notify: exactly one mailbox, by a maintained validator
(email-validator), with no display name, no list, no quoted or internationalised local part
and no IP literal, so one request reaches one person; the domain as ASCII (IDNA). Pure."""

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254


class InvalidAddress(ValueError):
    pass


def checked_address(text: str) -> str:
    """The address to store and send to, or `InvalidAddress`."""
    address = text.strip()
    if not address or len(address) > MAX_LENGTH:
        raise InvalidAddress("length")
    try:
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise InvalidAddress(str(error)) from error
    return valid.ascii_email or valid.normalized
