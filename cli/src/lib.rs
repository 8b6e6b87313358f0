//! The `relman` command (DESIGN.md section 18): status, listing, releases, promotions,
//! rollbacks, locks, automation and policies of a Kubernetes config repo, on the relman
//! library.
//!
//! The command formats and drives I/O; every decision is the library's (`relman::release`:
//! [`status`](relman::release::status), [`images`](relman::release::images),
//! [`plan_release`](relman::release::plan_release), [`plan_policy`](relman::release::plan_policy)...).
//! [`run`] is the whole command, so that the Python wheel (`relman._native.main`) and the npm
//! package (the addon's `main`) ship the same code as `cargo install --path cli`.
//!
//! Exit codes: 0 done, 1 error (one line on standard error: `error[code] file:line:col:
//! message (hint: ...)`), 2 usage, 3 nothing to do when `--exit-code` asks to say so, and for
//! `relman drift` when the cluster and the repo disagree (any entry `drifted`,
//! `missing_in_cluster` or `not_in_repo`).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use relman::release::{
    Catalog, History, ImageSpec, ReleasePlan, ReleaseSpec, Services, Snapshot, Status, plan_environment_lock,
    plan_policy, plan_release,
};
use relman::{EnvironmentLock, PolicyChange};

mod catalog_file;
mod commands;
pub mod failure;
mod html;
mod observed_file;
mod output;
mod repo;
mod watch;

use failure::Failure;
use repo::{Repo, WriteOptions};

/// Exit code: done.
pub const EXIT_OK: i32 = 0;
/// Exit code: an error (printed on one line).
pub const EXIT_ERROR: i32 = 1;
/// Exit code: the command line is wrong.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: nothing to do, when `--exit-code` asks to say so.
pub const EXIT_NOTHING: i32 = 3;

const EXAMPLES: &str = "\
Examples:
  relman status                                  what runs where, locks, what waits for promotion
  relman status --html status.html               the same as one self-contained page
  relman images users --env staging --catalog tags.json
  relman release --env staging --image acme/users:1.4.0 --commit
  relman release --env staging --image latest --catalog tags.json --service users
  relman promote --to production --service users --commit --push
  relman rollback --env production --service users --dry-run
  kubectl get deployments -n prod -o yaml | relman drift --env production --observed -
  relman release --env production --image observed --observed live.yaml --commit
  relman lock users --env production --reason \"1.4.0 leaks connections\"
  relman lock --env production --reason \"Black Friday freeze\" --until 2026-12-01T00:00:00Z
  relman automate --catalog tags.json --repo /srv/config.git
  relman completions bash > /etc/bash_completion.d/relman

Exit codes: 0 done, 1 error, 2 usage, 3 nothing to do (with --exit-code) or drift (relman drift).";

/// relman: the release manager of a Kubernetes config repo.
#[derive(Debug, Parser)]
#[command(
    name = "relman",
    version,
    about = "Release manager for Kubernetes config repos: what runs where, releases, promotions, rollbacks, locks",
    long_about = "Release manager for Kubernetes config repos: what runs where, releases, promotions, rollbacks, locks.\n\n\
On a work tree, writing commands edit the files (--commit also commits them with your git); on a \
bare repository they commit by compare-and-swap, re-planning when another writer moved the branch. \
Only the bytes that must change do change.",
    after_help = EXAMPLES
)]
struct Cli {
    /// The config repo: a work tree, a bare repository, or a folder with relman.yaml [default:
    /// the git repository holding the current folder]
    #[arg(long, global = true, value_name = "PATH")]
    repo: Option<PathBuf>,
    /// The branch of a bare repository to read and commit to [default: the one HEAD names]
    #[arg(long, global = true, value_name = "BRANCH")]
    branch: Option<String>,
    /// When to colour the output (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Environments x services: images, locks (who, why, until), automation, waiting promotions
    #[command(
        after_help = "Examples:\n  relman status\n  relman status --env production --json\n  relman status --html status.html"
    )]
    Status(StatusArgs),
    /// Workloads and their image slots, per environment
    #[command(after_help = "Examples:\n  relman list\n  relman list --env staging --json")]
    List(ListArgs),
    /// The tags a workload's policy allows, newest first, the current one marked, and why others are excluded
    #[command(
        after_help = "Examples:\n  relman images users --env staging --catalog tags.json\n  relman images staging:deployment/users --env staging --catalog - --json < tags.json\n\n\
The catalog is JSON: {\"acme/users\": [\"1.3.0\", {\"tag\": \"1.4.0\", \"digest\": \"sha256:...\", \"created\": \"2026-11-20T10:00:00Z\"}]}"
    )]
    Images(ImagesArgs),
    /// Pointer moves (releases, promotions, rollbacks, hand edits) read from the branch's commits
    #[command(
        after_help = "Examples:\n  relman history\n  relman history --env production --limit 50 --json"
    )]
    History(HistoryArgs),
    /// Compare what the cluster runs (the output of `kubectl get ... -o yaml`) with the repo
    #[command(
        after_help = "Examples:\n  kubectl get deployments,statefulsets,daemonsets,cronjobs -n prod -o yaml > live.yaml\n  relman drift --env production --observed live.yaml\n  kubectl get deployments -n prod -o json | relman drift --env production --observed - --json\n\n\
Exit codes: 0 in sync, 3 when any container is drifted, missing_in_cluster or not_in_repo (so CI can alert), 1 error.\n\
Adopt what runs: relman release --env production --image observed --observed live.yaml --commit"
    )]
    Drift(DriftArgs),
    /// Release an image (or the newest allowed one, or what the cluster runs) to an environment
    #[command(
        after_help = "Examples:\n  relman release --env staging --image acme/users:1.4.0 --commit\n  relman release --env staging --image latest --catalog tags.json --service users --dry-run\n  relman release --env production --image observed --observed live.yaml --commit"
    )]
    Release(ReleaseArgs),
    /// Copy the images of the environment's promoteFrom into it
    #[command(
        after_help = "Examples:\n  relman promote --to production --service users --commit\n  relman promote --to production --dry-run"
    )]
    Promote(PromoteArgs),
    /// Move a service back to its previous image (and lock it, so automation leaves it)
    #[command(
        after_help = "Examples:\n  relman rollback --env production --service users --commit\n  relman rollback --env staging --service users --no-lock --dry-run"
    )]
    Rollback(RollbackArgs),
    /// Lock a service or workload (TARGET), or without TARGET the whole environment
    #[command(
        after_help = "Examples:\n  relman lock users --env production --reason \"1.4.0 leaks connections\"\n  relman lock --env production --reason \"freeze\" --until 2026-12-01T00:00:00Z --commit"
    )]
    Lock(LockArgs),
    /// Unlock a service or workload (TARGET), or without TARGET the whole environment
    #[command(
        after_help = "Examples:\n  relman unlock users --env production --commit\n  relman unlock --env production"
    )]
    Unlock(UnlockArgs),
    /// Release the newest allowed images to every automated workload (one commit per environment);
    /// the tags come from --catalog or from the registries themselves, once or every --watch INTERVAL
    #[command(
        after_help = "Examples:\n  relman automate --catalog tags.json --commit\n  relman automate --env staging --catalog tags.json --repo /srv/config.git\n  relman automate --commit --push --cache-dir ~/.cache/relman\n  relman automate --watch 5m --repo /srv/config.git --push --cache-dir /var/cache/relman"
    )]
    Automate(AutomateArgs),
    /// Change a workload's policy annotations: automation, tag filters, ignore
    #[command(
        after_help = "Examples:\n  relman policy users --env staging --automated false\n  relman policy users --env staging --tag app=semver:^1.4 --commit\n  relman policy users --env staging --clear-tag app"
    )]
    Policy(PolicyArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  relman completions bash > ~/.local/share/bash-completion/completions/relman\n  relman completions zsh > ~/.zfunc/_relman"
    )]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// Only these environments (repeatable)
    #[arg(long = "env", value_name = "ENV")]
    envs: Vec<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Also write the status page (one self-contained HTML file) to FILE
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Commits of history the page's timeline reads
    #[arg(long, default_value_t = 200, value_name = "N")]
    limit: usize,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Only these environments (repeatable)
    #[arg(long = "env", value_name = "ENV")]
    envs: Vec<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ImagesArgs {
    /// A service name, a workload id (namespace:kind/name) or kind/name
    workload: String,
    /// The environment [default: the only one]
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// What the registry offers, as JSON (`-`: standard input)
    #[arg(long, value_name = "FILE")]
    catalog: PathBuf,
    /// List every excluded tag (default: the first 20)
    #[arg(long)]
    all: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// Only this environment
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// Only moves of this workload id or service
    #[arg(long, value_name = "WORKLOAD")]
    workload: Option<String>,
    /// Commits to read, newest first
    #[arg(long, default_value_t = 100, value_name = "N")]
    limit: usize,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DriftArgs {
    /// The environment [default: the only one]
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// What `kubectl get <kinds> -o yaml` (or `-o json`) printed (`-`: standard input)
    #[arg(long, value_name = "FILE")]
    observed: PathBuf,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// The options every writing command takes.
#[derive(Debug, Args)]
struct WriteArgs {
    /// Plan and print; write nothing
    #[arg(long)]
    dry_run: bool,
    /// On a work tree, also commit the edited files with your git
    #[arg(long)]
    commit: bool,
    /// Push the commit (never forced); on a work tree implies --commit
    #[arg(long)]
    push: bool,
    /// The remote --push pushes to
    #[arg(long, default_value = "origin", value_name = "REMOTE")]
    remote: String,
    /// Who: the commit author and Relman-User [default: git's user.name <user.email>]
    #[arg(long, value_name = "NAME <EMAIL>")]
    user: Option<String>,
    /// Compare-and-swap attempts on a bare repository before giving up with `conflict`
    #[arg(long, default_value_t = 5, value_name = "N")]
    attempts: usize,
    /// Exit with 3 when there is nothing to do
    #[arg(long)]
    exit_code: bool,
    /// Print the plan (and what was written) as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ReleaseArgs {
    /// The environment [default: the only one]
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// An exact image reference; `latest`: the newest the policy allows (needs --catalog);
    /// `observed`: what the cluster runs, for the drifted containers (needs --observed)
    #[arg(long, default_value = "latest", value_name = "IMAGE|latest|observed")]
    image: String,
    /// Only these services or workload ids (repeatable) [default: all]
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// Leave these services or workload ids alone (repeatable)
    #[arg(long, value_name = "NAME")]
    exclude: Vec<String>,
    /// Release named workloads even if locked, outside the filter or not promoted
    #[arg(long)]
    force: bool,
    /// With --force, also override the environment lock
    #[arg(long, requires = "force")]
    override_environment_lock: bool,
    /// Lock the released workloads in the same commit (an adoption, --image observed, locks
    /// unless --no-lock)
    #[arg(long, conflicts_with = "no_lock")]
    lock: bool,
    /// Do not lock the released workloads (an adoption, --image observed, and --image rollback
    /// lock them by default)
    #[arg(long)]
    no_lock: bool,
    /// Why (the commit message; the lock message with --lock)
    #[arg(long, short, value_name = "TEXT")]
    message: Option<String>,
    /// What the registry offers, as JSON (`-`: standard input)
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// With --image observed: what `kubectl get <kinds> -o yaml` printed (`-`: standard input)
    #[arg(long, value_name = "FILE")]
    observed: Option<PathBuf>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct PromoteArgs {
    /// The environment to promote into (the source is its promoteFrom)
    #[arg(long, value_name = "ENV")]
    to: String,
    /// Only these services or workload ids (repeatable) [default: all]
    #[arg(long = "service", value_name = "NAME")]
    services: Vec<String>,
    /// Leave these services or workload ids alone (repeatable)
    #[arg(long, value_name = "NAME")]
    exclude: Vec<String>,
    /// Promote named workloads even if locked or outside the filter
    #[arg(long)]
    force: bool,
    /// Why (the commit message)
    #[arg(long, short, value_name = "TEXT")]
    message: Option<String>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct RollbackArgs {
    /// The environment [default: the only one]
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// The services or workload ids to roll back (repeatable)
    #[arg(long = "service", value_name = "NAME", required = true)]
    services: Vec<String>,
    /// Do not lock the rolled-back workloads (automation may then release them again)
    #[arg(long)]
    no_lock: bool,
    /// Roll back named workloads even if locked
    #[arg(long)]
    force: bool,
    /// Why (the commit message and the lock message)
    #[arg(long, short, value_name = "TEXT")]
    message: Option<String>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct LockArgs {
    /// A service name or workload id; without it, the whole environment is locked
    target: Option<String>,
    /// The environment [default: the only one]
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// Why (shown to whoever is blocked)
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// When the lock expires (RFC 3339, such as 2026-12-01T00:00:00Z)
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct UnlockArgs {
    /// A service name or workload id; without it, the environment lock is removed
    target: Option<String>,
    /// The environment [default: the only one]
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct AutomateArgs {
    /// What the registry offers, as JSON (`-`: standard input) [default: ask the registries
    /// the images name]
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Poll the registries every INTERVAL (`30s`, `5m`, `1h`) and release what is new: the
    /// release bot as a command
    #[arg(long, value_name = "INTERVAL", conflicts_with = "catalog", value_parser = watch::parse_interval)]
    watch: Option<std::time::Duration>,
    /// With --watch: stop after N polls (exit 1 when one failed) [default: never stop]
    #[arg(long, value_name = "N", requires = "watch")]
    polls: Option<u64>,
    /// A folder for the registry cache, kept between runs (a warm poll then costs one tag-list
    /// request per repository)
    #[arg(long, value_name = "DIR", conflicts_with = "catalog")]
    cache_dir: Option<PathBuf>,
    /// A registry host reached over plain http (repeatable; loopback always is)
    #[arg(long = "insecure", value_name = "HOST", conflicts_with = "catalog")]
    insecure: Vec<String>,
    /// Ask the registries without credentials [default: ~/.docker/config.json]
    #[arg(long, conflicts_with = "catalog")]
    anonymous: bool,
    /// Only these environments (repeatable) [default: every automatic one]
    #[arg(long = "env", value_name = "ENV")]
    envs: Vec<String>,
    #[command(flatten)]
    write: WriteArgs,
}

#[derive(Debug, Args)]
struct PolicyArgs {
    /// A service name or workload id
    target: String,
    /// The environment [default: the only one]
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// Turn automation on or off (the `automated` annotation)
    #[arg(long, value_name = "true|false")]
    automated: Option<bool>,
    /// Remove the `automated` annotation (the environment's mode decides)
    #[arg(long, conflicts_with = "automated")]
    clear_automated: bool,
    /// Set a container's tag filter, CONTAINER=FILTER (repeatable)
    #[arg(long = "tag", value_name = "CONTAINER=FILTER")]
    tags: Vec<String>,
    /// Remove a container's tag filter (repeatable)
    #[arg(long = "clear-tag", value_name = "CONTAINER")]
    clear_tags: Vec<String>,
    /// Set `ignore` (true, false or sync_only)
    #[arg(long, value_name = "VALUE")]
    ignore: Option<String>,
    #[command(flatten)]
    write: WriteArgs,
}

/// Run the `relman` command with `args` (the program name first, as `std::env::args_os`
/// gives it); returns the exit code. Output goes to the process's standard output and error.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    match dispatch(cli) {
        Ok(code) => code,
        Err(failure) => {
            let mut err = anstream::stderr();
            let _ = std::io::Write::write_all(
                &mut err,
                format!(
                    "{}\n",
                    output::paint(&format!("relman: {failure}"), output::style::BAD)
                )
                .as_bytes(),
            );
            EXIT_ERROR
        }
    }
}

fn dispatch(cli: Cli) -> Result<i32, Failure> {
    if let Command::Completions { shell } = cli.command {
        let mut command = Cli::command();
        clap_complete::generate(shell, &mut command, "relman", &mut std::io::stdout());
        return Ok(EXIT_OK);
    }
    let repo = Repo::locate(cli.repo.as_deref())?;
    let branch = cli.branch.as_deref();
    let now = jiff::Timestamp::now();
    match cli.command {
        Command::Completions { .. } => unreachable!("handled above"),
        Command::Status(a) => {
            commands::status(&repo, branch, &a.envs, a.json, a.html.as_deref(), a.limit, now)
        }
        Command::List(a) => commands::list(&repo, branch, &a.envs, a.json, now),
        Command::Images(a) => {
            let snapshot = repo.snapshot(branch)?;
            let env = environment(&snapshot, a.env.as_deref())?;
            let catalog = catalog_file::read(&a.catalog)?;
            commands::images(&snapshot, &env, &a.workload, &catalog, a.all, a.json, now)
        }
        Command::History(a) => commands::history(
            &repo,
            branch,
            a.env.as_deref(),
            a.workload.as_deref(),
            a.limit,
            a.json,
        ),
        Command::Drift(a) => {
            let snapshot = repo.snapshot(branch)?;
            let env = environment(&snapshot, a.env.as_deref())?;
            let observed = observed_file::read(&a.observed)?;
            commands::drift(&snapshot, &env, &observed, a.json)
        }
        Command::Release(a) => {
            let env = environment(&repo.snapshot(branch)?, a.env.as_deref())?;
            let observed = match &a.observed {
                Some(path) => Some(observed_file::read(path)?),
                None => None,
            };
            let image = ImageSpec::parse_with(&a.image, observed.as_ref().map(|o| o.text.clone()))?;

            let catalog = match &a.catalog {
                Some(path) => catalog_file::read(path)?,
                None if matches!(image, ImageSpec::Latest) => {
                    return Err(Failure::new(
                        "invalid_argument",
                        "--image latest needs to know what the registry offers: pass --catalog FILE",
                    ));
                }
                None => Catalog::new(),
            };
            let user = repo.user(a.write.user.as_deref());
            let mut spec = ReleaseSpec::new(env)
                .image(image)
                .exclude(a.exclude.clone())
                .force(a.force)
                .override_environment_lock(a.override_environment_lock)
                .cause(user, a.message.clone());
            if a.lock {
                spec = spec.lock(true);
            }
            if a.no_lock {
                spec = spec.lock(false);
            }
            if !a.services.is_empty() {
                spec = spec.services(Services::Named(a.services.clone()));
            }
            let located = observed.as_ref().map(|o| o.name.as_str());
            release(&repo, branch, &a.write, &catalog, &spec, now)
                .map_err(|f| observed_file::locate(f, located))
        }
        Command::Promote(a) => {
            let user = repo.user(a.write.user.as_deref());
            let mut spec = ReleaseSpec::new(a.to.clone())
                .image(ImageSpec::Promote)
                .exclude(a.exclude.clone())
                .force(a.force)
                .cause(user, a.message.clone());
            if !a.services.is_empty() {
                spec = spec.services(Services::Named(a.services.clone()));
            }
            release(&repo, branch, &a.write, &Catalog::new(), &spec, now)
        }
        Command::Rollback(a) => {
            let env = environment(&repo.snapshot(branch)?, a.env.as_deref())?;
            let user = repo.user(a.write.user.as_deref());
            let spec = ReleaseSpec::new(env)
                .image(ImageSpec::Rollback)
                .services(Services::Named(a.services.clone()))
                .force(a.force)
                .lock(!a.no_lock)
                .cause(user, a.message.clone());
            release(&repo, branch, &a.write, &Catalog::new(), &spec, now)
        }
        Command::Lock(a) => {
            let env = environment(&repo.snapshot(branch)?, a.env.as_deref())?;
            let user = repo.user(a.write.user.as_deref());
            let until = match &a.until {
                Some(text) => Some(text.parse::<jiff::Timestamp>().map_err(|e| {
                    Failure::new(
                        "invalid_argument",
                        format!("--until {text:?} is not an RFC 3339 time: {e}"),
                    )
                })?),
                None => None,
            };
            match &a.target {
                Some(target) => {
                    let mut change = PolicyChange::new()
                        .add("locked", "true")
                        .add("locked_msg", a.reason.clone());
                    if let Some(user) = &user {
                        change = change.add("locked_user", user.clone());
                    }
                    if let Some(until) = until {
                        change = change.add("locked_until", until.to_string());
                    }
                    policy_change(&repo, branch, &a.write, &env, target, &change, user)
                }
                None => {
                    let by = user.clone().unwrap_or_else(|| "unknown".to_string());
                    let mut lock = EnvironmentLock::new(a.reason.clone(), by);
                    if let Some(until) = until {
                        lock = lock.until(until);
                    }
                    let options = write_options(&a.write, branch);
                    let (plan, written) = repo::write(&repo, &options, |snapshot, _| {
                        plan_environment_lock(snapshot, &env, Some(&lock))
                    })?;
                    commands::report(&plan, &written, &options, a.write.json, a.write.exit_code)
                }
            }
        }
        Command::Unlock(a) => {
            let env = environment(&repo.snapshot(branch)?, a.env.as_deref())?;
            match &a.target {
                Some(target) => {
                    let change = PolicyChange::new()
                        .remove("locked")
                        .remove("locked_msg")
                        .remove("locked_user")
                        .remove("locked_until");
                    let user = repo.user(a.write.user.as_deref());
                    policy_change(&repo, branch, &a.write, &env, target, &change, user)
                }
                None => {
                    let options = write_options(&a.write, branch);
                    let (plan, written) = repo::write(&repo, &options, |snapshot, _| {
                        plan_environment_lock(snapshot, &env, None)
                    })?;
                    commands::report(&plan, &written, &options, a.write.json, a.write.exit_code)
                }
            }
        }
        Command::Policy(a) => {
            let env = environment(&repo.snapshot(branch)?, a.env.as_deref())?;
            let mut change = PolicyChange::new();
            if let Some(on) = a.automated {
                change = change.add("automated", on.to_string());
            }
            if a.clear_automated {
                change = change.remove("automated");
            }
            for tag in &a.tags {
                let Some((container, filter)) = tag.split_once('=') else {
                    return Err(Failure::new(
                        "invalid_argument",
                        format!("--tag {tag:?}: write CONTAINER=FILTER, such as app=semver:^1"),
                    ));
                };
                relman::TagFilter::parse(filter)?;
                change = change.add(format!("tag.{container}"), filter.to_string());
            }
            for container in &a.clear_tags {
                change = change.remove(format!("tag.{container}"));
            }
            if let Some(ignore) = &a.ignore {
                change = change.add("ignore", ignore.clone());
            }
            if change.add.is_empty() && change.remove.is_empty() {
                return Err(Failure::new(
                    "invalid_argument",
                    "no policy change given: pass --automated, --clear-automated, --tag, --clear-tag or --ignore",
                ));
            }
            let user = repo.user(a.write.user.as_deref());
            policy_change(&repo, branch, &a.write, &env, &a.target, &change, user)
        }
        Command::Automate(a) => {
            let options = write_options(&a.write, branch);
            let Some(file) = &a.catalog else {
                let registry = watch::RegistrySettings {
                    cache_dir: a.cache_dir.clone(),
                    insecure: a.insecure.clone(),
                    anonymous: a.anonymous,
                }
                .registry()?;
                return match a.watch {
                    Some(every) => Ok(watch::run(
                        &repo,
                        &options,
                        &a.write_flags(),
                        &a.envs,
                        &registry,
                        every,
                        a.polls,
                    )),
                    None => watch::once(&repo, &options, &a.write_flags(), &a.envs, &registry),
                };
            };
            let catalog = catalog_file::read(file)?;
            commands::automate(&repo, &options, &a.write_flags(), &catalog, &a.envs, now)
        }
    }
}

impl AutomateArgs {
    fn write_flags(&self) -> (bool, bool) {
        (self.write.json, self.write.exit_code)
    }
}

fn write_options(w: &WriteArgs, branch: Option<&str>) -> WriteOptions {
    WriteOptions {
        dry_run: w.dry_run,
        commit: w.commit || w.push,
        push: w.push,
        branch: branch.map(str::to_string),
        remote: w.remote.clone(),
        user: w.user.clone(),
        attempts: w.attempts,
    }
}

/// The environment a command names, else the only one the repo has.
fn environment(snapshot: &Snapshot, given: Option<&str>) -> Result<String, Failure> {
    let config = snapshot.config()?;
    match given {
        Some(name) => Ok(config.environment(name)?.name.clone()),
        None => match config.environments() {
            [only] => Ok(only.name.clone()),
            all => {
                let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
                Err(Failure::new(
                    "invalid_argument",
                    format!("name the environment with --env (one of: {})", names.join(", ")),
                ))
            }
        },
    }
}

/// Refuse a plan that names something the environment does not have, or whose named
/// workloads failed: nothing is written.
fn check_named(plan: &ReleasePlan, named: bool) -> relman::Result<()> {
    use relman::release::Reason;
    if let Some(missing) = plan.results.iter().find(|r| r.reason == Some(Reason::NotFound)) {
        return Err(relman::Error::new(
            relman::ErrorKind::WorkloadNotFound,
            missing.message.clone(),
        ));
    }
    if let Some(failed) = plan.results.iter().find(|r| named && r.status == Status::Failed) {
        let reason = failed.reason.map(|r| r.code()).unwrap_or("failed");
        return Err(relman::Error::new(
            relman::ErrorKind::InvalidArgument,
            format!(
                "{}: {} ({reason}); nothing was written",
                failed.workload, failed.message
            ),
        ));
    }
    Ok(())
}

fn release(
    repo: &Repo,
    branch: Option<&str>,
    w: &WriteArgs,
    catalog: &Catalog,
    spec: &ReleaseSpec,
    now: jiff::Timestamp,
) -> Result<i32, Failure> {
    let options = write_options(w, branch);
    let (plan, written) = repo::write(repo, &options, |snapshot: &Snapshot, history: &History| {
        let plan = plan_release(snapshot, spec, catalog, history, now)?;
        check_named(&plan, matches!(spec.services, Services::Named(_)))?;
        Ok(plan)
    })?;
    commands::report(&plan, &written, &options, w.json, w.exit_code)
}

fn policy_change(
    repo: &Repo,
    branch: Option<&str>,
    w: &WriteArgs,
    env: &str,
    target: &str,
    change: &PolicyChange,
    user: Option<String>,
) -> Result<i32, Failure> {
    let options = write_options(w, branch);
    let targets = [target.to_string()];
    let (plan, written) = repo::write(repo, &options, |snapshot, _| {
        let plan = plan_policy(snapshot, env, &targets, change, user.clone())?;
        check_named(&plan, true)?;
        Ok(plan)
    })?;
    commands::report(&plan, &written, &options, w.json, w.exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
