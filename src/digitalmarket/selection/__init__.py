"""Selection (이용지원시스템): applications, documents, expert review and the monthly review committee."""
