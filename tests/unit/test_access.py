"""The access layer's parts that need no database: the token bucket, metric labels, settings."""

from __future__ import annotations

from api.access import RateLimiter
from api.metrics import Metrics
from nsai.api_keys import digest, parse_scopes, prefix_of
from nsai.config import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_holds_a_minute_of_requests_and_refills_evenly() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock)
    quotas = [limiter.take("a") for _ in range(61)]
    assert [q.remaining for q in quotas[:3]] == [59, 58, 57]
    assert quotas[59].retry_after is None
    assert quotas[59].reset == 60
    assert (quotas[60].retry_after, quotas[60].remaining) == (1, 0)
    assert limiter.take("b").remaining == 59  # buckets are per client
    clock.now += 1.0
    assert limiter.take("a").retry_after is None
    clock.now += 120.0
    assert limiter.take("a").remaining == 59  # never more than a full bucket


def test_full_buckets_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock)
    for address in range(1000):
        limiter.take(address)
    clock.now += 59.0
    limiter.take("late")
    assert len(limiter._buckets) == 1001
    clock.now += 1.0  # a minute on: every bucket but the late one is full again
    assert limiter.take("late").remaining == 59
    assert list(limiter._buckets) == ["late"]


def test_unknown_methods_share_one_label() -> None:
    metrics = Metrics()
    metrics.observe("PROPFIND", "unmatched", 405, 0.001)
    metrics.observe("BREW", "unmatched", 405, 0.001)
    value = metrics.registry.get_sample_value(
        "nsai_http_requests_total", {"method": "other", "route": "unmatched", "status": "405"}
    )
    assert value == 2.0


def test_access_settings_from_the_environment_and_back() -> None:
    settings = Settings.from_environ(
        {
            "NSAI_ANONYMOUS_READS": "true",
            "NSAI_RATE_LIMIT_PER_KEY": "0",
            "NSAI_RATE_LIMIT_ANONYMOUS": "30",
            "NSAI_API_KEY_CACHE_SECONDS": "5",
            "NSAI_CORS_ORIGINS": "https://a.example, https://b.example,",
        }
    )
    assert settings.anonymous_reads is True
    assert (settings.rate_limit_per_key, settings.rate_limit_anonymous) == (0, 30)
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    # `nsai serve` hands its settings to uvicorn's workers this way.
    assert Settings.from_environ(settings.as_environ()) == settings
    assert Settings.from_environ({}).cors_origins == ()
    assert Settings.from_environ(Settings().as_environ()) == Settings()


def test_key_shapes() -> None:
    assert prefix_of("nsai_0123abcd_" + "A" * 43) == "0123abcd"
    assert prefix_of("nsai_0123ABCD_" + "A" * 43) is None
    assert prefix_of("nsai_0123abcd_" + "A" * 44) is None
    assert digest("k").startswith("hmac-sha256:")
    assert digest("k") != digest("l")
    assert parse_scopes("steward, read,read") == ("read", "steward")
