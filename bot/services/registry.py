"""The set of services the composition root builds and handlers use."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.directory import Directory
from bot.forum import Forum
from bot.services.attendance import AttendanceService
from bot.services.broadcasts import BroadcastService
from bot.services.catch_up import CatchUpService
from bot.services.consultations import ConsultationService
from bot.services.contact import ContactService
from bot.services.feedback import MeetingFeedback
from bot.services.group_chats import GroupChatService
from bot.services.invitations import InvitationService
from bot.services.journey import JourneyService
from bot.services.meetings import MeetingService
from bot.services.members import MemberService
from bot.services.opportunities import OpportunityService
from bot.services.progression import ProgressionService
from bot.services.reach import ReachService
from bot.services.reports import ReportService
from bot.services.retention import RetentionService
from bot.services.roles import RoleService
from bot.services.safety import SafetyNet
from bot.services.series import SeriesService
from bot.services.surveys import SurveyService
from bot.texts import Texts
from config.settings import Settings
from storage.db import Database


@dataclass
class Services:
    """Everything handlers need, built once in bot/app.py."""

    settings: Settings
    clock: Clock
    db: Database
    texts: Texts
    forum: Forum
    directory: Directory
    members: MemberService
    roles: RoleService
    contact: ContactService
    reports: ReportService
    safety: SafetyNet
    delivery: DeliveryService
    broadcasts: BroadcastService
    meetings: MeetingService
    consultations: ConsultationService
    surveys: SurveyService
    series: SeriesService
    feedback: MeetingFeedback  # meetings' feedback surveys
    catch_up: CatchUpService
    attendance: AttendanceService
    reach: ReachService
    invitations: InvitationService
    retention: RetentionService
    journey: JourneyService  # /journey: a member's own record, skills and summary
    progression: ProgressionService  # /contribution and /progression
    opportunities: OpportunityService  # /newopportunity, /opportunities
    group_chats: GroupChatService  # hub and regional group chats: /link, /groups
