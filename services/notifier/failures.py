"""How a provider said no. The notifier decides what follows from the class alone."""


class TransientFailure(Exception):
    """Try again later: SMTP 4xx, a connection error, push 429 or 5xx."""


class PermanentFailure(Exception):
    """Never going to work: SMTP 5xx, an invalid address, push 4xx other than 404/410/429."""


class AddressRefused(PermanentFailure):
    """The mail server answered 5xx for this recipient: counted against the address."""


class SubscriptionGone(PermanentFailure):
    """The push service says the subscription no longer exists (404/410)."""
