//! `--observed FILE`: what `kubectl get <kinds> -o yaml` (or `-o json`) printed, for
//! `relman drift` and `relman release --image observed`. `-` reads standard input. The text is
//! handed to core as it is (core parses it and says what it refuses, DESIGN.md section 19).

use std::io::Read;
use std::path::Path;

use crate::failure::{Failure, code};

/// The observed text and the name errors show for it (the file, or `<stdin>`).
#[derive(Debug, Clone)]
pub struct Observed {
    /// What kubectl printed.
    pub text: String,
    /// The file as given, or `<stdin>` for `-`.
    pub name: String,
}

/// Read the observed text at `path` (`-`: standard input).
pub fn read(path: &Path) -> Result<Observed, Failure> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            Failure::new(
                code::IO_ERROR,
                format!("cannot read the observed objects from standard input: {e}"),
            )
        })?;
        return Ok(Observed {
            text,
            name: "<stdin>".to_string(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::io(path, "read --observed", e).hint(
            "save what `kubectl get <kinds> -o yaml` printed to that file, or pipe it in with --observed -",
        )
    })?;
    Ok(Observed {
        text,
        name: path.display().to_string(),
    })
}

/// Core locates errors in the observed text at `<observed>:line:column`; show the file the
/// user gave instead, with a hint about what the text must be.
pub fn locate(mut failure: Failure, name: Option<&str>) -> Failure {
    if let (Some(name), Some(at)) = (name, &failure.location) {
        if let Some(rest) = at.strip_prefix("<observed>") {
            failure.location = Some(format!("{name}{rest}"));
            failure.hint = Some(
                "--observed takes what `kubectl get <kinds> -o yaml` (or `-o json`) printed: a List, one object, or a stream of them"
                    .to_string(),
            );
        }
    }
    failure
}
