//! The streaming join and its fallback: a members file out of household order gives the same
//! records as the ordered one.

use crate::common::*;
use vuonlen_io::ProblemKind::*;
use vuonlen_io::{HeaderStyle, HouseholdRecord, HouseholdSink, SinkError, Source};

#[test]
fn out_of_order_members_give_the_same_records_as_ordered_ones() {
    let (ordered, r1) = read_all(&csv("valid"), &opts(true, false));
    assert!(!r1.in_memory_join);
    let shuffled =
        Source::Csv { households: fixture("valid/households.csv"), members: fixture("valid/members_out_of_order.csv") };
    let (recs, r2) = read_all(&shuffled, &opts(true, false));
    assert!(r2.is_clean(), "{:#?}", r2.errors);
    assert!(r2.in_memory_join);
    assert_eq!(r2.warnings.len(), 1);
    assert_eq!(r2.warnings[0].kind, MembersOutOfOrder);
    assert_eq!(r2.warnings[0].file, "members_out_of_order.csv");
    assert_eq!(recs, ordered);
    assert_eq!((r2.households, r2.members, r2.valid_households), (3, 7, 3));
}

/// A sink that records how it was called.
#[derive(Default)]
struct Counting {
    records: Vec<HouseholdRecord>,
    batches: usize,
    resets: usize,
}

impl HouseholdSink for Counting {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        assert!(!batch.is_empty());
        self.batches += 1;
        self.records.extend(batch);
        Ok(())
    }
    fn reset(&mut self) -> Result<(), SinkError> {
        self.resets += 1;
        self.records.clear();
        Ok(())
    }
}

fn members_lines(src: &Source) -> (String, Vec<String>) {
    let Source::Csv { members, .. } = src else { panic!("a CSV source") };
    let text = std::fs::read_to_string(members).expect("read members");
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().expect("header");
    (header, lines.collect())
}

fn write_members(src: &Source, header: &str, lines: &[String]) {
    let Source::Csv { members, .. } = src else { panic!("a CSV source") };
    let mut text = header.to_string();
    for l in lines {
        text.push('\n');
        text.push_str(l);
    }
    text.push('\n');
    std::fs::write(members, text).expect("write members");
}

const N: usize = 5_000;

#[test]
fn members_far_ahead_of_their_household_fall_back_to_the_in_memory_join() {
    let dir = tempfile::tempdir().expect("temp dir");
    let recs: Vec<HouseholdRecord> = (0..N).map(sample).collect();
    let src = write_csv(dir.path(), &recs, HeaderStyle::English);
    let mut ordered = Counting::default();
    let report = vuonlen_io::read(&src, &opts(true, false), &mut ordered).expect("read");
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert!(!report.in_memory_join);
    assert_eq!(ordered.resets, 0);
    assert!(ordered.batches >= 2, "records come in batches");
    assert_eq!(ordered.records, recs, "the writer and the reader agree");

    // Move the members of the last household to the top: beyond the read-ahead window.
    let (header, mut lines) = members_lines(&src);
    let last: Vec<String> = lines.split_off(lines.len() - 2);
    let moved: Vec<String> = last.into_iter().chain(lines).collect();
    write_members(&src, &header, &moved);
    let mut sink = Counting::default();
    let report = vuonlen_io::read(&src, &opts(true, false), &mut sink).expect("read");
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert!(report.in_memory_join);
    assert_eq!(sink.resets, 1);
    assert_eq!(sink.records, recs);
}

#[test]
fn an_unknown_household_in_a_large_ordered_file_is_found_without_falling_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let recs: Vec<HouseholdRecord> = (0..N).map(sample).collect();
    let src = write_csv(dir.path(), &recs, HeaderStyle::English);
    let (header, mut lines) = members_lines(&src);
    // A member of a household that does not exist, early in the file, and a household whose
    // members are missing near the end.
    let ghost = lines[0].replacen("HH0000000", "GHOST", 1);
    lines.insert(5, ghost);
    let gone = recs[N - 10].household_code.clone();
    lines.retain(|l| !l.starts_with(&format!("{gone},")));
    write_members(&src, &header, &lines);

    let (got, report) = read_all(&src, &opts(false, true));
    assert!(!report.in_memory_join);
    assert_eq!(
        located(&report.errors),
        vec![
            (NoMembers, (N - 10 + 2) as u64, "household_id".to_string(), gone.clone()),
            (HouseholdNotFound, 7, "household_id".to_string(), "GHOST".to_string()),
        ]
    );
    assert_eq!(got.len(), N - 1);
    assert!(got.iter().all(|r| r.household_code != gone));
    assert_eq!(report.skipped_households, 1);
}

/// A sink that gives every batch back to be filled again, as the classifier does, keeping a
/// copy of what it was given.
#[derive(Default)]
struct Recycling {
    records: Vec<HouseholdRecord>,
    done: Option<Vec<HouseholdRecord>>,
}

impl HouseholdSink for Recycling {
    fn accept(&mut self, batch: Vec<HouseholdRecord>) -> Result<(), SinkError> {
        assert!(!batch.is_empty());
        self.records.extend(batch.iter().cloned());
        self.done = Some(batch);
        Ok(())
    }
    fn reset(&mut self) -> Result<(), SinkError> {
        self.records.clear();
        Ok(())
    }
    fn recycle(&mut self) -> Option<Vec<HouseholdRecord>> {
        self.done.take()
    }
}

#[test]
fn records_filled_again_are_the_records_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let recs: Vec<HouseholdRecord> = (0..N).map(sample).collect();
    let src = write_csv(dir.path(), &recs, HeaderStyle::English);
    let (header, lines) = members_lines(&src);
    let hh_path = match &src {
        Source::Csv { households, .. } => households.clone(),
        Source::Xlsx { .. } | Source::Rows { .. } => unreachable!(),
    };
    let hh_text = std::fs::read_to_string(&hh_path).expect("read households");
    // Each record as read: the sample it was written from (without personal data unless kept).
    let as_read = |i: usize, keep_personal: bool| {
        let mut r = sample(i);
        if !keep_personal {
            r.head_name.clear();
            r.address.clear();
            for p in &mut r.members {
                *p = vuonlen_io::MemberPersonal::default();
            }
        }
        r
    };
    let compare = |what: &str| {
        for (keep_personal, skip_invalid) in [(false, false), (true, false), (false, true), (true, true)] {
            let o = opts(keep_personal, skip_invalid);
            let (want, want_report) = read_all(&src, &o);
            let mut sink = Recycling::default();
            let report = vuonlen_io::read(&src, &o, &mut sink).expect("read");
            assert_eq!(report, want_report, "{what}");
            assert_eq!(sink.records, want, "{what} (keep personal {keep_personal}, skip invalid {skip_invalid})");
            // In file order, each as written.
            let mut last = None;
            for r in &want {
                let i: usize = r.household_code[2..].parse().expect("a sample id");
                assert!(last.is_none_or(|l| l < i), "{what}: order");
                last = Some(i);
                assert_eq!(*r, as_read(i, keep_personal), "{what}");
            }
            if report.is_clean() {
                assert_eq!(want.len(), N, "{what}");
            }
        }
    };
    compare("valid");

    // Households without members (one alone, then a run longer than a batch), members of
    // unknown households, a duplicate household, invalid rows of both files.
    let mut m = lines.clone();
    let gone: Vec<String> = [7, 300].into_iter().chain(1000..1300).map(|i| recs[i].household_code.clone()).collect();
    m.retain(|l| !gone.iter().any(|g| l.starts_with(&format!("{g},"))));
    m.insert(3, m[0].replacen("HH0000000", "GHOST1", 1));
    m.insert(2000, m[2000].replacen(",head,", ",boss,", 1).replacen(",child,", ",boss,", 1));
    m.push(m[0].replacen("HH0000000", "GHOST2", 1));
    write_members(&src, &header, &m);
    let mut h: Vec<String> = hh_text.lines().map(str::to_string).collect();
    h[600] = h[599].clone();
    h[4000] = h[4000].replacen(",00004,", ",0004x,", 1);
    std::fs::write(&hh_path, h.join("\n")).expect("write households");
    compare("with errors");
    let (got, report) = read_all(&src, &opts(false, true));
    let kinds: std::collections::BTreeSet<_> = report.errors.iter().map(|p| format!("{:?}", p.kind)).collect();
    for k in ["NoMembers", "HouseholdNotFound", "DuplicateHousehold", "InvalidCode", "InvalidCommuneCode"] {
        assert!(kinds.contains(k), "{k}: {kinds:?}");
    }
    assert!(got.len() < N - 300 && got.len() > N - 320, "{}", got.len());

    // Members far ahead of their household: the in-memory join.
    let mut moved = lines.clone();
    let last = moved.split_off(moved.len() - 2);
    let moved: Vec<String> = last.into_iter().chain(moved).collect();
    std::fs::write(&hh_path, &hh_text).expect("write households");
    write_members(&src, &header, &moved);
    compare("in memory");
}
