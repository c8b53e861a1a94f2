"""What each role can do: the tiles of its workspace page.

A task with an ``href`` is open today; a task without one names what the role will do there once its
stage is built, marked as in preparation so nobody looks for it in vain.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.i18n import N_, Text


@dataclass(frozen=True)
class Task:
    title: Text
    text: Text
    href: str


@dataclass(frozen=True)
class Workspace:
    title: Text
    lead: Text
    tasks: tuple[Task, ...]


_ACCOUNT = Task(N_("My account and API tokens"), N_("Change your password and create tokens for machines."), "/account")
_DEMAND_RADAR = Task(
    N_("Demand radar"), N_("What buyers searched for and did not find, month by month."), "/demand-radar"
)

WORKSPACES: dict[str, Workspace] = {
    "supplier": Workspace(
        N_("Supplier workspace"),
        N_("Apply to have your digital service selected, then sell it to public agencies."),
        (
            Task(N_("Company profile"), N_("Keep your company's details up to date."), "/supplier/profile"),
            _ACCOUNT,
            Task(
                N_("Apply for selection"),
                N_("Submit a service to the Digital Service Review Committee."),
                "/supplier/applications",
            ),
            Task(
                N_("Catalog contract"),
                N_("List a selected service in the digital service mall."),
                "/supplier/catalog-contracts",
            ),
            Task(N_("Quotes and orders"), N_("Answer agencies' quote requests and manage orders."), "/supplier/quotes"),
            Task(
                N_("Usage and invoices"),
                N_("Report monthly usage of your orders and follow inspection and payment."),
                "/supplier/invoices",
            ),
            Task(
                N_("Demand notices"),
                N_("Agencies' planned needs in your categories; tell them you are interested."),
                "/supplier/demand-notices",
            ),
            _DEMAND_RADAR,
            Task(N_("Help desk"), N_("Ask the operator and read the answers."), "/help/inquiries"),
        ),
    ),
    "agency_buyer": Workspace(
        N_("Agency workspace"),
        N_("Find, compare and buy digital services in one or two weeks instead of a tender."),
        (
            Task(N_("Agency details"), N_("See the agency you buy for."), "/agency/profile"),
            _ACCOUNT,
            Task(
                N_("Search services"),
                N_("Search the catalog in Korean and compare services side by side."),
                "/services",
            ),
            Task(
                N_("Quotes and contracts"),
                N_("Request quotes from up to five services and contract."),
                "/agency/orders",
            ),
            Task(N_("Usage and payment"), N_("Inspect monthly usage and pay within five days."), "/agency/invoices"),
            Task(
                N_("Demand notices"),
                N_("Announce a planned need and see which suppliers are interested."),
                "/agency/demand-notices",
            ),
            Task(N_("Help desk"), N_("Ask the operator and read the answers."), "/help/inquiries"),
        ),
    ),
    "operator": Workspace(
        N_("Operator workspace"),
        N_("Screen applications, run the committee and keep the catalog trustworthy."),
        (
            Task(N_("Organisations"), N_("Suppliers, agencies and their status."), "/organisations"),
            _ACCOUNT,
            Task(N_("Application queue"), N_("Check documents and request supplements."), "/operator/applications"),
            Task(
                N_("Company reviews"),
                N_("Check new companies' business registration evidence and changes of company details."),
                "/operator/company-reviews",
            ),
            Task(
                N_("Committee rounds"),
                N_("Prepare the monthly review committee and publish results."),
                "/operator/rounds",
            ),
            Task(
                N_("Overdue payments"),
                N_("Invoices claimed by suppliers and not paid within five working days of the claim."),
                "/operator/overdue-invoices",
            ),
            Task(
                N_("Award decision records"),
                N_("Why each supplier was chosen: the searches, quotes and reason of every award."),
                "/operator/decision-records",
            ),
            Task(N_("Inquiry queue"), N_("Answer users' inquiries, the longest waiting first."), "/operator/inquiries"),
            Task(N_("FAQ"), N_("Write, publish and order the frequently asked questions."), "/operator/faq"),
            Task(N_("Notices"), N_("Write and publish notices with attachments."), "/operator/notices"),
            _DEMAND_RADAR,
            Task(
                N_("Read models"),
                N_("How far open data and contract documents are behind the committed steps."),
                "/operator/read-models",
            ),
        ),
    ),
    "reviewer": Workspace(
        N_("Reviewer workspace"),
        N_("Decide the applications assigned to the rounds you sit on."),
        (
            _ACCOUNT,
            Task(
                N_("My committee rounds"),
                N_("Declare conflicts of interest and vote per criterion."),
                "/reviewer/rounds",
            ),
        ),
    ),
    "contracting_officer": Workspace(
        N_("Contracting officer workspace"),
        N_("Review catalog contract applications, sign and amend contracts, record sanctions."),
        (
            Task(N_("Suppliers and sanctions"), N_("Record a supplier's sanction period."), "/organisations"),
            _ACCOUNT,
            Task(
                N_("Catalog contract queue"),
                N_("Review applications for the digital service mall."),
                "/officer/catalog-contracts",
            ),
            Task(
                N_("Award decision records"),
                N_("Why each supplier was chosen: the searches, quotes and reason of every award."),
                "/operator/decision-records",
            ),
        ),
    ),
    "admin": Workspace(
        N_("Administration"),
        N_("Users, organisations and roles."),
        (
            Task(N_("Users"), N_("Create accounts and change roles."), "/admin"),
            Task(N_("Organisations"), N_("Register agencies and see every organisation."), "/organisations"),
            _ACCOUNT,
            _DEMAND_RADAR,
            Task(
                N_("Read models"),
                N_("How far open data and contract documents are behind the committed steps."),
                "/operator/read-models",
            ),
        ),
    ),
}
