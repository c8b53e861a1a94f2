"""JSON routes of accounts under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ..core.paging import DEFAULT_LIMIT, Cursor, Limit, Page, page
from ..core.paths import Id
from . import profiles, registration, sanctions, user_accounts
from .access import api_access, database
from .permissions import (
    ADMINS,
    AGENCY_BUYERS,
    CONTRACTING_OFFICERS,
    SIGNED_IN,
    STAFF,
    SUPPLIERS,
    Actor,
)
from .rules import OrganisationKind, Role
from .schemas import (
    AgencyProfileIn,
    ErrorOut,
    MeOut,
    NewAgencyIn,
    NewUserIn,
    OrganisationOut,
    RoleChangeIn,
    SanctionIn,
    SupplierProfileIn,
    UserOut,
)
from .tables import User

ERRORS = {status: {"model": ErrorOut} for status in (400, 401, 403, 404, 409, 422, 429)}

router = APIRouter(tags=["accounts"], responses=ERRORS)


@router.get("/me", response_model=MeOut, summary="The caller's user, role and organisation")
def me(request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        user = session.get(User, actor.user_id)
        return MeOut(user=UserOut.of(user), role=user.role, organisation=OrganisationOut.of(user.organisation))


@router.get("/supplier/profile", response_model=OrganisationOut, summary="The supplier's own company")
def supplier_profile(request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).reading() as session:
        return OrganisationOut.of(profiles.organisation_of(session, actor))


@router.put("/supplier/profile", response_model=OrganisationOut, summary="Update the supplier's own company")
def update_supplier_profile(body: SupplierProfileIn, request: Request, actor: Actor = Depends(api_access(SUPPLIERS))):
    with database(request).transaction() as session:
        change = profiles.SupplierProfileChange(**body.model_dump())
        return OrganisationOut.of(profiles.update_supplier_profile(session, actor, change))


@router.get("/agency/profile", response_model=OrganisationOut, summary="The buyer's own agency")
def agency_profile(request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).reading() as session:
        return OrganisationOut.of(profiles.organisation_of(session, actor))


@router.put("/agency/profile", response_model=OrganisationOut, summary="Update the buyer's own agency's details")
def update_agency_profile(body: AgencyProfileIn, request: Request, actor: Actor = Depends(api_access(AGENCY_BUYERS))):
    with database(request).transaction() as session:
        change = profiles.AgencyProfileChange(**body.model_dump())
        return OrganisationOut.of(profiles.update_agency_profile(session, actor, change))


@router.get("/organisations", response_model=Page[OrganisationOut], summary="Every organisation (staff), by name")
def organisations(
    request: Request,
    kind: OrganisationKind | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    _: Actor = Depends(api_access(STAFF)),
):
    with database(request).reading() as session:
        found = registration.list_organisations(session, kind)
        chosen, next_cursor = page(found, lambda o: (o.name, o.id), cursor, limit, newest_first=False)
        return Page(items=[OrganisationOut.of(o) for o in chosen], next_cursor=next_cursor)


@router.put(
    "/suppliers/{organisation_id}/sanction",
    response_model=OrganisationOut,
    summary="Record or lift a supplier's sanction (부정당업자 제재)",
)
def set_sanction(
    organisation_id: Id, body: SanctionIn, request: Request, actor: Actor = Depends(api_access(CONTRACTING_OFFICERS))
):
    with database(request).transaction() as session:
        org = sanctions.set_sanction(
            session, actor, organisation_id, body.sanction_from, body.sanction_until, body.reason, body.version
        )
        return OrganisationOut.of(org)


@router.get("/admin/users", response_model=Page[UserOut], summary="Every user (admin), the newest first")
def users(
    request: Request,
    role: Role | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    _: Actor = Depends(api_access(ADMINS)),
):
    with database(request).reading() as session:
        found = [u for u in user_accounts.list_users(session) if role is None or u.role == role]
        chosen, next_cursor = page(found, lambda u: (u.id,), cursor, limit)
        return Page(items=[UserOut.of(u) for u in chosen], next_cursor=next_cursor)


@router.post("/admin/users", status_code=201, response_model=UserOut, summary="Create a user (admin)")
def create_user(body: NewUserIn, request: Request, actor: Actor = Depends(api_access(ADMINS))):
    with database(request).transaction() as session:
        return UserOut.of(user_accounts.create_user(session, actor, user_accounts.NewUser(**body.model_dump())))


@router.put("/admin/users/{user_id}/role", response_model=UserOut, summary="Change a user's role (admin)")
def change_role(user_id: Id, body: RoleChangeIn, request: Request, actor: Actor = Depends(api_access(ADMINS))):
    with database(request).transaction() as session:
        return UserOut.of(user_accounts.change_role(session, actor, user_id, body.role, body.version))


@router.post("/admin/agencies", status_code=201, response_model=OrganisationOut, summary="Register an agency (admin)")
def create_agency(body: NewAgencyIn, request: Request, actor: Actor = Depends(api_access(ADMINS))):
    with database(request).transaction() as session:
        return OrganisationOut.of(
            registration.create_agency(session, actor, registration.NewAgency(**body.model_dump()))
        )


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationOut,
    summary="One organisation: your own, or any for staff",
)
def organisation(organisation_id: Id, request: Request, actor: Actor = Depends(api_access(SIGNED_IN))):
    with database(request).reading() as session:
        return OrganisationOut.of(profiles.visible_organisation(session, actor, organisation_id))
