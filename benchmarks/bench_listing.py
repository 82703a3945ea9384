"""Cost of one ListSecrets page as the store grows from 100 to 100,000 secrets.

Run: python benchmarks/bench_listing.py [--rounds N] [--sizes 100,1000,...]
Each size lives in its own Region of one fake, filled with fake.add_secret (boto3 would take
minutes for 100k). Every case is one ListSecrets call with MaxResults=100, timed through a boto3
client (the whole path: botocore, dispatch, domain, encoding) and, separately, as the domain call
alone. Each round takes a few samples of every (case, size) in a rotating order, so that noise
from a shared machine falls on all sizes alike; the table shows medians over the rounds.

Half of the names start with "app/", so the filtered case fills its page after looking at about
200 secrets; at 100 secrets only 50 match. The "middle" cases resume from a NextToken taken
halfway through the listing; at 100 secrets there is no middle page of 100, so that token comes
after the first secret and the page is one short.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3

from smfake import SecretsManagerFake, mock_secretsmanager
from smfake._domain import listing

PAGE = 100
SAMPLES = 3
REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"]
APP = [{"Key": "name", "Values": ["app/"]}]
Timer = Callable[[], object]


def populate(fake: SecretsManagerFake, size: int, region: str) -> None:
    for index in range(size):
        prefix = "app" if index % 2 == 0 else "web"
        fake.add_secret(f"{prefix}/secret-{index:06}", "v", region=region)


def middle_token(client: Any, size: int, **params: Any) -> str:
    """The NextToken that resumes the listing halfway through it (see module doc)."""
    if size <= PAGE:
        return str(client.list_secrets(MaxResults=1, **params)["NextToken"])
    extra: dict[str, Any] = {}
    for _ in range(size // 2 // PAGE):
        extra = {"NextToken": client.list_secrets(MaxResults=PAGE, **params, **extra)["NextToken"]}
    return str(extra["NextToken"])


def filtered(filters: list[dict[str, Any]]) -> listing.Query:
    return listing.Query(filters=tuple(listing.make_filter(f["Key"], f["Values"]) for f in filters))


def cases(
    fake: SecretsManagerFake, client: Any, region: str, size: int
) -> dict[str, tuple[Timer, Timer]]:
    """(through boto3, domain only) timers of every case, for the store of ``region``."""
    store = fake._backend.store(fake.account_id, region)
    by_name = {"SortBy": "name"}
    by_change = {"SortBy": "last-changed-date"}
    plans: dict[str, tuple[dict[str, Any], listing.Query]] = {
        "unfiltered, first page": ({}, listing.Query()),
        "unfiltered, middle page": ({"NextToken": middle_token(client, size)}, listing.Query()),
        "name prefix, first page": ({"Filters": APP}, filtered(APP)),
        "name prefix, middle page": (
            {"Filters": APP, "NextToken": middle_token(client, size // 2, Filters=APP)},
            filtered(APP),
        ),
        "SortBy=name, middle page": (
            {**by_name, "NextToken": middle_token(client, size, **by_name)},
            listing.Query(sort_by=listing.NAME),
        ),
        # Sorted per call (listing.SecretIndex.column): expected to grow with n log n.
        "SortBy=last-changed-date, first page": (
            by_change,
            listing.Query(sort_by=listing.LAST_CHANGED_DATE),
        ),
    }
    timers = {}
    for name, (params, query) in plans.items():

        def through_boto3(params: dict[str, Any] = params) -> object:
            page = client.list_secrets(MaxResults=PAGE, **params)
            if not page["SecretList"]:
                raise RuntimeError(f"empty page: {params}")
            return page

        def domain(params: dict[str, Any] = params, query: listing.Query = query) -> object:
            return listing.list_secrets(
                store, query, max_results=PAGE, next_token=params.get("NextToken")
            )

        timers[name] = (through_boto3, domain)
    return timers


def sample(call: Timer) -> float:
    """Mean seconds per call over SAMPLES calls."""
    start = time.perf_counter()
    for _ in range(SAMPLES):
        call()
    return (time.perf_counter() - start) / SAMPLES


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with mock_secretsmanager() as fake:
        timers: dict[int, dict[str, tuple[Timer, Timer]]] = {}
        for size, region in zip(sizes, REGIONS, strict=False):
            start = time.perf_counter()
            populate(fake, size, region)
            client = boto3.client("secretsmanager", region_name=region)
            timers[size] = cases(fake, client, region, size)
            print(f"# {size} secrets in {region}: {time.perf_counter() - start:.1f} s", flush=True)
        names = list(timers[sizes[0]])
        keys = [(name, size) for name in names for size in sizes]
        boto3_s: dict[tuple[str, int], list[float]] = {key: [] for key in keys}
        domain_s: dict[tuple[str, int], list[float]] = {key: [] for key in keys}
        for name, size in keys:  # warm-up
            for call in timers[size][name]:
                call()
        # A collection of the big heap of secrets would land on whichever sample is unlucky.
        gc.collect()
        gc.disable()
        try:
            for round_ in range(args.rounds):
                shift = round_ % len(keys)
                for name, size in keys[shift:] + keys[:shift]:
                    through_boto3, domain = timers[size][name]
                    boto3_s[name, size].append(sample(through_boto3))
                    domain_s[name, size].append(sample(domain))
        finally:
            gc.enable()
    print(
        f"\n{'case':38} {'secrets':>8} {'boto3 µs':>9} {'ratio':>6} {'domain µs':>10} {'ratio':>6}"
    )
    for name in names:
        base_full = statistics.median(boto3_s[name, sizes[0]])
        base_domain = statistics.median(domain_s[name, sizes[0]])
        for size in sizes:
            full = statistics.median(boto3_s[name, size])
            domain = statistics.median(domain_s[name, size])
            print(
                f"{name:38} {size:>8} {full * 1e6:9.0f} {full / base_full:6.2f}"
                f" {domain * 1e6:10.1f} {domain / base_domain:6.2f}"
            )


if __name__ == "__main__":
    main()
