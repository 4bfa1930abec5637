"""Errors services raise for handlers to turn into kind replies."""

from __future__ import annotations


class ServiceError(Exception):
    """Base for expected, explainable refusals; `reason` names the catalogue text to show."""

    reason = "errors.generic"


class NotAllowed(ServiceError):
    """The person does not hold the role this action needs."""

    reason = "errors.not_allowed"


class NotAMember(ServiceError):
    """The action needs a member who has joined."""

    reason = "errors.not_a_member"


class InvalidChoice(ServiceError):
    """A choice that does not exist (for example a forged or stale button)."""

    reason = "errors.stale_choice"
