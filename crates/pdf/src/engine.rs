//! The typst engine: templates and fonts compiled in, data passed as JSON in `sys.inputs.data`.

use std::fmt::Write as _;
use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Dict, IntoValue};
use typst::syntax::{DiagSpanKind, Source};
use typst_as_lib::conversions::IntoSource;
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;

use crate::PdfError;

/// The `.typ` files, by the virtual path they have for `#import`.
const TEMPLATES: [(&str, &str); 5] = [
    ("common.typ", include_str!("../templates/common.typ")),
    ("decision.typ", include_str!("../templates/decision.typ")),
    ("certificates.typ", include_str!("../templates/certificates.typ")),
    ("replies.typ", include_str!("../templates/replies.typ")),
    ("monitoring.typ", include_str!("../templates/monitoring.typ")),
];

/// Liberation Serif 2.1.5 (SIL OFL 1.1, see `fonts/OFL.txt`): metric-compatible with Times New
/// Roman, full Vietnamese coverage.
const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

#[derive(Debug, Clone, Copy)]
pub(crate) enum Template {
    Decision,
    Certificates,
    Replies,
    Monitoring,
}

impl Template {
    fn file(self) -> &'static str {
        match self {
            Template::Decision => "decision.typ",
            Template::Certificates => "certificates.typ",
            Template::Replies => "replies.typ",
            Template::Monitoring => "monitoring.typ",
        }
    }

    /// Names the document in error messages.
    fn document(self) -> &'static str {
        match self {
            Template::Decision => "decision (Mẫu 02)",
            Template::Certificates => "certificates (Mẫu 03)",
            Template::Replies => "written replies to applications",
            Template::Monitoring => "monitoring report",
        }
    }
}

pub(crate) struct Engine {
    typst: TypstEngine,
    sources: Vec<Source>,
}

/// Built once: parsing the fonts and the templates is the costly part of the first document.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::new(&TEMPLATES));

/// A typeset document and the warnings typst gave on the way (the tests require the templates to
/// compile without any; in use they are logged).
#[derive(Debug)]
pub(crate) struct Rendered {
    pub document: &'static str,
    pub pdf: Vec<u8>,
    pub warnings: Vec<String>,
}

impl Rendered {
    /// The PDF, after logging typst's warnings (a template edit that typst frowns upon).
    pub(crate) fn into_pdf(self) -> Vec<u8> {
        for warning in &self.warnings {
            tracing::warn!(document = self.document, %warning, "typst warning");
        }
        self.pdf
    }
}

pub(crate) fn render<T: Serialize>(template: Template, data: &T) -> Result<Rendered, PdfError> {
    ENGINE.render(template.file(), template.document(), data)
}

impl Engine {
    /// An engine over the given `(virtual path, typst source)` files and the compiled-in fonts.
    pub(crate) fn new(templates: &[(&str, &str)]) -> Self {
        let sources: Vec<Source> = templates.iter().map(|&(path, text)| (path, text).into_source()).collect();
        let typst = TypstEngine::builder().fonts(FONTS).with_static_source_file_resolver(sources.clone()).build();
        Engine { typst, sources }
    }

    /// Compiles `file` with `data` as JSON in `sys.inputs.data`, then writes the PDF.
    pub(crate) fn render<T: Serialize>(
        &self,
        file: &str,
        document: &'static str,
        data: &T,
    ) -> Result<Rendered, PdfError> {
        let json = serde_json::to_string(data).map_err(|source| PdfError::Data { document, source })?;
        let mut inputs = Dict::new();
        inputs.insert("data".into(), json.into_value());

        let compiled = self.typst.compile_with_input::<_, _, PagedDocument>(file, inputs);
        let warnings = compiled.warnings.iter().map(|d| self.describe(d)).collect();
        let doc = compiled.output.map_err(|e| match e {
            TypstAsLibError::TypstSource(diags) => {
                PdfError::Typeset { document, diagnostics: self.describe_all(diags.iter()) }
            }
            other => PdfError::Setup { document, message: other.to_string() },
        })?;
        let pdf = typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
            .map_err(|diags| PdfError::Export { document, diagnostics: self.describe_all(diags.iter()) })?;
        Ok(Rendered { document, pdf, warnings })
    }

    fn describe_all<'a>(&self, diags: impl Iterator<Item = &'a SourceDiagnostic>) -> String {
        diags.filter(|d| d.severity == Severity::Error).map(|d| self.describe(d)).collect::<Vec<_>>().join("\n")
    }

    /// "decision.typ:12:5: unknown variable: x (hint: …)".
    fn describe(&self, d: &SourceDiagnostic) -> String {
        let mut out = String::new();
        if let Some(at) = self.locate(d) {
            out.push_str(&at);
            out.push_str(": ");
        }
        out.push_str(&d.message);
        for hint in &d.hints {
            let _ = write!(out, " (hint: {})", hint.v);
        }
        out
    }

    fn locate(&self, d: &SourceDiagnostic) -> Option<String> {
        let (id, range) = match d.span.get() {
            DiagSpanKind::Detached => return None,
            DiagSpanKind::Number { id, num, sub_range } => {
                let source = self.sources.iter().find(|s| s.id() == id)?;
                (id, source.range(num, sub_range)?)
            }
            DiagSpanKind::Range { id, range } => (id, range),
        };
        let name = id.vpath().get_without_slash().to_owned();
        let source = self.sources.iter().find(|s| s.id() == id);
        match source.and_then(|s| s.lines().byte_to_line_column(range.start)) {
            Some((line, column)) => Some(format!("{name}:{}:{}", line + 1, column + 1)),
            None => Some(name),
        }
    }
}
