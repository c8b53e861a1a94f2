"""The platform's time-stamping authority (시점확인), in process: pyHanko's local timestamper, signing its
RFC 3161 tokens with the TSA's ECDSA P-256 key (pyHanko's own signs with RSA keys only).

`signing_certificate` is the signing-certificate attribute of a certificate (ESS, RFC 5035), made once per
certificate: asn1crypto re-encodes a structure it has just built at every level of every access, which
made the few dozen bytes of this attribute cost milliseconds at each signature; parsed from its own DER,
it is encoded as it stands."""

from __future__ import annotations

import threading
from datetime import datetime

from asn1crypto import algos, cms
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

_attributes: dict[tuple[bool, bytes], object] = {}
_lock = threading.Lock()


def signing_certificate(cert, *, v2: bool = True):
    """The ``signing_certificate_v2`` (or, with ``v2=False``, ``signing_certificate``) value naming ``cert``."""
    key = (v2, cert.dump())
    found = _attributes.get(key)
    if found is None:
        built = general.as_signing_certificate_v2(cert) if v2 else general.as_signing_certificate(cert)
        found = type(built).load(built.dump())
        with _lock:
            if len(_attributes) > 1024:
                _attributes.clear()
            _attributes[key] = found
    return found


class PlatformTimeStamper(DummyTimeStamper):
    """A local TSA whose key is an elliptic-curve key (``private_key``: opened already)."""

    def __init__(self, *args, private_key=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._private_key = private_key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": cms.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", signing_certificate(self.tsa_cert, v2=False)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        key = self._private_key or serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        algorithm = get_pyca_cryptography_hash(md_algorithm.upper())
        return key.sign(signed_attrs.dump(), ec.ECDSA(algorithm)), signed_attrs

    def _build_signed_data(self, tst_info_data, md_algorithm, signature, signed_attrs) -> dict:
        signed_data = super()._build_signed_data(tst_info_data, md_algorithm, signature, signed_attrs)
        for info in signed_data["signer_infos"]:
            info["signature_algorithm"] = algos.SignedDigestAlgorithm({"algorithm": f"{md_algorithm}_ecdsa"})
        return signed_data
