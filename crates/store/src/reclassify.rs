//! Re-classification of a period's stored answers under a standard (*tính lại*): the official
//! standard after a correction, or another one as a "what-if" (how many households would change
//! class if the 2027–2030 lines applied today). Results are stored beside the official ones,
//! keyed by standard.

use crate::bulk::{TableBuffer, Write, Writes};
use crate::classification;
use crate::db::Engine;
use crate::db::{on_conn, on_pool};
use crate::error::{Result, StoreError};
use crate::period::Period;
use crate::rows::{MemberRow, SURVEY_SELECT, SurveyRow};
use crate::scope::Registry;
use crate::sql::{Arg, Sql, bound};
use futures_util::TryStreamExt;
use vuonlen_core::{Class, Standard, classify};

/// Households by (official class, class under the standard), indexed like [`Class::ALL`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReclassifySummary {
    pub households: u64,
    /// Households the standard cannot classify (e.g. score A only, no anchor).
    pub unclassified: u64,
    pub matrix: [[u64; 4]; 4],
}

impl ReclassifySummary {
    /// Households whose class differs from the official one.
    pub fn changed(&self) -> u64 {
        (0..4).flat_map(|i| (0..4).map(move |j| (i, j))).filter(|(i, j)| i != j).map(|(i, j)| self.matrix[i][j]).sum()
    }
}

#[derive(Debug, sqlx::FromRow)]
struct SurveyWithId {
    hid: i64,
    #[sqlx(flatten)]
    survey: SurveyRow,
}

/// The members of each household of the period in one row, ordered by household: their
/// fields joined by U+001F, members by U+001E. Reading a million households this way hands
/// over a million rows instead of 3.6 million, and SQLite's per-row cost through sqlx
/// dominated the re-classification (docs/benchmarks.md §4).
fn packed_members_sql(engine: Engine, period: i64, scope: &Sql) -> Sql {
    let fields = [
        "m.member_no",
        "m.relation",
        "m.sex",
        "m.birth_date",
        "m.birth_year_only",
        "m.ethnicity",
        "m.health_insurance",
        "m.employment",
        "m.able_to_work",
        "m.education",
        "m.in_school",
        "COALESCE(CAST(m.school_on_track AS TEXT), '')",
        "COALESCE(CAST(m.malnourished AS TEXT), '')",
        "m.disability",
        "m.social_allowance",
        "m.merit",
    ];
    let (open, separator, close) = match engine {
        Engine::Sqlite => ("group_concat(", " || char(31) || ", ", char(30) ORDER BY m.member_no)"),
        Engine::Postgres => ("string_agg(concat_ws(chr(31), ", ", ", "), chr(30) ORDER BY m.member_no)"),
    };
    let mut q = Sql::with_args([Arg::Int(period)]);
    q.push("SELECT m.household_id, ").push(open);
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            q.push(separator);
        }
        q.push(f);
    }
    q.push(close)
        .push(
            " FROM member m \
         JOIN survey s ON s.period = m.period AND s.household_id = m.household_id \
         WHERE m.period = $1 AND ",
        )
        .append(scope)
        .push(" GROUP BY m.household_id ORDER BY m.household_id");
    q
}

/// The members packed by [`packed_members_sql`] (names and ID numbers are not read).
fn unpack_members(packed: &str, out: &mut Vec<MemberRow>) -> Result<()> {
    let bad = || StoreError::Invalid(format!("stored members '{packed}' cannot be read back"));
    let int = |v: &str| v.parse::<i64>().map_err(|_| bad());
    let opt = |v: &str| if v.is_empty() { Ok(None) } else { int(v).map(Some) };
    for member in packed.split('\u{1e}') {
        let f: Vec<&str> = member.split('\u{1f}').collect();
        let [
            no,
            relation,
            sex,
            birth_date,
            year_only,
            ethnicity,
            insurance,
            employment,
            able,
            education,
            in_school,
            on_track,
            malnourished,
            disability,
            allowance,
            merit,
        ] = f[..]
        else {
            return Err(bad());
        };
        out.push(MemberRow {
            member_no: int(no)?,
            full_name: String::new(),
            relation: relation.to_string(),
            sex: sex.to_string(),
            birth_date: birth_date.to_string(),
            birth_year_only: int(year_only)?,
            ethnicity: ethnicity.to_string(),
            id_number: None,
            health_insurance: int(insurance)?,
            employment: employment.to_string(),
            able_to_work: int(able)?,
            education: education.to_string(),
            in_school: int(in_school)?,
            school_on_track: opt(on_track)?,
            malnourished: opt(malnourished)?,
            disability: disability.to_string(),
            social_allowance: int(allowance)?,
            merit: int(merit)?,
        });
    }
    Ok(())
}

impl Registry {
    /// Classifies every household of `period` in the scope under `std` at the period's
    /// reference date, replacing earlier results of that standard, in one transaction.
    pub async fn reclassify(&self, period: &Period, std: &Standard) -> Result<ReclassifySummary> {
        let scope = self.scope.sql("s");
        let mut ssql = Sql::with_args([Arg::Int(period.year)]);
        ssql.push("SELECT s.household_id AS hid, ")
            .push(SURVEY_SELECT)
            .push(" FROM survey s LEFT JOIN village v ON v.id = s.village_id WHERE s.period = $1 AND ")
            .append(&scope)
            .push(" ORDER BY s.household_id");
        let msql = packed_members_sql(self.db.engine(), period.year, &scope);
        let mut tx = self.db.begin().await?;
        let mut delete = Sql::with_args([Arg::Int(period.year), Arg::from(&std.id)]);
        delete
            .push(
                "DELETE FROM classification WHERE period = $1 AND standard_id = $2 AND household_id IN \
                 (SELECT s.household_id FROM survey s WHERE s.period = $1 AND ",
            )
            .append(&scope)
            .push(")");
        on_conn!(&mut tx, c => bound!(query, delete).execute(c).await?.rows_affected());
        let mut out = TableBuffer::new(tx.engine(), "classification", classification::COLUMNS);
        // A task writes the results while the stored answers are read and classified.
        let (to_writer, mut writes) = tokio::sync::mpsc::channel::<Write>(2);
        let writer = tokio::spawn(async move {
            let mut r = Ok(());
            while let Some(w) = writes.recv().await {
                if r.is_ok() {
                    r = Writes(vec![w]).apply(&mut tx).await;
                }
            }
            (tx, r)
        });
        let send = |w: Option<Write>| {
            let to_writer = to_writer.clone();
            async move {
                match w {
                    Some(w) => {
                        to_writer.send(w).await.map_err(|_| StoreError::Invalid("the writing task stopped".into()))
                    }
                    None => Ok(()),
                }
            }
        };
        let mut summary = ReclassifySummary::default();
        let now = crate::now();
        on_pool!(self.db, p => {
            let mut surveys = bound!(query_as::<_, SurveyWithId>, ssql).fetch(p);
            let mut members = bound!(query_as::<_, (i64, String)>, msql).fetch(p);
            let mut pending: Option<(i64, String)> = None;
            let mut ms: Vec<MemberRow> = Vec::new();
            while let Some(s) = surveys.try_next().await? {
                ms.clear();
                loop {
                    let m = match pending.take() {
                        Some(m) => m,
                        None => match members.try_next().await? {
                            Some(m) => m,
                            None => break,
                        },
                    };
                    if m.0 < s.hid {
                        continue;
                    }
                    if m.0 > s.hid {
                        pending = Some(m);
                        break;
                    }
                    unpack_members(&m.1, &mut ms)?;
                }
                let hh = s.survey.to_household(&ms)?;
                summary.households += 1;
                match classify(std, &hh, period.reference_date) {
                    Ok(c) => {
                        out.push(classification::values(
                            period.year,
                            s.hid,
                            &std.id,
                            &c,
                            &hh,
                            s.survey.causes_mask(),
                            period.reference_date,
                            &now,
                        ));
                        if out.rows() >= 20_000 {
                            send(out.take()).await?;
                        }
                    }
                    Err(_) => summary.unclassified += 1,
                }
            }
        });
        send(out.take()).await?;
        drop(to_writer);
        let (mut tx, written) =
            writer.await.map_err(|e| StoreError::Invalid(format!("the writing task failed: {e}")))?;
        written?;
        let mut pairs_sql = Sql::with_args([Arg::Int(period.year), Arg::from(&period.standard_id), Arg::from(&std.id)]);
        pairs_sql
            .push(
                "SELECT a.class, b.class, COUNT(*) FROM classification a \
             JOIN classification b ON b.period = a.period AND b.household_id = a.household_id \
             JOIN survey s ON s.period = a.period AND s.household_id = a.household_id \
             WHERE a.period = $1 AND a.standard_id = $2 AND b.standard_id = $3 AND ",
            )
            .append(&scope)
            .push(" GROUP BY a.class, b.class");
        let pairs: Vec<(String, String, i64)> = on_conn!(&mut tx, c => bound!(query_as, pairs_sql).fetch_all(c).await?);
        for (a, b, n) in pairs {
            let (Some(a), Some(b)) = (Class::parse(&a), Class::parse(&b)) else {
                return Err(StoreError::Invalid(format!("stored class '{a}'/'{b}' is not valid")));
            };
            summary.matrix[a as usize][b as usize] += u64::try_from(n).unwrap_or(0);
        }
        crate::tally::bump(&mut tx, period.year, &crate::tally::Changed::Everything).await?;
        tx.commit().await?;
        Ok(summary)
    }
}
