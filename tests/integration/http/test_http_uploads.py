"""Hostile uploads: too large, malformed multipart, wrong content type, huge or many fields;
each a 4xx problem+json, never a 5xx, and nothing stored."""

from __future__ import annotations

import pytest

from .conftest import MAX_UPLOAD, Service, estimates_csv

BOUNDARY = "----snapshot-test-boundary"


def _multipart(*parts: tuple[str, bytes, str | None]) -> bytes:
    body = b""
    for name, content, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def _post(service: Service, body: bytes, content_type: str | None = None) -> object:
    headers = {
        **service.alice,
        "Content-Type": content_type or f"multipart/form-data; boundary={BOUNDARY}",
    }
    return service.client.post("/v1/sources", headers=headers, content=body)


def _assert_refused(service: Service, answer: object, status: int | None = None) -> None:
    assert answer.status_code in range(400, 500), answer.text  # type: ignore[attr-defined]
    if status is not None:
        assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert answer.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert service.client.get("/v1/sources", headers=service.alice).json() == []


def test_a_file_over_the_limit_is_a_413_problem(service: Service) -> None:
    big = estimates_csv(40) + b"#" * MAX_UPLOAD
    answer = service.client.post(
        "/v1/sources", headers=service.alice, files={"file": ("big.csv", big)}
    )
    _assert_refused(service, answer, 413)
    assert answer.json()["code"] == "upload_too_large"


def test_a_file_just_over_the_limit_with_room_in_the_request_is_still_413(
    service: Service,
) -> None:
    answer = service.client.post(
        "/v1/sources", headers=service.alice, files={"file": ("a.csv", b"x" * (MAX_UPLOAD + 1))}
    )
    _assert_refused(service, answer, 413)


def test_a_request_announcing_too_many_bytes_is_refused_before_it_is_read(
    service: Service,
) -> None:
    def endless() -> object:
        yield _multipart(("file", estimates_csv(40), "a.csv"))[:-40]
        while True:  # the server must stop reading, or this test never ends
            yield b"0" * 65536

    headers = {
        **service.alice,
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(10 * MAX_UPLOAD),
    }
    answer = service.client.post("/v1/sources", headers=headers, content=endless())
    _assert_refused(service, answer, 413)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not multipart at all", None),
        (b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data\r\n", None),
        (b"amount,sent_at\n1,2026-01-01\n", "text/csv"),
        (b'{"file": "x"}', "application/json"),
        (b"file=x", "application/x-www-form-urlencoded"),
        (b"", "multipart/form-data"),  # no boundary
    ],
    ids=["garbage", "truncated", "csv-body", "json-body", "urlencoded", "no-boundary"],
)
def test_malformed_multipart_or_a_wrong_content_type_is_a_4xx_problem(
    service: Service, body: bytes, content_type: str | None
) -> None:
    _assert_refused(service, _post(service, body, content_type))


def test_a_missing_file_field_is_a_422_problem_naming_it(service: Service) -> None:
    answer = _post(service, _multipart(("name", b"x", None)))
    _assert_refused(service, answer, 422)
    assert any("file" in e["problem"] for e in answer.json()["errors"])


@pytest.mark.parametrize(
    "parts",
    [
        [("n" * 200_000, b"x", None), ("file", b"amount\n", "a.csv")],  # a huge field name
        [("name", b"x" * 2_000_000, None), ("file", b"amount\n", "a.csv")],  # a huge value
        [(f"f{i}", b"x", None) for i in range(2000)] + [("file", b"amount\n", "a.csv")],
        [("file", b"amount\n", "a" * 100_000 + ".csv")],  # a huge file name
    ],
    ids=["huge-field-name", "huge-field-value", "too-many-fields", "huge-file-name"],
)
def test_huge_or_countless_fields_are_a_4xx_problem(
    service: Service, parts: list[tuple[str, bytes, str | None]]
) -> None:
    _assert_refused(service, _post(service, _multipart(*parts)))
