//! How the command prints: aligned tables, colour only where it can be seen (anstream: a
//! terminal, `NO_COLOR` unset, or `--color always`), JSON for programs, and a progress line on
//! a terminal's standard error while a slow read runs.

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};

/// Styles of the output.
pub mod style {
    use super::*;
    /// Table headers.
    pub const HEADER: Style = Style::new().bold().underline();
    /// Something that moved, or is allowed.
    pub const GOOD: Style = AnsiColor::Green.on_default();
    /// Skipped, waiting.
    pub const WARN: Style = AnsiColor::Yellow.on_default();
    /// Failed, locked.
    pub const BAD: Style = AnsiColor::Red.on_default();
    /// Secondary text.
    pub const DIM: Style = Style::new().dimmed();
    /// Headings.
    pub const TITLE: Style = Style::new().bold();
}

/// One table cell: its text and style.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    text: String,
    style: Style,
}

impl Cell {
    /// A cell in `style`.
    pub fn styled(text: impl Into<String>, style: Style) -> Cell {
        Cell {
            text: text.into(),
            style,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell {
            text,
            style: Style::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

/// A table whose columns are aligned on the widest cell; the last column is not padded.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row (as many cells as headers).
    pub fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    /// Whether the table has no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, with ANSI styles (anstream strips them where colour is off).
    pub fn render(&self) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(&cell.text));
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: &mut dyn Iterator<Item = (String, Style)>| {
            let mut text = String::new();
            let cells: Vec<(String, Style)> = cells.collect();
            let last = cells.len().saturating_sub(1);
            for (i, (cell, style)) in cells.into_iter().enumerate() {
                let pad = if i == last { 0 } else { widths[i] - width(&cell) };
                if !cell.is_empty() {
                    text.push_str(&format!("{style}{cell}{style:#}"));
                }
                text.push_str(&" ".repeat(pad));
                if i != last {
                    text.push_str("  ");
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(
            &mut out,
            &mut self.headers.iter().map(|h| (h.clone(), style::HEADER)),
        );
        for row in &self.rows {
            line(&mut out, &mut row.iter().map(|c| (c.text.clone(), c.style)));
        }
        out
    }
}

/// Print to standard output through anstream (styles stripped where colour is off).
pub fn print(text: &str) {
    let mut out = anstream::stdout();
    // A closed pipe (`relman status | head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// `text` in `style`, for [`print`].
pub fn paint(text: &str, style: Style) -> String {
    format!("{style}{text}{style:#}")
}

/// Print a value as pretty JSON on standard output.
pub fn json(value: &impl serde::Serialize) {
    let text = serde_json::to_string_pretty(value).expect("the command's values serialise");
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// A progress line on standard error, shown only when standard error is a terminal (never in
/// CI logs or pipes); cleared when dropped.
pub struct Progress {
    shown: bool,
}

impl Progress {
    /// Show `what` (`reading history of main`), if standard error is a terminal.
    pub fn start(what: &str) -> Progress {
        let shown = std::io::stderr().is_terminal() && std::env::var_os("RELMAN_NO_PROGRESS").is_none();
        if shown {
            let mut err = anstream::stderr();
            let _ = write!(err, "{}", paint(&format!("… {what}"), style::DIM));
            let _ = err.flush();
        }
        Progress { shown }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_trailing_spaces_after_empty_styled_cells() {
        let mut t = Table::new(&["A", "B"]);
        t.row(vec!["x".into(), Cell::styled("", style::BAD)]);
        assert_eq!(anstream::adapter::strip_str(&t.render()).to_string(), "A  B\nx\n");
        assert!(!t.render().lines().nth(1).unwrap().ends_with(' '));
    }

    #[test]
    fn columns_align_on_the_widest_cell() {
        let mut t = Table::new(&["A", "LONGER"]);
        t.row(vec!["wide cell".into(), "x".into()]);
        t.row(vec!["b".into(), "y".into()]);
        let plain = anstream::adapter::strip_str(&t.render()).to_string();
        assert_eq!(plain, "A          LONGER\nwide cell  x\nb          y\n");
    }
}
