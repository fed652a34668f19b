"""Who works the desk: one-time staff invites, `/join CODE`, listing, revoking, and who may act.

Authorisation is always decided here from the database, never from what a button says:
a refused action is logged (who, what, why) and raised as the UserError the user sees.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from workflow.chat.messages import Incoming, Response, Sender
from workflow.context import Context
from workflow.desk.binding import new_code
from workflow.errors import (
    ExpiredInviteCode,
    InvalidInviteCode,
    JoinInGroup,
    NotStaff,
    NotSupervisor,
    StaffNotFound,
    UnknownDepartment,
    UnknownRole,
    UsedInviteCode,
    UserError,
    WrongDepartment,
)
from workflow.model import InviteCode, Role, StaffMember
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE

log = logging.getLogger("zhiyong.staff")

STAFF_PURPOSE = "staff"
DEPARTMENT_ROLES = (Role.STAFF, Role.HEAD, Role.DUTY)
OFFICE_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def is_office(m: StaffMember) -> bool:
    """The oversight office (and admins) arbitrate and may look at any department."""
    return m.role in OFFICE_ROLES


def actor_tag(m: StaffMember) -> str:
    return f"{'office' if is_office(m) else 'staff'}:{m.telegram_id}"


def display_name(sender: Sender) -> str:
    """Names in their own order: Chinese family name first and no space (张 + 办事 → 张办事)."""
    parts = (sender.first_name, sender.last_name)
    if any("\u4e00" <= ch <= "\u9fff" for ch in "".join(parts)):
        name = "".join(p.strip() for p in reversed(parts) if p)
    else:
        name = " ".join(p for p in parts if p).strip()
    return name or (f"@{sender.username}" if sender.username else str(sender.id))


async def name_of(uow: UnitOfWork, telegram_id: int) -> str:
    """A colleague as the desk knows them (their display name), else their Telegram id."""
    member = await uow.staff.by_telegram_id(telegram_id)
    return member.display_name if member else str(telegram_id)


# ---- invites and joining ------------------------------------------------------------------

async def create_staff_invite(ctx: Context, department: str | None, role: str) -> InviteCode:
    """Office roles belong to the oversight office whatever department was given."""
    if role not in set(Role):
        raise UnknownRole(role=role, known=", ".join(r.value for r in Role))
    dept = TRIAGE if role in OFFICE_ROLES else (department or "")
    if dept not in ctx.departments:
        raise UnknownDepartment(department=dept, known=", ".join(ctx.departments))
    now = ctx.now()
    invite = InviteCode(code=new_code(), purpose=STAFF_PURPOSE, department=dept, role=role,
                        created_at=now, expires_at=now + timedelta(hours=ctx.rules.invite_ttl_hours))
    async with ctx.uow() as uow:
        await uow.invites.add(invite)
        await uow.commit()
    return invite


async def join(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> None:
    """`/join CODE` in private chat: register the sender (id and display name) with the role."""
    if not msg.is_private:
        raise JoinInGroup()
    code = msg.args.strip().upper()
    if not code or msg.sender is None:
        resp.say(msg.chat_id, "staff.join_usage")
        return
    now = ctx.now()
    invite = await uow.invites.get(code)
    if invite is None or invite.purpose != STAFF_PURPOSE:
        raise _refused(InvalidInviteCode(code=code), msg.sender.id, "join")
    if invite.used_at is not None:
        raise _refused(UsedInviteCode(code=code), msg.sender.id, "join")
    if invite.expires_at <= now:
        raise _refused(ExpiredInviteCode(code=code, expired_at=invite.expires_at),
                       msg.sender.id, "join")
    if not await uow.invites.use(code, msg.sender.id, now):
        raise UsedInviteCode(code=code)
    member = StaffMember(telegram_id=msg.sender.id, display_name=display_name(msg.sender),
                         department=invite.department, role=invite.role, joined_at=now)
    await uow.staff.upsert(member)
    log.info("staff %s joined %s as %s", member.telegram_id, member.department, member.role)
    resp.say(msg.chat_id, "staff.joined", name=member.display_name,
             department=member.department, role=member.role)


async def list_staff(ctx: Context, department: str | None = None) -> list[StaffMember]:
    async with ctx.uow() as uow:
        return await uow.staff.listing(department)


async def revoke(ctx: Context, telegram_id: int) -> StaffMember:
    """Revoked people keep their row (history names them) but can do nothing any more."""
    async with ctx.uow() as uow:
        member = await uow.staff.by_telegram_id(telegram_id)
        if member is None:
            raise StaffNotFound(telegram_id=telegram_id)
        member.active, member.revoked_at = False, ctx.now()
        await uow.staff.save(member)
        await uow.commit()
    log.info("staff %s revoked", telegram_id)
    return member


# ---- authorisation ------------------------------------------------------------------------

def _refused(err: UserError, user_id: int, what: str) -> UserError:
    log.warning("refused %s for user %s: %s %s", what, user_id, err.key, err.params)
    return err


async def require_member(uow: UnitOfWork, sender: Sender | None, what: str) -> StaffMember:
    """The active staff record of whoever pressed or typed; NotStaff otherwise."""
    user_id = sender.id if sender else 0
    member = await uow.staff.by_telegram_id(user_id) if sender else None
    if member is None or not member.active:
        raise _refused(NotStaff(), user_id, what)
    return member


def require_department(m: StaffMember, department: str, what: str) -> None:
    """Department staff act only on their department's tickets; the office on any."""
    if m.department != department and not is_office(m):
        raise _refused(WrongDepartment(department=department), m.telegram_id, what)


def require_office(m: StaffMember, what: str) -> None:
    if not is_office(m):
        raise _refused(NotSupervisor(), m.telegram_id, what)


def refuse(err: UserError, m: StaffMember, what: str) -> UserError:
    """Log a refusal decided elsewhere (wrong state, stale card) and hand back the error."""
    return _refused(err, m.telegram_id, what)
