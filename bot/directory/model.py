"""The support directory's entries: needs, services and the lookups by need and region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NATIONAL = "national"


@dataclass(frozen=True)
class Need:
    """One kind of help members can pick, such as housing; optional ones may have no services."""

    id: str
    label: str
    optional: bool = False


@dataclass(frozen=True)
class SupportService:
    """One service: what it helps with, how to reach it, when, where, and when last checked."""

    id: str
    name: str
    needs: tuple[str, ...]
    helps_with: str
    open: str
    covers: str
    region: str
    last_checked: date
    source: str
    phone: str | None = None
    text: str | None = None
    web: str | None = None

    @property
    def is_national(self) -> bool:
        """True when the service is for everyone rather than one region."""
        return self.region == NATIONAL


@dataclass(frozen=True)
class Directory:
    """The whole checked directory: needs and services in file order."""

    source: str
    all_needs: tuple[Need, ...]
    services: tuple[SupportService, ...]

    def needs(self, region: str | None = None) -> list[Need]:
        """Needs in file order that have at least one service (seen from `region` if given)."""
        return [need for need in self.all_needs if self._visible(need.id, region)]

    def services_for(self, need_id: str, region: str | None) -> list[SupportService]:
        """The member's own region's entries first, then national ones, file order in each.

        Entries for other regions are left out; with region None only national entries
        are given. An unknown need id raises KeyError (a programming mistake, not data).
        """
        if need_id not in {need.id for need in self.all_needs}:
            raise KeyError(need_id)
        matching = [service for service in self.services if need_id in service.needs]
        own = [
            s for s in matching if region is not None and s.region == region and not s.is_national
        ]
        national = [s for s in matching if s.is_national]
        return own + national

    def get(self, service_id: str) -> SupportService | None:
        """The service with this id, or None when there is none."""
        return next((s for s in self.services if s.id == service_id), None)

    def need(self, need_id: str) -> Need | None:
        """The need with this id, or None when there is none."""
        return next((n for n in self.all_needs if n.id == need_id), None)

    def _visible(self, need_id: str, region: str | None) -> bool:
        """Whether any service for this need would be shown (to everyone, or to `region`)."""
        for service in self.services:
            if need_id not in service.needs:
                continue
            if region is None or service.is_national or service.region == region:
                return True
        return False
