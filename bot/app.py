"""The composition root: builds settings-driven services, the PTB Application and its jobs."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.clock import Clock
from bot.crisis import load_crisis_matcher
from bot.delivery import AudienceResolver, build_delivery, quiet_hours
from bot.delivery.group_posts import GroupPosts
from bot.directory import load_directory
from bot.flood import opt_in_to_timedeltas
from bot.forum import load_forum
from bot.http_request import AiohttpRequest, UpdatesRequest
from bot.logging_setup import quiet_libraries_that_log_private_data
from bot.ops.backup import before_migrating
from bot.retention_policy import load_retention
from bot.services.attendance import AttendanceService
from bot.services.broadcasts import BroadcastService
from bot.services.catch_up import CatchUpService
from bot.services.consultations import ConsultationService
from bot.services.contact import ContactService
from bot.services.feedback import FeedbackFiles, MeetingFeedback
from bot.services.group_chats import GroupChatService
from bot.services.invitations import InvitationService
from bot.services.journey import JourneyService
from bot.services.journey.skills import load_skills
from bot.services.meetings import MeetingService
from bot.services.members import MemberService
from bot.services.opportunities import OpportunityService
from bot.services.outreach import Outreach
from bot.services.progression import ProgressionService, load_stages
from bot.services.reach import ReachService
from bot.services.registry import Services
from bot.services.reports import ReportService
from bot.services.retention import RetentionService
from bot.services.roles import RoleService
from bot.services.safety import SafetyNet
from bot.services.series import SeriesService
from bot.services.surveys import SurveyService
from bot.services.surveys.files import check_survey_folder
from bot.startup import post_init, post_shutdown, post_stop, schedule_jobs
from bot.texts import load_texts
from config.errors import ConfigError
from config.settings import Settings
from handlers import register_all
from handlers.consultations.messages import ConsultationMessages
from handlers.contact import UrgentNotices
from handlers.group_chats.words import GroupChatTexts
from handlers.meetings.feedback import FeedbackTitles
from handlers.meetings.messages import MeetingMessages
from handlers.opportunities.messages import OpportunityTexts
from handlers.progression.messages import ProgressionMessages
from handlers.reach_messages import ReachTexts
from handlers.retention import RetentionTexts
from handlers.series.messages import SeriesMessageTexts
from handlers.shared.common import ForumContext, PressesInOrder
from handlers.shared.redraw import REDRAWS, build_redraw_lane
from handlers.surveys.messages import SurveyMessageTexts
from storage.attendance import AttendanceRepository
from storage.audience import AudienceRepository
from storage.audit import AuditRepository
from storage.catch_up import CatchUpRepository
from storage.consultations import ConsultationRepository
from storage.contact_requests import ContactRequestRepository
from storage.db import Database, open_database
from storage.group_chats import GroupChatRepository
from storage.invitations import InvitationRepository
from storage.journey import JourneyRepository
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.opportunities import OpportunityRepository
from storage.progression import ProgressionRepository
from storage.reach import ReachRepository
from storage.results_warnings import ResultsWarningRepository
from storage.retention import RetentionRepository
from storage.roles import RoleRepository
from storage.series import SeriesRepository
from storage.stats import StatsRepository
from storage.surveys import SurveyRepository

logger = logging.getLogger(__name__)

REQUEST_POOL_SIZE = 64  # connections for replies; PTB handles up to 256 updates at once


def load_data_files(settings: Settings, show_keys: bool = False):
    """Read and check every editable data file; any mistake stops start-up whole."""
    forum = load_forum(settings.forum_file)
    directory = load_directory(settings.directory_file, forum.region_ids())
    matcher = load_crisis_matcher(settings.crisis_phrases_file, settings.crisis_rules_file)
    texts = load_texts(settings.texts_dir, show_keys=show_keys)
    retention = load_retention(settings.retention_file)
    # Survey files are read again when used (/newsurvey); here only checked, all or nothing.
    check_survey_folder(settings.surveys_dir)
    load_skills(settings.journey_skills_file)  # read again when the journey service is built
    load_stages(settings.progression_stages_file)  # read again when progression is built
    return forum, directory, matcher, texts, retention


async def build_services(settings: Settings, clock: Clock, show_keys: bool = False) -> Services:
    """Load data files, open the database and build every service."""
    forum, directory, matcher, texts, retention = load_data_files(settings, show_keys)
    # A database about to be upgraded is backed up first (BACKUP_DIR).
    db = await open_database(settings.database_path, before_migrating=before_migrating(settings))
    try:
        return await _wire(settings, clock, db, forum, directory, matcher, texts, retention)
    except BaseException:
        await db.close()
        raise


async def _wire(
    settings, clock, db: Database, forum, directory, matcher, texts, retention
) -> Services:
    """Connect repositories to services."""
    members = MemberRepository(db)
    roles_repo = RoleRepository(db)
    audit = AuditRepository(db)
    contacts = ContactRequestRepository(db)
    stats = StatsRepository(db)
    roles = RoleService(roles_repo, audit, clock, set(settings.coordinator_ids))
    await roles.bootstrap()
    delivery = build_delivery(settings, db, clock, audit=audit)
    # Notices to linked group chats go with their members' messages (bot/delivery/group_posts).
    delivery.group_posts = GroupPosts(
        GroupChatRepository(db), texts.plain("group_chats.reply_button")
    )
    reach_rows = ReachRepository(db)
    reach_texts = ReachTexts(texts)
    reach = ReachService(
        reach_rows,
        ResultsWarningRepository(db),
        ConsultationRepository(db),
        contacts,
        delivery,
        roles,
        clock,
        reach_texts,
        surveys=SurveyRepository(db),
    )
    # Told when a broadcast ends: a results pack or an urgent notice that reached nobody.
    delivery.add_listener(reach)
    audiences = AudienceResolver(AudienceRepository(db), forum, clock)
    outreach = Outreach(delivery, audiences, roles, audit, quiet_hours(settings), clock)
    broadcasts = BroadcastService.sharing(outreach)
    meetings = MeetingService.sharing(
        outreach,
        db=db,
        meetings=MeetingRepository(db),
        members=members,
        messages=MeetingMessages(texts, settings.zone),
        reminder_hours=settings.meeting_reminder_hours,
        feedback_files=FeedbackFiles(settings.surveys_dir),
    )
    consultations = ConsultationService.sharing(
        outreach,
        db=db,
        consultations=ConsultationRepository(db),
        messages=ConsultationMessages(texts, settings.zone, forum),
        roles_repository=roles_repo,
        members=members,
        nudge_hours=settings.consultation_nudge_hours,
        small_group=settings.small_group_threshold,
    )
    # Surveys share consultations' engine, readers, nudge timing and small-group threshold.
    surveys = SurveyService.sharing(
        consultations,
        surveys=SurveyRepository(db),
        messages=SurveyMessageTexts(texts, settings.zone, forum),
        surveys_dir=settings.surveys_dir,
        answers_kept=retention.survey_answers,
    )
    # Repeating consultations and surveys: each round is one of theirs (and ends its pack
    # with the series' trend).
    series = SeriesService(
        db,
        SeriesRepository(db),
        consultations,
        surveys,
        roles,
        roles_repo,
        audit,
        clock,
        settings.zone,
        SeriesMessageTexts(texts, settings.zone),
    )
    catch_up = CatchUpService(
        db,
        CatchUpRepository(db),
        members,
        AudienceRepository(db),
        ConsultationRepository(db),
        MeetingRepository(db),
        delivery,
        ConsultationMessages(texts, settings.zone, forum),
        MeetingMessages(texts, settings.zone),
        clock,
        surveys=SurveyRepository(db),
        survey_messages=SurveyMessageTexts(texts, settings.zone, forum),
        round_notes=series.round_note,  # a late joiner's round invitation says it repeats
    )
    member_service = MemberService(db, members, roles_repo, audit, forum, clock, catch_up)
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        texts=texts,
        forum=forum,
        directory=directory,
        members=member_service,
        retention=RetentionService(
            db,
            RetentionRepository(db),
            member_service,
            delivery,
            roles,
            audit,
            clock,
            retention,
            RetentionTexts(texts),
        ),
        roles=roles,
        contact=ContactService(
            contacts,
            members,
            roles,
            audit,
            clock,
            delivery=delivery,
            messages=UrgentNotices(texts, forum),
            reminder_hours=settings.urgent_contact_reminder_hours,
            reach=reach,
        ),
        reports=ReportService(members, stats, audit, roles, forum, clock),
        delivery=delivery,
        broadcasts=broadcasts,
        meetings=meetings,
        consultations=consultations,
        surveys=surveys,
        series=series,
        # Meetings' feedback surveys: opened as surveys, for those marked as came.
        feedback=MeetingFeedback(
            db,
            delivery,
            MeetingRepository(db),
            SurveyRepository(db),
            surveys,
            FeedbackFiles(settings.surveys_dir),
            FeedbackTitles(texts, settings.zone),
            roles,
            audit,
            clock,
            settings.zone,
        ),
        catch_up=catch_up,
        attendance=AttendanceService(
            db,
            AttendanceRepository(db),
            roles,
            audit,
            forum,
            clock,
            settings.zone,
            small_group=settings.small_group_threshold,
        ),
        safety=SafetyNet(matcher, stats, clock, settings.zone),
        reach=reach,
        invitations=InvitationService(
            InvitationRepository(db),
            reach_rows,
            reach,
            delivery,
            roles,
            audit,
            clock,
            reach_texts,
        ),
        journey=JourneyService(
            JourneyRepository(db), load_skills(settings.journey_skills_file), clock
        ),
        progression=ProgressionService(
            ProgressionRepository(db),
            roles,
            roles_repo,
            audit,
            delivery,
            ProgressionMessages(texts, settings.zone, forum),
            load_stages(settings.progression_stages_file),
            forum,
            clock,
            settings.zone,
            small_group=settings.small_group_threshold,
        ),
        opportunities=OpportunityService.sharing(
            outreach,
            db=db,
            opportunities=OpportunityRepository(db),
            members=member_service,  # its `require`: the member, or NotAMember
            messages=OpportunityTexts(texts, settings.zone, directory),
        ),
        group_chats=GroupChatService(
            GroupChatRepository(db),
            members,
            roles,
            reach,
            audit,
            delivery,
            forum,
            clock,
            settings.zone,
            GroupChatTexts(texts),
        ),
    )


async def build_application(
    settings: Settings, *, clock: Clock | None = None, show_keys: bool = False
) -> Application:
    """Build the whole bot: services, the PTB Application, handlers and scheduled jobs."""
    if settings.bot_token is None:
        raise ConfigError("settings", "BOT_TOKEN is missing. Get one from @BotFather.")
    opt_in_to_timedeltas()
    quiet_libraries_that_log_private_data()
    services = await build_services(settings, clock or Clock(), show_keys)
    try:
        app = (
            ApplicationBuilder()
            .token(settings.bot_token.get_secret_value())
            .base_url(settings.bot_api_base_url)
            .base_file_url(settings.bot_api_base_file_url)
            .context_types(ContextTypes(context=ForumContext))
            .defaults(Defaults(parse_mode=ParseMode.HTML))
            .concurrent_updates(PressesInOrder())  # one person's presses in order
            .request(AiohttpRequest(pool_size=REQUEST_POOL_SIZE))
            .get_updates_request(UpdatesRequest(pool_size=1))
            .post_init(post_init)
            .post_stop(post_stop)
            .post_shutdown(post_shutdown)
            .build()
        )
        app.bot_data["services"] = services
        app.bot_data[REDRAWS] = build_redraw_lane(
            app.bot, settings.delivery_rate_per_second, services.delivery.idle_for
        )
        register_all(app)
        schedule_jobs(app)
    except BaseException:
        await services.db.close()
        raise
    return app
