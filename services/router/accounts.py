"""The account use case: the citizen side's events, applied in order by the repository, and
the notifier's reports of a push registration that is gone and an e-mail address that fails."""

from enum import StrEnum

from services.router.repository import AccountStore
from shared.contracts.messages import AccountEvent, EmailNotWorking, PushSubscriptionGone, PushSubscriptionsChanged
from shared.contracts.push import valid_subscriptions


class Applied(StrEnum):
    APPLIED = "applied"
    STALE = "stale, ignored"
    SUBSCRIPTION_REMOVED = "push subscription removed"
    EMAIL_MARKED = "e-mail address marked not working"
    EMAIL_CHANGED_SINCE = "e-mail address changed since, nothing marked"


async def apply_account_event(
    accounts: AccountStore, event: AccountEvent | PushSubscriptionGone | EmailNotWorking, push_services: tuple[str, ...]
) -> Applied:
    if isinstance(event, EmailNotWorking):
        marked = await accounts.mark_email_not_working(event.account_id, event.address_sha256)
        return Applied.EMAIL_MARKED if marked else Applied.EMAIL_CHANGED_SINCE
    if isinstance(event, PushSubscriptionGone):
        await accounts.remove_push_subscription(event.account_id, event.endpoint)
        return Applied.SUBSCRIPTION_REMOVED
    if isinstance(event, PushSubscriptionsChanged):  # the box checked them; the router keeps only what passes
        event = event.model_copy(update={"subscriptions": valid_subscriptions(event.subscriptions, push_services)})
    return Applied.APPLIED if await accounts.apply(event) else Applied.STALE
