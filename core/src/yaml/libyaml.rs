//! The only place relman calls into libyaml (`unsafe-libyaml-norway`): a safe iterator of
//! parse events with byte spans.
//!
//! libyaml keeps a pointer to its input and a pointer to itself (as the read handler's data),
//! so the parser lives in a `Box` that never moves, and the input is borrowed for the parser's
//! whole life. Every event is copied into owned Rust data before the libyaml event is freed.
#![allow(unsafe_code)]

use std::mem::MaybeUninit;
use std::ptr::NonNull;

use super::node::ScalarStyle;

/// One parse event, with the byte offsets libyaml reports (counted after a BOM).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub kind: EventKind,
    /// Byte offset where the event starts (for a node: at its anchor or tag when it has one).
    pub start: usize,
    /// Byte offset where the event ends.
    pub end: usize,
    /// 0-based line of `start`.
    pub line: usize,
    /// 0-based column of `start`, in characters.
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EventKind {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias {
        anchor: String,
    },
    Scalar {
        anchor: Option<String>,
        tag: Option<String>,
        value: String,
        style: ScalarStyle,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
        flow: bool,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
        flow: bool,
    },
    MappingEnd,
}

/// A libyaml syntax error: its problem text and 0-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// A safe iterator of events over a borrowed input.
pub(crate) struct Parser<'input> {
    parser: NonNull<unsafe_libyaml_norway::yaml_parser_t>,
    input: &'input [u8],
    done: bool,
}

impl<'input> Parser<'input> {
    /// A parser over `input` (the text without its BOM; offsets are relative to it).
    pub fn new(input: &'input [u8]) -> Parser<'input> {
        let boxed: Box<MaybeUninit<unsafe_libyaml_norway::yaml_parser_t>> = Box::new(MaybeUninit::uninit());
        let raw = Box::into_raw(boxed).cast::<unsafe_libyaml_norway::yaml_parser_t>();
        // SAFETY: `raw` points to a live, writable allocation of the right size and alignment
        // that nothing else references. `yaml_parser_initialize` fully initialises it (it
        // zeroes the struct before use). It only fails on allocation failure, which aborts in
        // this port, so the parser is initialised afterwards.
        let ok = unsafe { unsafe_libyaml_norway::yaml_parser_initialize(raw) };
        assert!(ok.ok, "libyaml parser initialisation failed");
        // SAFETY: the parser was just initialised and has no input yet. libyaml stores the
        // pointer and length of `input`; `input` is borrowed for `'input`, which outlives the
        // parser (Drop deletes the parser before the borrow ends), and it is never written
        // through. The parser is boxed and its address never changes, as libyaml requires for
        // the self-pointer it keeps as read-handler data. libyaml needs a non-null pointer,
        // which a slice always provides, even when empty.
        unsafe {
            unsafe_libyaml_norway::yaml_parser_set_input_string(raw, input.as_ptr(), input.len() as u64)
        };
        Parser {
            // SAFETY: `raw` comes from `Box::into_raw`, which never returns null.
            parser: unsafe { NonNull::new_unchecked(raw) },
            input,
            done: false,
        }
    }

    fn error(&self) -> SyntaxError {
        // SAFETY: the parser is initialised (so a shared reference to it is valid; nothing else
        // accesses it meanwhile) and reported a failure, so `problem` is either null or a
        // pointer to a static NUL-terminated string, as is `context`.
        let (problem, mark, context, context_mark, reader_offset) = unsafe {
            let parser: &unsafe_libyaml_norway::yaml_parser_t = self.parser.as_ref();
            (
                c_text(parser.problem),
                parser.problem_mark,
                c_text(parser.context),
                parser.context_mark,
                (parser.error == unsafe_libyaml_norway::YAML_READER_ERROR)
                    .then_some(parser.problem_offset as usize),
            )
        };
        let mut message = problem.unwrap_or_else(|| "invalid YAML".to_string());
        if let Some(context) = context {
            message = format!("{message} {context}");
            // Where the construct being read started (an unterminated quote is reported at the
            // end of the text; its opening quote is what the reader needs to find).
            if (context_mark.line, context_mark.column) != (mark.line, mark.column) {
                let (line, column) = (context_mark.line + 1, context_mark.column + 1);
                message = format!("{message} that starts at line {line}, column {column}");
            }
        }
        // The reader (control characters, bad encoding) reports a byte offset, not a mark.
        let (line, column) = match reader_offset {
            Some(offset) => position(self.input, offset),
            None => (mark.line as usize, mark.column as usize),
        };
        SyntaxError {
            message,
            line,
            column,
        }
    }

    /// The input the parser reads.
    #[allow(dead_code)]
    pub fn input(&self) -> &'input [u8] {
        self.input
    }
}

/// The 0-based line and character column of byte `offset` in `input`.
fn position(input: &[u8], offset: usize) -> (usize, usize) {
    let before = &input[..offset.min(input.len())];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count();
    // Characters, not bytes: count the bytes that start a UTF-8 sequence.
    let column = before[line_start..].iter().filter(|&&b| b & 0xC0 != 0x80).count();
    (line, column)
}

/// Copy a static C string from libyaml.
///
/// # Safety
/// `ptr` must be null or point to a NUL-terminated string.
unsafe fn c_text(ptr: *const std::os::raw::c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: guaranteed by the caller.
    let c = unsafe { std::ffi::CStr::from_ptr(ptr) };
    Some(c.to_string_lossy().into_owned())
}

/// Copy an optional NUL-terminated libyaml string (an anchor or a tag).
///
/// # Safety
/// `ptr` must be null or point to a NUL-terminated string owned by a live event.
unsafe fn owned(ptr: *const u8) -> Option<String> {
    // SAFETY: guaranteed by the caller; the cast only changes the element type.
    unsafe { c_text(ptr.cast()) }
}

impl Iterator for Parser<'_> {
    type Item = Result<Event, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut raw = MaybeUninit::<unsafe_libyaml_norway::yaml_event_t>::uninit();
        // SAFETY: the parser is initialised and its input is alive (see `new`). On success
        // libyaml initialises `raw`; on failure it leaves the event empty and records the
        // error in the parser.
        let ok = unsafe { unsafe_libyaml_norway::yaml_parser_parse(self.parser.as_ptr(), raw.as_mut_ptr()) };
        if ok.fail {
            self.done = true;
            return Some(Err(self.error()));
        }
        // SAFETY: `yaml_parser_parse` succeeded, so the event is initialised.
        let mut raw = unsafe { raw.assume_init() };
        let ev = &raw;
        // SAFETY: each union field is read only for the event type libyaml documents it for,
        // and the strings it points to are owned by the event, alive until
        // `yaml_event_delete` below. The scalar value has `length` bytes.
        let kind = unsafe {
            match ev.type_ {
                unsafe_libyaml_norway::YAML_STREAM_START_EVENT => EventKind::StreamStart,
                unsafe_libyaml_norway::YAML_STREAM_END_EVENT => {
                    self.done = true;
                    EventKind::StreamEnd
                }
                unsafe_libyaml_norway::YAML_DOCUMENT_START_EVENT => EventKind::DocumentStart,
                unsafe_libyaml_norway::YAML_DOCUMENT_END_EVENT => EventKind::DocumentEnd,
                unsafe_libyaml_norway::YAML_ALIAS_EVENT => EventKind::Alias {
                    anchor: owned(ev.data.alias.anchor).unwrap_or_default(),
                },
                unsafe_libyaml_norway::YAML_SCALAR_EVENT => {
                    let s = ev.data.scalar;
                    let bytes = std::slice::from_raw_parts(s.value, s.length as usize);
                    EventKind::Scalar {
                        anchor: owned(s.anchor),
                        tag: owned(s.tag),
                        // libyaml reads UTF-8 input and writes UTF-8 values; the lossy path is
                        // only a fallback that never triggers for a `&str` input.
                        value: match std::str::from_utf8(bytes) {
                            Ok(v) => v.to_owned(),
                            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
                        },
                        style: match s.style {
                            unsafe_libyaml_norway::YAML_SINGLE_QUOTED_SCALAR_STYLE => {
                                ScalarStyle::SingleQuoted
                            }
                            unsafe_libyaml_norway::YAML_DOUBLE_QUOTED_SCALAR_STYLE => {
                                ScalarStyle::DoubleQuoted
                            }
                            unsafe_libyaml_norway::YAML_LITERAL_SCALAR_STYLE => ScalarStyle::Literal,
                            unsafe_libyaml_norway::YAML_FOLDED_SCALAR_STYLE => ScalarStyle::Folded,
                            _ => ScalarStyle::Plain,
                        },
                    }
                }
                unsafe_libyaml_norway::YAML_SEQUENCE_START_EVENT => {
                    let s = ev.data.sequence_start;
                    EventKind::SequenceStart {
                        anchor: owned(s.anchor),
                        tag: owned(s.tag),
                        flow: s.style == unsafe_libyaml_norway::YAML_FLOW_SEQUENCE_STYLE,
                    }
                }
                unsafe_libyaml_norway::YAML_SEQUENCE_END_EVENT => EventKind::SequenceEnd,
                unsafe_libyaml_norway::YAML_MAPPING_START_EVENT => {
                    let m = ev.data.mapping_start;
                    EventKind::MappingStart {
                        anchor: owned(m.anchor),
                        tag: owned(m.tag),
                        flow: m.style == unsafe_libyaml_norway::YAML_FLOW_MAPPING_STYLE,
                    }
                }
                unsafe_libyaml_norway::YAML_MAPPING_END_EVENT => EventKind::MappingEnd,
                _ => EventKind::StreamEnd,
            }
        };
        let event = Event {
            kind,
            start: ev.start_mark.index as usize,
            end: ev.end_mark.index as usize,
            line: ev.start_mark.line as usize,
            column: ev.start_mark.column as usize,
        };
        // SAFETY: `raw` was initialised by a successful parse and is deleted exactly once;
        // nothing borrowed from it outlives this call (all data was copied above).
        unsafe { unsafe_libyaml_norway::yaml_event_delete(&mut raw) };
        Some(Ok(event))
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: the parser was initialised in `new` and is deleted exactly once, here;
        // then the allocation made by `Box` is returned to a `Box` and freed.
        unsafe {
            unsafe_libyaml_norway::yaml_parser_delete(self.parser.as_ptr());
            drop(Box::from_raw(
                self.parser
                    .as_ptr()
                    .cast::<MaybeUninit<unsafe_libyaml_norway::yaml_parser_t>>(),
            ));
        }
    }
}
