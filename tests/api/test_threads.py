"""Concurrent clients on one secret: every write lands, labels stay consistent, no errors."""

from __future__ import annotations

import threading
from collections import Counter

import boto3

from smfake import mock_secretsmanager

THREADS = 8
# 8 x 11 puts + the first version = 89 versions: under the 100-version quota, so the service
# prunes nothing and every version written must still be listed.
PUTS_PER_THREAD = 11


def test_concurrent_puts_and_gets_lose_no_version():
    with mock_secretsmanager():
        setup = boto3.client("secretsmanager", region_name="us-east-1")
        first = setup.create_secret(Name="hot", SecretString="initial")["VersionId"]
        clients = [boto3.client("secretsmanager", region_name="us-east-1") for _ in range(THREADS)]
        barrier = threading.Barrier(THREADS)
        written: dict[str, str] = {first: "initial"}
        reads: list[tuple[str, str]] = []
        put_stages: list[list[str]] = []
        errors: list[BaseException] = []
        record = threading.Lock()

        def worker(index):
            client = clients[index]
            try:
                barrier.wait()
                for step in range(PUTS_PER_THREAD):
                    value = f"thread-{index}-step-{step}"
                    put = client.put_secret_value(SecretId="hot", SecretString=value)
                    got = client.get_secret_value(SecretId="hot")
                    previous = client.get_secret_value(SecretId="hot", VersionStage="AWSPREVIOUS")
                    with record:
                        written[put["VersionId"]] = value
                        put_stages.append(put["VersionStages"])
                        reads.append((got["VersionId"], got["SecretString"]))
                        reads.append((previous["VersionId"], previous["SecretString"]))
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []

        listed = []
        page = {"SecretId": "hot", "IncludeDeprecated": True, "MaxResults": 100}
        while True:
            response = setup.list_secret_version_ids(**page)
            listed.extend(response["Versions"])
            if "NextToken" not in response:
                break
            page["NextToken"] = response["NextToken"]
        described = setup.describe_secret(SecretId="hot")
        current = setup.get_secret_value(SecretId="hot")

    assert len(written) == THREADS * PUTS_PER_THREAD + 1
    listed_ids = [version["VersionId"] for version in listed]
    assert len(listed_ids) == len(set(listed_ids))
    assert set(listed_ids) == set(written)

    labels = Counter(label for version in listed for label in version.get("VersionStages", []))
    assert labels["AWSCURRENT"] == 1
    assert labels["AWSPREVIOUS"] == 1
    assert all(count == 1 for count in labels.values()), labels

    assert all(stages == ["AWSCURRENT"] for stages in put_stages)
    assert all(written[version_id] == value for version_id, value in reads)
    assert written[current["VersionId"]] == current["SecretString"]
    holder = {
        label: version["VersionId"]
        for version in listed
        for label in version.get("VersionStages", [])
    }
    assert holder["AWSCURRENT"] == current["VersionId"]
    assert described["VersionIdsToStages"] == {
        version_id: [label for label, holder_id in holder.items() if holder_id == version_id]
        for version_id in set(holder.values())
    }
