"""The composition root: builds settings-driven services, the PTB Application and its jobs."""

from __future__ import annotations

import gc
import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.clock import Clock
from bot.contact_jobs import schedule_contact_jobs
from bot.crisis import load_crisis_matcher
from bot.delivery import AudienceResolver, build_delivery, quiet_hours
from bot.directory import load_directory
from bot.flood import opt_in_to_timedeltas
from bot.forum import load_forum
from bot.http_request import AiohttpRequest, UpdatesRequest
from bot.logging_setup import quiet_libraries_that_log_private_data
from bot.ops.backup import before_migrating
from bot.ops.backup_jobs import schedule_backup_jobs
from bot.reach_jobs import schedule_reach_jobs
from bot.retention_jobs import flush_activity, schedule_retention_jobs
from bot.retention_policy import load_retention
from bot.services.attendance import AttendanceService
from bot.services.broadcasts import BroadcastService
from bot.services.catch_up import CatchUpService
from bot.services.consultations import ConsultationService
from bot.services.consultations.jobs import run_consultation_sweep, schedule_consultation_jobs
from bot.services.contact import ContactService
from bot.services.invitations import InvitationService
from bot.services.meetings import MeetingService
from bot.services.meetings.jobs import arm_meeting_reminders, schedule_meeting_jobs
from bot.services.members import MemberService
from bot.services.outreach import Outreach
from bot.services.reach import ReachService
from bot.services.registry import Services
from bot.services.reports import ReportService
from bot.services.retention import RetentionService
from bot.services.roles import RoleService
from bot.services.safety import SafetyNet
from bot.services.surveys import SurveyService
from bot.services.surveys.files import check_survey_folder
from bot.services.surveys.jobs import run_survey_sweep, schedule_survey_jobs
from bot.texts import load_texts
from config.errors import ConfigError
from config.settings import Settings
from handlers import register_all
from handlers.consultations.messages import ConsultationMessages
from handlers.contact import UrgentNotices
from handlers.meetings.messages import MeetingMessages
from handlers.reach_messages import ReachTexts
from handlers.retention import RetentionTexts
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
from storage.invitations import InvitationRepository
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.reach import ReachRepository
from storage.results_warnings import ResultsWarningRepository
from storage.retention import RetentionRepository
from storage.roles import RoleRepository
from storage.stats import StatsRepository
from storage.surveys import SurveyRepository

logger = logging.getLogger(__name__)

PAUSE_CHECK_SECONDS = 60
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
            .post_init(_post_init)
            .post_stop(_post_stop)
            .post_shutdown(_post_shutdown)
            .build()
        )
        app.bot_data["services"] = services
        app.bot_data[REDRAWS] = build_redraw_lane(app.bot, settings.delivery_rate_per_second)
        register_all(app)
        app.job_queue.run_repeating(
            _end_pauses, interval=PAUSE_CHECK_SECONDS, first=1, name="end-pauses"
        )
        schedule_meeting_jobs(app)
        schedule_consultation_jobs(app)
        schedule_survey_jobs(app)
        schedule_contact_jobs(app)
        schedule_reach_jobs(app)
        schedule_backup_jobs(app)
        schedule_retention_jobs(app)
    except BaseException:
        await services.db.close()
        raise
    return app


async def _post_init(app: Application) -> None:
    """Start the delivery worker (rows mid-send at a crash become uncertain first), then
    register the command menus; a menu failure is not essential and is only logged. Last,
    what start-up loaded is set aside from garbage collection (see ``_settle_memory``)."""
    services: Services = app.bot_data["services"]
    await services.delivery.start()
    app.bot_data[REDRAWS].start()
    await arm_meeting_reminders(app)
    await run_consultation_sweep(app)
    await run_survey_sweep(app)
    texts = services.texts
    member_commands = [
        BotCommand(name, texts.plain(f"commands.{name}"))
        for name in (
            "menu",
            "meetings",
            "surveys",
            "support",
            "settings",
            "mydata",
            "leave",
            "help",
        )
    ]
    coordinator_commands = member_commands + [
        BotCommand(name, texts.plain(f"commands.{name}"))
        for name in (
            "members",
            "grant",
            "revoke",
            "audit",
            "broadcast",
            "broadcasts",
            "newmeeting",
            "newpoll",
            "polls",
            "newsurvey",
            "results",
            "attendance",
            "retention",
        )
    ]
    decision_maker_commands = [
        *member_commands,
        BotCommand("results", texts.plain("commands.results")),
    ]
    try:
        await app.bot.set_my_commands(member_commands, scope=BotCommandScopeDefault())
    except TelegramError as exc:
        logger.warning("could not register the command menu: %s", type(exc).__name__)
    coordinators = await services.roles.coordinators()
    readers = [r for r in await services.roles.decision_makers() if r not in coordinators]
    menus = [(c, coordinator_commands) for c in coordinators]
    menus += [(r, decision_maker_commands) for r in readers]
    for chat_id, commands in menus:
        try:
            await app.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:
            # Someone who has not opened a chat with the bot yet: not essential.
            logger.info("role command menu not set: %s", type(exc).__name__)
    _settle_memory()


def _settle_memory() -> None:
    """Leave what start-up loaded (python-telegram-bot, matplotlib, scipy, the catalogue: about
    240,000 objects that live as long as the bot) out of the garbage collector's full passes.
    Each such pass over them took about 95 ms, during which no reply is sent; under a rush of
    answers that was much of the slowest answers' wait (`make bench`, the votes phase)."""
    gc.collect()
    gc.freeze()


async def _post_stop(app: Application) -> None:
    """Stop redrawing pressed messages while the bot can still make calls."""
    await app.bot_data[REDRAWS].stop()


async def _post_shutdown(app: Application) -> None:
    """Stop the delivery worker (sends in the air finish), then close the database."""
    services: Services = app.bot_data["services"]
    await flush_activity(app)  # who was active since the last minute's flush
    await services.delivery.stop()
    await services.db.close()


async def _end_pauses(context: ForumContext) -> None:
    """End pauses whose time is up and tell each member."""
    services = context.services
    for member_id in await services.members.end_expired_pauses():
        try:
            await context.bot.send_message(member_id, services.texts.get("settings.pause_ended"))
        except TelegramError as exc:
            logger.info("pause-ended message not delivered: %s", type(exc).__name__)
