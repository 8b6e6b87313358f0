//! `relman automate` without `--catalog`: the catalog comes from the registries the config
//! repo's images name (the library's `registry` feature), once, or every `--watch INTERVAL`
//! (the release bot as a command).

use std::time::Duration;

use relman::registry::{CredentialsArgument, Progress, Registry, RegistryOptions};
use relman::release::Catalog;

use crate::commands;
use crate::failure::Failure;
use crate::output::{self, paint, style};
use crate::repo::{Repo, WriteOptions};
use crate::{EXIT_ERROR, EXIT_OK};

/// How relman reaches the registries.
pub struct RegistrySettings {
    /// The cache folder kept between runs (and polls).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Hosts reached over plain http (loopback always is).
    pub insecure: Vec<String>,
    /// No credentials instead of the Docker config.
    pub anonymous: bool,
}

impl RegistrySettings {
    /// The registry client, one per run: its cache lives across the polls of `--watch`. The
    /// options go through the library's rules (`RegistryOptions::with_credentials`), as the
    /// bindings' do.
    pub fn registry(&self) -> Result<Registry, Failure> {
        let options = RegistryOptions {
            cache_dir: self.cache_dir.clone(),
            insecure: self.insecure.clone(),
            ..RegistryOptions::default()
        }
        .with_credentials(
            if self.anonymous {
                CredentialsArgument::Anonymous
            } else {
                CredentialsArgument::Default
            },
            "--anonymous",
        )?;
        Ok(Registry::new(options))
    }
}

/// An interval as `--watch` takes it: a whole number and a unit, `s`, `m` or `h` (`30s`, `5m`,
/// `1h`); at least one second.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is no interval: write a number and a unit, e.g. 30s, 5m, 1h"))?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => None,
    }
    .ok_or_else(|| format!("`{text}` is no interval: write a number and a unit (s, m or h), e.g. 5m"))?;
    if seconds == 0 {
        return Err("the interval must be at least 1s".to_string());
    }
    Ok(Duration::from_secs(seconds))
}

/// What the registries offer for the repositories the branch's managed slots name; a progress
/// line on a terminal while it asks.
pub fn catalog(repo: &Repo, branch: Option<&str>, registry: &Registry) -> Result<Catalog, Failure> {
    let snapshot = repo.snapshot(branch)?;
    let repositories = snapshot.repositories()?;
    let _progress = output::Progress::start(&format!(
        "asking the registries for {} repositories",
        repositories.len()
    ));
    Ok(registry.catalog_with_progress(&repositories, &|_: &Progress<'_>| {})?)
}

/// One automation run on a catalog from the registries.
pub fn once(
    repo: &Repo,
    options: &WriteOptions,
    flags: &(bool, bool),
    envs: &[String],
    registry: &Registry,
) -> Result<i32, Failure> {
    let catalog = catalog(repo, options.branch.as_deref(), registry)?;
    commands::automate(repo, options, flags, &catalog, envs, jiff::Timestamp::now())
}

/// Poll every `every`: ask the registries, release, wait. A failed poll (a registry that is
/// down, a conflict that outlived its attempts) is printed and the next poll tries again; each
/// poll says on standard error how many registry requests it cost. With `polls`, stops after
/// that many and exits 1 when any of them failed.
pub fn run(
    repo: &Repo,
    options: &WriteOptions,
    flags: &(bool, bool),
    envs: &[String],
    registry: &Registry,
    every: Duration,
    polls: Option<u64>,
) -> i32 {
    let mut failed = false;
    let mut poll = 0u64;
    loop {
        poll += 1;
        let before = registry.requests().total();
        let result = once(repo, options, flags, envs, registry);
        let requests = registry.requests().total() - before;
        let mut err = anstream::stderr();
        let line = match &result {
            Ok(_) => paint(
                &format!("relman: poll {poll}: {requests} registry requests"),
                style::DIM,
            ),
            Err(failure) => {
                failed = true;
                paint(
                    &format!(
                        "relman: poll {poll}: {failure} ({requests} registry requests; trying again at the next poll)"
                    ),
                    style::BAD,
                )
            }
        };
        let _ = std::io::Write::write_all(&mut err, format!("{line}\n").as_bytes());
        if polls.is_some_and(|n| poll >= n) {
            return if failed { EXIT_ERROR } else { EXIT_OK };
        }
        std::thread::sleep(every);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_interval("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_interval("2h"), Ok(Duration::from_secs(7200)));
        for bad in [
            "",
            "5",
            "m",
            "0s",
            "1d",
            "-1s",
            "1.5m",
            "5 m",
            "99999999999999999999h",
        ] {
            assert!(parse_interval(bad).is_err(), "{bad:?}");
        }
    }
}
