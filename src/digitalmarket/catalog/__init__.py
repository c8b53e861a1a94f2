"""The catalog (이용지원시스템 서비스 목록): published services and their price plans."""
