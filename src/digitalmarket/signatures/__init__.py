"""전자서명: the platform's certificate authority, the organisations' signing certificates, PAdES signatures
and document timestamps on the platform's PDFs, and their verification (docs/documents.md).

Downstream of ``core`` and ``accounts``, used by the stages that make documents (``contracting``,
``settlement``): `authority` keeps the keys, `signing` signs and seals, `ledger` remembers every signed
document by SHA-256, `verifying` checks a PDF against the platform's CA.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko imports cryptography's DSA key types, which warn at import; the platform signs with ECDSA only, and
# the warning would otherwise be printed by every command that signs or verifies.
warnings.filterwarnings("ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning)
