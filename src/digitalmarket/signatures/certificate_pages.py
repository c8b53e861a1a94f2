"""HTML routes of the organisations' signing certificates (서명용 인증서).

An organisation's administrator reads its certificate at /organisation/certificate and uploads its own
(PKCS#12, with its password) there; the operator and the platform's administrators read any
organisation's certificate at /organisations/{id}/certificate and issue a new one or revoke it, each step
asked first on a confirmation page (`core.confirmation`). The key is never shown. See docs/documents.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from ..accounts.access import database, page_access
from ..accounts.permissions import ORGANISATION_ADMINS, Actor, roles
from ..accounts.rules import Role
from ..accounts.tables import Organisation
from ..core import confirmation
from ..core.confirmation import Confirmation, ReasonField
from ..core.errors import DomainError, NotFound, ValidationFailed
from ..core.files import read_limited
from ..core.formatting import kst_datetime
from ..core.forms import Form, MultipartForm, form_errors, redirect
from ..core.i18n import N_
from ..core.paths import Id
from ..core.tables import utcnow
from ..core.templating import csrf_protect, render
from . import authority, certificates
from .keys import certificate_of

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
STAFF_PAGE = page_access(roles(Role.OPERATOR, Role.ADMIN))
ADMIN_PAGE = page_access(ORGANISATION_ADMINS)
MAX_PKCS12_BYTES = 1024 * 1024
STATE_LABELS = {"valid": N_("Valid"), "expired": N_("Expired"), "revoked": N_("Revoked")}


def _shown(session, organisation_id: int) -> dict | None:
    """The organisation's current certificate as a page shows it: times in KST, its state, its issuer."""
    row = authority.current_certificate(session, organisation_id)
    if row is None:
        return None
    now = utcnow()
    if row.revoked_at is not None:
        state = "revoked"
    elif row.not_after <= now or row.not_before > now:
        state = "expired"
    else:
        state = "valid"
    return {
        "subject": authority.readable_name(certificate_of(row).subject),
        "serial": row.serial,
        "issuer": authority.readable_name(certificate_of(row).issuer),
        "source": row.source,
        "not_before": kst_datetime(row.not_before),
        "not_after": kst_datetime(row.not_after),
        "revoked_at": kst_datetime(row.revoked_at) if row.revoked_at else None,
        "revoked_reason": row.revoked_reason,
        "state": state,
        "state_label": STATE_LABELS[state].render(),
    }


def _organisation(session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    return organisation


def _own_page(request: Request, actor: Actor, errors=None, status=200):
    with database(request).reading() as session:
        context = {
            "organisation": _organisation(session, actor.organisation_id),
            "certificate": _shown(session, actor.organisation_id),
            "errors": errors or {},
            "own": True,
        }
    return render(request, "certificate.html", context, actor=actor, status_code=status)


@router.get("/organisation/certificate")
def own_certificate_page(request: Request, actor: Actor = Depends(ADMIN_PAGE)):
    return _own_page(request, actor)


@router.post("/organisation/certificate")
def own_certificate_upload(request: Request, form: MultipartForm, actor: Actor = Depends(ADMIN_PAGE)):
    upload = form.get("file")
    password = str(form.get("password") or "")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed(fields={"file": N_("Choose the certificate file (.p12 or .pfx).")})
        if len(password) > 200:
            raise ValidationFailed(fields={"password": N_("The password is too long.")})
        data = read_limited(upload.file, "file", MAX_PKCS12_BYTES)
        with database(request).transaction() as session:
            certificates.upload_own(session, actor, data, password)
    except DomainError as error:
        return _own_page(request, actor, form_errors(error), error.status)
    return redirect("/organisation/certificate", "certificate_uploaded")


@router.get("/organisations/{organisation_id}/certificate")
def staff_certificate_page(request: Request, organisation_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    with database(request).reading() as session:
        context = {
            "organisation": _organisation(session, organisation_id),
            "certificate": _shown(session, organisation_id),
            "errors": {},
            "own": False,
        }
    return render(request, "certificate.html", context, actor=actor)


def _issue_confirmation(session, organisation_id: int) -> Confirmation:
    organisation = _organisation(session, organisation_id)
    current = _shown(session, organisation_id)
    facts = [(N_("Certificate holder"), organisation.name)]
    if current:
        facts.append((N_("Current certificate"), f"{current['serial']} · {current['state_label']}"))
    happens = [
        N_("The platform's certificate authority issues a new certificate to %(name)s.", name=organisation.name),
        N_("From now on, %(name)s signs documents with the new certificate.", name=organisation.name),
    ]
    return Confirmation(
        question=N_("Issue a new signing certificate?"),
        subject=organisation.name,
        facts=facts,
        happens=happens,
        irreversible=N_(
            "The new certificate replaces the current one, including a certificate the organisation uploaded. "
            "Documents signed before keep their signatures."
        ),
        action=f"/organisations/{organisation_id}/certificate/issue",
        button=N_("Issue the certificate"),
        back=f"/organisations/{organisation_id}/certificate",
    )


def _revoke_confirmation(session, organisation_id: int) -> Confirmation | None:
    organisation = _organisation(session, organisation_id)
    current = _shown(session, organisation_id)
    if current is None or current["state"] == "revoked":
        return None
    return Confirmation(
        question=N_("Revoke this signing certificate?"),
        subject=organisation.name,
        facts=[
            (N_("Certificate holder"), current["subject"]),
            (N_("Serial number"), current["serial"]),
            (N_("Certificate valid until"), current["not_after"]),
        ],
        happens=[
            N_("%(name)s can sign nothing more with this certificate.", name=organisation.name),
            N_("The platform's revocation list names the certificate, so anyone checking a document sees it."),
        ],
        irreversible=N_(
            "A revoked certificate cannot be used again. The organisation signs again once it uploads its own "
            "certificate or you issue a new one."
        ),
        action=f"/organisations/{organisation_id}/certificate/revoke",
        button=N_("Revoke the certificate"),
        back=f"/organisations/{organisation_id}/certificate",
        back_label=N_("Keep the certificate"),
        reason=ReasonField("reason", N_("Reason for the revocation"), hint=N_("For example: the key was lost.")),
    )


@router.get("/organisations/{organisation_id}/certificate/issue")
def issue_confirm(request: Request, organisation_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    with database(request).reading() as session:
        confirm = _issue_confirmation(session, organisation_id)
    return confirmation.show(request, confirm, actor=actor)


@router.post("/organisations/{organisation_id}/certificate/issue")
def issue_submit(request: Request, organisation_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    with database(request).transaction() as session:
        certificates.issue_for(session, actor, organisation_id)
    return redirect(f"/organisations/{organisation_id}/certificate", "certificate_issued")


@router.get("/organisations/{organisation_id}/certificate/revoke")
def revoke_confirm(request: Request, organisation_id: Id, actor: Actor = Depends(STAFF_PAGE)):
    with database(request).reading() as session:
        confirm = _revoke_confirmation(session, organisation_id)
    if confirm is None:
        return redirect(f"/organisations/{organisation_id}/certificate")
    return confirmation.show(request, confirm, actor=actor)


@router.post("/organisations/{organisation_id}/certificate/revoke")
def revoke_submit(request: Request, organisation_id: Id, form: Form, actor: Actor = Depends(STAFF_PAGE)):
    reason = str(form.get("reason") or "").strip()
    try:
        if not reason:
            raise ValidationFailed(fields={"reason": N_("Write why the certificate is revoked.")})
        if len(reason) > 300:
            raise ValidationFailed(fields={"reason": N_("Write the reason in at most 300 characters.")})
        with database(request).transaction() as session:
            certificates.revoke_for(session, actor, organisation_id, reason)
    except DomainError as error:
        if error.status == 404:
            raise
        with database(request).reading() as session:
            confirm = _revoke_confirmation(session, organisation_id)
        if confirm is None:
            return redirect(f"/organisations/{organisation_id}/certificate")
        errors = form_errors(error)
        return confirmation.show(
            request, confirm, actor=actor, errors=errors, values={"reason": reason}, status=error.status
        )
    return redirect(f"/organisations/{organisation_id}/certificate", "certificate_revoked")
