"""The SSRF rules and caps, without any network."""

from __future__ import annotations

import ipaddress

import pytest

from reelforge.storage.domain.download_policy import (
    DownloadError,
    DownloadErrorCode,
    DownloadPolicy,
    address_refusal,
    host_matches,
    parse_networks,
)

pytestmark = pytest.mark.unit

POLICY = DownloadPolicy(
    allowed_hosts={"heygen": ["*.heygen.ai", "files.heygen.com"], "local": ["127.0.0.1"]},
    allow_http_hosts=frozenset({"127.0.0.1"}),
    max_redirects=2,
    max_bytes=1000,
)


def refusal_code(url: str, provider: str = "heygen", policy: DownloadPolicy = POLICY) -> str:
    with pytest.raises(DownloadError) as caught:
        policy.check_url(url, provider)
    return caught.value.code.value


def test_https_url_of_an_allowed_host_passes() -> None:
    target = POLICY.check_url("https://files.heygen.ai/video/abc.mp4?Expires=1", "heygen")
    assert (target.scheme, target.host, target.port) == ("https", "files.heygen.ai", 443)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://files.heygen.ai/x.mp4", "gopher://files.heygen.ai/", "x.mp4"],
)
def test_schemes_other_than_http_and_https_are_refused(url: str) -> None:
    assert refusal_code(url) == "download_scheme_refused"


def test_plain_http_is_refused_unless_the_host_is_listed_for_it() -> None:
    assert refusal_code("http://files.heygen.ai/video.mp4") == "download_scheme_refused"
    networks = parse_networks(["127.0.0.0/8"])
    local = DownloadPolicy(
        allowed_hosts=POLICY.allowed_hosts,
        allow_http_hosts=POLICY.allow_http_hosts,
        allowed_networks=networks,
    )
    assert local.check_url("http://127.0.0.1:8000/v.mp4", "local").port == 8000


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://evil.example/video.mp4", "heygen"),
        ("https://heygen.ai.evil.example/video.mp4", "heygen"),
        ("https://evilheygen.ai/video.mp4", "heygen"),
        ("https://files.heygen.ai/video.mp4", "did"),
        ("https://files.heygen.ai/video.mp4", "unknown-provider"),
    ],
)
def test_hosts_outside_the_providers_allow_list_are_refused(url: str, provider: str) -> None:
    assert refusal_code(url, provider) == "download_host_not_allowed"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:169.254.169.254]/latest/meta-data/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://10.0.0.8/video.mp4",
        "https://127.0.0.1/video.mp4",
        "https://[::1]/video.mp4",
        "https://0.0.0.0/video.mp4",
    ],
)
def test_ip_literals_of_internal_addresses_are_refused_before_any_other_check(url: str) -> None:
    assert refusal_code(url) == "download_address_refused"


def test_urls_with_credentials_or_without_host_are_invalid() -> None:
    assert refusal_code("https://user:pw@files.heygen.ai/v.mp4") == "download_url_invalid"
    assert refusal_code("https:///v.mp4") == "download_url_invalid"
    assert refusal_code("https://files.heygen.ai:99999/v.mp4") == "download_url_invalid"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "non-public"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:a9fe:a9fe::1", "link-local"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_refusal_names_why(address: str, reason: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == reason


def test_every_resolved_address_must_pass_not_just_one() -> None:
    target = POLICY.check_url("https://files.heygen.ai/v.mp4", "heygen")
    public = ipaddress.ip_address("93.184.216.34")
    assert POLICY.check_addresses(target, [public]) == (public,)
    with pytest.raises(DownloadError) as caught:
        POLICY.check_addresses(target, [public, ipaddress.ip_address("10.0.0.1")])
    assert caught.value.code is DownloadErrorCode.ADDRESS_REFUSED
    assert "10.0.0.1" in caught.value.message
    assert "private" in caught.value.message


def test_explicitly_allowed_networks_may_be_reached() -> None:
    policy = DownloadPolicy(
        allowed_hosts={"local": ["localhost"]},
        allowed_networks=parse_networks(["127.0.0.0/8", "::1"]),
    )
    target = policy.check_url("https://localhost/v.mp4", "local")
    loopbacks = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    assert policy.check_addresses(target, loopbacks) == tuple(loopbacks)
    with pytest.raises(DownloadError, match="link-local"):
        policy.check_addresses(target, [ipaddress.ip_address("169.254.169.254")])


def test_redirect_limit() -> None:
    POLICY.check_redirect(0)
    POLICY.check_redirect(1)
    with pytest.raises(DownloadError) as caught:
        POLICY.check_redirect(2)
    assert caught.value.code is DownloadErrorCode.TOO_MANY_REDIRECTS


def test_size_caps_for_declared_and_received_bytes() -> None:
    POLICY.check_declared_size(None)
    POLICY.check_declared_size(1000)
    POLICY.check_received(1000)
    for check in (POLICY.check_declared_size, POLICY.check_received):
        with pytest.raises(DownloadError) as caught:
            check(1001)
        assert caught.value.code is DownloadErrorCode.TOO_LARGE
        assert not caught.value.retryable


def test_default_size_cap_is_two_gibibytes() -> None:
    policy = DownloadPolicy(allowed_hosts={})
    policy.check_declared_size(2 * 1024**3)
    with pytest.raises(DownloadError):
        policy.check_declared_size(2 * 1024**3 + 1)


@pytest.mark.parametrize(
    ("host", "pattern", "expected"),
    [
        ("files.heygen.ai", "*.heygen.ai", True),
        ("a.b.heygen.ai", "*.heygen.ai", True),
        ("heygen.ai", "*.heygen.ai", False),
        ("xheygen.ai", "*.heygen.ai", False),
        ("FILES.HEYGEN.AI.", "files.heygen.ai", True),
        ("files.heygen.ai", "files.heygen.com", False),
    ],
)
def test_host_patterns(host: str, pattern: str, expected: bool) -> None:
    assert host_matches(host, pattern) is expected
