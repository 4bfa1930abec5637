"""Group chats as Telegram runs them: the bot added, made admin and removed (my_chat_member),
people joining and leaving (service messages; chat_member for an admin bot), a group becoming a
supergroup (its id changes), forum topics, and privacy mode (what a bot sees of group talk)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .methods import chat_member
from .records import ChatRecord, MessageRecord, UserRecord

if TYPE_CHECKING:
    from .state import EmulatorState

TOPIC_COLOUR = 0x6FB9F0  # the first of the colours Telegram gives new topics
COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@(?P<bot>[A-Za-z0-9_]{1,64}))?(?:\s|$)")


def bot_sees(state: EmulatorState, chat: ChatRecord, record: MessageRecord) -> bool:
    """Whether a user's message in ``chat`` reaches the bot. In privacy mode (BotFather's
    default) a bot that is not an admin gets only commands meant for it, replies to its own
    messages and service messages; private chats and an admin bot get everything."""
    if not chat.is_group or record.service or not state.privacy_mode or chat.bot_is_admin:
        return True
    if record.reply_to is not None and record.reply_to.from_bot:
        return True
    match = COMMAND.match(record.text or "")
    if match is None:
        return False
    addressed = match.group("bot")
    return addressed is None or addressed.lower() == state.bot_username.lower()


class GroupDriving:
    """The group side of :class:`~emulator.emulator.BotApiEmulator` (mixed into it)."""

    state: EmulatorState

    if TYPE_CHECKING:  # provided by BotApiEmulator

        def user(self, user_id: int) -> UserRecord: ...

        def chat(self, chat_id: int) -> ChatRecord: ...

    # -- the bot's own membership ----------------------------------------------------------

    def _bot_api_user(self) -> dict[str, Any]:
        """The bot's User object; it must have called the Bot API once (its id is its token's)."""
        bot_id = self.state.bot_id
        if bot_id is None:
            raise ValueError("the bot has not called the Bot API yet, so its id is not known")
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.state.bot_first_name,
            "username": self.state.bot_username,
        }

    def _bot_status(self, chat: ChatRecord) -> str:
        """The bot's status in a group as ChatMember calls it."""
        if chat.bot_removed:
            return "left"
        return "administrator" if chat.bot_is_admin else "member"

    def _member_update(
        self,
        kind: str,
        chat: ChatRecord,
        actor: UserRecord,
        who: dict[str, Any],
        old: str,
        new: str,
    ) -> int:
        """Queue a my_chat_member or chat_member update: ``who`` went from ``old`` to ``new``,
        changed by ``actor``."""
        return self.state.push_update(
            kind,
            {
                "chat": chat.to_api(),
                "from": actor.to_api(),
                "date": int(self.state.clock.time()),
                "old_chat_member": chat_member(who, old),
                "new_chat_member": chat_member(who, new),
            },
        )

    def _service(
        self, chat: ChatRecord, actor: UserRecord, lost: bool = False, **fields: Any
    ) -> MessageRecord:
        """Record a service message in a group and queue it (bots always get these; ``lost``:
        this one never reaches the bot)."""
        record = self.state.new_message(chat, actor.to_api(), False, service=fields)
        chat.read_cursor = len(chat.events)
        if not lost:
            self.state.push_update("message", record.to_api())
        return record

    def add_bot_to_group(
        self,
        chat_id: int,
        title: str,
        by_user: int,
        *,
        supergroup: bool = False,
        forum: bool = False,
        admin: bool = False,
    ) -> ChatRecord:
        """``by_user`` adds the bot to a group (made if new, as a member or an admin): the bot
        gets my_chat_member (left -> member or administrator) and the "joined" service message."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if forum and not supergroup:
            raise ValueError("only a supergroup can have topics")
        actor = self.user(by_user)
        chat = self.state.chats.get(chat_id)
        if chat is None:
            kind = "supergroup" if supergroup else "group"
            chat = self.state.add_group(chat_id, title, kind, admin)
            chat.is_forum = forum
        elif not chat.bot_removed:
            raise ValueError(f"the bot is already in group {chat_id}")
        chat.bot_removed = False
        chat.bot_is_admin = admin
        chat.members.add(by_user)
        chat.admins.add(by_user)
        bot = self._bot_api_user()
        self._member_update("my_chat_member", chat, actor, bot, "left", self._bot_status(chat))
        self._service(chat, actor, new_chat_members=[bot])
        return chat

    def set_bot_admin(self, chat_id: int, by_user: int, admin: bool = True) -> None:
        """``by_user`` makes the bot an admin (it then sees every message) or takes that away."""
        chat = self._group(chat_id)
        if chat.bot_removed:
            raise ValueError(f"the bot is not in group {chat_id}")
        if chat.bot_is_admin == admin:
            return
        old = self._bot_status(chat)
        chat.bot_is_admin = admin
        self._member_update(
            "my_chat_member",
            chat,
            self.user(by_user),
            self._bot_api_user(),
            old,
            self._bot_status(chat),
        )

    def kick_bot(self, chat_id: int, by_user: int) -> None:
        """``by_user`` removes the bot from a group: my_chat_member (-> kicked), the "left"
        service message never reaches it, and sends there fail with 403."""
        chat = self._group(chat_id)
        if chat.bot_removed:
            return
        old = self._bot_status(chat)
        chat.bot_removed = True
        chat.bot_is_admin = False
        self._member_update(
            "my_chat_member", chat, self.user(by_user), self._bot_api_user(), old, "kicked"
        )

    # -- people -----------------------------------------------------------------------------

    def join_group(self, user_id: int, chat_id: int) -> MessageRecord:
        """A user joins a group: the service message (any bot gets it) and, for an admin bot
        that asked for them, a chat_member update."""
        chat = self._group(chat_id)
        user = self.user(user_id)
        if user_id in chat.members:
            raise ValueError(f"user {user_id} is already in group {chat_id}")
        chat.members.add(user_id)
        record = self._service(chat, user, new_chat_members=[user.to_api()])
        if chat.bot_is_admin:
            self._member_update("chat_member", chat, user, user.to_api(), "left", "member")
        return record

    def leave_group(self, user_id: int, chat_id: int) -> MessageRecord:
        """A user leaves a group: the service message and, for an admin bot, chat_member."""
        chat = self._group(chat_id)
        user = self.user(user_id)
        if user_id not in chat.members:
            raise ValueError(f"user {user_id} is not in group {chat_id}")
        chat.members.discard(user_id)
        chat.admins.discard(user_id)
        record = self._service(chat, user, left_chat_member=user.to_api())
        if chat.bot_is_admin:
            self._member_update("chat_member", chat, user, user.to_api(), "member", "left")
        return record

    # -- supergroups and topics ---------------------------------------------------------------

    def migrate_to_supergroup(
        self, chat_id: int, new_chat_id: int, by_user: int, *, updates_lost: bool = False
    ) -> ChatRecord:
        """A group becomes a supergroup with a new id (-100...): the old group's last message
        says ``migrate_to_chat_id``, the new one's first ``migrate_from_chat_id``; sends to the
        old id then fail with 400 and ``parameters.migrate_to_chat_id``. ``updates_lost``: the
        bot never gets those two messages (it was away longer than Telegram keeps updates),
        so only a send to the old id tells it."""
        old = self._group(chat_id)
        if old.type != "group":
            raise ValueError(f"chat {chat_id} is not a basic group")
        if new_chat_id >= 0 or new_chat_id in self.state.chats:
            raise ValueError(f"{new_chat_id} cannot be the new supergroup's id")
        actor = self.user(by_user)
        new = self.state.add_group(new_chat_id, old.title or "", "supergroup", old.bot_is_admin)
        new.bot_removed = old.bot_removed
        new.members = set(old.members)
        new.admins = set(old.admins)
        self._service(old, actor, updates_lost, migrate_to_chat_id=new_chat_id)
        old.migrated_to = new_chat_id
        self._service(new, actor, updates_lost, migrate_from_chat_id=chat_id)
        return new

    def add_topic(self, chat_id: int, name: str, by_user: int) -> int:
        """``by_user`` opens a topic in a supergroup with topics; return its message_thread_id
        (the id of the "topic created" service message, as at Telegram)."""
        chat = self._group(chat_id)
        if not chat.is_forum:
            raise ValueError(f"group {chat_id} has no topics")
        if not 1 <= len(name) <= 128:
            raise ValueError("a topic name has 1 to 128 characters")
        actor = self.user(by_user)
        record = self.state.new_message(
            chat,
            actor.to_api(),
            False,
            service={"forum_topic_created": {"name": name, "icon_color": TOPIC_COLOUR}},
        )
        record.thread_id = record.message_id
        chat.topics[record.message_id] = name
        chat.read_cursor = len(chat.events)
        self.state.push_update("message", record.to_api())
        return record.message_id

    def set_privacy_mode(self, on: bool) -> None:
        """BotFather's /setprivacy: on (the default) the bot sees only commands, replies to it
        and service messages in groups where it is not an admin."""
        self.state.privacy_mode = on

    def _group(self, chat_id: int) -> ChatRecord:
        """A known group or supergroup."""
        chat = self.chat(chat_id)
        if not chat.is_group:
            raise ValueError(f"chat {chat_id} is not a group")
        return chat
