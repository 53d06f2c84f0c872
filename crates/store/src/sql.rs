//! Statements put together at run time — a scope's codes, a list's filters, a page of a search
//! — with every value bound (issue 11, authorization by construction).
//!
//! A [`Sql`] takes text only as `&'static str` pieces; each value goes into its list of
//! arguments and the text gets a placeholder numbered by the builder (`$n`, which SQLite
//! reads as PostgreSQL does). A value therefore cannot reach a statement's text through it,
//! and the one place a built text is handed to sqlx is the [`bound!`] macro here.

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    Bool(bool),
    /// A NULL of an integer column.
    NullInt,
    /// A NULL of a text column.
    NullText,
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Arg::NullInt, Arg::Int)
    }
}

impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Arg::NullText, |s| Arg::Text(s.to_string()))
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<u64> for Arg {
    /// Counts (limits, offsets): past `i64::MAX` read as `i64::MAX`.
    fn from(v: u64) -> Self {
        Arg::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(&'static str),
    Arg(Arg),
}

/// A statement, or a piece of one, as fixed text and bound values in order.
///
/// A statement's leading arguments ([`Sql::with_args`]) are `$1, $2, …`, which its fixed text
/// (and the fixed text of the pieces [`Sql::append`]ed to it) may name directly; the values
/// bound after them are numbered on from there, in the order they come in the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sql {
    leading: Vec<Arg>,
    parts: Vec<Part>,
}

impl Sql {
    /// An empty piece.
    pub(crate) fn new() -> Sql {
        Sql::default()
    }

    /// A statement whose first arguments, `$1, $2, …`, are `args`.
    pub(crate) fn with_args<I: IntoIterator<Item = Arg>>(args: I) -> Sql {
        Sql { leading: args.into_iter().collect(), parts: Vec::new() }
    }

    /// Appends fixed text.
    pub(crate) fn push(&mut self, text: &'static str) -> &mut Sql {
        self.parts.push(Part::Text(text));
        self
    }

    /// Appends a placeholder bound to `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Arg>) -> &mut Sql {
        self.parts.push(Part::Arg(value.into()));
        self
    }

    /// Appends placeholders bound to `values`, separated by commas.
    pub(crate) fn bind_list<I: IntoIterator<Item = A>, A: Into<Arg>>(&mut self, values: I) -> &mut Sql {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self
    }

    /// Appends a piece (which has no leading arguments of its own).
    pub(crate) fn append(&mut self, piece: &Sql) -> &mut Sql {
        debug_assert!(piece.leading.is_empty(), "a piece has no leading arguments");
        self.parts.extend(piece.parts.iter().cloned());
        self
    }

    /// Appends `pieces`, separated by `separator`.
    pub(crate) fn append_joined<'a, I: IntoIterator<Item = &'a Sql>>(
        &mut self,
        pieces: I,
        separator: &'static str,
    ) -> &mut Sql {
        for (i, p) in pieces.into_iter().enumerate() {
            if i > 0 {
                self.push(separator);
            }
            self.append(p);
        }
        self
    }

    /// The values bound, in placeholder order (the leading arguments first).
    pub(crate) fn args(&self) -> impl Iterator<Item = &Arg> {
        self.leading.iter().chain(self.parts.iter().filter_map(|p| match p {
            Part::Arg(a) => Some(a),
            Part::Text(_) => None,
        }))
    }

    /// The text, with its placeholders numbered.
    pub(crate) fn text(&self) -> String {
        let mut out = String::with_capacity(self.parts.len() * 16);
        let mut n = self.leading.len();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Arg(_) => {
                    n += 1;
                    out.push('$');
                    out.push_str(itoa::Buffer::new().format(n));
                }
            }
        }
        out
    }
}

/// Appends `s` as a JSON string (for a JSON array bound as one value: SQLite's `json_each`).
pub(crate) fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[(u32::from(c) >> 4) as usize]));
                out.push(char::from(b"0123456789abcdef"[(u32::from(c) & 15) as usize]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The ids as one JSON array, `[1,2,3]` (SQLite: `IN (SELECT value FROM json_each($n))`).
pub(crate) fn json_ids(ids: impl IntoIterator<Item = i64>) -> String {
    let mut out = String::from("[");
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(itoa::Buffer::new().format(id));
    }
    out.push(']');
    out
}

/// A set of ids bound as one value, to follow a column: `= ANY(CAST($n AS BIGINT[]))` on
/// PostgreSQL (an array), `IN (SELECT value FROM json_each($n))` on SQLite (a JSON array). One
/// placeholder whatever the set's size — one prepared statement for every size, and none of the
/// cost of thousands of placeholders (PostgreSQL parses and plans each; SQLite looks each
/// numbered one up in a list).
pub(crate) fn in_ids(engine: crate::db::Engine, ids: impl IntoIterator<Item = i64>) -> Sql {
    let mut q = Sql::new();
    match engine {
        crate::db::Engine::Postgres => {
            let mut array = String::from("{");
            for (i, id) in ids.into_iter().enumerate() {
                if i > 0 {
                    array.push(',');
                }
                array.push_str(itoa::Buffer::new().format(id));
            }
            array.push('}');
            q.push(" = ANY(CAST(").bind(array).push(" AS BIGINT[]))");
        }
        crate::db::Engine::Sqlite => {
            q.push(" IN (SELECT value FROM json_each(").bind(json_ids(ids)).push("))");
        }
    }
    q
}

/// A set of texts bound as one JSON array, to follow a column: `IN (SELECT value FROM
/// json_each($n))` on SQLite, `IN (SELECT jsonb_array_elements_text(CAST($n AS JSONB)))` on
/// PostgreSQL (see [`in_ids`]).
pub(crate) fn in_texts<'a>(engine: crate::db::Engine, texts: impl IntoIterator<Item = &'a str>) -> Sql {
    let mut json = String::from("[");
    for (i, t) in texts.into_iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json_string(&mut json, t);
    }
    json.push(']');
    let mut q = Sql::new();
    match engine {
        crate::db::Engine::Postgres => {
            q.push(" IN (SELECT jsonb_array_elements_text(CAST(").bind(json).push(" AS JSONB)))");
        }
        crate::db::Engine::Sqlite => {
            q.push(" IN (SELECT value FROM json_each(").bind(json).push("))");
        }
    }
    q
}

/// `sqlx::$kind` (`query`, `query_as`, `query_scalar`, with or without a turbofish) of a [`Sql`] with its values bound.
/// Inside [`on_pool!`](crate::db::on_pool) or [`on_conn!`](crate::db::on_conn), which expand
/// it once per engine; `$sql` must outlive the query.
macro_rules! bound {
    ($kind:ident $(::<$($t:ty),+>)?, $sql:expr) => {{
        let sql: &$crate::sql::Sql = &$sql;
        // SQL shape only: fixed `&'static str` pieces and the placeholders `Sql` numbered.
        let mut q = sqlx::$kind$(::<$($t),+>)?(sqlx::AssertSqlSafe(sql.text()));
        for a in sql.args() {
            q = match a {
                $crate::sql::Arg::Int(v) => q.bind(*v),
                $crate::sql::Arg::Text(v) => q.bind(v.as_str()),
                $crate::sql::Arg::Bool(v) => q.bind(*v),
                $crate::sql::Arg::NullInt => q.bind(None::<i64>),
                $crate::sql::Arg::NullText => q.bind(None::<&str>),
            };
        }
        q
    }};
}
pub(crate) use bound;

#[cfg(test)]
mod tests {
    use super::{Arg, Sql};
    use std::path::{Path, PathBuf};

    /// The text without its placeholders (`$n`).
    fn without_placeholders(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read src") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }

    /// Every text handed to sqlx unchecked says what it interpolates, in a `SQL shape only: …`
    /// comment on its line or the 3 lines above — and it may only be the statement's shape.
    /// (The needles are split so that this test's own lines do not match.)
    #[test]
    fn every_unchecked_statement_says_what_it_interpolates() {
        let needles =
            [concat!("AssertSql", "Safe"), concat!("execute_admin(&", "format!"), concat!("format!(\"", "COPY ")];
        let marker = concat!("SQL shape ", "only: ");
        let mut files = Vec::new();
        rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let (mut sites, mut unmarked) = (0, Vec::new());
        for f in &files {
            let text = std::fs::read_to_string(f).expect("read");
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if line.trim_start().starts_with("//") || !needles.iter().any(|n| line.contains(n)) {
                    continue;
                }
                sites += 1;
                if !lines[i.saturating_sub(3)..=i].iter().any(|l| l.contains(marker)) {
                    unmarked.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(sites >= 4, "the scan found the known sites ({sites})");
        assert!(unmarked.is_empty(), "statements without a `{marker}…` comment:\n{}", unmarked.join("\n"));
    }

    /// The scope's and a report's unit predicates carry their codes as bound values only.
    #[test]
    fn unit_predicates_quote_no_code() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for f in ["scope.rs", "select.rs"] {
            let text = std::fs::read_to_string(src.join(f)).expect("read");
            assert!(!text.contains(concat!("format!(\"'", "{")), "{f} quotes a value into SQL");
        }
        let scope = crate::Scope::units(["01", "14", "00004", "04000"]).expect("scope");
        let mut pieces = vec![scope.sql("s")];
        for unit in ["VN", "01", "001", "00004", "2024:00004", "2024:01"] {
            pieces.push(crate::Selection::parse(unit).expect(unit).filter);
        }
        for q in pieces {
            let shape = without_placeholders(&q.text()).replace("'2024'", "");
            assert!(!shape.contains(|c: char| c.is_ascii_digit() && c != '0' && c != '1'), "{}", q.text());
            assert!(!shape.contains('\'') && !shape.contains("00"), "{}", q.text());
            assert_eq!(q.args().count(), q.text().matches('$').count(), "{}", q.text());
        }
    }

    #[test]
    fn placeholders_follow_the_leading_arguments() {
        let mut piece = Sql::new();
        piece.push("s.a IN (").bind_list(["x", "y"]).push(")");
        let mut q = Sql::with_args([Arg::Int(2025), Arg::from("s")]);
        q.push("SELECT 1 FROM t s WHERE s.period = $1 AND ").append(&piece).push(" LIMIT ").bind(10u64);
        assert_eq!(q.text(), "SELECT 1 FROM t s WHERE s.period = $1 AND s.a IN ($3, $4) LIMIT $5");
        let args: Vec<&Arg> = q.args().collect();
        assert_eq!(args, [&Arg::Int(2025), &Arg::from("s"), &Arg::from("x"), &Arg::from("y"), &Arg::Int(10)]);
        let mut joined = Sql::new();
        joined.append_joined([&piece, &piece], " AND ");
        assert_eq!(joined.text(), "s.a IN ($1, $2) AND s.a IN ($3, $4)");
        assert_eq!(Arg::from(u64::MAX), Arg::Int(i64::MAX));
    }
}
