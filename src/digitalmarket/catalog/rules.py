"""What a digital service is: its types (with their public codes and labels), deployments, billings,
CSAP grades, the statuses of a listed service and the moves between them, the documents a service page
offers, and the seed categories. No I/O. The rules a service's content must meet are in `content_rules`.
"""

from __future__ import annotations

from enum import StrEnum

from ..core.errors import Conflict
from ..core.i18n import N_


class ServiceType(StrEnum):
    IAAS = "IaaS"
    PAAS = "PaaS"
    SAAS = "SaaS"
    SUPPORT = "SUPPORT"  # 지원서비스
    CONVERGENCE = "CONVERGENCE"  # 융합서비스

    @property
    def code(self) -> str:
        """The short code of public IDs (SAS-2026-00042)."""
        return TYPE_CODES[self]

    @property
    def is_cloud(self) -> bool:
        """Cloud computing services need a valid CSAP certificate."""
        return self in CLOUD_TYPES


TYPE_CODES = {
    ServiceType.IAAS: "IAS",
    ServiceType.PAAS: "PAS",
    ServiceType.SAAS: "SAS",
    ServiceType.SUPPORT: "SUP",
    ServiceType.CONVERGENCE: "CNV",
}
CLOUD_TYPES = frozenset({ServiceType.IAAS, ServiceType.PAAS, ServiceType.SAAS})
TYPE_LABELS = {
    ServiceType.IAAS: N_("Cloud infrastructure (IaaS)"),
    ServiceType.PAAS: N_("Cloud platform (PaaS)"),
    ServiceType.SAAS: N_("Cloud software (SaaS)"),
    ServiceType.SUPPORT: N_("Cloud support service"),
    ServiceType.CONVERGENCE: N_("Cloud convergence service"),
}


class Deployment(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    HYBRID = "hybrid"


DEPLOYMENT_LABELS = {
    Deployment.PUBLIC: N_("Public cloud"),
    Deployment.PRIVATE: N_("Private cloud"),
    Deployment.HYBRID: N_("Hybrid cloud"),
}


class Billing(StrEnum):
    MONTHLY = "monthly"
    USAGE = "usage"
    FIXED = "fixed"


BILLING_LABELS = {Billing.MONTHLY: N_("Monthly"), Billing.USAGE: N_("By usage"), Billing.FIXED: N_("Fixed price")}
CSAP_GRADES = ("상", "중", "하")
#: The CSAP grades as a reader of each language names them (상 / High ...).
CSAP_GRADE_LABELS = {"상": N_("High"), "중": N_("Moderate"), "하": N_("Low")}
COMMON_UNITS = ("사용자/월", "vCPU/시간", "GB/월", "TB/월", "건", "식", "인월", "대/월", "회")


class ServiceStatus(StrEnum):
    PUBLISHED = "published"
    SUSPENDED = "suspended"
    DELISTED = "delisted"


SERVICE_STATUS_LABELS = {
    ServiceStatus.PUBLISHED: N_("Published"),
    ServiceStatus.SUSPENDED: N_("Suspended"),
    ServiceStatus.DELISTED: N_("Delisted"),
}


class PublicDocumentKind(StrEnum):
    """What a service page offers buyers to download; a supplier's business documents (사업자등록증,
    신용평가등급확인서, 인증서) stay with selection and never reach the catalog."""

    SERVICE_DESCRIPTION = "service_description"  # 서비스 설명서
    SLA = "sla"
    PRICE_LIST = "price_list"  # 요금표


PUBLIC_DOCUMENT_LABELS = {
    PublicDocumentKind.SERVICE_DESCRIPTION: N_("Service description (서비스 설명서)"),
    PublicDocumentKind.SLA: N_("Service level agreement (SLA)"),
    PublicDocumentKind.PRICE_LIST: N_("Price list (요금표)"),
}
SERVICE_MOVES = {
    ("suspend", ServiceStatus.PUBLISHED): ServiceStatus.SUSPENDED,
    ("republish", ServiceStatus.SUSPENDED): ServiceStatus.PUBLISHED,
    ("delist", ServiceStatus.PUBLISHED): ServiceStatus.DELISTED,
    ("delist", ServiceStatus.SUSPENDED): ServiceStatus.DELISTED,
}


def service_move(action: str, status: str) -> ServiceStatus:
    try:
        return SERVICE_MOVES[(action, ServiceStatus(status))]
    except (KeyError, ValueError):
        raise Conflict(N_("A service that is %(state)s cannot be changed that way.", state=status)) from None


#: Seed categories of DOMAIN.md: stored as data, editable by admins.
SEED_CATEGORIES: dict[ServiceType, tuple[tuple[str, str], ...]] = {
    ServiceType.SAAS: (
        ("협업·그룹웨어", "Collaboration and groupware"),
        ("문서·전자결재", "Documents and e-approval"),
        ("보안", "Security"),
        ("교육·이러닝", "Education and e-learning"),
        ("민원·상담", "Civil petitions and help desk"),
        ("데이터분석·BI", "Data analysis and BI"),
        ("인사·급여", "HR and payroll"),
        ("재무·회계", "Finance and accounting"),
        ("영상회의", "Video meetings"),
        ("지리정보(GIS)", "Geographic information (GIS)"),
        ("헬스케어", "Healthcare"),
        ("스마트시티·IoT", "Smart city and IoT"),
    ),
    ServiceType.IAAS: (
        ("컴퓨팅", "Compute"),
        ("스토리지", "Storage"),
        ("네트워크·CDN", "Network and CDN"),
        ("백업·DR", "Backup and DR"),
    ),
    ServiceType.PAAS: (
        ("개발·배포", "Development and deployment"),
        ("데이터베이스", "Databases"),
        ("AI·ML 플랫폼", "AI and ML platforms"),
    ),
    ServiceType.SUPPORT: (
        ("컨설팅", "Consulting"),
        ("전환(마이그레이션)", "Migration"),
        ("운영관리(MSP)", "Managed service (MSP)"),
    ),
    ServiceType.CONVERGENCE: (
        ("AI 융합", "AI convergence"),
        ("빅데이터 융합", "Big data convergence"),
        ("IoT 융합", "IoT convergence"),
    ),
}
