//! Property tests (proptest) for the invariants DESIGN.md section 13 names: image references
//! round-trip, the reader never panics, a no-op edit returns identical bytes, and an image
//! edit changes exactly the image scalar whatever the surrounding style.

use proptest::prelude::*;
use relman::{ImageRef, Options, set_image};

/// Valid image references assembled from the grammar's parts.
fn reference() -> impl Strategy<Value = String> {
    let component = "[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?";
    let domain = prop_oneof![
        Just(String::new()),
        Just("docker.io/".to_string()),
        Just("localhost:5000/".to_string()),
        "[a-z]{1,6}\\.(io|com|dev)/".prop_map(|s| s),
    ];
    let path = proptest::collection::vec(component, 1..4).prop_map(|parts| parts.join("/"));
    let tag = proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}");
    let digest = proptest::option::of("[0-9a-f]{64}".prop_map(|h| format!("sha256:{h}")));
    (domain, path, tag, digest).prop_map(|(d, p, t, g)| {
        let mut s = format!("{d}{p}");
        if let Some(t) = t {
            s.push(':');
            s.push_str(&t);
        }
        if let Some(g) = g {
            s.push('@');
            s.push_str(&g);
        }
        s
    })
}

/// How the generated manifest is written.
#[derive(Debug, Clone)]
struct Style {
    indent: usize,
    dash_indented: bool,
    quote: u8,
    comment: bool,
    crlf: bool,
    final_newline: bool,
    leading: bool,
    flow_container: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (
        1usize..5,
        any::<bool>(),
        0u8..3,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(indent, dash_indented, quote, comment, crlf, final_newline, leading, flow_container)| Style {
                indent,
                dash_indented,
                quote,
                comment,
                crlf,
                final_newline,
                leading,
                flow_container,
            },
        )
}

fn token(image: &str, quote: u8) -> String {
    match quote {
        0 => relman::__private::yaml::render(image, relman::__private::yaml::ScalarStyle::Plain, false).0,
        1 => format!("'{image}'"),
        _ => format!("\"{image}\""),
    }
}

/// A Deployment written in `style`, with `image` as the `app` container's image; returns the
/// text with the image token replaced by `{IMAGE}` so a test can fill it in.
fn manifest(style: &Style, name: &str) -> String {
    let i = " ".repeat(style.indent);
    let d = if style.dash_indented {
        i.clone()
    } else {
        String::new()
    };
    let mut lines = Vec::new();
    if style.leading {
        lines.push("# a comment before everything".to_string());
        lines.push("---".to_string());
    }
    lines.push("apiVersion: apps/v1".to_string());
    lines.push("kind: Deployment".to_string());
    lines.push("metadata:".to_string());
    lines.push(format!("{i}name: {name}   # the name"));
    lines.push("spec:".to_string());
    lines.push(format!("{i}template:"));
    lines.push(format!("{i}{i}spec:"));
    lines.push(format!("{i}{i}{i}containers:"));
    let c = format!("{i}{i}{i}{d}");
    if style.flow_container {
        lines.push(format!("{c}- {{name: app, image: {{IMAGE}}, args: [a, \"b\"]}}"));
    } else {
        lines.push(format!("{c}- name: app"));
        let comment = if style.comment { "  # pinned by CI" } else { "" };
        lines.push(format!("{c}  image: {{IMAGE}}{comment}"));
        lines.push(format!("{c}  args: [\"--port\", '8080']"));
    }
    lines.push(format!("{c}- name: sidecar"));
    lines.push(format!("{c}  image: busybox:1.36"));
    let lb = if style.crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(lb);
    if style.final_newline {
        text.push_str(lb);
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn references_round_trip(text in reference()) {
        let r = ImageRef::parse(&text).expect("generated references are valid");
        prop_assert_eq!(r.to_string(), text.clone());
        prop_assert_eq!(ImageRef::parse(&r.to_string()).unwrap(), r);
    }

    #[test]
    fn the_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = relman::list_images(&text, &Options::default());
        let _ = relman::__private::yaml::Stream::parse(&text, &relman::__private::yaml::Arena::new());
    }

    #[test]
    fn the_reader_never_panics_on_yaml_like_text(text in "([a-z]{0,5}(: |- |:|\\{|\\}|\\[|\\]|, |#| |'|\"|&a |\\*a|\\||>|\n|  |---|\\.\\.\\.)){0,60}") {
        let _ = relman::list_images(&text, &Options::default());
    }

    #[test]
    fn noop_and_image_edits_change_only_the_scalar(
        style in style(),
        old in reference(),
        new in reference(),
        name in "[a-z]{1,8}",
    ) {
        let template = manifest(&style, &name);
        let mut quote = if style.flow_container { 2 } else { style.quote };
        let before = template.replace("{IMAGE}", &token(&old, quote));
        if token(&old, quote).starts_with('"') {
            // A plain value that had to be double-quoted (`y`, `1`) is double-quoted now: the
            // edit keeps that style.
            quote = 2;
        }
        let workload = format!("default:deployment/{name}");
        // A no-op edit returns identical bytes.
        prop_assert_eq!(set_image(&before, &workload, "app", &old, &Options::default()).unwrap(), before.clone());
        // An image edit changes exactly the scalar, keeping its quote style.
        let after = set_image(&before, &workload, "app", &new, &Options::default()).unwrap();
        prop_assert_eq!(after.clone(), template.replace("{IMAGE}", &token(&new, quote)));
        // And is idempotent.
        prop_assert_eq!(set_image(&after, &workload, "app", &new, &Options::default()).unwrap(), after);
    }
}
