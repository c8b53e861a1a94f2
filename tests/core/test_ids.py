"""Public codes: a yearly sequence per prefix, never the same number twice, even for concurrent writers."""

import threading

from digitalmarket.core.ids import next_code, next_codes


def test_codes_count_up_per_prefix_and_year(db):
    with db.transaction() as session:
        assert next_code(session, "SAS", 2026) == "SAS-2026-00001"
        assert next_code(session, "SAS", 2026) == "SAS-2026-00002"
        assert next_code(session, "IAS", 2026) == "IAS-2026-00001"
        assert next_code(session, "SAS", 2027) == "SAS-2027-00001"


def test_a_block_of_codes_is_what_as_many_single_codes_would_be(db):
    with db.transaction() as session:
        assert next_codes(session, "PAS", 2026, 3) == ["PAS-2026-00001", "PAS-2026-00002", "PAS-2026-00003"]
        assert next_code(session, "PAS", 2026) == "PAS-2026-00004"
        assert next_codes(session, "PAS", 2026, 2) == ["PAS-2026-00005", "PAS-2026-00006"]
        assert next_codes(session, "PAS", 2026, 0) == []
        assert next_code(session, "PAS", 2026) == "PAS-2026-00007"


def test_concurrent_writers_never_share_a_code(db):
    codes, errors = [], []
    barrier = threading.Barrier(4)

    def allocate():
        barrier.wait()
        try:
            for _ in range(5):
                with db.transaction() as session:
                    codes.append(next_code(session, "CNV", 2030))
        except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
            errors.append(repr(error))

    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [f"CNV-2030-{n:05d}" for n in range(1, 21)]
