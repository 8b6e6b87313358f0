"""The Python API beyond the fixtures: names and keyword arguments of DESIGN.md section 12,
argument conversions (times, iterables), and the value semantics of result objects."""

from __future__ import annotations

import inspect
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import relman

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
  namespace: prod
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: acme/users-migrate:1.3.0
      containers:
        - name: app   # the users service
          image: "acme/users:1.3.0"
"""

CONFIG = """\
environments:
  staging:
    path: envs/staging
    release: automatic
  production:
    path: envs/production
    release: manual
    promoteFrom: staging
services:
  users:
    workloads: [deployment/users]
    filter: semver:^1
"""


def repo_files() -> dict[str, str]:
    return {
        "relman.yaml": CONFIG,
        "envs/staging/users.yaml": DEPLOYMENT.replace("namespace: prod", "namespace: staging"),
        "envs/production/users.yaml": DEPLOYMENT,
    }


def catalog() -> relman.Catalog:
    c = relman.Catalog()
    c.add("acme/users", "1.3.0", created="2026-11-01T10:00:00Z")
    c.add("acme/users", "1.4.0", created=datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc))
    c.add("acme/users", "2.0.0", created="2026-11-25T10:00:00+01:00")
    c.add("acme/users-migrate", "1.3.0")
    c.add("acme/users-migrate", "1.4.0")
    return c


NOW = "2026-11-27T12:00:00Z"


def params(fn: object) -> list[tuple[str, str, object]]:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return [(p.name, p.kind.name, p.default) for p in sig.parameters.values()]


# -- names and signatures (DESIGN.md section 12) -------------------------------------------------


def test_signatures_follow_the_contract() -> None:
    E = inspect.Parameter.empty
    assert params(relman.list_images) == [
        ("text", "POSITIONAL_OR_KEYWORD", E),
        ("default_namespace", "KEYWORD_ONLY", "default"),
        ("path", "KEYWORD_ONLY", None),
    ]
    assert [p[:2] for p in params(relman.set_image)][:4] == [
        ("text", "POSITIONAL_OR_KEYWORD"),
        ("workload", "POSITIONAL_OR_KEYWORD"),
        ("container", "POSITIONAL_OR_KEYWORD"),
        ("image", "POSITIONAL_OR_KEYWORD"),
    ]
    assert ("default_namespace", "KEYWORD_ONLY", "default") in params(relman.set_image)
    names = {p[0]: p for p in params(relman.update_policy)}
    assert names["add"][1] == names["remove"][1] == "KEYWORD_ONLY"
    assert params(relman.plan_release) == [
        ("snapshot", "POSITIONAL_OR_KEYWORD", E),
        ("environment", "KEYWORD_ONLY", E),
        ("services", "KEYWORD_ONLY", "all"),
        ("image", "KEYWORD_ONLY", "latest"),
        ("exclude", "KEYWORD_ONLY", ()),
        ("force", "KEYWORD_ONLY", False),
        ("override_environment_lock", "KEYWORD_ONLY", False),
        ("lock", "KEYWORD_ONLY", None),
        ("user", "KEYWORD_ONLY", None),
        ("message", "KEYWORD_ONLY", None),
        ("catalog", "KEYWORD_ONLY", None),
        ("history", "KEYWORD_ONLY", ()),
        ("now", "KEYWORD_ONLY", None),
        ("observed", "KEYWORD_ONLY", None),
    ]
    assert params(relman.drift) == [
        ("snapshot", "POSITIONAL_OR_KEYWORD", E),
        ("environment", "KEYWORD_ONLY", E),
        ("observed", "KEYWORD_ONLY", E),
    ]
    assert params(relman.plan_automation) == [
        ("snapshot", "POSITIONAL_OR_KEYWORD", E),
        ("catalog", "KEYWORD_ONLY", E),
        ("history", "KEYWORD_ONLY", ()),
        ("now", "KEYWORD_ONLY", None),
    ]
    assert params(relman.read_policy)[2] == ("default_namespace", "KEYWORD_ONLY", "default")
    assert params(relman.lock_environment) == [
        ("text", "POSITIONAL_OR_KEYWORD", E),
        ("environment", "POSITIONAL_OR_KEYWORD", E),
        ("reason", "KEYWORD_ONLY", E),
        ("by", "KEYWORD_ONLY", E),
        ("until", "KEYWORD_ONLY", None),
    ]
    assert params(relman.Catalog.add)[-2:] == [("digest", "KEYWORD_ONLY", None), ("created", "KEYWORD_ONLY", None)]
    assert params(relman.Snapshot.from_git) == [("path", "POSITIONAL_OR_KEYWORD", E), ("rev", "POSITIONAL_OR_KEYWORD", "HEAD")]
    assert params(relman.Repository.commit)[-3:] == [
        ("branch", "KEYWORD_ONLY", E),
        ("expected_head", "KEYWORD_ONLY", E),
        ("author", "KEYWORD_ONLY", E),
    ]
    assert params(relman.Repository.history)[-3:] == [
        ("rev", "POSITIONAL_OR_KEYWORD", "HEAD"),
        ("environment", "KEYWORD_ONLY", None),
        ("limit", "KEYWORD_ONLY", 1000),
    ]
    assert params(relman.Repository.release_with_retry)[-4:] == [
        ("branch", "KEYWORD_ONLY", E),
        ("author", "KEYWORD_ONLY", E),
        ("plan", "KEYWORD_ONLY", E),
        ("attempts", "KEYWORD_ONLY", 5),
    ]


def test_all_is_complete_and_importable() -> None:
    for name in relman.__all__:
        assert hasattr(relman, name), name
    public = {n for n in dir(relman) if not n.startswith("_") and not inspect.ismodule(getattr(relman, n))}
    public.discard("annotations")  # `from __future__ import annotations`
    assert public <= set(relman.__all__), public - set(relman.__all__)
    assert relman.__version__


# -- images ------------------------------------------------------------------------------------


def test_image_ref() -> None:
    ref = relman.ImageRef.parse("quay.io/org/app:v1.2@sha256:" + "a" * 64)
    assert (ref.domain, ref.path, ref.tag, ref.repository, ref.name) == (
        "quay.io",
        "org/app",
        "v1.2",
        "quay.io/org/app",
        "quay.io/org/app",
    )
    assert ref.digest == "sha256:" + "a" * 64
    nginx = relman.ImageRef.parse("nginx")
    assert str(nginx) == "nginx" and nginx.name == "docker.io/library/nginx"
    assert repr(nginx) == "ImageRef('nginx')"
    assert nginx.same_repository(relman.ImageRef.parse("docker.io/library/nginx:1.25"))
    assert nginx.with_tag("1.25") == relman.ImageRef.parse("nginx:1.25")
    assert {nginx, relman.ImageRef.parse("nginx")} == {nginx}
    assert nginx != "nginx"
    with pytest.raises(AttributeError):
        nginx.tag = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        relman.ImageRef()


# -- one manifest ------------------------------------------------------------------------------


def test_list_images() -> None:
    slots = relman.list_images(DEPLOYMENT, path="envs/prod/users.yaml")
    assert [(s.workload, s.container, s.kind, s.image, s.managed) for s in slots] == [
        ("prod:deployment/users", "app", "container", "acme/users:1.3.0", True),
        ("prod:deployment/users", "migrate", "init_container", "acme/users-migrate:1.3.0", True),
    ]
    app = slots[0]
    assert (app.line, app.column, app.path, app.warning) == (14, 18, "envs/prod/users.yaml", None)
    assert repr(app).startswith("ImageSlot(workload='prod:deployment/users', container='app', kind='container'")
    assert slots == relman.list_images(DEPLOYMENT, path="envs/prod/users.yaml")
    assert hash(app) == hash(relman.list_images(DEPLOYMENT, path="envs/prod/users.yaml")[0])
    assert slots != relman.list_images(DEPLOYMENT)  # the path differs
    with pytest.raises(AttributeError):
        app.image = "x"  # type: ignore[misc]
    pod = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx}\n"
    assert relman.list_images(pod, default_namespace="web")[0].workload == "web:pod/p"


def test_set_image_changes_only_the_value() -> None:
    out = relman.set_image(DEPLOYMENT, "prod:deployment/users", "app", "acme/users:1.4.0")
    assert out == DEPLOYMENT.replace('"acme/users:1.3.0"', '"acme/users:1.4.0"')
    assert relman.set_image(out, "prod:deployment/users", "app", "acme/users:1.4.0") == out
    crlf = DEPLOYMENT.replace("\n", "\r\n")
    assert relman.set_image(crlf, "deployment/users", "app", "acme/users:1.4.0", default_namespace="prod") == out.replace(
        "\n", "\r\n"
    )
    with pytest.raises(TypeError):
        relman.set_image(DEPLOYMENT, "prod:deployment/users", "app", "acme/users:1.4.0", "prod")  # type: ignore[call-arg]


def test_update_and_read_policy() -> None:
    out = relman.update_policy(
        DEPLOYMENT, "prod:deployment/users", add={"automated": "true", "tag.app": "semver:^1"}
    )
    assert "  annotations:\n    fluxcd.io/automated: \"true\"\n    fluxcd.io/tag.app: \"semver:^1\"\n" in out
    policy = relman.read_policy(out, "prod:deployment/users")
    assert policy.automated and policy.automated_set and not policy.locked
    assert policy.tag_filters == {"app": "semver:^1"}
    assert policy.ignore == "no"
    assert policy == relman.read_policy(out, "deployment/users", default_namespace="prod")
    assert "tag_filters={'app': 'semver:^1'}" in repr(policy)
    back = relman.update_policy(out, "prod:deployment/users", remove=["automated", "tag.app"])
    assert back == DEPLOYMENT
    assert relman.update_policy(DEPLOYMENT, "prod:deployment/users") == DEPLOYMENT
    pairs = relman.update_policy(DEPLOYMENT, "prod:deployment/users", add={"locked": "true", "locked_msg": "incident 42"})
    assert pairs.index("locked:") < pairs.index("locked_msg:")
    with pytest.raises(TypeError):
        relman.update_policy(DEPLOYMENT, "prod:deployment/users", remove="automated")
    with pytest.raises(relman.InvalidPolicy):
        relman.update_policy(DEPLOYMENT, "prod:deployment/users", add={"autopilot": "true"})
    # Locks fail closed: a value other than exactly "true"/"false" counts as locked.
    typo = relman.update_policy(DEPLOYMENT, "prod:deployment/users", add={"locked": "True"})
    ambiguous = relman.read_policy(typo, "prod:deployment/users")
    assert ambiguous.locked and ambiguous.ambiguous == ["locked"]
    assert "ambiguous=['locked']" in repr(ambiguous)
    assert relman.list_images(typo)[0].warning == "ambiguous_policy"


# -- filters -----------------------------------------------------------------------------------


def test_tag_filter_select_compare() -> None:
    f = relman.TagFilter.parse("semver:^1.2")
    assert (f.kind, str(f), repr(f)) == ("semver", "semver:^1.2", "TagFilter('semver:^1.2')")
    assert f.matches("1.4.0") and not f.matches("2.0.0")
    assert relman.TagFilter.parse("semver:*").matches("3", mode="loose")
    assert not relman.TagFilter.parse("semver:*").matches("3")
    assert f == relman.TagFilter.parse("semver:^1.2") and len({f, relman.TagFilter.parse("semver:^1.2")}) == 1
    with pytest.raises(ValueError):
        f.matches("1.0", mode="fuzzy")  # type: ignore[arg-type]
    images = [relman.ImageInfo("1.2.0"), relman.ImageInfo("1.9.1"), relman.ImageInfo("2.0.0"), relman.ImageInfo("latest")]
    s = relman.select(f, images)
    assert s.chosen == relman.ImageInfo("1.9.1")
    assert {r.tag: r.reason for r in s.rejected} == {"1.2.0": "older", "2.0.0": "filter_miss", "latest": "latest"}
    assert s.rejected_count == 3
    assert relman.compare(f, images[0], images[1]) == -1
    assert relman.compare(f, images[1], images[0]) == 1
    assert relman.compare(relman.TagFilter.parse("glob:*"), images[0], images[1]) is None
    assert relman.parse_version("v1.21-alpine") == "1.21.0-alpine"
    assert relman.parse_version("12345678") is None
    assert relman.parse_version("12345678", mode="loose") == "12345678.0.0"


# -- relman.yaml -------------------------------------------------------------------------------


def test_config() -> None:
    config = relman.Config.parse(CONFIG)
    assert config.versions == "default" and config.default_namespace == "default"
    staging, production = config.environments
    assert (staging.name, staging.paths, staging.release, staging.promote_from) == (
        "staging",
        ["envs/staging"],
        "automatic",
        None,
    )
    assert production.promote_from == "staging" and production.lock is None
    assert production.contains("envs/production/users.yaml")
    assert config.environment("production") == production
    users = config.service_for("Deployment", "users")
    assert users is not None and users.filter == relman.TagFilter.parse("semver:^1") and users.lists("deployment", "users")
    assert config.service_for("deployment", "orders") is None
    with pytest.raises(relman.UnknownEnvironment) as info:
        config.environment("qa")
    assert isinstance(info.value, LookupError)
    assert relman.Config.implicit().environments[0].release == "annotations"
    assert config == relman.Config.parse(CONFIG)
    assert repr(config) == "Config(versions='default', default_namespace='default', environments=['staging', 'production'], services=['users'])"


def test_lock_environment_takes_strings_and_aware_datetimes() -> None:
    until = datetime(2027, 1, 4, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    locked = relman.lock_environment(CONFIG, "production", reason="freeze", by="alice", until=until)
    assert '      until: "2027-01-04T00:00:00Z"\n' in locked
    assert locked == relman.lock_environment(CONFIG, "production", reason="freeze", by="alice", until="2027-01-04T00:00:00Z")
    lock = relman.Config.parse(locked).environment("production").lock
    assert lock is not None and (lock.reason, lock.by, lock.until) == ("freeze", "alice", "2027-01-04T00:00:00Z")
    assert lock.is_active("2027-01-03T23:59:59Z") and not lock.is_active(until)
    assert lock.is_active(datetime(2026, 12, 24, tzinfo=timezone.utc))
    env = relman.Config.parse(locked).environment("production")
    assert env.active_lock("2026-12-24T00:00:00Z") == lock and env.active_lock("2027-02-01T00:00:00Z") is None
    assert relman.unlock_environment(locked, "production") == CONFIG
    micro = relman.lock_environment(
        CONFIG, "production", reason="r", by="b", until=datetime(2027, 1, 4, 0, 0, 0, 250000, tzinfo=timezone.utc)
    )
    assert '"2027-01-04T00:00:00.25Z"' in micro


@pytest.mark.parametrize("bad", [datetime(2027, 1, 4), "next tuesday", "2027-01-04"])
def test_time_arguments_refuse_naive_and_malformed(bad: object) -> None:
    with pytest.raises(ValueError) as info:
        relman.lock_environment(CONFIG, "production", reason="r", by="b", until=bad)  # type: ignore[arg-type]
    assert "until" in str(info.value)
    snapshot = relman.Snapshot.from_files(repo_files())
    with pytest.raises(ValueError):
        relman.plan_release(snapshot, environment="staging", now=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        relman.ImageInfo("1.0", created=bad)  # type: ignore[arg-type]


def test_time_arguments_refuse_other_types() -> None:
    with pytest.raises(TypeError):
        relman.ImageInfo("1.0", created=1700000000)  # type: ignore[arg-type]


# -- releases ----------------------------------------------------------------------------------


def test_snapshot(tmp_path: Path) -> None:
    files = repo_files()
    snapshot = relman.Snapshot.from_files(files)
    assert len(snapshot) == 3 and "relman.yaml" in snapshot and "nope.yaml" not in snapshot
    assert snapshot.files == dict(sorted(files.items()))
    assert snapshot.get("envs/staging/users.yaml") == files["envs/staging/users.yaml"]
    assert snapshot.revision is None
    assert snapshot.with_revision("abc").revision == "abc"
    assert snapshot == relman.Snapshot.from_files(list(files.items()))
    assert relman.Snapshot.from_files({"./relman.yaml": CONFIG}).get("relman.yaml") == CONFIG
    assert snapshot.config() == relman.Config.parse(CONFIG)
    assert repr(snapshot) == "Snapshot(3 files, revision=None)"
    with pytest.raises(relman.InvalidPath):
        relman.Snapshot.from_files({"../outside.yaml": ""})
    with pytest.raises(relman.InvalidPath):
        relman.Snapshot.from_files([("a.yaml", ""), ("./a.yaml", "")])
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(text.encode())
    (tmp_path / "README.md").write_text("not yaml")
    assert relman.Snapshot.from_dir(tmp_path) == snapshot
    assert relman.Snapshot.from_dir(str(tmp_path)) == snapshot
    assert snapshot.links == {} and snapshot.resolve("relman.yaml") == "relman.yaml"
    with pytest.raises(relman.InvalidPath):
        relman.Snapshot.from_dir(tmp_path / "missing")
    # A link is kept as a link; the file once, under its real path.
    (tmp_path / "envs/staging/prod").symlink_to("../production")
    linked = relman.Snapshot.from_dir(tmp_path)
    assert linked.links == {"envs/staging/prod": "envs/production"}
    assert linked.files == snapshot.files
    assert linked.resolve("envs/staging/prod/users.yaml") == "envs/production/users.yaml"
    assert linked.get("envs/staging/prod/users.yaml") == files["envs/production/users.yaml"]
    assert linked.resolve("envs/staging/prod/nope.yaml") is None


def test_catalog() -> None:
    c = catalog()
    assert len(c) == 2
    assert [i.tag for i in c.images("docker.io/acme/users")] == ["1.3.0", "1.4.0", "2.0.0"]
    info = c.get("acme/users", "2.0.0")
    assert info is not None and info.created == "2026-11-25T09:00:00Z"
    assert c.get("acme/users", "9.9.9") is None
    assert relman.ImageInfo("1.4.0", created="2026-11-20T09:30:00Z") == c.get("acme/users", "1.4.0")
    assert repr(relman.ImageInfo("1.0", digest="sha256:" + "b" * 64)).startswith("ImageInfo(tag='1.0', digest='sha256:bbb")
    with pytest.raises(relman.InvalidCatalog) as info_err:
        c.add("acme/users", "1.0", created="yesterday")
    assert isinstance(info_err.value, ValueError)
    with pytest.raises(relman.InvalidCatalog):
        c.add("Acme/Users", "1.0")
    assert len(c) == 2


def test_one_line_values_are_refused_before_planning() -> None:
    snapshot = relman.Snapshot.from_files(repo_files())
    for user in ["mallory\nRelman-Cause: rollback", "mallory\u2028", "", " alice"]:
        with pytest.raises(relman.InvalidArgument) as err:
            relman.plan_release(snapshot, environment="staging", catalog=catalog(), user=user, now=NOW)
        assert isinstance(err.value, ValueError) and err.value.code == "invalid_argument"
    with pytest.raises(relman.InvalidArgument):
        relman.plan_release(snapshot, environment="staging", override_environment_lock=True, now=NOW)
    forced = relman.plan_release(
        snapshot, environment="staging", force=True, override_environment_lock=True, catalog=catalog(), now=NOW
    )
    record = relman.ReleaseRecord.parse(forced.commit_message)
    assert record is not None and record.environment == "staging"
    assert relman.ReleaseRecord.parse(forced.commit_message + "Signed-off-by: bob <bob@example.com>\n") is None


def test_plan_release() -> None:
    snapshot = relman.Snapshot.from_files(repo_files())
    plan = relman.plan_release(
        snapshot,
        environment="staging",
        catalog=catalog(),
        user="Alice <alice@example.com>",
        message="weekly release",
        now=NOW,
    )
    assert (plan.environment, plan.kind, plan.is_noop) == ("staging", "manual", False)
    (result,) = plan.results
    assert (result.workload, result.status, result.reason, result.path) == (
        "staging:deployment/users",
        "success",
        None,
        "envs/staging/users.yaml",
    )
    assert [(u.container, u.from_, u.to) for u in result.updates] == [
        ("app", "acme/users:1.3.0", "acme/users:1.4.0"),
        ("migrate", "acme/users-migrate:1.3.0", "acme/users-migrate:1.4.0"),
    ]
    assert result.skipped == []
    assert repr(result.updates[0]) == "ContainerUpdate(container='app', from_='acme/users:1.3.0', to='acme/users:1.4.0')"
    (change,) = plan.changes
    assert change.path == "envs/staging/users.yaml"
    assert change.before == snapshot.get(change.path)
    assert '"acme/users:1.4.0"' in change.after
    assert plan.commit_message.splitlines()[0] == "Release multiple (2) images to staging"
    assert "weekly release" in plan.commit_message and "Relman-User: Alice <alice@example.com>" in plan.commit_message
    data = json.loads(plan.to_json())
    assert data["environment"] == "staging" and data["results"][0]["updates"][0]["from"] == "acme/users:1.3.0"
    # Value semantics: the same inputs give an equal (and equally hashed) plan.
    again = relman.plan_release(
        snapshot, environment="staging", catalog=catalog(), user="Alice <alice@example.com>", message="weekly release", now=NOW
    )
    assert again == plan and hash(again) == hash(plan)
    assert plan.results[0] == again.results[0] and plan.changes[0] == again.changes[0]
    assert repr(plan) == (
        "ReleasePlan(environment='staging', kind='manual', results=<1 workloads>, "
        "changes=['envs/staging/users.yaml'], is_noop=False)"
    )
    assert repr(change).startswith("FileChange(path='envs/staging/users.yaml', before=<")
    with pytest.raises(AttributeError):
        plan.commit_message = ""  # type: ignore[misc]
    record = relman.ReleaseRecord.parse(plan.commit_message)
    assert record is not None and record.environment == "staging" and record.user == "Alice <alice@example.com>"
    assert record.kind == "manual" and record.trailers() in plan.commit_message
    assert relman.ReleaseRecord.parse("Fix a typo") is None


def test_plan_release_arguments() -> None:
    snapshot = relman.Snapshot.from_files(repo_files())
    c = catalog()
    exact = relman.plan_release(snapshot, environment="production", image=relman.ImageRef.parse("acme/users:1.4.0"), now=NOW)
    assert exact == relman.plan_release(snapshot, environment="production", image="acme/users:1.4.0", now=NOW)
    assert exact.results[0].status == "skipped" and exact.results[0].reason == "not_promoted"
    forced = relman.plan_release(
        snapshot, environment="production", services=["users"], image="acme/users:1.4.0", force=True, now=NOW
    )
    assert forced.results[0].status == "success"
    assert forced == relman.plan_release(
        snapshot, environment="production", services="users", image="acme/users:1.4.0", force=True, now=NOW
    )
    excluded = relman.plan_release(snapshot, environment="staging", exclude=["users"], catalog=c, now=NOW)
    assert (excluded.results[0].status, excluded.results[0].reason, excluded.is_noop) == ("ignored", "excluded", True)
    missing = relman.plan_release(snapshot, environment="staging", services=["orders"], catalog=c, now=NOW)
    assert missing.results[-1].reason == "not_found"
    locked = relman.plan_release(snapshot, environment="staging", catalog=c, lock=True, now=NOW)
    assert "fluxcd.io/locked" in locked.changes[0].after
    # History as commit messages or as records; `now` as an aware datetime.
    staged = relman.plan_release(snapshot, environment="staging", catalog=c, now=NOW)
    promoted = relman.plan_release(
        snapshot,
        environment="production",
        image="promote",
        history=[staged.commit_message],
        now=datetime(2026, 11, 27, 12, tzinfo=timezone.utc),
    )
    assert promoted.kind == "promotion"
    record = relman.ReleaseRecord.parse(staged.commit_message)
    assert record is not None
    assert promoted == relman.plan_release(snapshot, environment="production", image="promote", history=[record], now=NOW)
    with pytest.raises(TypeError):
        relman.plan_release(snapshot, environment="staging", history=staged.commit_message)
    with pytest.raises(relman.UnknownEnvironment):
        relman.plan_release(snapshot, environment="qa")
    with pytest.raises(relman.InvalidImageReference):
        relman.plan_release(snapshot, environment="staging", image="Not A Ref")


def test_plan_automation() -> None:
    snapshot = relman.Snapshot.from_files(repo_files())
    plans = relman.plan_automation(snapshot, catalog=catalog(), now=NOW)
    assert [(p.environment, p.kind, p.is_noop) for p in plans] == [
        ("staging", "automated", False),
        ("production", "automated", True),
    ]
    assert plans[1].results[0].reason == "environment_manual"
    assert plans[0].commit_message.startswith("Auto-release")
    assert relman.plan_automation(snapshot, catalog=relman.Catalog(), now=NOW)[0].is_noop
