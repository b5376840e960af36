"""What a provider sees and does through the portal: its listing and ranks, disputes,
API keys and feeds. No Flask here; every function takes the acting user and refuses
(``NotYours``) anything outside that user's provider, so the views cannot forget to.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from .accounts import audit
from .compare import PricedService, latest_prices
from .costs import CostBreakdown, mean
from .models import ApiKey, Corridor, Dispute, Provider, ProviderFeed, Quote, Service, User
from .queries import quote_breakdown
from .types import utcnow

REASONS = ("wrong_fee", "wrong_rate", "discontinued", "other")
TIERS = (200, 500)
KEY_PREFIX = "rmt_"
MAX_COMMENT = 4000


class NotYours(LookupError):
    """The object does not exist or belongs to another provider: the same answer (404)."""


# --- the listing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedPrice:
    priced: PricedService
    breakdown: CostBreakdown | None
    rank: int | None            # among the corridor's services with a known cost, at this tier
    ranked: int                 # how many services were ranked


@dataclass(frozen=True)
class TierListing:
    tier: int
    own: list[ListedPrice]
    average: Decimal | None
    cheapest: Decimal | None


@dataclass(frozen=True)
class CorridorListing:
    corridor: Corridor
    tiers: list[TierListing]


def listing(session: Session, provider: Provider, *, since: datetime) -> list[CorridorListing]:
    """In every corridor the provider serves: its latest prices, their rank at each tier,
    and the corridor's average and cheapest cost beside them."""
    corridor_ids = sorted(set(session.exec(select(Service.corridor_id).where(
        Service.provider_id == provider.id))))
    result = []
    for corridor in session.exec(select(Corridor).where(col(Corridor.id).in_(corridor_ids))
                                 .order_by(Corridor.source_country, Corridor.destination_country)):
        prices = latest_prices(session, since=since, corridor_id=corridor.id)
        result.append(CorridorListing(corridor, [_tier(prices, provider, tier) for tier in TIERS]))
    return result


def _tier(prices: list[PricedService], provider: Provider, tier: int) -> TierListing:
    at_tier = [(priced, quote_breakdown(priced.quote)) for priced in prices if priced.quote.amount_tier == tier]
    known = sorted((b.total_cost_pct, priced.service.id) for priced, b in at_tier
                   if b is not None and b.total_cost_pct is not None)
    rank_of = {service_id: position for position, (_, service_id) in enumerate(known, start=1)}
    own = [ListedPrice(priced, b, rank_of.get(priced.service.id), len(known))
           for priced, b in at_tier if priced.provider.id == provider.id]
    costs = [cost for cost, _ in known]
    return TierListing(tier, own, mean(costs), costs[0] if costs else None)


# --- disputes -------------------------------------------------------------------------------


def own_quote(session: Session, user: User, quote_id: int) -> Quote:
    """A quote of the user's provider, or NotYours."""
    found = session.exec(select(Quote).join(Service).where(
        Quote.id == quote_id, Service.provider_id == user.provider_id)).first()
    if found is None or user.provider_id is None:
        raise NotYours(quote_id)
    return found


def raise_dispute(session: Session, user: User, quote_id: int, reason: str, comment: str) -> Dispute:
    """Flag a collected price as wrong; the operator decides."""
    quote = own_quote(session, user, quote_id)
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}")
    comment = comment.strip()
    if not comment or len(comment) > MAX_COMMENT:
        raise ValueError(f"say what is wrong, in at most {MAX_COMMENT} characters")
    dispute = Dispute(quote_id=quote.id, provider_id=user.provider_id, raised_by=user.id,
                      reason=reason, comment=comment)
    session.add(dispute)
    session.flush()
    audit(session, user, "dispute.raised", dispute, quote=quote.id, reason=reason)
    return dispute


def decide_dispute(session: Session, admin: User, dispute_id: int, *, uphold: bool, note: str) -> Dispute:
    """Uphold (the quote leaves the rankings, with a public note) or reject (it stays)."""
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotYours(dispute_id)
    if dispute.status != "open":
        raise ValueError("this dispute was decided already")
    note = note.strip()
    if uphold and not note:
        raise ValueError("an upheld dispute needs a public note saying why the price was removed")
    dispute.status = "upheld" if uphold else "rejected"
    dispute.decision_note, dispute.decided_by, dispute.decided_at = note or None, admin.id, utcnow()
    session.add(dispute)
    audit(session, admin, f"dispute.{dispute.status}", dispute, quote=dispute.quote_id, note=note)
    return dispute


# --- API keys and feeds -----------------------------------------------------------------------


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, user: User, name: str) -> tuple[str, ApiKey]:
    """A new key for the user's provider; the secret is returned once and stored hashed."""
    name = name.strip()[:80] or "key"
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(provider_id=user.provider_id, name=name, prefix=secret[:12], key_hash=_digest(secret),
                 created_by=user.id)
    session.add(key)
    session.flush()
    audit(session, user, "apikey.created", key, name=name, prefix=key.prefix)
    return secret, key


def revoke_key(session: Session, user: User, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.provider_id != user.provider_id:
        raise NotYours(key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        audit(session, user, "apikey.revoked", key, prefix=key.prefix)
    return key


def key_provider(session: Session, secret: str) -> Provider | None:
    """The provider of a live key, or None (unknown, malformed or revoked)."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == _digest(secret))).first()
    if key is None or key.revoked_at is not None:
        return None
    key.last_used_at = utcnow()
    session.add(key)
    return session.get(Provider, key.provider_id)


def add_feed(session: Session, user: User, url: str) -> ProviderFeed:
    url = url.strip()
    if not url.startswith("https://") or len(url) > 500 or any(ch.isspace() for ch in url):
        raise ValueError("a feed address is an https:// URL")
    feed = ProviderFeed(provider_id=user.provider_id, url=url, added_by=user.id)
    session.add(feed)
    session.flush()
    audit(session, user, "feed.added", feed, url=url)
    return feed


def stop_feed(session: Session, user: User, feed_id: int) -> ProviderFeed:
    feed = session.get(ProviderFeed, feed_id)
    if feed is None or feed.provider_id != user.provider_id:
        raise NotYours(feed_id)
    feed.active = False
    session.add(feed)
    audit(session, user, "feed.stopped", feed, url=feed.url)
    return feed


def active_feed_urls(session: Session) -> list[str]:
    """Every registered feed the scheduler should pull."""
    return list(session.exec(select(ProviderFeed.url).where(ProviderFeed.active).distinct()))
